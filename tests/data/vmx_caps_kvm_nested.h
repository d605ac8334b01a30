/* tests/data/vmx_caps_kvm_nested.h - IA32_VMX_* capability MSRs as nested
 * KVM offers them to an L1 hypervisor on a recent Intel host, for the host
 * tests that compute controls from them. */
#ifndef TESTS_DATA_VMX_CAPS_KVM_NESTED_H
#define TESTS_DATA_VMX_CAPS_KVM_NESTED_H

#include "vmx/caps.h"

/*
 * Modelled on Linux's nested_vmx_setup_ctls_msrs() (arch/x86/kvm/vmx/
 * nested.c), not captured from a machine: TRUE controls, the default-1
 * classes as allowed-0 (CR3-load/store exiting and the debug-control bits
 * free with TRUE); pin: external-interrupt and NMI exiting, virtual NMIs,
 * preemption timer, posted interrupts; primary: everything but tertiary
 * controls; secondary: APIC virtualization (accesses, x2APIC, registers,
 * virtual-interrupt delivery), EPT, descriptor-table exiting, RDTSCP, VPID,
 * WBINVD exiting, unrestricted guest, RDRAND/RDSEED exiting, INVPCID, VM
 * functions, VMCS shadowing, ENCLS exiting, PML, XSAVES, TSC scaling, user
 * wait and pause; exit and entry: PAT, EFER, PERF_GLOBAL_CTRL, preemption
 * timer save, acknowledge interrupt on exit.
 */
static const struct vmx_cap_msrs kvm_nested = {
	.basic = 0x00da050000000001ULL,
	.pinbased = 0x000000ff00000016ULL,
	.procbased = 0xfff9fffe0401e172ULL,
	.exit = 0x007fffff00036dffULL,
	.entry = 0x0000f3ff000011ffULL,
	.misc = 0x0000000020000065ULL,
	.cr0_fixed0 = 0x80000021ULL, .cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL, .cr4_fixed1 = 0x3767ffULL,
	.procbased2 = 0x0613fbff00000000ULL,
	.ept_vpid_cap = 0x00000f0106734141ULL,
	.true_pinbased = 0x000000ff00000016ULL,
	.true_procbased = 0xfff9fffe04006172ULL,
	.true_exit = 0x007fffff00036dfbULL,
	.true_entry = 0x0000f3ff000011fbULL,
};

#endif
