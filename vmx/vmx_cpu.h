/* vmx/vmx_cpu.h - per-physical-CPU VMX state: capabilities, the controls
 * computed from them, the VMXON region. */
#ifndef VMX_VMX_CPU_H
#define VMX_VMX_CPU_H

#include "vmx/caps.h"
#include "lib/addr.h"
#include "arch/cpu.h"
#include "arch/percpu.h"

struct vmx_vcpu;

struct vmx_cpu {
	struct vmx_cap_msrs caps;        /* as read (with test hooks applied) */
	struct vmx_basic basic;
	struct vmx_controls ctl;         /* every guest's controls, before per-guest bits */
	bool nmi_window;                 /* NMI-window exiting may be set (vmx_nmi_window_available) */
	hpa_t vmxon_region;              /* 0 until allocated (or reserved: backend_reserve_ap) */
	struct vmx_vcpu *spare;          /* chain mode: its first vCPU's memory, taken ahead
					    (backend_reserve_ap); vcpu_create uses it once */
	bool on;                         /* in VMX root operation */
	uint64_t unshadowed;             /* HV_VMCS_COUNT: accesses to fields KVM does not shadow */
};

/* This CPU's, laid over the backend area of its per-CPU block
 * (arch/percpu.h): one %gs load per function, then plain offsets. */
_Static_assert(sizeof(struct vmx_cpu) <= PERCPU_BACKEND_SIZE, "fits the per-CPU backend area");
static inline struct vmx_cpu *vmx_cpu_here(void)
{
	return (struct vmx_cpu *)(void *)percpu_self()->backend;
}
#define vmx_this_cpu (*vmx_cpu_here())

/* CR4 bits the guest's real CR4 keeps whatever it writes (the read shadow
 * shows its own): CR4.MCE where the hypervisor set it (arch/mca.c), since a
 * machine check in VMX non-root with the real CR4.MCE clear shuts the CPU
 * down instead of exiting (SDM Vol. 3C, 26.8 and 27.8). */
static inline uint64_t vmx_guest_cr4_forced(void)
{
	return read_cr4() & CR4_MCE;
}

#endif
