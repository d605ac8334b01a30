/* shell/cmd_guest.c - shell commands about the running guest: regs, vmcs,
 * exits, pause, resume, step, inject, reset. */
#include "shell/cmd_guest.h"
#include "shell/session.h"
#include "shell/cmd_memory.h"
#include "arch/cpu.h"
#include "arch/tsc.h"
#include "drivers/console.h"
#include "guest/dev/emulate.h"
#include "guest/exit_stats.h"
#include "guest/backend.h"
#include "guest/run/requests.h"
#include "guest/vm.h"
#include "lib/string.h"

/* `exits reset`: every vCPU's counts then, by index in the VM's vcpus[]. */
static struct exit_stat exits_base[VM_MAX_VCPUS][GUEST_EXIT_COUNT];
static uint64_t exits_base_tsc;
static uint64_t exits_base_started;      /* the boot vCPU's started_tsc when the base was taken */
static uint64_t step_from_rip;

/* The guest and no arguments beyond argc_max, else a message and NULL. */
static struct vcpu *guest_args(int argc, int argc_max, const char *cmd)
{
	if (argc > argc_max) {
		shell_usage(cmd);
		return NULL;
	}
	return shell_guest(cmd);
}

static uint64_t guest_rip(struct vcpu *v)
{
	struct guest_cpu c;

	vcpu_read_cpu(v, &c);
	return c.regs.rip;
}

void cmd_regs(int argc, char **argv)
{
	struct vcpu *v = guest_args(argc, 1, "regs");

	if (v)
		vcpu_print_regs(v);
}

void cmd_vmcs(int argc, char **argv)
{
	struct vcpu *v = guest_args(argc, 2, "vmcs");

	if (v && vcpu_print_hw_state(v, argc == 2 ? argv[1] : NULL))
		printf("vmcs: no field '%s' (names as in the SDM without VMCS_, like GUEST_RIP, "
		       "or an encoding like 0x681e)\n", argv[1]);
}

static uint64_t tsc_to_ns(uint64_t tsc)
{
	uint64_t khz = tsc_khz() ? tsc_khz() : 1;

	return tsc / khz * 1000000 + tsc % khz * 1000000 / khz;
}

/* The VM's vCPUs (the boot vCPU alone if it has no VM). */
static unsigned int vcpus_of(struct vcpu *boot, struct vcpu ***list)
{
	static struct vcpu *one[1];

	if (boot->vm && boot->vm->vcpu_count) {
		*list = boot->vm->vcpus;
		return boot->vm->vcpu_count;
	}
	one[0] = boot;
	*list = one;
	return 1;
}

void cmd_exits(int argc, char **argv)
{
	struct vcpu *v = guest_args(argc, 2, "exits"), *boot = shell_session.boot, **list;
	struct exit_stat st[GUEST_EXIT_COUNT], now[GUEST_EXIT_COUNT], base[GUEST_EXIT_COUNT];
	unsigned int order[GUEST_EXIT_COUNT], n, count, sel = 0;
	uint64_t total = 0, total_tsc = 0;
	bool all;

	if (!v)
		return;
	if (!boot)
		boot = v;
	if (argc == 2 && strcmp(argv[1], "reset") && strcmp(argv[1], "all") && strcmp(argv[1], "sum")) {
		shell_usage("exits");
		return;
	}
	all = argc == 2 && strcmp(argv[1], "reset");
	count = vcpus_of(boot, &list);
	for (unsigned int i = 0; i < count; i++)
		if (list[i] == v)
			sel = i;
	/* A base taken from an earlier run of the guest (before a reset) is void. */
	if (exits_base_started != boot->started_tsc) {
		memset(exits_base, 0, sizeof(exits_base));
		exits_base_tsc = boot->started_tsc;
		exits_base_started = boot->started_tsc;
	}
	if (argc == 2 && !all) {
		for (unsigned int i = 0; i < count; i++)
			if (list[i])
				memcpy(exits_base[i], list[i]->exits, sizeof(exits_base[i]));
		exits_base_tsc = rdtsc();
		printf("exits: counting guest %s's exits from now%s\n", boot->name,
		       count > 1 ? " (every vCPU)" : "");
		return;
	}
	memset(now, 0, sizeof(now));
	memset(base, 0, sizeof(base));
	for (unsigned int i = 0; i < count; i++) {
		if (!list[i] || (!all && i != sel))
			continue;
		exit_stats_add(now, list[i]->exits, GUEST_EXIT_COUNT);
		exit_stats_add(base, exits_base[i], GUEST_EXIT_COUNT);
	}
	printf("exits of guest %s", boot->name);
	if (all)
		printf(", %u vCPUs summed,", count);
	else if (count > 1)
		printf(" vCPU %u (APIC ID %u)", sel, v->apic_id);
	printf(" in the last %llu ms (since %s):\n",
	       (unsigned long long)(tsc_to_ns(rdtsc() - exits_base_tsc) / 1000000),
	       exits_base_tsc == boot->started_tsc ? "it started" : "'exits reset'");
	if (tsc_origin_note())
		printf("exits: TSC figures are %s\n", tsc_origin_note());
	printf("  %-32s %10s %16s %10s %10s\n", "reason", "count", "total TSC", "avg TSC", "avg ns");
	n = exit_stats_since(now, base, GUEST_EXIT_COUNT, st, order);
	for (unsigned int i = 0; i < n; i++) {
		const struct exit_stat *e = &st[order[i]];

		total += e->count;
		total_tsc += e->tsc_total;
		printf("  %-32s %10llu %16llu %10llu %10llu\n", guest_exit_name(order[i]),
		       (unsigned long long)e->count, (unsigned long long)e->tsc_total,
		       (unsigned long long)(e->tsc_total / e->count),
		       (unsigned long long)tsc_to_ns(e->tsc_total / e->count));
	}
	printf("  %-32s %10llu %16llu %10llu %10llu\n", "total", (unsigned long long)total,
	       (unsigned long long)total_tsc, (unsigned long long)(total ? total_tsc / total : 0),
	       (unsigned long long)(total ? tsc_to_ns(total_tsc / total) : 0));
}

