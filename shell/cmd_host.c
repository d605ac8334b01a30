/* shell/cmd_host.c - shell commands about the hypervisor and the machine:
 * info, mem, mtree, ept, devices, log, reboot. */
#include "shell/cmd_host.h"
#include "shell/session.h"
#include "shell/cmd_parse.h"
#include "arch/cpu.h"
#include "arch/cpuinfo.h"
#include "arch/reboot.h"
#include "arch/tsc.h"
#include "drivers/console.h"
#include "drivers/ipi.h"
#include "guest/dev/device.h"
#include "guest/gmap.h"
#include "guest/gmem.h"
#include "guest/run/run.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/malloc.h"
#include "guest/backend.h"

static bool no_args(int argc, const char *cmd)
{
	if (argc == 1)
		return true;
	shell_usage(cmd);
	return false;
}

void cmd_info(int argc, char **argv)
{
	const struct memmap *m = mm_host_map();
	uint64_t taken = 0;
	char size[32], free_mem[32];
	struct cpuinfo ci;

	if (!no_args(argc, "info"))
		return;
	cpuinfo_read(&ci);
	printf("hv %s\n", HV_VERSION);
	printf("CPU: %s %s, family 0x%x model 0x%x stepping %u, %u physical address bits; TSC %llu kHz\n",
	       ci.vendor, ci.brand[0] ? ci.brand : "(no brand string)", ci.family, ci.model, ci.stepping,
	       ci.phys_addr_bits, (unsigned long long)tsc_khz());
	backend_print_features();
	for (unsigned int i = 0; i < m->count; i++)
		if (m->ranges[i].type == MEM_HV_IMAGE || m->ranges[i].type == MEM_HV_WORKING)
			taken += m->ranges[i].end - m->ranges[i].start;
	fmt_size(size, sizeof(size), taken);
	fmt_size(free_mem, sizeof(free_mem), frame_free_count(mm_frames()) * PAGE_SIZE);
	printf("memory: %s taken by the hypervisor (image and working memory), %s of it free\n", size,
	       free_mem);
}

void cmd_mem(int argc, char **argv)
{
	const struct memmap *m = mm_host_map();
	char size[32];

	if (!no_args(argc, "mem"))
		return;
	for (unsigned int i = 0; i < m->count; i++) {
		fmt_size(size, sizeof(size), m->ranges[i].end - m->ranges[i].start);
		printf("  0x%016llx  0x%016llx  %10s  %s\n", (unsigned long long)m->ranges[i].start,
		       (unsigned long long)(m->ranges[i].end - 1), size,
		       memmap_type_name(m->ranges[i].type));
	}
}

void cmd_mtree(int argc, char **argv)
{
	const struct gmap *g = gmem_map();

	if (!no_args(argc, "mtree"))
		return;
	if (!g->flat_count) {
		printf("no guest memory map: no guest has run\n");
		return;
	}
	for (unsigned int i = 0; i < g->flat_count; i++)
		printf("  0x%016llx-0x%016llx  %-8s e820 %u  %s\n", (unsigned long long)g->flat[i].start,
		       (unsigned long long)(g->flat[i].end - 1), gmap_kind_name(g->flat[i].kind),
		       g->flat[i].e820_type, g->flat[i].owner);
}

void cmd_ept(int argc, char **argv)
{
	const struct vm *vm = guests_vm();
	uint64_t gpa;

	if (argc > 2) {
		shell_usage("ept");
		return;
	}
	if (!vm) {
		printf("no EPT: no guest has run\n");
		return;
	}
	if (argc == 1) {
		stage2_print(vm, STAGE2_MAP);
		return;
	}
	if (!strcmp(argv[1], "stats")) {
		stage2_print(vm, STAGE2_SUMMARY);
		return;
	}
	if (!strcmp(argv[1], "flush")) {
		unsigned int missed;

		/* Edits of the tables (device registration) hold the device lock. */
		device_lock();
		missed = stage2_invalidate_all(vm);
		device_unlock();
		printf("ept flush: INVEPT on every CPU, %s\n",
		       missed ? "some did not answer (named above)" : "each acknowledged");
		cpu_request_print_stats();
		return;
	}
	if (cmd_parse_u64(argv[1], &gpa)) {
		printf("ept: '%s' is not an address (hex like 0xfe000000, or decimal), 'stats' or 'flush'\n", argv[1]);
		return;
	}
	printf("EPT walk for GPA 0x%llx:\n", (unsigned long long)gpa);
	stage2_print_walk(vm, gpa);
}

void cmd_devices(int argc, char **argv)
{
	if (no_args(argc, "devices"))
		device_list();
}

void cmd_log(int argc, char **argv)
{
	enum log_level l;

	if (argc > 2) {
		shell_usage("log");
		return;
	}
	if (argc == 2) {
		if (log_level_parse(argv[1], &l)) {
			printf("log: no level '%s' (error, warn, info or debug)\n", argv[1]);
			return;
		}
		log_level = l;
	}
	printf("log level: %s%s\n", log_level_name(log_level),
	       log_level == LOG_DEBUG ? " (every VM exit is traced, except the console tick)" :
	       log_level < LOG_INFO ? " (notes on what guests do, like ignored MSR writes, are not shown)" : "");
}

void cmd_reboot(int argc, char **argv)
{
	if (!no_args(argc, "reboot"))
		return;
	printf("rebooting\n");
	machine_reset();
	printf("reboot did not happen; try the reset button\n");
}
