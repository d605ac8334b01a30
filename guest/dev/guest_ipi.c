/* guest/dev/guest_ipi.c - a guest's IPI as its ICR write was decided
 * (guest/policy/apic_icr.c): INIT and start-up emulated on the vCPUs they
 * reach in the AP start fallback (apstart=trap), else sent one vCPU at a
 * time by the real APIC (they exit there: wait-for-SIPI), and in chain
 * mode to the firmware's APs still joining (dropped for those that never
 * joined, which get no NMI either); everything else to the real APIC or
 * dropped. */
#include "guest/dev/guest_ipi.h"
#include "guest/vm.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "drivers/ipi.h"
#include "drivers/console.h"
#include "lib/log.h"

/* One line per reason for the whole run: a guest that repeats an IPI it may
 * not send (an INIT storm to nobody) cannot flood the console. */
enum ipi_log { LOG_DROP_SMI, LOG_DROP_RESERVED, LOG_DROP_SHORTHAND, LOG_DROP_LOGICAL, LOG_NO_VCPU,
	       LOG_LOST, LOG_LOST_NMI, LOG_COUNT };
static bool logged[LOG_COUNT];

static bool first_time(enum ipi_log which)
{
	return log_enabled(LOG_INFO) && !__atomic_exchange_n(&logged[which], true, __ATOMIC_RELAXED);
}

static void drop(struct vcpu *v, const struct apic_icr_decision *d)
{
	enum ipi_log which = d->icr.mode == ICR_MODE_SMI ? LOG_DROP_SMI :
			     d->icr.mode == ICR_MODE_RESERVED3 || d->icr.mode == ICR_MODE_RESERVED7 ?
			     LOG_DROP_RESERVED : d->icr.shorthand != ICR_DEST_FIELD ? LOG_DROP_SHORTHAND :
			     LOG_DROP_LOGICAL;

	if (first_time(which))
		printf("guest %s: %s IPI (%s ICR, destination 0x%x, shorthand %u) dropped: %s "
		       "(not logged again)\n", v->name, apic_icr_mode_name(d->icr.mode),
		       d->icr.x2apic ? "x2APIC" : "xAPIC", d->icr.dest, d->icr.shorthand, d->why);
}

/* INIT, start-up or NMI sent for real, physical, to the CPU of APIC ID id alone. */
static void send_one(struct vcpu *v, uint32_t id, const struct apic_icr *i)
{
	struct apic_icr one = { .dest = id, .vector = i->vector, .mode = i->mode,
				.assert = true, .level_trigger = i->level_trigger };
	int rc = ipi_send_icr(rdmsr(MSR_IA32_APIC_BASE), &one);

	if (rc)
		printf("guest %s: %s IPI to APIC ID %u not sent: the local APIC's ICR (%d)\n", v->name,
		       apic_icr_mode_name(i->mode), id, rc);
}

/* INIT or start-up to one vCPU. */
static void deliver(struct vcpu *v, struct vcpu *t, const struct apic_icr *i)
{
	/* A chain-mode AP that joined but has not run yet is still in VMX root
	 * operation: a real INIT would wait there until its first VM entry and
	 * a real SIPI be dropped (see to_joining); its mailbox takes both, and
	 * its run loop carries them out before that entry (or at the kick's
	 * exit, if it entered meanwhile). */
	if (v->vm->ap_start_trap || (t->joined && !__atomic_load_n(&t->entered, __ATOMIC_ACQUIRE))) {
		if (i->mode == ICR_MODE_INIT)
			vcpu_post_init(t);
		else
			vcpu_post_sipi(t, i->vector);
		return;
	}
	/* Sent for real: the target waits for SIPI in VMX, or runs and INIT
	 * makes it exit (SDM Vol. 3C, 25.2). */
	send_one(v, t->apic_id, i);
}

/*
 * Chain mode: the firmware's APs not under VMX yet are the firmware's own
 * (vm.h joining_mask): its INIT and start-up IPIs reach them as sent. But
 * from its VMXON until its first VM entry a joining AP is in VMX root
 * operation, where INIT is blocked (SDM Vol. 3C, 24.8): it stays pending
 * and becomes an INIT VM exit right after the first VM entry (25.2), and
 * a SIPI, taken only in the wait-for-SIPI state, is dropped (25.2: outside
 * that state no exit occurs and the SIPI is discarded). An INIT-SIPI-SIPI
 * sent for real then would leave the new vCPU in wait-for-SIPI with its
 * SIPIs lost. So from just before its VMXON (vm.h joining_held) the AP's
 * signals are recorded as a vCPU mailbox records them, and join_vm
 * (guest/run/chain_join.c) moves them into its vCPU's mailbox, which its run
 * loop takes before the first VM entry: INIT leaves it in wait-for-SIPI,
 * a SIPI after it starts it, as on hardware. After it joined, deliver()
 * posts to that mailbox until its first exit. joining_lock makes the
 * look and the real send one step against the AP setting its bit: a
 * signal sent before that step was issued before its VMXON. (Its delivery
 * can in principle still land after the VMXON; the AP's path from the
 * lock to VMXON is hundreds of instructions and the firmware resets an
 * AP only after a StartupAllAPs time-out of seconds.) An AP whose join
 * fails goes back to the firmware: what was recorded for it then is lost,
 * said on the console (chain_join.c guests_chain_ap_leave). Once the joining
 * phase ended (HC_CHAIN_APS_DONE), those that had not joined (vm.h
 * lost_mask) still get them for real: they are the firmware's, which
 * resets them at ExitBootServices and waits for each (chain_done.c). The
 * set reached either way.
 */
