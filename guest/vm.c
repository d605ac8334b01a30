/* guest/vm.c - a VM's vCPUs by APIC ID, and the start-up signals (INIT,
 * SIPI) posted to a vCPU for its own CPU to carry out (SDM Vol. 3A, 10.4.2;
 * docs/architecture.md, "CPUs"). */
#include "guest/vm.h"
#include "guest/vcpu.h"

/* How the hypervisor wakes a CPU whose vCPU waits for SIPI inside the guest
 * (boot/ap_start.c: a start-up IPI of its own); NULL: none can be woken. */
static bool (*sipi_sender)(uint32_t apic_id, uint8_t vector);

void vm_set_sipi_sender(bool (*send)(uint32_t apic_id, uint8_t vector))
{
	sipi_sender = send;
}

/* How a vCPU running guest code is made to exit and look at its mailbox
 * (guest/run/requests.c: a kick through the request channel). */
static void (*running_kicker)(struct vcpu *v);

void vm_set_kicker(void (*kick)(struct vcpu *v))
{
	running_kicker = kick;
}

struct vcpu *vm_vcpu_by_apic_id(struct vm *vm, uint32_t apic_id)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->apic_id == apic_id)
			return vm->vcpus[i];
	return NULL;
}

bool vcpu_kick_wait_sipi(struct vcpu *v)
{
	/* A vCPU in wait-for-SIPI leaves the guest for a SIPI only (the
	 * preemption timer does not run there in Bochs, nor are NMIs taken:
	 * SDM Vol. 3C, 26.6.2): send one, marked as the hypervisor's. */
	if (!__atomic_load_n(&v->wait_sipi, __ATOMIC_ACQUIRE))
		return false;
	/* Held in the hypervisor (no wait-for-SIPI state): in VMX root
	 * operation a CPU ignores a SIPI; it halts with NMIs as wake-ups. */
	if (v->vm && v->vm->hold_aps) {
		if (!running_kicker)
			return false;
		running_kicker(v);
		return true;
	}
	if (!sipi_sender)
		return false;
	__atomic_or_fetch(&v->mailbox, VCPU_MB_KICK, __ATOMIC_ACQ_REL);
	return sipi_sender(v->apic_id, 0);
}

uint32_t vcpu_mb_with_init(uint32_t old)
{
	return (old & VCPU_MB_KICK) | VCPU_MB_INIT;
}

uint32_t vcpu_mb_with_sipi(uint32_t old, uint8_t vector)
{
	return (old & (VCPU_MB_KICK | VCPU_MB_INIT)) | VCPU_MB_SIPI | (uint32_t)vector << 8;
}

void vcpu_post_init(struct vcpu *target)
{
	uint32_t old = __atomic_load_n(&target->mailbox, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(&target->mailbox, &old, vcpu_mb_with_init(old), false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	/* A running AP (a guest that never exits, or one halted with
	 * interrupts off) takes the INIT now, as a real CPU would, not at its
	 * next console tick; one waiting for SIPI stays there (INIT is a no-op). */
	if (!__atomic_load_n(&target->wait_sipi, __ATOMIC_ACQUIRE) && running_kicker)
		running_kicker(target);
}

void vcpu_post_sipi(struct vcpu *target, uint8_t vector)
{
	uint32_t old = __atomic_load_n(&target->mailbox, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(&target->mailbox, &old, vcpu_mb_with_sipi(old, vector), false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	(void)vcpu_kick_wait_sipi(target);
}

void vcpu_take_mailbox(struct vcpu *v, void (*init)(struct vcpu *v),
		       void (*start)(struct vcpu *v, uint8_t vector))
{
	uint32_t m;

	if (!(__atomic_load_n(&v->mailbox, __ATOMIC_ACQUIRE) & (VCPU_MB_INIT | VCPU_MB_SIPI)))
		return;
	m = __atomic_fetch_and(&v->mailbox, VCPU_MB_KICK, __ATOMIC_ACQ_REL);
	if (!v->cpu)
		return;         /* the boot vCPU's INIT would be a reset: not emulated */
	if (m & VCPU_MB_INIT)
		init(v);
	if ((m & VCPU_MB_SIPI) && v->wait_sipi)
		start(v, VCPU_MB_VECTOR(m));
}
