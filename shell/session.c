/* shell/session.c - what a shell command runs with (shell/session.h). */
#include "shell/session.h"
#include "drivers/console.h"
#include "lib/string.h"

struct shell_session shell_session;

struct vcpu *shell_guest(const char *cmd)
{
	if (!shell_session.guest)
		printf("%s: no guest is running\n", cmd);
	return shell_session.guest;
}

void shell_usage(const char *cmd)
{
	const struct shell_cmd *c = shell_session.cmd;

	if (c && !strcmp(c->name, cmd))
		printf("usage: %s%s%s\n", cmd, c->usage[0] ? " " : "", c->usage);
}

void shell_request_leave(void)
{
	shell_session.leave_requested = true;
}
