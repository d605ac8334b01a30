/* drivers/console.h - the hypervisor's console: printf to the serial port. */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include "lib/compiler.h"
#include "lib/print.h"         /* printf, panic */

/* Switches the console to the UART at port/baud. Returns false if none answers
 * there (the console then stays where it was). */
bool console_init(uint16_t port, uint32_t baud);

struct uart_regs;
/* Chain mode: records the UART at port as the firmware programmed it,
 * before console_init changes it (the guest's virtual UART starts from it,
 * chain mode's hand-back puts it back). */
void console_save_firmware(uint16_t port);
/* The recorded state (present false if none was recorded). */
const struct uart_regs *console_firmware_uart(void);
/* Puts the recorded state back on its port (chain mode's hand-back). */
void console_restore_firmware(void);

/* I/O port and speed of the console UART (port 0 if none). */
uint16_t console_port(void);
uint32_t console_baud(void);

struct uart;

/* The console's UART (for the guest's virtual UART, which borrows its IRQ line). */
struct uart *console_uart_dev(void);

void console_write(const char *s);

/*
 * The line is shared with the guest's console (drivers/console_mux.h):
 * Ctrl-] typed while the guest has it hands it to the shell, whose output
 * and prompt go through printf and console_echo; guest output is held then.
 */
/* Moves received bytes from the UART to the guest's or the shell's queue;
 * true if Ctrl-] just handed the line to the shell. (Unlocked looks for
 * pollers, console_input_ready and console_guest_pending, are inline in
 * drivers/console_peek.h.) */
bool console_poll_input(void);
bool console_shell_owns(void);
void console_enter_shell(void);
/* Back to the guest: held output is written out, typed-ahead bytes are the
 * guest's; true if those contained Ctrl-] again (the shell keeps the line). */
bool console_leave_shell(void);
/* Guest output held while the shell is open, and how much of it was lost. */
void console_held(uint64_t *held, uint64_t *dropped);
int console_shell_getc(void);
/* The shell's prompt and echo (a message never continues it mid-line). */
void console_echo(const char *s, size_t n);
/* A hypervisor message split the line being typed: the shell redraws it. */
bool console_take_echo_broken(void);

/* The guest's console: typed bytes for it (-1 if none), and its output. */
int console_guest_getc(void);
void console_guest_putc(char c);

#endif
