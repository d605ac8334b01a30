/* guest/ap_start_stub.c - TEMPORARY, deleted when branch smpvcpu is merged:
 * weak stand-ins for its vCPU interface (guest/ap_start_stub.h) over today's
 * VM of one vCPU on the boot CPU. */
#include "guest/ap_start_stub.h"
#include "arch/percpu.h"
#include "drivers/console.h"

__attribute__((weak)) struct vcpu *vm_vcpu_at(struct vm *vm, unsigned int index)
{
	return index == 0 ? vm->vcpu : NULL;
}

__attribute__((weak)) uint32_t vcpu_apic_id(const struct vcpu *v)
{
	(void)v;
	return this_cpu.apic_id;        /* the one vCPU runs on the boot CPU */
}

__attribute__((weak)) struct vcpu *vm_vcpu_by_apic_id(struct vm *vm, uint32_t apic_id)
{
	for (unsigned int i = 0; vm_vcpu_at(vm, i); i++)
		if (vcpu_apic_id(vm_vcpu_at(vm, i)) == apic_id)
			return vm_vcpu_at(vm, i);
	return NULL;
}

__attribute__((weak)) void vcpu_post_init(struct vcpu *target)
{
	printf("guest %s: emulated INIT: no vCPU core yet (branch smpvcpu)\n", target->name);
}

__attribute__((weak)) void vcpu_post_sipi(struct vcpu *target, uint8_t vector)
{
	printf("guest %s: emulated start-up 0x%02x: no vCPU core yet (branch smpvcpu)\n", target->name,
	       vector);
}
