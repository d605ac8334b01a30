/* guest/run/ap_run.c - the application processors' part of the VM: VMX
 * on each AP, one vCPU per AP (1:1) created on its own CPU and entered in
 * the wait-for-SIPI activity state (SDM Vol. 3C, 25.4.2; the guest starts it
 * with INIT and SIPI, 25.2), or, where the CPU lacks that state, held in
 * the hypervisor in its INIT state until an emulated SIPI; its run loop, and
 * the hand-over with the boot CPU, which starts and stops them with each
 * guest (docs/architecture.md, "CPUs", "AP start"). */
#include "guest/run/ap_run.h"
#include "guest/run/exit.h"
#include "guest/run/requests.h"
#include "guest/run/vmx_census.h"
#include "guest/run/vcpu_call.h"
#include "guest/backend.h"
#include "guest/vm.h"
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/trap.h"
#include "arch/tsc.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/spinlock.h"
#include "lib/string.h"

enum ap_state {
	AP_PARKED,              /* no VMX yet (or never: its CPU index is beyond VM_MAX_VCPUS) */
	AP_NO_VMX,              /* VMXON refused or failed: parked for good (chain mode: given
				 * back to the firmware outside VMX) */
	AP_IDLE,                /* in VMX root operation, no vCPU */
	AP_CREATE,              /* the boot CPU asked for a vCPU */
	AP_RUNNING,             /* its vCPU runs (or waits for SIPI: in the guest, or held) */
	AP_FAILED,              /* its vCPU could not be set up this time */
	AP_DONE,                /* its vCPU stopped and is gone */
};

struct ap_slot {
	volatile int state;     /* enum ap_state; written by the AP, except AP_CREATE */
	struct percpu *pc;
	const char *why;        /* AP_NO_VMX, AP_FAILED: why (a constant string) */
	volatile bool awake;    /* the AP saw what it was woken for: no more wake-ups */
	bool (*claim)(void *ctx);       /* chain mode: the join's last step (guests_chain_ap_join) */
	void *claim_ctx;
	struct vcpu vcpu;       /* its vCPU (statistics kept after it is gone, for the report) */
};

static struct ap_slot slots[VM_MAX_VCPUS];      /* by CPU index; [0] unused (the boot CPU) */

static __noreturn void ap_serve(struct ap_slot *s);

static struct {
	const struct hv_options *opt;
	volatile unsigned int vmx_turn;         /* the AP whose turn it is to turn VMX on */
	struct vm *vm;                          /* the VM the APs join */
	const char *name;                       /* its guest's name */
	uint8_t on_reset;
	uint64_t tick_tsc;
	struct vcpu *volatile stopper;          /* the AP vCPU that stopped the guest */
	/* CPUs in the MADT (guests_set_machine_cpus), CPUs in VMX root
	 * operation (the boot CPU's included) and chain APs still to come;
	 * written under setup_lock once APs run. */
	struct vmx_census vmx;
	/* Chain mode: the firmware's APs, which come under VMX after the
	 * guest started (guests_chain_expect). */
	uint32_t chain_ids[VM_MAX_VCPUS];
	unsigned int chain_count;
} ap;

/* An AP creates and destroys its vCPU, and a chain-mode AP turns VMX on
 * and joins (vm->vcpus[], vcpu_count), under this lock; guests_aps_stop
 * takes it against a join, and it covers the VMX census (ap.vmx). The heap
 * and the frame allocator lock themselves (innermost, after this one). */
static struct spinlock setup_lock = SPINLOCK_INIT;

/* How the boot CPU wakes a halted AP (boot/ap_start.c: an NMI); NULL: APs spin. */
static bool (*ap_waker)(uint32_t apic_id);

void guests_set_ap_waker(bool (*wake)(uint32_t apic_id))
{
	ap_waker = wake;
}

/* On an AP: sleeps until woken. Interrupts are off: HLT ends with an NMI,
 * whose handler returns here (arch/trap.c counts it; the count is cleared
 * before the AP gets a vCPU). An NMI just before the HLT is lost: the boot
 * CPU sends another every 10 ms until the AP answers. Halting rather than
 * spinning leaves an emulator's time (Bochs) to the CPUs that work. */
static void ap_idle(void)
{
	if (ap_waker)
		asm volatile("hlt" ::: "memory");
	else
		cpu_relax();
}

static uint64_t us_to_tsc(uint64_t us)
{
	return tsc_khz() * us / 1000;
}

