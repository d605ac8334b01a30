/* guest/dev/vuart.h - the guest's COM1 (a 16550A model on the console UART,
 * interrupting on ISA IRQ 4 as the guest routed it), and
 * the hypervisor's own UART hidden from the guest when it is elsewhere. */
#ifndef GUEST_VUART_H
#define GUEST_VUART_H

#include "lib/compiler.h"

#define GUEST_COM1 0x3f8

/* Registers the guest's virtual COM1 at GUEST_COM1 (output to the console)
 * and, if the hypervisor's console UART is elsewhere, a device that keeps
 * the guest off it. Returns 0 or a negative error after a message. */
int __must_check vuart_init(uint16_t console_port);

/* Puts COM1 back to its power-on state and silences its interrupt line
 * (before each guest, with its name for messages, and after it, with NULL). */
void vuart_reset(const char *guest);

/* After vuart_reset, for chain mode's firmware: the guest's COM1 as the
 * firmware programmed the real one before the hypervisor's console took it
 * (console_firmware_uart; LCR, divisor, MCR, IER, FIFOs on or off), since
 * the firmware will not program it again. One line. */
void vuart_seed_firmware(const char *guest);

/* Typed bytes may be waiting, time has passed: move them into the model,
 * check its character timeout and raise its interrupt line as the guest
 * programmed it (called on every console tick). */
void vuart_tick(void);

/* One byte access to COM1's register reg (0-7), as its port handlers do it;
 * under the device lock (the fast exit path, guest/run/memory_exits.c). */
uint8_t vuart_com1_read(unsigned int reg);
void vuart_com1_write(unsigned int reg, uint8_t val);

#endif
