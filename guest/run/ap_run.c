/* guest/run/ap_run.c - the application processors' part of the VM: VMX
 * on each AP, one vCPU per AP (1:1) created on its own CPU and entered in
 * the wait-for-SIPI activity state (SDM Vol. 3C, 25.4.2; the guest starts it
 * with INIT and SIPI, 25.2), or, where the CPU lacks that state, held in
 * the hypervisor in its INIT state until an emulated SIPI; its run loop, and
 * the hand-over with the boot CPU, which starts and stops them with each
 * guest (docs/architecture.md, "CPUs", "AP start"). */
#include "guest/run/ap_run.h"
#include "guest/run/ap_priv.h"
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

struct ap_slot ap_slots[VM_MAX_VCPUS];
struct ap_run_state ap_run;
struct spinlock ap_setup_lock = SPINLOCK_INIT;

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

/* On the AP: its vCPU for ap_run.vm, created here (a VMCS is loaded and run on
 * one CPU only) from start, run until the guest stops, then destroyed.
 * Real mode: it waits for SIPI (INIT state); resume (chain mode, with its
 * join): it runs the firmware's code on from there, joining the running
 * guest. */
void ap_run_vcpu(struct ap_slot *s, const struct vcpu_start *start, ap_join_fn *join)
{
	bool joining = join != NULL, late = false;
	struct vm *vm = ap_run.vm;
	struct vcpu *v = &s->vcpu;
	int rc;

	memset(v, 0, sizeof(*v));
	v->name = ap_run.name;
	v->cpu = s->pc->cpu;
	v->apic_id = s->pc->apic_id;
	v->unmap_once_gpa = INVALID_GPA;
	v->tick_tsc = ap_run.tick_tsc;
	v->on_reset = ap_run.on_reset;
	spin_lock(&ap_setup_lock);
	rc = vcpu_create(v, vm, start);
	s->why = rc ? "its VMCS could not be set up" : NULL;
	if (!rc && joining) {
		s->why = join(vm, s, v, &late);
		if (s->why)
			rc = -EBUSY;
	}
	if (rc)
		vcpu_destroy(v);
	else if (!joining)
		vcpu_init_signal(v);
	spin_unlock(&ap_setup_lock);
	if (late)
		printf("cpu: APIC ID %u: chain mode: joined after the joining phase ended: a virtual CPU now "
		       "(the ACPI view, where there is one, still disables it)\n", v->apic_id);
	if (rc) {
		ap_set_state(s, AP_FAILED);
		return;
	}
	this_cpu.running = v;
	v->state = VCPU_RUNNING;
	v->started = joining;
	v->started_tsc = rdtsc();
	/* The NMIs that woke it (and the boot check's) are not the guest's. */
	this_cpu.nmis_pending = 0;
	ap_set_state(s, AP_RUNNING);
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

		__atomic_compare_exchange_n(&ap_run.stopper, &none, v, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_RELAXED);
		__atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
	}
	this_cpu.running = NULL;
	v->wait_sipi = false;
	spin_lock(&ap_setup_lock);
	vcpu_destroy(v);
	spin_unlock(&ap_setup_lock);
	/* The next wake-up is an NMI: it must not stay blocked (cpu_nmi_unblock). */
	cpu_nmi_unblock();
	ap_set_state(s, AP_DONE);
}

void guests_ap_main(struct percpu *pc)
{
	unsigned int cpu = pc->cpu;
	struct ap_slot *s;

	if (cpu >= VM_MAX_VCPUS)
		cpu_halt_forever();
	s = &ap_slots[cpu];
	s->pc = pc;
	/* VMXON when the boot CPU says (its own VMX is on, the APs' turns one at a time). */
	while (__atomic_load_n(&ap_run.vmx_turn, __ATOMIC_ACQUIRE) != cpu)
		ap_idle();
	s->awake = true;
	if (backend_init_ap(ap_run.opt, &s->why)) {
		ap_set_state(s, AP_NO_VMX);
		cpu_halt_forever();         /* parked outside any guest, for good */
	}
	ap_set_state(s, AP_IDLE);
	ap_serve(s);
}

/* An AP in VMX root operation, for good: a vCPU whenever the boot CPU
 * asks for one (AP_CREATE), idle in between. */
void ap_serve(struct ap_slot *s)
{
	static const struct vcpu_start real0 = { .mode = VCPU_MODE_REAL };

	for (;;) {
		while (ap_get_state(s) != AP_CREATE)
			ap_idle();
		s->awake = true;
		ap_run_vcpu(s, &real0, NULL);
	}
}

/* Waits until slot s leaves state `from`, up to us microseconds, waking
 * its CPU every 10 ms. */