static void set_state(struct ap_slot *s, enum ap_state st)
{
	__atomic_store_n(&s->state, st, __ATOMIC_RELEASE);
}

static enum ap_state get_state(const struct ap_slot *s)
{
	return (enum ap_state)__atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

static void ap_init_signal(struct vcpu *v)
{
	vcpu_init_signal(v);
}

static void ap_start_up(struct vcpu *v, uint8_t vector)
{
	vcpu_start_up(v, vector);
	v->started = true;
	v->sipis++;
	v->fresh_start = true;
}

/* No wait-for-SIPI activity state (vm->hold_aps): the vCPU, in the state
 * INIT leaves, is not entered; its CPU halts in VMX root operation until an
 * emulated start-up IPI in its mailbox starts it (the guest's INIT and SIPI
 * are trapped at the ICR, guest/dev/guest_ipi.c, and never reach the
 * hardware), the guest stops, or the shell posts a command. Each of those
 * posts first and kicks with an NMI after (vcpu_kick_wait_sipi, vcpu_kick,
 * vcpu_call); trap_nmi_wait loses none that comes after the looks below. */
static void hold_for_sipi(struct vcpu *v)
{
	struct vm *vm = v->vm;

	/* An NMI VM exit (the kick that brought an INIT) leaves NMIs blocked
	 * where a handler did not unblock them: the wake-ups must get through. */
	cpu_nmi_unblock();
	for (;;) {
		trap_nmi_wait_arm();
		guest_requests_check(v);
		vcpu_call_serve(v);             /* the shell's commands (cpus, regs, ...) */
		vcpu_take_mailbox(v, ap_init_signal, ap_start_up);
		if (!v->wait_sipi) {
			/* NMIs sent to it while it waited are not the started
			 * guest's: a CPU waiting for SIPI takes none (26.6.2). */
			this_cpu.nmis_pending = 0;
			return;
		}
		if (v->state != VCPU_RUNNING || __atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE))
			return;
		trap_nmi_wait();
	}
}

/* Chain mode: the bit of the joining AP of APIC ID id in vm's joining
 * set (vm.h joining_*), or 0 if it is not one. */
static uint64_t joining_bit(const struct vm *vm, uint32_t id)
{
	for (unsigned int k = 0; k < vm->joining_count && k < 64; k++)
		if (vm->joining_ids[k] == id)
			return 1ULL << k;
	return 0;
}

/* Chain mode, on the AP just before its VMXON: from now on the guest's
 * INIT and SIPI to it are recorded, not sent (guest/dev/guest_ipi.c). */
static void joining_hold(struct vm *vm, uint32_t id)
{
	uint64_t bit = joining_bit(vm, id);

	spin_lock(&vm->joining_lock);
	if (bit & vm->joining_mask) {
		vm->joining_mb[__builtin_ctzll(bit)] = 0;
		vm->joining_held |= bit;
	}
	spin_unlock(&vm->joining_lock);
}

/* Chain mode: v, running, joins the VM whose guest already runs (under
 * setup_lock): no longer one of the firmware's APs, it is reached by the
 * guest's IPIs as a vCPU, and what they sent while it was on its way is
 * in its mailbox; *late if it joins after the joining phase ended
 * (HC_CHAIN_APS_DONE). NULL, or why not. */
static const char *join_vm(struct vm *vm, struct ap_slot *s, struct vcpu *v, bool *late)
{
	unsigned int n = vm->vcpu_count;
	uint64_t bit;

	if (__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE))
		return "the guest is stopping";
	if (n >= VM_MAX_VCPUS)
		return "the VM has all the vCPUs it can have";
	/* The test hook: the join fails at its last step, with VMX on and the
	 * vCPU made (boot/chain_ap.c then gives the CPU back to the firmware). */
	if (ap.opt && ap.opt->test_vmx == TEST_VMX_AP_JOIN)
		return "test hook testvmx=apjoin";
	/* Last: once the caller's claim is made the AP is reported joined. */
	if (s->claim && !s->claim(s->claim_ctx))
		return "the UEFI loader stopped waiting for it";
	/* Under joining_lock: a signal to the AP is either recorded in the
	 * joining set before (and moved to its mailbox here) or delivered to
	 * it as a vCPU after. Published as a vCPU first, out of the joining
	 * set after: guest_ipi reads the set first, so an IPI finds the AP in
	 * one or the other, never in neither. */
	spin_lock(&vm->joining_lock);
	bit = joining_bit(vm, v->apic_id);
	v->joined = true;
	if (bit)
		v->mailbox = vm->joining_mb[__builtin_ctzll(bit)];
	vm->vcpus[n] = v;
	vm->apic_ids[n] = v->apic_id;
	__atomic_store_n(&vm->vcpu_count, n + 1, __ATOMIC_RELEASE);
	vm->joining_held &= ~bit;
	__atomic_and_fetch(&vm->joining_mask, ~bit, __ATOMIC_RELEASE);
	/* After the joining phase: a vCPU now, as any other. */
	*late = __atomic_fetch_and(&vm->lost_mask, ~bit, __ATOMIC_RELEASE) & bit;
	spin_unlock(&vm->joining_lock);
	return NULL;
}

