/* guest/reset_decode.h - the ways software resets a PC through I/O ports,
 * and which writes take them: the 8042 keyboard controller's pulse-output
 * commands (port 0x64), the fast reset bit of port 0x92, the reset control
 * register (0xcf9), the ACPI FADT's reset register. Pure. */
#ifndef GUEST_RESET_DECODE_H
#define GUEST_RESET_DECODE_H

#include "lib/compiler.h"

#define PORT_KBC_CMD     0x64    /* 8042 command (write) / status (read) */
#define PORT_SYS_CTRL_A  0x92    /* system control port A: bit 0 fast reset, bit 1 A20 */
#define PORT_RST_CNT     0xcf9   /* reset control register, a byte inside 0xcf8's dword */

#define SYS_CTRL_A_RESET 0x01    /* a 0->1 transition resets */
#define RST_CNT_SYS_RST  0x02    /* bits 1-2 as the Reset Control Register defines them */
#define RST_CNT_RST_CPU  0x04    /* a write with it set resets */

enum reset_path {
	RESET_NONE,                  /* not a reset: the write goes to the hardware */
	RESET_KBC,                   /* 8042 pulse-output command (0xf0-0xfe) with bit 0 (reset line) clear */
	RESET_SYS_CTRL_A,            /* port 0x92 bit 0 from 0 to 1 */
	RESET_RST_CNT,               /* port 0xcf9 with RST_CPU */
	RESET_FADT,                  /* the FADT's reset register written with its RESET_VALUE */
};

/* What a guest's reset does (module option hv.onreset=). */
enum reset_action {
	RESET_RESTART,               /* the guest starts again from its boot modules (default) */
	RESET_STOP,                  /* the guest stops; the next guest runs */
	RESET_MACHINE,               /* the hypervisor resets the machine, as the guest asked */
};

/* The FADT reset register when it is in I/O space (fadt_io false otherwise). */
struct reset_fadt_io {
	bool fadt_io;
	uint16_t port;
	uint8_t value;
};

/*
 * Which reset a byte write of value to port is. old is the port's value
 * before the write as the hardware reads it (for 0x92's 0->1 edge; ignored
 * for other ports). The FADT's register wins where it shares a port with a
 * legacy path and the value is its RESET_VALUE.
 */
enum reset_path reset_decode_write(const struct reset_fadt_io *f, uint16_t port, uint8_t value,
				   uint8_t old);

/* What goes to the hardware for a byte write to port that is not a reset:
 * port 0x92's other bits (A20) go, its fast reset bit never does. */
uint8_t reset_hw_value(uint16_t port, uint8_t value);

/* "the keyboard controller (port 0x64 command 0xfe)", "port 0xcf9 (value
 * 0x6)", "port 0x92 (value 0x1)" for path, written to port with value. The
 * FADT path's words come from the caller (fadt_what: "I/O port 0xcf9, value 0x6"). */
void reset_describe(enum reset_path path, uint16_t port, uint8_t value, const char *fadt_what,
		    char *buf, size_t len);

/* Parses an hv.onreset= value ("restart", "stop", "machine"). 0 or -EINVAL. */
int __must_check reset_action_parse(const char *s, enum reset_action *out);

/* The hv.onreset= word of a. */
const char *reset_action_name(enum reset_action a);

#endif
