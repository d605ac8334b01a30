/* guest/vm.h - a virtual machine: its guest-physical space, the stage-2
 * page tables that map it (owned by the VM, not by a CPU: every vCPU of the
 * VM runs on the same tables) and its vCPUs, one per physical CPU under
 * VMX (1:1; docs/architecture.md, "CPUs"), and the start-up signals one
 * vCPU sends another (INIT, SIPI). */
#ifndef GUEST_VM_H
#define GUEST_VM_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "lib/spinlock.h"

struct vcpu;

#define VM_MAX_VCPUS 64                  /* CPUs beyond these stay parked, reported at boot */

struct vm {
	gpa_t top;                       /* end of the guest-physical space (stage2_init) */
	void *stage2;                    /* backend's tables (vmx/: struct ept), NULL before stage2_init */
	bool stage2_built;               /* stage2_build succeeded */
	volatile bool paused;            /* no vCPU enters (guest/run/requests.c vm_pause_all) */
	struct vcpu *vcpu;               /* the boot CPU's vCPU while one exists */
	/* Every vCPU of the guest now running, [0] the boot CPU's; written by
	 * the boot CPU only while no AP runs a vCPU (guest/run/ap_run.c). */
	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned int vcpu_count;
	/* Set when the guest stops (its boot vCPU stopped, or an AP's stopped
	 * it): every vCPU's run loop leaves at its next exit. */
	volatile bool stopping;
	uint32_t apic_ids[VM_MAX_VCPUS]; /* vcpus[i]'s APIC ID (guest/dev/guest_ipi.c) */
	bool ap_start_trap;              /* the guest's INIT and start-up IPIs are trapped (ICR) and
					    emulated (apstart=, guest/dev/guest_ipi.c), not left to
					    the CPU's wait-for-SIPI state */
	bool hold_aps;                   /* no wait-for-SIPI activity state (IA32_VMX_MISC bit 8
					    clear): an AP's vCPU waits for its emulated SIPI in
					    the hypervisor, not entered (guest/run/ap_run.c) */
	/* Chain mode: the firmware's APs that have not come under VMX yet
	 * (bit k: joining_ids[k]); they are still the firmware's, which wakes
	 * them with INIT and start-up IPIs (EDK II MpInitLib in its HLT loop
	 * mode), so guest/dev/guest_ipi.c sends those to them for real.
	 * Cleared as each joins the VM as a vCPU (guest/run/chain_join.c). */
	uint32_t joining_ids[VM_MAX_VCPUS];
	unsigned int joining_count;
	volatile uint64_t joining_mask;
	/* Bit k: joining AP k is inside the hypervisor, from just before its
	 * VMXON until it joins (or goes back to the firmware): the guest's
	 * INIT and start-up IPIs to it are recorded in joining_mb[k] (the
	 * vcpu.mailbox encoding) and handed to its vCPU's mailbox when it
	 * joins, not sent (guest/dev/guest_ipi.c says why). joining_lock
	 * orders a sender's look at these bits and its send against the AP
	 * setting its bit and joining. */
	volatile uint64_t joining_held;
	volatile uint32_t joining_mb[VM_MAX_VCPUS];
	struct spinlock joining_lock;
	/* Chain mode, once hv.efi ended the joining phase (HC_CHAIN_APS_DONE,
	 * guest/run/chain_done.c): joining_mask is 0 for good, and these are
	 * the APs that had not joined (bit k: joining_ids[k]): not vCPUs, the
	 * firmware's still (the guest's INIT and start-up IPIs reach them for
	 * real: guest/run/chain_done.c says why). A late join clears its bit. */
	bool joining_done;
	volatile uint64_t lost_mask;
};

/* The vCPU of vm whose (x2)APIC ID is apic_id, or NULL. */
struct vcpu *vm_vcpu_by_apic_id(struct vm *vm, uint32_t apic_id);

/* A mailbox word (vcpu.mailbox) with an INIT posted: an INIT cancels a
 * SIPI posted before it (that one came too early); the kick mark stays. */
uint32_t vcpu_mb_with_init(uint32_t old);
/* ... with a SIPI of vector posted: it replaces an earlier SIPI; a posted
 * INIT and the kick mark stay. */
uint32_t vcpu_mb_with_sipi(uint32_t old, uint8_t vector);

/* Emulated INIT: target ends in wait-for-SIPI (its run loop carries it out
 * at its next exit; no effect on the boot vCPU, whose INIT is a reset). */
void vcpu_post_init(struct vcpu *target);
/* Emulated SIPI: target starts in real mode at vector << 12 if it waits for
 * SIPI when its run loop takes the signal, else the SIPI is ignored. */
void vcpu_post_sipi(struct vcpu *target, uint8_t vector);

/* How the hypervisor wakes a CPU whose vCPU waits for SIPI (boot/: a
 * start-up IPI to apic_id; true if sent). */
void vm_set_sipi_sender(bool (*send)(uint32_t apic_id, uint8_t vector));
/* How a vCPU that runs guest code is made to exit to its run loop (the
 * request channel's kick), for an emulated INIT to take effect at once. */
void vm_set_kicker(void (*kick)(struct vcpu *v));
/* Brings v out of wait-for-SIPI to its run loop, which then looks at its
 * mailbox and the VM's stop flag (VCPU_MB_KICK: the SIPI exit starts
 * nothing; a vCPU the hypervisor holds, vm->hold_aps, gets the kicker's
 * NMI instead); false if v is not waiting for SIPI or nothing can wake it. */
bool vcpu_kick_wait_sipi(struct vcpu *v);
/* The run loop's side: carries out what was posted (init(v) for INIT, then
 * start(v, vector) for a SIPI if v then waits for one); nothing on the
 * boot vCPU. */
void vcpu_take_mailbox(struct vcpu *v, void (*init)(struct vcpu *v),
		       void (*start)(struct vcpu *v, uint8_t vector));

#endif