/* On the AP: its vCPU for ap.vm, created here (a VMCS is loaded and run on
 * one CPU only) from start, run until the guest stops, then destroyed.
 * Real mode: it waits for SIPI (INIT state); resume (chain mode): it runs
 * the firmware's code on from there, joining the running guest. */
static void run_vcpu(struct ap_slot *s, const struct vcpu_start *start)
{
	bool joining = start->mode == VCPU_MODE_RESUME, late = false;
	struct vm *vm = ap.vm;
	struct vcpu *v = &s->vcpu;
	int rc;

	memset(v, 0, sizeof(*v));
	v->name = ap.name;
	v->cpu = s->pc->cpu;
	v->apic_id = s->pc->apic_id;
	v->unmap_once_gpa = INVALID_GPA;
	v->tick_tsc = ap.tick_tsc;
	v->on_reset = ap.on_reset;
	spin_lock(&setup_lock);
	rc = vcpu_create(v, vm, start);
	s->why = rc ? "its VMCS could not be set up" : NULL;
	if (!rc && joining) {
		s->why = join_vm(vm, s, v, &late);
		if (s->why)
			rc = -EBUSY;
	}
	if (rc)
		vcpu_destroy(v);
	else if (!joining)
		vcpu_init_signal(v);
	spin_unlock(&setup_lock);
	if (late)
		printf("cpu: APIC ID %u: chain mode: joined after the joining phase ended: a virtual CPU now "
		       "(the ACPI view, where there is one, still disables it)\n", v->apic_id);
	if (rc) {
		set_state(s, AP_FAILED);
		return;
	}
	this_cpu.running = v;
	v->state = VCPU_RUNNING;
	v->started = joining;
	v->started_tsc = rdtsc();
	/* The NMIs that woke it (and the boot check's) are not the guest's. */
	this_cpu.nmis_pending = 0;
	set_state(s, AP_RUNNING);
	while (v->state == VCPU_RUNNING && !vm->stopping) {
		guest_requests_check(v);
		vcpu_take_mailbox(v, ap_init_signal, ap_start_up);
		/* Not started (or INIT again) without the wait-for-SIPI state:
		 * held here, paused or not, never entered. */
		if (v->wait_sipi && vm->hold_aps) {
			hold_for_sipi(v);
			continue;
		}
		/* The shell paused every vCPU (vm_pause_all). */
		if (guest_held(v)) {
			vcpu_call_serve(v);     /* the shell's commands on this vCPU */
			cpu_relax();
			continue;
		}
		vcpu_run_once(v);
	}
	/* It stopped the guest (triple fault, HC_EXIT, a reset): the others follow. */
	if (v->state != VCPU_RUNNING) {
		struct vcpu *none = NULL;

		__atomic_compare_exchange_n(&ap.stopper, &none, v, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_RELAXED);
		__atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
	}
	this_cpu.running = NULL;
	v->wait_sipi = false;
	spin_lock(&setup_lock);
	vcpu_destroy(v);
	spin_unlock(&setup_lock);
	/* The next wake-up is an NMI: it must not stay blocked (cpu_nmi_unblock). */
	cpu_nmi_unblock();
	set_state(s, AP_DONE);
}

void guests_ap_main(struct percpu *pc)
{
	unsigned int cpu = pc->cpu;
	struct ap_slot *s;

	if (cpu >= VM_MAX_VCPUS)
		cpu_halt_forever();
	s = &slots[cpu];
	s->pc = pc;
	/* VMXON when the boot CPU says (its own VMX is on, the APs' turns one at a time). */
	while (__atomic_load_n(&ap.vmx_turn, __ATOMIC_ACQUIRE) != cpu)
		ap_idle();
	s->awake = true;
	if (backend_init_ap(ap.opt, &s->why)) {
		set_state(s, AP_NO_VMX);
		cpu_halt_forever();         /* parked outside any guest, for good */
	}
	set_state(s, AP_IDLE);
	ap_serve(s);
}

