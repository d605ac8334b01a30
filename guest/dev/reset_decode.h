/* guest/dev/reset_decode.h - the ways software resets a PC through I/O ports,
 * and which writes take them: the 8042 keyboard controller's pulse-output
 * commands (port 0x64) and output port (0x60), the fast reset bit of 0x92,
 * the reset control register (0xcf9), the ACPI FADT's reset register. Pure. */
#ifndef GUEST_RESET_DECODE_H
#define GUEST_RESET_DECODE_H

#include "lib/compiler.h"
#include "arch/reset_ports.h"

enum reset_path {
	RESET_NONE,                  /* not a reset: the write goes to the hardware */
	RESET_KBC,                   /* 8042 pulse-output command (0xf0-0xfe) with bit 0 (reset line) clear */
	RESET_KBC_OUTPUT,            /* 8042 output port written (0xd1, then 0x60) with bit 0 clear */
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

/* The 8042 state the decoder follows: which byte 0x60 expects. */
struct reset_kbc {
	bool output_port_next;       /* the last command was 0xd1: the next data byte is the output port */
};

/* A decoded byte write: the reset it is, and what reaches the hardware. */
struct reset_write {
	enum reset_path path;
	bool to_hw;                  /* hw_value is written to the port */
	uint8_t hw_value;            /* the write without its reset bit (0x92's A20 bit, the 8042's output port) */
};

/*
 * Decodes a byte write of value to port, updating k. old is the port's value
 * before the write as the hardware reads it (for 0x92's 0->1 edge; ignored
 * for other ports). The FADT's register wins where it shares a port with a
 * legacy path and the value is its RESET_VALUE. A reset's own byte never
 * reaches the hardware; 0x92's other bits do, and the 8042's output port is
 * written with the reset line high so the controller is not left waiting.
 */
struct reset_write reset_decode_write(const struct reset_fadt_io *f, struct reset_kbc *k, uint16_t port,
				      uint8_t value, uint8_t old);

/* "the keyboard controller (port 0x64 command 0xfe)", "the keyboard
 * controller's output port (value 0xfe through port 0x60)", "port 0xcf9
 * (value 0x6)", "port 0x92 (value 0x1)" for path, written to port with value. The
 * FADT path's words come from the caller (fadt_what: "I/O port 0xcf9, value 0x6"). */
void reset_describe(enum reset_path path, uint16_t port, uint8_t value, const char *fadt_what,
		    char *buf, size_t len);

/* Parses an hv.onreset= value ("restart", "stop", "machine"). 0 or -EINVAL. */
int __must_check reset_action_parse(const char *s, enum reset_action *out);

/* The hv.onreset= word of a. */
const char *reset_action_name(enum reset_action a);

#endif