static uint64_t to_joining(struct vcpu *v, const struct apic_icr *i)
{
	struct vm *vm = v->vm;
	uint64_t set = __atomic_load_n(&vm->joining_mask, __ATOMIC_ACQUIRE), lost;
	unsigned int k;

	/* Read after the joining set: guests_chain_aps_done sets lost_mask
	 * before it clears joining_mask (release), so an AP leaving the one
	 * is seen in the other. */
	set |= __atomic_load_n(&vm->lost_mask, __ATOMIC_ACQUIRE);
	if (!set)
		return 0;
	spin_lock(&vm->joining_lock);
	set = (vm->joining_mask | vm->lost_mask) &
	      apic_icr_vcpu_targets(i, v->apic_id, vm->joining_ids, vm->joining_count);
	lost = set & vm->lost_mask;
	for (k = 0; k < vm->joining_count && k < 64; k++) {
		if (!(set & 1ULL << k))
			continue;
		if (!(vm->joining_held & 1ULL << k))
			send_one(v, vm->joining_ids[k], i);
		else if (i->mode == ICR_MODE_INIT)
			vm->joining_mb[k] = vcpu_mb_with_init(vm->joining_mb[k]);
		else
			vm->joining_mb[k] = vcpu_mb_with_sipi(vm->joining_mb[k], i->vector);
	}
	spin_unlock(&vm->joining_lock);
	if (lost && first_time(LOG_LOST))
		printf("guest %s: %s IPI to APIC ID %u sent for real: that CPU did not join the hypervisor "
		       "(chain mode) and is the firmware's, outside VMX (not logged again)\n", v->name,
		       apic_icr_mode_name(i->mode), vm->joining_ids[__builtin_ctzll(lost)]);
	return set;
}

/* Chain mode, after the joining phase: an NMI whose destination takes in
 * an AP that did not join (vm.h lost_mask) would run that CPU's handler
 * outside VMX, from an IDT in memory the OS may own by then. It goes to
 * the vCPUs it reaches instead, one at a time (the sender too where the
 * shorthand takes it in); the lost AP gets none. True if so: the guest's
 * ICR write is not performed. */
static bool nmi_around_lost(struct vcpu *v, const struct apic_icr *i)
{
	struct vm *vm = v->vm;
	uint64_t lost = __atomic_load_n(&vm->lost_mask, __ATOMIC_ACQUIRE), set;
	unsigned int count;

	if (i->mode != ICR_MODE_NMI || !lost)
		return false;
	lost &= apic_icr_vcpu_targets(i, v->apic_id, vm->joining_ids, vm->joining_count);
	if (!lost)
		return false;
	if (first_time(LOG_LOST_NMI))
		printf("guest %s: NMI to destination 0x%x (shorthand %u) sent to the virtual CPUs only: it "
		       "takes in a CPU that did not join the hypervisor (chain mode) (not logged again)\n",
		       v->name, i->dest, i->shorthand);
	count = __atomic_load_n(&vm->vcpu_count, __ATOMIC_ACQUIRE);
	set = apic_icr_vcpu_targets(i, v->apic_id, vm->apic_ids, count);
	for (unsigned int k = 0; k < count && k < 64; k++)
		if (set & 1ULL << k)
			send_one(v, vm->apic_ids[k], i);
	if (apic_icr_reaches(i, v->apic_id, v->apic_id))
		send_one(v, v->apic_id, i);
	return true;
}

bool guest_ipi(struct vcpu *v, const struct apic_icr_decision *d)
{
	struct vm *vm = v->vm;
	uint64_t set, joining;
	unsigned int count;

	switch (d->action) {
	case ICR_SEND:
		return !nmi_around_lost(v, &d->icr);
	case ICR_NOTHING:
	case ICR_GP:
		return false;
	case ICR_DROP:
		drop(v, d);
		return false;
	case ICR_INIT:
	case ICR_STARTUP:
		break;
	}
	/* The joining set before the vCPU list: a chain-mode AP is published
	 * as a vCPU before it leaves the set (chain_join.c join_vm), so the IPI
	 * reaches it as one or the other. One read of the count. */
	joining = to_joining(v, &d->icr);
	count = __atomic_load_n(&vm->vcpu_count, __ATOMIC_ACQUIRE);
	set = apic_icr_vcpu_targets(&d->icr, v->apic_id, vm->apic_ids, count);
	if (!joining && !set && first_time(LOG_NO_VCPU))
		printf("guest %s: %s IPI to destination 0x%x (shorthand %u) reaches no other vCPU: "
		       "dropped (not logged again)\n", v->name, apic_icr_mode_name(d->icr.mode),
		       d->icr.dest, d->icr.shorthand);
	for (unsigned int k = 0; k < count && k < 64; k++)
		if (set & 1ULL << k)
			deliver(v, vm->vcpus[k], &d->icr);
	return false;
}