/* An AP in VMX root operation, for good: a vCPU whenever the boot CPU
 * asks for one (AP_CREATE), idle in between. */
static __noreturn void ap_serve(struct ap_slot *s)
{
	static const struct vcpu_start real0 = { .mode = VCPU_MODE_REAL };

	for (;;) {
		while (get_state(s) != AP_CREATE)
			ap_idle();
		s->awake = true;
		run_vcpu(s, &real0);
	}
}

/* Waits until slot s leaves state `from`, up to us microseconds, waking
 * its CPU every 10 ms. */
static bool wait_leave(const struct ap_slot *s, enum ap_state from, uint64_t us)
{
	uint64_t t0 = rdtsc(), ticks = us_to_tsc(us), last = 0;

	while (get_state(s) == from) {
		if (rdtsc() - t0 > ticks)
			return false;
		if (ap_waker && !s->awake && (!last || rdtsc() - last > us_to_tsc(10000))) {
			(void)ap_waker(s->pc->apic_id);
			last = rdtsc();
		}
		cpu_relax();
	}
	return true;
}

void guests_aps_enable_vmx(const struct hv_options *o)
{
	unsigned int running = 1, on = 1;

	ap.opt = o;
	for (unsigned int i = 1; i < percpu_limit; i++) {
		struct percpu *pc = percpu_cpus[i];

		if (!pc || !pc->online)
			continue;
		running++;
		if (i >= VM_MAX_VCPUS) {
			printf("cpu: APIC ID %u: beyond %u virtual CPUs: not used for the guest\n",
			       pc->apic_id, VM_MAX_VCPUS);
			continue;
		}
		slots[i].pc = pc;
		slots[i].awake = false;
		__atomic_store_n(&ap.vmx_turn, i, __ATOMIC_RELEASE);
		if (!wait_leave(&slots[i], AP_PARKED, 1000000)) {
			printf("cpu: APIC ID %u: no answer to VMXON: not used for the guest\n", pc->apic_id);
			continue;
		}
		if (get_state(&slots[i]) == AP_NO_VMX) {
			printf("cpu: APIC ID %u: %s: not used for the guest, parked outside VMX\n",
			       pc->apic_id, slots[i].why);
			continue;
		}
		on++;
	}
	__atomic_store_n(&ap.vmx_turn, 0, __ATOMIC_RELEASE);
	spin_lock(&setup_lock);
	ap.vmx.in_vmx = on;
	spin_unlock(&setup_lock);
	if (running > 1)
		printf("cpus: VMX root operation on %u of %u running CPUs; one virtual CPU each%s\n",
		       on, running, backend_has_wait_for_sipi() ? "" :
		       " (no wait-for-SIPI activity state: an AP's waits for its start-up IPI in "
		       "the hypervisor)");
}

void guests_set_machine_cpus(unsigned int n)
{
	spin_lock(&setup_lock);
	ap.vmx.machine = n;
	spin_unlock(&setup_lock);
}

bool guests_all_cpus_in_vmx(void)
{
	bool all;

	/* Chain mode's APs still to come count as under VMX: they come while
	 * the firmware runs, before any OS; one that turned VMX on counts once,
	 * one that VMXON refused not at all, nor one whose join failed (it
	 * left VMX for the firmware: boot/chain_ap.c). */
	spin_lock(&setup_lock);
	all = vmx_census_all_in_vmx(&ap.vmx);
	spin_unlock(&setup_lock);
	return all;
}

void guests_chain_expect(const uint32_t *ids, unsigned int n)
{
	ap.chain_count = 0;
	for (unsigned int i = 0; i < n && i < VM_MAX_VCPUS; i++)
		ap.chain_ids[ap.chain_count++] = ids[i];
	spin_lock(&setup_lock);
	vmx_census_chain_expect(&ap.vmx, ap.chain_count);
	spin_unlock(&setup_lock);
}

int guests_chain_ap_vmx(struct percpu *pc, const char **why)
{
	struct ap_slot *s;
	int rc;

	*why = "beyond the virtual CPUs a VM has";
	if (pc->cpu >= VM_MAX_VCPUS)
		return -E2BIG;
	s = &slots[pc->cpu];
	s->pc = pc;
	s->awake = true;
	if (ap.vm)
		joining_hold(ap.vm, pc->apic_id);
	spin_lock(&setup_lock);         /* the VMXON region comes from the frame allocator */
	rc = backend_init_ap(ap.opt, why);
	vmx_census_chain_ap(&ap.vmx, rc == 0);
	spin_unlock(&setup_lock);
	if (rc) {
		s->why = *why;
		set_state(s, AP_NO_VMX);
		return rc;
	}
	set_state(s, AP_IDLE);
	return 0;
}

