/* shell/cmd_cpus.h - the guest's vCPUs in the shell: cpus, cpu, and running
 * a command on the selected vCPU's own CPU. */
#ifndef SHELL_CMD_CPUS_H
#define SHELL_CMD_CPUS_H

#include "shell/session.h"

void cmd_cpus(int argc, char **argv);
void cmd_cpu(int argc, char **argv);

/* Runs c on v's CPU (shell_session.guest is v meanwhile), waiting for it;
 * prints why not if that CPU does not answer. */
void shell_run_on_cpu(struct vcpu *v, const struct shell_cmd *c, int argc, char **argv);

/* fn(v) on v's CPU for the shell (a step report); false (said) if that CPU
 * did not answer. */
bool shell_call_on_cpu(struct vcpu *v, void (*fn)(struct vcpu *v, void *arg), void *arg,
		       const char *what);

#endif
