/* guest/dev/guest_ipi.h - carrying out a guest's IPI, as its ICR write was
 * decided (guest/policy/apic_icr.h): INIT and start-up reach vCPUs only. */
#ifndef GUEST_GUEST_IPI_H
#define GUEST_GUEST_IPI_H

#include "guest/vcpu.h"
#include "guest/policy/apic_icr.h"

/*
 * Carries out d, the ICR write of v's guest (not ICR_GP: that #GP is the
 * caller's). INIT and start-up go to each vCPU they reach, the sender left
 * out: emulated (vcpu_post_init, vcpu_post_sipi) when v's VM traps them
 * (vm->ap_start_trap), else sent by the real APIC to that vCPU's CPU alone
 * (physical, so no CPU outside the hypervisor gets one). Drops are logged
 * once per reason. True if the real APIC must send d as the guest wrote it
 * (ICR_SEND); false if it is done.
 */
bool guest_ipi(struct vcpu *v, const struct apic_icr_decision *d);

#endif
