/* shell/shell.c - the debug shell on the serial console: Ctrl-] takes the
 * line from the guest's console (drivers/console_mux.c), keys go through the
 * line editor (shell/line_edit.c), and each entered line runs one command
 * from the table below while the guest keeps running between keys. */
#include "shell/shell.h"
#include "shell/session.h"
#include "shell/cmd_host.h"
#include "shell/cmd_guest.h"
#include "shell/cmd_memory.h"
#include "shell/cmd_cpus.h"
#include "shell/cmd_iommu.h"
#include "drivers/iommu/vtd.h"
#include "shell/line_edit.h"
#include "shell/cmd_parse.h"
#include "drivers/console.h"
#include "drivers/console_mux.h"
#include "guest/vcpu.h"
#include "guest/vm.h"
#include "arch/cpu.h"
#include "lib/format.h"
#include "lib/string.h"

#define SHELL_ARGS_MAX 8

static void cmd_help(int argc, char **argv);
static void cmd_continue(int argc, char **argv);

static const struct shell_cmd commands[] = {
	{ "help", "[COMMAND]", "list the commands, or explain one", cmd_help, SHELL_ON_GUEST },
	{ "continue", "", "give the console back to the guest (Ctrl-] does too)", cmd_continue, SHELL_ON_GUEST },
	{ "info", "", "hypervisor version, CPU, VMX features in use, memory taken", cmd_info, SHELL_ON_GUEST },
	{ "mem", "", "the host memory map from the boot loader, with the hypervisor's parts", cmd_mem, SHELL_ON_GUEST },
	{ "mtree", "", "the guest memory map: ranges, kinds and owners", cmd_mtree, SHELL_ON_GUEST },
	{ "ept", "[GPA | stats | flush]", "the EPT as runs; GPA: the walk for one address; stats: page counts and cross-CPU requests; flush: INVEPT on every CPU, acknowledged", cmd_ept, SHELL_ON_GUEST },
	{ "cpus", "", "the guest's vCPUs: APIC ID, CPU, state, exits; * marks the selected one", cmd_cpus, SHELL_ON_GUEST },
	{ "cpu", "[N]", "show the selected vCPU, or select vCPU N for regs, vmcs, gva, x, step, inject, exits", cmd_cpu, SHELL_ON_GUEST },
	{ "iommu", "", "the VT-d units: capabilities, translation, root table, fault counts; the last DMA faults", cmd_iommu, SHELL_ON_GUEST },
	{ "devices", "", "device models with their ports, MMIO ranges and state", cmd_devices, SHELL_ON_GUEST },
	{ "regs", "", "the selected vCPU's registers, control registers and segments", cmd_regs, SHELL_ON_ITS_CPU },
	{ "vmcs", "[FIELD]", "every VMCS field by group, or one (GUEST_RIP, 0x681e), of the selected vCPU", cmd_vmcs, SHELL_ON_ITS_CPU },
	{ "exits", "[all | reset]", "the selected vCPU's VM exits per reason: count, total and average cost; all: every vCPU's summed; reset: count from now (all vCPUs)", cmd_exits, SHELL_ON_SELECTED },
	{ "gva", "ADDR", "walk the selected vCPU's page tables for a guest-virtual address", cmd_gva, SHELL_ON_ITS_CPU },
	{ "x", "ADDR [LEN]", "hex dump of guest-virtual memory as the selected vCPU maps it (LEN default 64, at most 4096)", cmd_x, SHELL_ON_ITS_CPU },
	{ "xp", "GPA [LEN]", "hex dump of guest-physical memory (LEN default 64, at most 4096)", cmd_xp, SHELL_ON_GUEST },
	{ "pause", "", "stop running the guest, every vCPU (the shell stays)", cmd_pause, SHELL_ON_GUEST },
	{ "resume", "", "run the paused guest again, every vCPU", cmd_resume, SHELL_ON_GUEST },
	{ "step", "", "run the paused guest for one instruction (monitor trap flag; RFLAGS.TF where the CPU has none, see info)", cmd_step, SHELL_ON_ITS_CPU },
	{ "inject", "nmi", "queue an NMI for the selected vCPU", cmd_inject, SHELL_ON_ITS_CPU },
	{ "log", "[error|warn|info|debug]", "show or set what the hypervisor reports (debug traces exits)", cmd_log, SHELL_ON_GUEST },
	{ "reset", "", "restart the guest from its boot module", cmd_reset, SHELL_ON_GUEST },
	{ "reboot", "", "reset the machine", cmd_reboot, SHELL_ON_GUEST },
};

static const char *command_names[ARRAY_SIZE(commands)];
static struct line_edit editor;
static bool editor_ready;
static bool announced;                   /* the shell said it has the console */

static void editor_init(void)
{
	if (editor_ready)
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++)
		command_names[i] = commands[i].name;
	le_init(&editor);
	le_set_completions(&editor, command_names, ARRAY_SIZE(commands));
	editor_ready = true;
}

static void prompt(void)
{
	console_echo("hv> ", 4);
}

/* The prompt again with what was typed so far (after a message split it). */
static void redraw(void)
{
	prompt();
	if (!editor.done)
		console_echo(editor.buf, editor.len);
}