int guests_chain_ap_join(struct percpu *pc, const struct vcpu_start *start,
			 bool (*claim)(void *ctx), void *ctx, const char **why)
{
	struct ap_slot *s = &slots[pc->cpu];

	*why = "no guest runs";
	if (!ap.vm)
		return -ENOENT;
	s->claim = claim;
	s->claim_ctx = ctx;
	run_vcpu(s, start);
	s->claim = NULL;
	*why = s->why;
	if (get_state(s) == AP_FAILED)
		return -EBUSY;
	ap_serve(s);
}

int guests_chain_reserve(void)
{
	for (unsigned int i = 1; i < ap.chain_count; i++) {
		struct percpu *pc = percpu_cpus[i];

		if (!pc || backend_reserve_ap(pc)) {
			printf("cpus: chain mode: no memory for the VMX and virtual CPU of APIC ID %u\n",
			       ap.chain_ids[i]);
			return -ENOMEM;
		}
	}
	return 0;
}

int guests_chain_ap_leave(struct percpu *pc)
{
	struct ap_slot *s = pc->cpu < VM_MAX_VCPUS ? &slots[pc->cpu] : NULL;
	enum ap_state st;
	int rc;

	spin_lock(&setup_lock);
	st = s ? get_state(s) : AP_NO_VMX;
	/* No VMCS is current: a failed join destroyed its vCPU (VMCLEAR). */
	rc = backend_off();
	if (!rc && (st == AP_IDLE || st == AP_FAILED))
		vmx_census_chain_ap_left(&ap.vmx);
	if (!rc && s) {
		s->why = "given back to the firmware";
		set_state(s, AP_NO_VMX);
	}
	spin_unlock(&setup_lock);
	if (!rc && ap.vm) {
		struct vm *vm = ap.vm;
		uint64_t bit = joining_bit(vm, pc->apic_id);
		uint32_t lost = 0;

		/* The firmware's again: its signals are sent for real from now. */
		spin_lock(&vm->joining_lock);
		if (vm->joining_held & bit) {
			lost = vm->joining_mb[__builtin_ctzll(bit)];
			vm->joining_held &= ~bit;
		}
		spin_unlock(&vm->joining_lock);
		if (lost & (VCPU_MB_INIT | VCPU_MB_SIPI))
			printf("cpu: APIC ID %u: chain mode: the guest's%s%s to it while it was in the "
			       "hypervisor are lost\n", pc->apic_id, lost & VCPU_MB_INIT ? " INIT" : "",
			       lost & VCPU_MB_SIPI ? " SIPI" : "");
	}
	return rc;
}

int guests_chain_aps_done(struct vm *vm, uint32_t *lost, unsigned int *expected)
{
	uint64_t left;
	int n = 0;

	*expected = 0;
	/* Under setup_lock, as join_vm: an AP joins before (it is no longer
	 * in the set) or after (a late join, which clears its lost bit). */
	spin_lock(&setup_lock);
	if (!ap.chain_count || ap.vm != vm) {
		spin_unlock(&setup_lock);
		return -ENOENT;
	}
	if (vm->joining_done) {
		spin_unlock(&setup_lock);
		return -EEXIST;
	}
	vm->joining_done = true;
	left = __atomic_load_n(&vm->joining_mask, __ATOMIC_ACQUIRE);
	/* The lost set before the joining set is emptied: guest_ipi reads
	 * the joining set first, so an IPI finds such an AP in one or the
	 * other (then it is dropped), never forwarded after this. */
	__atomic_store_n(&vm->lost_mask, left, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->joining_mask, 0, __ATOMIC_RELEASE);
	vmx_census_chain_done(&ap.vmx);
	spin_unlock(&setup_lock);
	*expected = vm->joining_count;
	for (unsigned int k = 0; k < vm->joining_count && k < 64; k++)
		if (left & 1ULL << k)
			lost[n++] = vm->joining_ids[k];
	return n;
}

