/* lib/print.h - the hypervisor's messages: printf and panic, for every layer.
 * Implemented by the console (drivers/console.c); declared here so that arch/
 * and mm/, below drivers/, can report. Pure code does not print: it returns
 * errors (lib/format.h, fmt_error) and its caller prints them. */
#ifndef LIB_PRINT_H
#define LIB_PRINT_H

#include "lib/compiler.h"

/* Writes formatted text; "\n" becomes "\r\n" on the wire. Returns chars formatted. */
int printf(const char *fmt, ...) __printf(1, 2);

/* Reports a broken hypervisor invariant with a register dump and stops this CPU. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#endif
