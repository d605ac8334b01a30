/* shell/session.h - what a shell command runs with: the guest the shell
 * serves, its own entry in the command table (for its usage line) and the
 * request to give the console back. shell/shell.c sets it up around each
 * command; the commands (shell/cmd_*.c) use it. */
#ifndef SHELL_SESSION_H
#define SHELL_SESSION_H

#include "lib/compiler.h"

struct vcpu;

/* Which vCPU a command acts on, and where it runs. */
enum shell_on {
	SHELL_ON_GUEST,                  /* the guest as a whole (its boot vCPU), on this CPU */
	SHELL_ON_SELECTED,               /* the selected vCPU (`cpu N`), read from this CPU */
	SHELL_ON_ITS_CPU,                /* the selected vCPU, on its own CPU (its VMCS is current only there) */
};

struct shell_cmd {
	const char *name;
	const char *usage;               /* arguments, "" if none */
	const char *help;                /* one line */
	void (*run)(int argc, char **argv);
	enum shell_on on;
};

struct shell_session {
	/* The vCPU the running command acts on (the selected one for
	 * SHELL_ON_SELECTED/ITS_CPU commands), else the boot vCPU; NULL if
	 * no guest runs. */
	struct vcpu *guest;
	struct vcpu *boot;               /* the vCPU whose run loop serves the shell */
	unsigned int selected;           /* `cpu N`: index in the VM's vcpus[] */
	uint64_t selected_run;           /* the boot vCPU's started_tsc when selected (a restart resets it) */
	const struct shell_cmd *cmd;     /* the command running now, NULL between commands */
	bool leave_requested;            /* `continue`: give the console back */
};

/* shell/shell.c sets it up around each command; commands change it only
 * through shell_request_leave(). */
extern struct shell_session shell_session;

/* The guest the shell works on; NULL (after printing why) if none is running. */
struct vcpu *shell_guest(const char *cmd);

/* The selected vCPU (`cpu N`; after a guest restart the one of the shell's
 * own CPU again); NULL if no guest runs. */
struct vcpu *shell_selected(void);
/* Its index in the VM's vcpus[]. */
unsigned int shell_selected_index(void);

/* Prints "usage: NAME USAGE" for the command running now. */
void shell_usage(const char *cmd);

/* The shell gives the console back to the guest after this command. */
void shell_request_leave(void);

#endif