unsigned int guests_aps_start(struct vm *vm, struct vcpu *boot, uint8_t on_reset)
{
	unsigned int n = 1;

	vm->stopping = false;
	ap.stopper = NULL;
	vm->vcpus[0] = boot;
	vm->apic_ids[0] = boot->apic_id;
	vm->vcpu_count = 1;
	ap.vm = vm;
	ap.name = boot->name;
	ap.on_reset = on_reset;
	ap.tick_tsc = boot->tick_tsc;
	/* Without the wait-for-SIPI state the INIT and SIPI are trapped
	 * (choose_ap_start) and each AP's vCPU waits in the hypervisor. */
	vm->hold_aps = !backend_has_wait_for_sipi();
	/* Chain mode: the firmware's APs join later, on their own. */
	vm->joining_count = 0;
	vm->joining_held = 0;
	for (unsigned int i = 1; i < ap.chain_count; i++)
		vm->joining_ids[vm->joining_count++] = ap.chain_ids[i];
	vm->joining_done = false;
	__atomic_store_n(&vm->lost_mask, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->joining_mask, vm->joining_count >= 64 ? ~0ULL :
			 (1ULL << vm->joining_count) - 1, __ATOMIC_RELEASE);
	if (!vm->hold_aps || vm->ap_start_trap) {
		/* One at a time: creating a vCPU allocates. */
		for (unsigned int i = 1; i < VM_MAX_VCPUS; i++) {
			struct ap_slot *s = &slots[i];
			enum ap_state st = get_state(s);

			if (st != AP_IDLE && st != AP_DONE && st != AP_FAILED)
				continue;
			s->awake = false;
			set_state(s, AP_CREATE);
			if (!wait_leave(s, AP_CREATE, 1000000) || get_state(s) != AP_RUNNING) {
				printf("guest %s: no virtual CPU on APIC ID %u: its setup failed\n",
				       boot->name, s->pc->apic_id);
				continue;
			}
			vm->vcpus[n] = &s->vcpu;
			vm->apic_ids[n++] = s->pc->apic_id;
		}
	}
	vm->vcpu_count = n;
	return n;
}

bool guests_aps_stopped_guest(struct vcpu *boot)
{
	struct vcpu *s = __atomic_load_n(&ap.stopper, __ATOMIC_ACQUIRE);

	if (!s)
		return false;
	boot->exit_status = s->exit_status;
	boot->reset_requested = s->reset_requested;
	boot->reset_by_guest = s->reset_by_guest;
	fmt_snprintf(boot->stop_reason, sizeof(boot->stop_reason), "virtual CPU of APIC ID %u: %s",
		     s->apic_id, s->exit_status >= 0 ? "exited" : s->stop_reason);
	boot->state = VCPU_STOPPED;
	return true;
}

void guests_aps_stop(struct vm *vm)
{
	uint64_t t0 = rdtsc();
	bool late = false;
	unsigned int n;

	/* Under setup_lock, as join_vm: a chain-mode AP that joins is either
	 * counted in n (and stopped below) or sees `stopping` and is refused;
	 * none is published after the count is reset. Not held while waiting:
	 * each AP takes it to destroy its vCPU. */
	spin_lock(&setup_lock);
	__atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
	n = vm->vcpu_count;
	spin_unlock(&setup_lock);
	for (unsigned int i = 1; i < n; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct ap_slot *s = &slots[v->cpu];
		uint64_t last = 0;

		/* Running or halted ones leave at the kick (else at their next
		 * timer exit); one waiting for SIPI only for a SIPI (held in the
		 * hypervisor: for the kick's NMI): wake it every 10 ms. */
		vcpu_kick(v);
		while (get_state(s) == AP_RUNNING) {
			if (rdtsc() - last > us_to_tsc(10000)) {
				(void)vcpu_kick_wait_sipi(v);
				last = rdtsc();
			}
			if (rdtsc() - t0 > us_to_tsc(2000000)) {
				late = true;
				break;
			}
			cpu_relax();
		}
		if (late) {
			printf("guest: virtual CPU of APIC ID %u did not stop\n", v->apic_id);
			late = false;
		}
	}
	spin_lock(&setup_lock);
	__atomic_store_n(&vm->vcpu_count, 1, __ATOMIC_RELEASE);
	spin_unlock(&setup_lock);
}

void guests_aps_report(const struct vm *vm, void (*print)(const struct vcpu *v))
{
	for (unsigned int i = 1; i < VM_MAX_VCPUS; i++)
		if (get_state(&slots[i]) == AP_DONE && slots[i].vcpu.started)
			print(&slots[i].vcpu);
}