static void cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		shell_usage("help");
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++) {
		char head[40];

		if (argc == 2 && strcmp(argv[1], commands[i].name))
			continue;
		fmt_snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].usage);
		printf("  %-28s %s\n", head, commands[i].help);
		if (argc == 2)
			return;
	}
	if (argc == 2)
		printf("help: no command '%s' (try 'help')\n", argv[1]);
	else
		printf("Keys: Tab completes, Up/Down recall, Ctrl-U clears; Ctrl-] returns to the guest.\n");
}

static void cmd_continue(int argc, char **argv)
{
	if (argc != 1) {
		shell_usage("continue");
		return;
	}
	if (shell_guest("continue"))
		shell_request_leave();
}

/* On the selected vCPU where the command says so: here, or on its CPU. */
static void run_command(const struct shell_cmd *c, int argc, char **argv)
{
	struct vcpu *sel = c->on != SHELL_ON_GUEST ? shell_selected() : NULL;

	shell_session.cmd = c;
	if (sel && sel != shell_session.boot) {
		shell_session.guest = sel;
		if (c->on == SHELL_ON_ITS_CPU)
			shell_run_on_cpu(sel, c, argc, argv);
		else
			c->run(argc, argv);
		shell_session.guest = shell_session.boot;
	} else {
		c->run(argc, argv);
	}
	shell_session.cmd = NULL;
}

static void execute(char *line)
{
	char *argv[SHELL_ARGS_MAX + 1];
	int argc = cmd_split(line, argv, SHELL_ARGS_MAX);

	if (argc == -EINVAL) {
		printf("unterminated quote\n");
		return;
	}
	if (argc < 0) {
		printf("too many arguments (at most %d words)\n", SHELL_ARGS_MAX);
		return;
	}
	if (!argc)
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[0], commands[i].name)) {
			run_command(&commands[i], argc, argv);
			return;
		}
	}
	printf("unknown command '%s' (try 'help')\n", argv[0]);
}

static void announce(void)
{
	announced = true;
	if (shell_session.guest)
		printf("hv: debug shell; guest %s %s ('continue' or Ctrl-] returns to it, 'help' lists commands)\n",
		       shell_session.guest->name, shell_session.guest->paused ? "is paused" : "keeps running");
	else
		printf("hv: debug shell ready (type 'help')\n");
	redraw();
}

static void leave(void)
{
	uint64_t held, dropped;

	console_held(&held, &dropped);
	printf("hv: back to guest %s", shell_session.guest->name);
	if (held || dropped)
		printf(" (its output while the shell was open follows: %llu bytes", (unsigned long long)held);
	if (dropped)
		printf("; %llu earlier bytes were dropped", (unsigned long long)dropped);
	printf("%s%s\n", held || dropped ? ")" : "", shell_session.guest->paused ? "; it is paused ('resume' in the shell)" : "");
	announced = false;
	shell_session.leave_requested = false;
	(void)console_leave_shell();
}

static void key(char c)
{
	struct le_output out;
	char line[LE_LINE_MAX];

	if ((uint8_t)c == MUX_ESCAPE) {
		le_output_reset(&out);
		(void)le_feed(&editor, 0x15, &out);     /* Ctrl-U: drop the half-typed line */
		console_echo("\r\n", 2);
		if (shell_session.guest)
			leave();
		else {
			printf("no guest to return to\n");
			prompt();
		}
		return;
	}
	le_output_reset(&out);
	if (le_feed(&editor, c, &out) != LE_LINE) {
		console_echo(out.buf, out.len);
		return;
	}
	console_echo(out.buf, out.len);
	/* execute() splits in place: work on a copy, the editor keeps history. */
	memcpy(line, le_line(&editor), sizeof(line));
	line[sizeof(line) - 1] = 0;
	execute(line);
	if (shell_session.leave_requested)
		leave();
	else
		prompt();
}

static void report_step(struct vcpu *v, void *arg)
{
	shell_report_step(v);
}

/* A step ended on one of the vCPUs (the selected one was stepped): say where,
 * reading its state on its own CPU. */
static void steps_ended(struct vcpu *boot)
{
	const struct vm *vm = boot->vm;
	unsigned int n = vm && vm->vcpu_count ? vm->vcpu_count : 1;

	for (unsigned int i = 0; i < n; i++) {
		struct vcpu *v = vm && vm->vcpu_count ? vm->vcpus[i] : boot;

		if (!v || !__atomic_load_n(&v->step_ended, __ATOMIC_ACQUIRE))
			continue;
		v->step_ended = false;
		if (console_shell_owns()) {
			shell_session.guest = v;
			(void)shell_call_on_cpu(v, report_step, NULL, "step");
			shell_session.guest = boot;
			/* The report broke the prompt's line: one new prompt, not two. */
			(void)console_take_echo_broken();
			redraw();
		}
	}
}

void shell_service(struct vcpu *v)
{
	int c;

	shell_session.guest = v;
	shell_session.boot = v;
	if (v)
		steps_ended(v);
	if (!console_shell_owns()) {
		announced = false;
		return;
	}
	editor_init();
	if (!announced)
		announce();
	if (console_take_echo_broken())
		redraw();
	while (console_shell_owns() && (c = console_shell_getc()) >= 0)
		key((char)c);
}

void shell_run(void)
{
	console_enter_shell();
	announced = false;
	for (;;) {
		(void)console_poll_input();
		(void)vtd_poll_faults(false);
		shell_service(NULL);
		cpu_relax();
	}
}
