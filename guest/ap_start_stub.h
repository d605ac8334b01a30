/* guest/ap_start_stub.h - TEMPORARY, deleted when branch smpvcpu (one vCPU
 * per CPU) is merged, which provides these: the vCPU interface the AP start
 * fallback (guest/dev/guest_ipi.c) uses. The weak definitions in
 * ap_start_stub.c know the one vCPU of today's VM only. */
#ifndef GUEST_AP_START_STUB_H
#define GUEST_AP_START_STUB_H

#include "guest/vcpu.h"
#include "guest/vm.h"

/* vm's vCPU whose (x2)APIC ID is apic_id, or NULL. */
struct vcpu *vm_vcpu_by_apic_id(struct vm *vm, uint32_t apic_id);
/* vm's index-th vCPU (0 = the boot CPU's), NULL past the last. */
struct vcpu *vm_vcpu_at(struct vm *vm, unsigned int index);
/* The (x2)APIC ID of the CPU v runs on (1:1). */
uint32_t vcpu_apic_id(const struct vcpu *v);
/* Emulated INIT: target ends in wait-for-SIPI (held in root mode where the
 * activity state is unavailable). */
void vcpu_post_init(struct vcpu *target);
/* Emulated start-up IPI: ignored unless target waits for SIPI. */
void vcpu_post_sipi(struct vcpu *target, uint8_t vector);

#endif
