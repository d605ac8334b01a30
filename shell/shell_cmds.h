/* shell/shell_cmds.h - the shell's commands (shell/cmd_*.c) and what they share. */
#ifndef SHELL_SHELL_CMDS_H
#define SHELL_SHELL_CMDS_H

#include "lib/compiler.h"

struct vcpu;

struct shell_cmd {
	const char *name;
	const char *usage;               /* arguments, "" if none */
	const char *help;                /* one line */
	void (*run)(int argc, char **argv);
};

/* The guest the shell works on; NULL (after printing why) if none is running. */
struct vcpu *shell_guest(const char *cmd);

/* Prints "usage: NAME USAGE" for the command running now. */
void shell_usage(const char *cmd);

/* The shell gives the console back to the guest after this command. */
void shell_request_leave(void);

/* cmd_host.c */
void cmd_info(int argc, char **argv);
void cmd_mem(int argc, char **argv);
void cmd_mtree(int argc, char **argv);
void cmd_ept(int argc, char **argv);
void cmd_devices(int argc, char **argv);
void cmd_log(int argc, char **argv);
void cmd_reboot(int argc, char **argv);

/* cmd_guest.c */
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

/* cmd_memory.c */
void cmd_gva(int argc, char **argv);
void cmd_x(int argc, char **argv);
void cmd_xp(int argc, char **argv);
/* Reads guest-virtual memory through the guest's page tables (no A/D
 * updates); returns bytes read, stopping at the first page not in RAM. */
size_t shell_read_gva(struct vcpu *v, uint64_t gva, uint8_t *buf, size_t len);

#endif