static bool wait_leave(const struct ap_slot *s, enum ap_state from, uint64_t us)
{
	uint64_t t0 = rdtsc(), ticks = us_to_tsc(us), last = 0;

	while (ap_get_state(s) == from) {
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

	ap_run.opt = o;
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
		ap_slots[i].pc = pc;
		ap_slots[i].awake = false;
		__atomic_store_n(&ap_run.vmx_turn, i, __ATOMIC_RELEASE);
		if (!wait_leave(&ap_slots[i], AP_PARKED, 1000000)) {
			printf("cpu: APIC ID %u: no answer to VMXON: not used for the guest\n", pc->apic_id);
			continue;
		}
		if (ap_get_state(&ap_slots[i]) == AP_NO_VMX) {
			printf("cpu: APIC ID %u: %s: not used for the guest, parked outside VMX\n",
			       pc->apic_id, ap_slots[i].why);
			continue;
		}
		on++;
	}
	__atomic_store_n(&ap_run.vmx_turn, 0, __ATOMIC_RELEASE);
	spin_lock(&ap_setup_lock);
	ap_run.vmx.in_vmx = on;
	spin_unlock(&ap_setup_lock);
	if (running > 1)
		printf("cpus: VMX root operation on %u of %u running CPUs; one virtual CPU each%s\n",
		       on, running, backend_has_wait_for_sipi() ? "" :
		       " (no wait-for-SIPI activity state: an AP's waits for its start-up IPI in "
		       "the hypervisor)");
}

void guests_set_machine_cpus(unsigned int n)
{
	spin_lock(&ap_setup_lock);
	ap_run.vmx.machine = n;
	spin_unlock(&ap_setup_lock);
}

bool guests_all_cpus_in_vmx(void)
{
	bool all;

	/* Chain mode's APs still to come count as under VMX: they come while
	 * the firmware runs, before any OS; one that turned VMX on counts once,
	 * one that VMXON refused not at all, nor one whose join failed (it
	 * left VMX for the firmware: boot/chain_ap.c). */
	spin_lock(&ap_setup_lock);
	all = vmx_census_all_in_vmx(&ap_run.vmx);
	spin_unlock(&ap_setup_lock);
	return all;
}

unsigned int guests_aps_start(struct vm *vm, struct vcpu *boot, uint8_t on_reset)
{
	unsigned int n = 1;

	vm->stopping = false;
	ap_run.stopper = NULL;
	vm->vcpus[0] = boot;
	vm->apic_ids[0] = boot->apic_id;
	vm->vcpu_count = 1;
	ap_run.vm = vm;
	ap_run.name = boot->name;
	ap_run.on_reset = on_reset;
	ap_run.tick_tsc = boot->tick_tsc;
	/* Without the wait-for-SIPI state the INIT and SIPI are trapped
	 * (choose_ap_start) and each AP's vCPU waits in the hypervisor. */
	vm->hold_aps = !backend_has_wait_for_sipi();
	/* Chain mode: the firmware's APs join later, on their own. */
	vm->joining_count = 0;
	vm->joining_held = 0;
	for (unsigned int i = 1; i < ap_run.chain_count; i++)
		vm->joining_ids[vm->joining_count++] = ap_run.chain_ids[i];
	vm->joining_done = false;
	__atomic_store_n(&vm->lost_mask, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->joining_mask, vm->joining_count >= 64 ? ~0ULL :
			 (1ULL << vm->joining_count) - 1, __ATOMIC_RELEASE);
	if (!vm->hold_aps || vm->ap_start_trap) {
		/* One at a time: creating a vCPU allocates. */
		for (unsigned int i = 1; i < VM_MAX_VCPUS; i++) {
			struct ap_slot *s = &ap_slots[i];
			enum ap_state st = ap_get_state(s);

			if (st != AP_IDLE && st != AP_DONE && st != AP_FAILED)
				continue;
			s->awake = false;
			ap_set_state(s, AP_CREATE);
			if (!wait_leave(s, AP_CREATE, 1000000) || ap_get_state(s) != AP_RUNNING) {
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
	struct vcpu *s = __atomic_load_n(&ap_run.stopper, __ATOMIC_ACQUIRE);

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

	/* Under ap_setup_lock, as join_vm (chain_join.c): a chain-mode AP
	 * that joins is either counted in n (and stopped below) or sees
	 * `stopping` and is refused; none is published after the count is
	 * reset. Not held while waiting: each AP takes it to destroy its vCPU. */
	spin_lock(&ap_setup_lock);
	__atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
	n = vm->vcpu_count;
	spin_unlock(&ap_setup_lock);
	for (unsigned int i = 1; i < n; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct ap_slot *s = &ap_slots[v->cpu];
		uint64_t last = 0;

		/* Running or halted ones leave at the kick (else at their next
		 * timer exit); one waiting for SIPI only for a SIPI (held in the
		 * hypervisor: for the kick's NMI): wake it every 10 ms. */
		vcpu_kick(v);
		while (ap_get_state(s) == AP_RUNNING) {
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
	spin_lock(&ap_setup_lock);
	__atomic_store_n(&vm->vcpu_count, 1, __ATOMIC_RELEASE);
	spin_unlock(&ap_setup_lock);
}

void guests_aps_report(const struct vm *vm, void (*print)(const struct vcpu *v))
{
	for (unsigned int i = 1; i < VM_MAX_VCPUS; i++)
		if (ap_get_state(&ap_slots[i]) == AP_DONE && ap_slots[i].vcpu.started)
			print(&ap_slots[i].vcpu);
}
