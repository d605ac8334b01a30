/* shell/shell.c - the debug shell on the serial console: a prompt that keeps
 * the hypervisor reachable after the guests stop or when none can run. A
 * small command table; the full shell (guest multiplexing, line editing,
 * inspection commands) builds on it. */
#include "shell/shell.h"
#include "arch/cpu.h"
#include "arch/cpuinfo.h"
#include "drivers/console.h"
#include "drivers/uart16550.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/malloc.h"
#include "shell/line_edit.h"
#include "guest/run.h"
#include "guest/gmem.h"
#include "guest/gmap.h"
#include "lib/cmdline.h"
#include "vmx/ept.h"
#include "guest/device.h"

#define SHELL_LINE_MAX 128

struct shell_cmd {
	const char *name;
	const char *help;
	void (*run)(const char *args);
};

static void cmd_help(const char *args);

static void cmd_info(const char *args)
{
	struct cpuinfo ci;
	char free_mem[32];

	cpuinfo_read(&ci);
	fmt_size(free_mem, sizeof(free_mem), frame_free_count(mm_frames()) * PAGE_SIZE);
	printf("hv %s; CPU %s %s; VMX %s; %s of hypervisor memory free\n", HV_VERSION, ci.vendor,
	       ci.brand, ci.vmx ? "present" : "absent", free_mem);
}

static void cmd_mem(const char *args)
{
	const struct memmap *m = mm_host_map();
	char size[32];

	for (unsigned int i = 0; i < m->count; i++) {
		fmt_size(size, sizeof(size), m->ranges[i].end - m->ranges[i].start);
		printf("  0x%016llx  0x%016llx  %10s  %s\n", (unsigned long long)m->ranges[i].start,
		       (unsigned long long)(m->ranges[i].end - 1), size,
		       memmap_type_name(m->ranges[i].type));
	}
}

static void cmd_ept(const char *args)
{
	struct ept *e = guests_ept();
	uint64_t gpa;

	if (!e) {
		printf("no EPT: no guest has run\n");
		return;
	}
	if (!*args) {
		ept_print_map(e);
		return;
	}
	if (parse_u64(args, &gpa)) {
		printf("usage: ept [GPA]   (GPA in hex like 0xfe000000, or decimal)\n");
		return;
	}
	printf("EPT walk for GPA 0x%llx:\n", (unsigned long long)gpa);
	ept_print_walk(e, gpa);
}

static void cmd_mtree(const char *args)
{
	const struct gmap *g = gmem_map();

	if (!g->flat_count) {
		printf("no guest memory map: no guest has run\n");
		return;
	}
	for (unsigned int i = 0; i < g->flat_count; i++)
		printf("  0x%016llx-0x%016llx  %-8s e820 %u  %s\n", (unsigned long long)g->flat[i].start,
		       (unsigned long long)(g->flat[i].end - 1), gmap_kind_name(g->flat[i].kind),
		       g->flat[i].e820_type, g->flat[i].owner);
}

static void cmd_devices(const char *args)
{
	device_list();
}

static void cmd_reboot(const char *args)
{
	printf("rebooting\n");
	outb(0xcf9, 0x06);              /* PCI reset control: hard reset */
	outb(0x64, 0xfe);               /* keyboard controller pulse, for older chipsets */
	printf("reboot did not happen; try the reset button\n");
}

static const struct shell_cmd commands[] = {
	{ "help", "list commands", cmd_help },
	{ "info", "version, CPU, free hypervisor memory", cmd_info },
	{ "mem", "the host memory map", cmd_mem },
	{ "mtree", "the guest memory map", cmd_mtree },
	{ "devices", "device models with their ports, MMIO ranges and state", cmd_devices },
	{ "ept", "ept: the guest's EPT as runs; ept GPA: the walk for one address", cmd_ept },
	{ "reboot", "reset the machine", cmd_reboot },
};

static void cmd_help(const char *args)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
}

static void execute(char *line)
{
	char *args;

	while (*line == ' ')
		line++;
	if (!*line)
		return;
	args = line;
	while (*args && *args != ' ')
		args++;
	if (*args)
		*args++ = 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(line, commands[i].name)) {
			commands[i].run(args);
			return;
		}
	}
	printf("unknown command '%s' (try 'help')\n", line);
}

static const char *command_names[ARRAY_SIZE(commands)];
static struct line_edit editor;

/* Reads one line with editing, history and Tab completion (shell/line_edit.c). */
static const char *read_line(void)
{
	struct uart u = { console_port(), console_baud() };
	struct le_output out;

	for (;;) {
		int c = uart_getc(&u);
		enum le_result r;

		if (c < 0) {
			cpu_relax();
			continue;
		}
		le_output_reset(&out);
		r = le_feed(&editor, (char)c, &out);
		console_write(out.buf);
		if (r == LE_LINE)
			return le_line(&editor);
	}
}

void shell_run(void)
{
	char line[SHELL_LINE_MAX];

	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++)
		command_names[i] = commands[i].name;
	le_init(&editor);
	le_set_completions(&editor, command_names, ARRAY_SIZE(commands));
	printf("hv: debug shell ready (type 'help')\n");
	for (;;) {
		const char *l;

		printf("hv> ");
		l = read_line();
		/* execute() splits in place: work on a copy, the editor keeps history. */
		size_t n = MIN(strlen(l), sizeof(line) - 1);

		memcpy(line, l, n);
		line[n] = 0;
		execute(line);
	}
}
