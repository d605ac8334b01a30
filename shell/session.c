/* shell/session.c - what a shell command runs with (shell/session.h). */
#include "shell/session.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "guest/vcpu.h"
#include "guest/vm.h"
#include "arch/percpu.h"

struct shell_session shell_session;

struct vcpu *shell_guest(const char *cmd)
{
	if (!shell_session.guest)
		printf("%s: no guest is running\n", cmd);
	return shell_session.guest;
}

struct vcpu *shell_selected(void)
{
	struct vcpu *b = shell_session.boot;
	struct vm *vm = b ? b->vm : NULL;

	if (!vm || !vm->vcpu_count)
		return b;
	if (shell_session.selected_run != b->started_tsc || shell_session.selected >= vm->vcpu_count) {
		/* A new run of the guest: the vCPU of the CPU the shell runs on. */
		shell_session.selected = 0;
		for (unsigned int i = 0; i < vm->vcpu_count; i++)
			if (vm->vcpus[i] && vm->vcpus[i]->cpu == this_cpu.cpu)
				shell_session.selected = i;
		shell_session.selected_run = b->started_tsc;
	}
	return vm->vcpus[shell_session.selected] ? vm->vcpus[shell_session.selected] : b;
}

unsigned int shell_selected_index(void)
{
	(void)shell_selected();
	return shell_session.selected;
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
