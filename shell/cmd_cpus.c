/* shell/cmd_cpus.c - the guest's vCPUs in the shell: `cpus` lists them,
 * `cpu N` selects the one that regs, vmcs, gva, x, step, inject and exits act
 * on, and the commands that read a VMCS run on that vCPU's own CPU
 * (guest/run/vcpu_call.h: a VMCS is current on one CPU only). */
#include "shell/cmd_cpus.h"
#include "shell/cmd_parse.h"
#include "shell/line_edit.h"
#include "drivers/console.h"
#include "guest/backend.h"
#include "guest/vcpu.h"
#include "guest/vcpu_state.h"
#include "guest/exit_stats.h"
#include "guest/vm.h"
#include "guest/run/vcpu_call.h"
#include "lib/string.h"

#define ARGS_MAX 8

/* A command for another CPU, copied out of the caller's stack: a call that
 * does not finish in time may still run after vcpu_call returned. */
static struct {
	const struct shell_cmd *cmd;
	int argc;
	char *argv[ARGS_MAX + 1];
	char text[LE_LINE_MAX];
} remote;

static unsigned int index_of(const struct vm *vm, const struct vcpu *v)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i] == v)
			return i;
	return 0;
}

static bool call_failed(int rc, struct vcpu *v, const char *what)
{
	unsigned int i = v->vm ? index_of(v->vm, v) : 0;

	if (rc == -ETIMEDOUT)
		printf("%s: vCPU %u's CPU (APIC ID %u) did not answer within %u ms: nothing done\n", what,
		       i, v->apic_id, VCPU_CALL_WAIT_US / 1000);
	else if (rc == -EINPROGRESS)
		printf("%s: vCPU %u's CPU (APIC ID %u) took the command but did not finish it within %u ms\n",
		       what, i, v->apic_id, VCPU_CALL_WAIT_US / 1000);
	else if (rc == -EBUSY)
		printf("%s: vCPU %u's CPU (APIC ID %u) is still busy with an earlier command\n", what, i,
		       v->apic_id);
	return rc != 0;
}

bool shell_call_on_cpu(struct vcpu *v, void (*fn)(struct vcpu *v, void *arg), void *arg,
		       const char *what)
{
	return !call_failed(vcpu_call(v, fn, arg, VCPU_CALL_WAIT_US), v, what);
}

static void run_remote(struct vcpu *v, void *arg)
{
	remote.cmd->run(remote.argc, remote.argv);
}

void shell_run_on_cpu(struct vcpu *v, const struct shell_cmd *c, int argc, char **argv)
{
	size_t used = 0;

	remote.cmd = c;
	remote.argc = 0;
	for (int i = 0; i < argc && i < ARGS_MAX; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (used + n > sizeof(remote.text))
			break;
		memcpy(remote.text + used, argv[i], n);
		remote.argv[remote.argc++] = remote.text + used;
		used += n;
	}
	remote.argv[remote.argc] = NULL;
	(void)shell_call_on_cpu(v, run_remote, NULL, c->name);
}

/* On v's CPU: whether its guest is halted (a VMCS read). */
static void read_halted(struct vcpu *v, void *arg)
{
	*(bool *)arg = vcpu_halted(v);
}

static struct vcpu_looks looks_of(struct vcpu *v)
{
	struct vcpu_looks l = {
		.stopped = v->state != VCPU_RUNNING,
		.wait_sipi = __atomic_load_n(&v->wait_sipi, __ATOMIC_ACQUIRE),
		.paused = __atomic_load_n(&v->paused, __ATOMIC_ACQUIRE) ||
			  (v->vm && __atomic_load_n(&v->vm->paused, __ATOMIC_ACQUIRE) && !v->stepping),
	};
	bool halted = false;

	/* A vCPU waiting for SIPI is not halted; asking would wake it for nothing. */
	if (!l.stopped && !l.wait_sipi) {
		if (vcpu_call(v, read_halted, &halted, VCPU_CALL_WAIT_US))
			l.unknown = true;
		l.halted = halted;
	}
	return l;
}

/* Chain mode: the firmware's APs that are not vCPUs: still joining, or
 * lost (they did not join before hv.efi ended the joining phase). */
static void print_chain_aps(const struct vm *vm)
{
	uint64_t joining = __atomic_load_n(&vm->joining_mask, __ATOMIC_ACQUIRE);
	uint64_t lost = __atomic_load_n(&vm->lost_mask, __ATOMIC_ACQUIRE);

	for (unsigned int k = 0; k < vm->joining_count && k < 64; k++) {
		if (joining & 1ULL << k)
			printf("  APIC ID %u: the firmware's, still to join (chain mode: its INIT and start-up "
			       "IPIs are passed on)\n", vm->joining_ids[k]);
		else if (lost & 1ULL << k)
			printf("  APIC ID %u: LOST: did not join (chain mode): outside the hypervisor, isolation "
			       "does not hold while it runs (the firmware's: INIT and start-up IPIs still "
			       "reach it, NMIs through a trapped ICR do not)\n", vm->joining_ids[k]);
	}
}

void cmd_cpus(int argc, char **argv)
{
	struct vcpu *b = shell_guest("cpus"), *sel;
	struct vm *vm;

	if (!b)
		return;
	if (argc != 1) {
		shell_usage("cpus");
		return;
	}
	vm = b->vm;
	sel = shell_selected();
	printf("guest %s: %u virtual CPU%s ('cpu N' selects the one marked *):\n", b->name,
	       vm->vcpu_count, vm->vcpu_count == 1 ? "" : "s");
	printf("  %5s %8s %4s  %-24s %12s\n", "vCPU", "APIC ID", "CPU", "state", "exits");
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct vcpu_looks l;

		if (!v)
			continue;
		l = looks_of(v);
		printf("%c %5u %8u %4u  %-24s %12llu\n", v == sel ? '*' : ' ', i, v->apic_id, v->cpu,
		       vcpu_state_text(&l), (unsigned long long)exit_stats_total(v->exits, GUEST_EXIT_COUNT));
	}
	print_chain_aps(vm);
}

void cmd_cpu(int argc, char **argv)
{
	struct vcpu *b = shell_guest("cpu"), *v;
	struct vm *vm;
	unsigned int i;
	int rc;

	if (!b)
		return;
	if (argc > 2) {
		shell_usage("cpu");
		return;
	}
	vm = b->vm;
	v = shell_selected();
	if (argc == 2) {
		rc = cmd_parse_index(argv[1], vm->vcpu_count, &i);
		if (rc) {
			printf("cpu: %s '%s': guest %s has ", rc == -ERANGE ? "no vCPU" : "not a vCPU number",
			       argv[1], b->name);
			if (vm->vcpu_count > 1)
				printf("vCPUs 0-%u ('cpus' lists them)\n", vm->vcpu_count - 1);
			else
				printf("vCPU 0 only\n");
			return;
		}
		shell_session.selected = i;
		v = shell_selected();
	}
	printf("cpu: vCPU %u selected (APIC ID %u, CPU %u)\n", shell_selected_index(), v->apic_id, v->cpu);
}
