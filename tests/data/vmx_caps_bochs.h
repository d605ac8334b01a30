/* tests/data/vmx_caps_bochs.h - IA32_VMX_* capability MSRs of Bochs 2.7's
 * corei7_skylake_x, shared by the host tests that compute controls from them. */
#ifndef TESTS_DATA_VMX_CAPS_BOCHS_H
#define TESTS_DATA_VMX_CAPS_BOCHS_H

#include "vmx/caps.h"

/*
 * Bochs' corei7_skylake_x (test-platform.md gives basic, procbased,
 * procbased2, misc and ept_vpid_cap as read there). The rest is modelled on
 * a Skylake server as Bochs emulates it: the non-TRUE allowed-0 halves are
 * exactly the SDM's default-1 classes (A.3.1 pin 1,2,4; A.3.2 primary 1,4-6,
 * 8,13-16,26; A.4 exit 0-8,10,11,13,14,16,17; A.5 entry 0-8,12); the TRUE
 * ones differ only where the SDM lets them (CR3-load/store exiting, save/load
 * debug controls); allowed-1 is the same in both; no posted interrupts and
 * no monitor trap flag, which Bochs does not emulate (primary bit 27 is 0 in
 * the captured value too). test fixtures_consistent checks this.
 */
static const struct vmx_cap_msrs bochs_skylake_x = {
	.basic = 0x00d810000000002bULL,
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xf7f9fffe0401e172ULL,
	.exit = 0x00ffffff00036dffULL,
	.entry = 0x0003ffff000011ffULL,
	.misc = 0x00000000600401e0ULL,
	.cr0_fixed0 = 0x80000021ULL, .cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL, .cr4_fixed1 = 0x3727ffULL,
	.procbased2 = 0x02177fff00000000ULL,
	.ept_vpid_cap = 0x00000f0106334141ULL,
	.true_pinbased = 0x0000007f00000016ULL,
	.true_procbased = 0xf7f9fffe04006172ULL,
	.true_exit = 0x00ffffff00036dfbULL,
	.true_entry = 0x0003ffff000011fbULL,
};

#endif
