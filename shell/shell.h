/* shell/shell.h - the debug shell on the serial console. */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include "lib/compiler.h"

struct vcpu;

/*
 * The shell's turn while guest v runs (called by the run loop on every
 * console tick, and continuously while v is paused): if Ctrl-] gave the
 * shell the console, announce it, then handle the keys typed since, running
 * each completed command line. Returns at once otherwise.
 */
void shell_service(struct vcpu *v);

/* With no guest left to run: the shell owns the console for good. */
__noreturn void shell_run(void);

#endif
