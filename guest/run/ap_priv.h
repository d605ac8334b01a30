/* guest/run/ap_priv.h - what guest/run/ap_run.c (the APs' vCPUs) shares
 * with guest/run/chain_join.c (chain mode's APs joining the running
 * guest), which builds on it: the per-CPU slots, the common state, the
 * setup lock, the AP's vCPU loop. Included by those two files only. */
#ifndef GUEST_RUN_AP_PRIV_H
#define GUEST_RUN_AP_PRIV_H

#include "guest/run/vmx_census.h"
#include "guest/vcpu.h"
#include "guest/vm.h"
#include "lib/spinlock.h"

struct percpu;
struct hv_options;

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

extern struct ap_slot ap_slots[VM_MAX_VCPUS];   /* by CPU index; [0] unused (the boot CPU) */

struct ap_run_state {
	const struct hv_options *opt;
	volatile unsigned int vmx_turn;         /* the AP whose turn it is to turn VMX on */
	struct vm *vm;                          /* the VM the APs join */
	const char *name;                       /* its guest's name */
	uint8_t on_reset;
	uint64_t tick_tsc;
	struct vcpu *volatile stopper;          /* the AP vCPU that stopped the guest */
	/* CPUs in the MADT (guests_set_machine_cpus), CPUs in VMX root
	 * operation (the boot CPU's included) and chain APs still to come;
	 * written under ap_setup_lock once APs run. */
	struct vmx_census vmx;
	/* Chain mode: the firmware's APs, which come under VMX after the
	 * guest started (guests_chain_expect). */
	uint32_t chain_ids[VM_MAX_VCPUS];
	unsigned int chain_count;
};

extern struct ap_run_state ap_run;

/* An AP creates and destroys its vCPU, and a chain-mode AP turns VMX on
 * and joins (vm->vcpus[], vcpu_count), under this lock; guests_aps_stop
 * takes it against a join, and it covers the VMX census (ap_run.vmx). The
 * heap and the frame allocator lock themselves (innermost, after this one). */
extern struct spinlock ap_setup_lock;

static inline void ap_set_state(struct ap_slot *s, enum ap_state st)
{
	__atomic_store_n(&s->state, st, __ATOMIC_RELEASE);
}

static inline enum ap_state ap_get_state(const struct ap_slot *s)
{
	return (enum ap_state)__atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

/* Chain mode's last step of a join (guest/run/chain_join.c): v, running,
 * joins vm, whose guest already runs (under ap_setup_lock); *late if after
 * the joining phase. NULL, or why not. */
typedef const char *ap_join_fn(struct vm *vm, struct ap_slot *s, struct vcpu *v, bool *late);

/* On the AP: its vCPU for ap_run.vm, created here (a VMCS is loaded and
 * run on one CPU only) from start, run until the guest stops, then
 * destroyed; AP_FAILED (s->why says why) if it could not be made or join.
 * join: NULL for a vCPU the boot CPU asked for (it waits for SIPI); chain
 * mode's, with start resuming the firmware's state on this AP. */
void ap_run_vcpu(struct ap_slot *s, const struct vcpu_start *start, ap_join_fn *join);
/* An AP in VMX root operation, for good: a vCPU whenever the boot CPU
 * asks for one (AP_CREATE), idle in between. */
void ap_serve(struct ap_slot *s) __noreturn;

#endif
