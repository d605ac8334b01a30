/* guest/run/chain_join.c - UEFI chain mode's APs (boot/chain_ap.c): each
 * comes under VMX after the firmware runs as the guest, on its own, and
 * joins the running VM as a vCPU (VCPU_MODE_RESUME: the firmware's state on
 * it), or goes back to the firmware; the guest's INIT and SIPI to it held
 * meanwhile; the end of the joining phase (docs/architecture.md, "UEFI
 * chain mode"). */
#include "guest/run/chain_join.h"
#include "guest/run/ap_priv.h"
#include "guest/backend.h"
#include "arch/percpu.h"
#include "drivers/console.h"

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
 * ap_setup_lock): no longer one of the firmware's APs, it is reached by the
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
	if (ap_run.opt && ap_run.opt->test_vmx == TEST_VMX_AP_JOIN)
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

void guests_chain_expect(const uint32_t *ids, unsigned int n)
{
	ap_run.chain_count = 0;
	for (unsigned int i = 0; i < n && i < VM_MAX_VCPUS; i++)
		ap_run.chain_ids[ap_run.chain_count++] = ids[i];
	spin_lock(&ap_setup_lock);
	vmx_census_chain_expect(&ap_run.vmx, ap_run.chain_count);
	spin_unlock(&ap_setup_lock);
}

int guests_chain_ap_vmx(struct percpu *pc, const char **why)
{
	struct ap_slot *s;
	int rc;

	*why = "beyond the virtual CPUs a VM has";
	if (pc->cpu >= VM_MAX_VCPUS)
		return -E2BIG;
	s = &ap_slots[pc->cpu];
	s->pc = pc;
	s->awake = true;
	if (ap_run.vm)
		joining_hold(ap_run.vm, pc->apic_id);
	spin_lock(&ap_setup_lock);         /* the VMXON region comes from the frame allocator */
	rc = backend_init_ap(ap_run.opt, why);
	vmx_census_chain_ap(&ap_run.vmx, rc == 0);
	spin_unlock(&ap_setup_lock);
	if (rc) {
		s->why = *why;
		ap_set_state(s, AP_NO_VMX);
		return rc;
	}
	ap_set_state(s, AP_IDLE);
	return 0;
}

int guests_chain_ap_join(struct percpu *pc, const struct vcpu_start *start,
			 bool (*claim)(void *ctx), void *ctx, const char **why)
{
	struct ap_slot *s = &ap_slots[pc->cpu];

	*why = "no guest runs";
	if (!ap_run.vm)
		return -ENOENT;
	s->claim = claim;
	s->claim_ctx = ctx;
	ap_run_vcpu(s, start, join_vm);
	s->claim = NULL;
	*why = s->why;
	if (ap_get_state(s) == AP_FAILED)
		return -EBUSY;
	ap_serve(s);
}

int guests_chain_reserve(void)
{
	for (unsigned int i = 1; i < ap_run.chain_count; i++) {
		struct percpu *pc = percpu_cpus[i];

		if (!pc || backend_reserve_ap(pc)) {
			printf("cpus: chain mode: no memory for the VMX and virtual CPU of APIC ID %u\n",
			       ap_run.chain_ids[i]);
			return -ENOMEM;
		}
	}
	return 0;
}

int guests_chain_ap_leave(struct percpu *pc)
{
	struct ap_slot *s = pc->cpu < VM_MAX_VCPUS ? &ap_slots[pc->cpu] : NULL;
	enum ap_state st;
	int rc;

	spin_lock(&ap_setup_lock);
	st = s ? ap_get_state(s) : AP_NO_VMX;
	/* No VMCS is current: a failed join destroyed its vCPU (VMCLEAR). */
	rc = backend_off();
	if (!rc && (st == AP_IDLE || st == AP_FAILED))
		vmx_census_chain_ap_left(&ap_run.vmx);
	if (!rc && s) {
		s->why = "given back to the firmware";
		ap_set_state(s, AP_NO_VMX);
	}
	spin_unlock(&ap_setup_lock);
	if (!rc && ap_run.vm) {
		struct vm *vm = ap_run.vm;
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
	/* Under ap_setup_lock, as join_vm: an AP joins before (it is no longer
	 * in the set) or after (a late join, which clears its lost bit). */
	spin_lock(&ap_setup_lock);
	if (!ap_run.chain_count || ap_run.vm != vm) {
		spin_unlock(&ap_setup_lock);
		return -ENOENT;
	}
	if (vm->joining_done) {
		spin_unlock(&ap_setup_lock);
		return -EEXIST;
	}
	vm->joining_done = true;
	left = __atomic_load_n(&vm->joining_mask, __ATOMIC_ACQUIRE);
	/* The lost set before the joining set is emptied: guest_ipi reads
	 * the joining set first, so an IPI finds such an AP in one or the
	 * other (then it is dropped), never forwarded after this. */
	__atomic_store_n(&vm->lost_mask, left, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->joining_mask, 0, __ATOMIC_RELEASE);
	vmx_census_chain_done(&ap_run.vmx);
	spin_unlock(&ap_setup_lock);
	*expected = vm->joining_count;
	for (unsigned int k = 0; k < vm->joining_count && k < 64; k++)
		if (left & 1ULL << k)
			lost[n++] = vm->joining_ids[k];
	return n;
}
