/* shell/session.h - what a shell command runs with: the guest the shell
 * serves, its own entry in the command table (for its usage line) and the
 * request to give the console back. shell/shell.c sets it up around each
 * command; the commands (shell/cmd_*.c) use it. */
#ifndef SHELL_SESSION_H
#define SHELL_SESSION_H

#include "lib/compiler.h"

struct vcpu;

struct shell_cmd {
	const char *name;
	const char *usage;               /* arguments, "" if none */
	const char *help;                /* one line */
	void (*run)(int argc, char **argv);
};

struct shell_session {
	struct vcpu *guest;              /* the guest being served, NULL if none */
	const struct shell_cmd *cmd;     /* the command running now, NULL between commands */
	bool leave_requested;            /* `continue`: give the console back */
};

/* shell/shell.c sets it up around each command; commands change it only
 * through shell_request_leave(). */
extern struct shell_session shell_session;

/* The guest the shell works on; NULL (after printing why) if none is running. */
struct vcpu *shell_guest(const char *cmd);

/* Prints "usage: NAME USAGE" for the command running now. */
void shell_usage(const char *cmd);

/* The shell gives the console back to the guest after this command. */
void shell_request_leave(void);

#endif
