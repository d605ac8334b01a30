/* shell/shell.h - the debug shell on the serial console. */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include "lib/compiler.h"

/* Announces the shell and serves commands from the console forever. */
__noreturn void shell_run(void);

#endif
