/* guest/run/vmx_census.h - how many of the machine's CPUs are, or in chain
 * mode will be, in VMX root operation (pure: guest/run/ap_run.c and
 * chain_join.c update it under ap_setup_lock). In VMX root operation INIT is blocked and a
 * start-up IPI ignored (SDM Vol. 3C, 24.8), so when every CPU is counted a
 * guest's INIT and SIPI through the real APIC take no CPU out of the
 * hypervisor's hands. */
#ifndef GUEST_RUN_VMX_CENSUS_H
#define GUEST_RUN_VMX_CENSUS_H

#include "lib/compiler.h"

struct vmx_census {
	unsigned int machine;   /* CPUs the MADT lists (the chain list in chain mode) */
	unsigned int in_vmx;    /* CPUs in VMX root operation, the boot CPU's included */
	unsigned int pending;   /* chain mode: listed APs that have not tried VMXON yet */
};

/* Chain mode: n CPUs listed, the boot CPU (already counted in in_vmx) the
 * first of them; the other n - 1 come later (vmx_census_chain_ap). */
void vmx_census_chain_expect(struct vmx_census *c, unsigned int n);
/* Chain mode: a listed AP tried VMXON; on_vmx: it worked. Each AP once. */
void vmx_census_chain_ap(struct vmx_census *c, bool on_vmx);
/* Chain mode: an AP that vmx_census_chain_ap counted in VMX left it again
 * (its join failed: VMXOFF, the CPU back to the firmware). */
void vmx_census_chain_ap_left(struct vmx_census *c);
/* Chain mode: the joining phase ended (HC_CHAIN_APS_DONE): the APs that
 * have not tried are no longer to come. One that comes later all the same
 * is counted by vmx_census_chain_ap as usual. */
void vmx_census_chain_done(struct vmx_census *c);
/* True if every listed CPU is in VMX root operation or, in chain mode, is
 * still to come (it runs only firmware code until it tries, before any OS;
 * one that never comes stays counted until vmx_census_chain_done). */
bool vmx_census_all_in_vmx(const struct vmx_census *c);

#endif
