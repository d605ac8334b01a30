/* shell/cmd_guest.h - the shell's commands about the running guest: registers, exits, pause and step. */
#ifndef SHELL_CMD_GUEST_H
#define SHELL_CMD_GUEST_H

#include "lib/compiler.h"

struct vcpu;

void cmd_regs(int argc, char **argv);
void cmd_vmcs(int argc, char **argv);
void cmd_exits(int argc, char **argv);
void cmd_pause(int argc, char **argv);
void cmd_resume(int argc, char **argv);
void cmd_step(int argc, char **argv);
void cmd_inject(int argc, char **argv);
void cmd_reset(int argc, char **argv);
/* Where a finished step left the guest (the run loop's report). */
void shell_report_step(struct vcpu *v);

#endif