/* Paused by the shell: its own flag (the boot vCPU's pause, a finished
 * step) or the VM's (every vCPU). */
static bool vcpu_paused(const struct vcpu *v)
{
	return v->paused || (v->vm && __atomic_load_n(&v->vm->paused, __ATOMIC_ACQUIRE));
}

void cmd_pause(int argc, char **argv)
{
	struct vcpu *v = guest_args(argc, 1, "pause");

	if (!v)
		return;
	if (v->paused) {
		printf("pause: guest %s is already paused\n", v->name);
		return;
	}
	v->paused = true;
	v->stepping = false;
	/* Every other vCPU too; a CPU that does not answer is named. */
	if (v->vm)
		(void)vm_pause_all(v->vm);
	printf("guest %s paused at RIP 0x%016llx\n", v->name, (unsigned long long)guest_rip(v));
}

void cmd_resume(int argc, char **argv)
{
	struct vcpu *v = guest_args(argc, 1, "resume");

	if (!v)
		return;
	if (!v->paused) {
		printf("resume: guest %s is not paused\n", v->name);
		return;
	}
	v->paused = false;
	if (v->vm) {
		/* A vCPU whose step ended holds on its own flag: free it too. */
		for (unsigned int i = 0; i < v->vm->vcpu_count; i++)
			if (v->vm->vcpus[i])
				__atomic_store_n(&v->vm->vcpus[i]->paused, false, __ATOMIC_RELEASE);
		vm_resume_all(v->vm);
	}
	printf("guest %s runs again from RIP 0x%016llx\n", v->name, (unsigned long long)guest_rip(v));
}

void cmd_step(int argc, char **argv)
{
	struct vcpu *v = guest_args(argc, 1, "step");
	int rc;

	if (!v)
		return;
	if (!vcpu_paused(v)) {
		printf("step: guest %s is running; 'pause' it first\n", v->name);
		return;
	}
	/* No instruction runs before a SIPI: the step would end at some later start. */
	if (v->wait_sipi) {
		printf("step: the vCPU of APIC ID %u waits for SIPI (the guest has not started it): nothing to step\n",
		       v->apic_id);
		return;
	}
	step_from_rip = guest_rip(v);
	rc = vcpu_single_step(v);
	if (rc == -ENOTSUP)
		printf("step: this CPU cannot single-step a guest\n");
	else if (rc == -EBUSY)
		printf("step: the guest single-steps itself (RFLAGS.TF is set): its #DB traps are its own\n");
}

void shell_report_step(struct vcpu *v)
{
	struct guest_cpu c;
	uint64_t rip;
	uint8_t insn[8];
	size_t n;

	vcpu_read_cpu(v, &c);
	rip = c.regs.rip;
	/* The next instruction's linear address: CS base + RIP outside 64-bit mode. */
	n = shell_read_gva(v, rip + (c.regs.mode == CPU_MODE_64 ? 0 : c.regs.seg_base[INSN_SEG_CS]),
			   insn, sizeof(insn));

	printf("step: guest %s", v->name);
	if (v->cpu)
		printf(" (vCPU of APIC ID %u)", v->apic_id);
	printf(" went from RIP 0x%016llx to 0x%016llx (ended by: %s); next bytes:",
	       (unsigned long long)step_from_rip, (unsigned long long)rip, guest_exit_name(v->step_exit));
	for (size_t i = 0; i < n; i++)
		printf(" %02x", insn[i]);
	printf("%s\n", n ? "" : " (not readable)");
}

void cmd_inject(int argc, char **argv)
{
	struct vcpu *v;

	if (argc != 2 || strcmp(argv[1], "nmi")) {
		if (argc == 2)
			printf("inject: only 'nmi' can be injected\n");
		else
			shell_usage("inject");
		return;
	}
	v = shell_guest("inject");
	if (!v)
		return;
	/* Like the NMI pin: one can be pending, more are lost. */
	if (v->nmis_requested) {
		printf("inject: an NMI is already pending for guest %s\n", v->name);
		return;
	}
	v->nmis_requested = 1;
	vcpu_slow_post(v, VCPU_SLOW_NMI);
	printf("NMI queued for guest %s (delivered when it can take one%s)\n", v->name,
	       v->paused ? ", after 'resume'" : "");
}

void cmd_reset(int argc, char **argv)
{
	struct vcpu *v = guest_args(argc, 1, "reset");

	if (!v)
		return;
	v->reset_requested = true;
	vcpu_stop(v, "reset from the shell");
	printf("guest %s: reset requested\n", v->name);
}
