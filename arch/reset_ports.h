/* arch/reset_ports.h - the PC's reset ports: the 8042 keyboard controller
 * (0x60/0x64), system control port A (0x92) and the reset control register
 * (0xcf9, Intel PCH datasheets RST_CNT). Numbers only: the hypervisor resets
 * the machine through them (arch/reboot.c) and recognizes a guest's reset by
 * them (guest/dev/reset_decode.c). */
#ifndef ARCH_RESET_PORTS_H
#define ARCH_RESET_PORTS_H

#define PORT_KBC_DATA    0x60    /* 8042 data: after command 0xd1, its output port */
#define PORT_KBC_CMD     0x64    /* 8042 command (write) / status (read) */
#define KBC_WRITE_OUTPUT 0xd1    /* the next data byte is the output port: bit 0 the CPU reset line (0 = reset), bit 1 A20 */
#define PORT_SYS_CTRL_A  0x92    /* system control port A: bit 0 fast reset, bit 1 A20 */
#define PORT_RST_CNT     0xcf9   /* reset control register, a byte inside 0xcf8's dword */

#define SYS_CTRL_A_RESET 0x01    /* a 0->1 transition resets */
#define RST_CNT_SYS_RST  0x02    /* bits 1-2 as the Reset Control Register defines them */
#define RST_CNT_RST_CPU  0x04    /* a write with it set resets */

#endif
