/* tests/unit/vmx/test_caps.c - control computation, feature control, fixed bits and IA32_VMX_BASIC. */
#include "tests/unit/check.h"
#include "vmx/caps.h"
#include "vmx/vmcs.h"
#include "tests/data/vmx_caps_bochs.h"


/*
 * A synthetic older CPU, loosely a Nehalem with parts taken away: no TRUE
 * MSRs (basic bit 55 clear, 1 KiB regions), no preemption timer, EPT with
 * 4-level walks and 2 MiB pages but no 1 GiB pages or A/D bits, and none of
 * unrestricted guest, VPID, INVPCID or XSAVES.
 */
static const struct vmx_cap_msrs older = {
	.basic = 0x005804000000000eULL,
	.pinbased = 0x0000003f00000016ULL,
	.procbased = 0xfff9fffe0401e172ULL,
	.exit = 0x003fffff00036dffULL,
	.entry = 0x0000ffff000011ffULL,
	.misc = 0x00000000000401e5ULL,
	.cr0_fixed0 = 0x80000021ULL, .cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL, .cr4_fixed1 = 0x27ffULL,
	.procbased2 = 0x0000005f00000000ULL,   /* APIC accesses, EPT, desc. table, RDTSCP, x2APIC, WBINVD */
	.ept_vpid_cap = 0x0000000006114141ULL,
};

#define PIN_DEFAULT1   0x00000016u
#define PROC_DEFAULT1  0x0401e172u
#define EXIT_DEFAULT1  0x00036dffu
#define ENTRY_DEFAULT1 0x000011ffu

/* What a hypervisor like this one asks for. */
static const struct vmx_control_request request = {
	.required = {
		.pin = PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING,
		.proc = CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY_CONTROLS,
		.proc2 = CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST,
		.exit = EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_ACK_INTERRUPT_ON_EXIT |
			EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER,
		.entry = ENTRY_LOAD_IA32_EFER,
	},
	.optional = {
		.pin = PIN_VIRTUAL_NMIS | PIN_VMX_PREEMPTION_TIMER,
		.proc = CPU_MONITOR_TRAP_FLAG,
		.proc2 = CPU2_ENABLE_VPID | CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID |
			 CPU2_ENABLE_XSAVES_XRSTORS,
		.exit = EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT | EXIT_SAVE_VMX_PREEMPTION_TIMER,
		.entry = ENTRY_LOAD_IA32_PAT,
	},
};

static bool subset(uint64_t cap)
{
	return ((uint32_t)cap & ~(uint32_t)(cap >> 32)) == 0;
}

TEST(fixtures_consistent)
{
	const struct vmx_cap_msrs *sets[] = { &bochs_skylake_x, &older };

	for (unsigned int i = 0; i < ARRAY_SIZE(sets); i++) {
		const struct vmx_cap_msrs *m = sets[i];

		/* Every bit that must be 1 may be 1. */
		CHECK(subset(m->pinbased) && subset(m->procbased) && subset(m->exit) &&
		      subset(m->entry) && subset(m->procbased2));
		CHECK_EQ((uint32_t)m->pinbased, PIN_DEFAULT1);
		CHECK_EQ((uint32_t)m->procbased, PROC_DEFAULT1);
		CHECK_EQ((uint32_t)m->exit, EXIT_DEFAULT1);
		CHECK_EQ((uint32_t)m->entry, ENTRY_DEFAULT1);
		CHECK_EQ((uint32_t)m->procbased2, 0);
		/* EPT/VPID in the secondary controls iff their capability bits say so. */
		CHECK_EQ(!!(m->procbased2 & ((uint64_t)CPU2_ENABLE_EPT << 32)),
			 !!(m->ept_vpid_cap & EPT_CAP_INVEPT));
		CHECK_EQ(!!(m->procbased2 & ((uint64_t)CPU2_ENABLE_VPID << 32)),
			 !!(m->ept_vpid_cap & VPID_CAP_INVVPID));
	}
	/* TRUE MSRs: same allowed-1 settings, allowed-0 a subset of the old ones,
	 * differing only in the bits the SDM names (A.2). */
	CHECK(subset(bochs_skylake_x.true_pinbased) && subset(bochs_skylake_x.true_procbased) &&
	      subset(bochs_skylake_x.true_exit) && subset(bochs_skylake_x.true_entry));
	CHECK_EQ(bochs_skylake_x.true_pinbased, bochs_skylake_x.pinbased);
	CHECK_EQ(bochs_skylake_x.true_procbased >> 32, bochs_skylake_x.procbased >> 32);
	CHECK_EQ((uint32_t)bochs_skylake_x.true_procbased ^ PROC_DEFAULT1,
		 CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING);
	CHECK_EQ(bochs_skylake_x.true_exit >> 32, bochs_skylake_x.exit >> 32);
	CHECK_EQ((uint32_t)bochs_skylake_x.true_exit ^ EXIT_DEFAULT1, EXIT_SAVE_DEBUG_CONTROLS);
	CHECK_EQ(bochs_skylake_x.true_entry >> 32, bochs_skylake_x.entry >> 32);
	CHECK_EQ((uint32_t)bochs_skylake_x.true_entry ^ ENTRY_DEFAULT1, ENTRY_LOAD_DEBUG_CONTROLS);
	/* CR fixed bits: every bit fixed to 1 may be 1. */
	CHECK_EQ(bochs_skylake_x.cr0_fixed0 & ~bochs_skylake_x.cr0_fixed1, 0);
	CHECK_EQ(bochs_skylake_x.cr4_fixed0 & ~bochs_skylake_x.cr4_fixed1, 0);
	CHECK_EQ(older.cr4_fixed0 & ~older.cr4_fixed1, 0);
}

TEST(skylake_all_required)
{
	struct vmx_control_result r;

	memset(&r, 0xa5, sizeof(r));
	CHECK(vmx_compute_controls(&bochs_skylake_x, &request, &r));
	CHECK(vmx_controls_empty(&r.missing_required));
	/* TRUE controls: default-1 bits the SDM lets go are 0 unless asked for. */
	CHECK_EQ(r.value.pin, PIN_DEFAULT1 | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING |
			      PIN_VIRTUAL_NMIS | PIN_VMX_PREEMPTION_TIMER);
	CHECK_EQ(r.value.proc, 0x04006172u | CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
			       CPU_ACTIVATE_SECONDARY_CONTROLS);
	CHECK_EQ(r.value.proc, 0x96006172u);
	CHECK_EQ(r.value.proc & (CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING), 0);
	CHECK_EQ(r.value.proc2, CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST | CPU2_ENABLE_VPID |
				CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID | CPU2_ENABLE_XSAVES_XRSTORS);
	CHECK_EQ(r.value.exit, (EXIT_DEFAULT1 & ~EXIT_SAVE_DEBUG_CONTROLS) | request.required.exit |
			       request.optional.exit);
	CHECK_EQ(r.value.entry, (ENTRY_DEFAULT1 & ~ENTRY_LOAD_DEBUG_CONTROLS) | ENTRY_LOAD_IA32_EFER |
				ENTRY_LOAD_IA32_PAT);
	/* Bochs has no monitor trap flag: the one optional bit left out. */
	CHECK_EQ(r.missing_optional.proc, CPU_MONITOR_TRAP_FLAG);
	CHECK_EQ(r.missing_optional.pin | r.missing_optional.proc2 | r.missing_optional.exit |
		 r.missing_optional.entry, 0);
}

TEST(older_cpu_missing_unrestricted_guest)
{
	struct vmx_control_result r;
	char buf[256];

	CHECK(!vmx_compute_controls(&older, &request, &r));
	/* No TRUE MSRs: every default-1 bit forced, CR3-load exiting included. */
	CHECK_EQ(r.value.pin, PIN_DEFAULT1 | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING |
			      PIN_VIRTUAL_NMIS);
	CHECK_EQ(r.value.proc, PROC_DEFAULT1 | CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
			       CPU_ACTIVATE_SECONDARY_CONTROLS | CPU_MONITOR_TRAP_FLAG);
	CHECK(r.value.proc & CPU_CR3_LOAD_EXITING);
	CHECK(r.value.exit & EXIT_SAVE_DEBUG_CONTROLS);
	CHECK(r.value.entry & ENTRY_LOAD_DEBUG_CONTROLS);
	CHECK_EQ(r.value.proc2, CPU2_ENABLE_EPT | CPU2_ENABLE_RDTSCP);
	CHECK_EQ(r.value.exit, EXIT_DEFAULT1 | request.required.exit | EXIT_SAVE_IA32_PAT |
			       EXIT_LOAD_IA32_PAT);
	CHECK_EQ(r.value.entry, ENTRY_DEFAULT1 | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT);

	CHECK_EQ(r.missing_required.proc2, CPU2_UNRESTRICTED_GUEST);
	CHECK_EQ(r.missing_required.pin | r.missing_required.proc | r.missing_required.exit |
		 r.missing_required.entry, 0);
	CHECK_EQ(vmx_control_names(&r.missing_required, buf, sizeof(buf)),
		 strlen("secondary: unrestricted guest"));
	CHECK_STR(buf, "secondary: unrestricted guest");

	CHECK_EQ(r.missing_optional.pin, PIN_VMX_PREEMPTION_TIMER);
	CHECK_EQ(r.missing_optional.proc, 0);
	CHECK_EQ(r.missing_optional.proc2, CPU2_ENABLE_VPID | CPU2_ENABLE_INVPCID |
					   CPU2_ENABLE_XSAVES_XRSTORS);
	CHECK_EQ(r.missing_optional.exit, EXIT_SAVE_VMX_PREEMPTION_TIMER);
	CHECK_EQ(r.missing_optional.entry, 0);
	vmx_control_names(&r.missing_optional, buf, sizeof(buf));
	CHECK_STR(buf, "pin: activate VMX-preemption timer; secondary: VPID, INVPCID, "
		       "XSAVES/XRSTORS; exit: save VMX-preemption timer value");
}

TEST(true_msrs_used_only_with_basic_bit_55)
{
	struct vmx_cap_msrs m = bochs_skylake_x;
	struct vmx_control_result r;

	m.basic &= ~VMX_BASIC_TRUE_CONTROLS;
	CHECK(vmx_compute_controls(&m, &request, &r));
	CHECK(r.value.proc & CPU_CR3_LOAD_EXITING);
	CHECK(r.value.proc & CPU_CR3_STORE_EXITING);
	CHECK(r.value.exit & EXIT_SAVE_DEBUG_CONTROLS);
	CHECK(r.value.entry & ENTRY_LOAD_DEBUG_CONTROLS);
	/* With bit 55, the TRUE values are what count, even where they are stricter. */
	m = bochs_skylake_x;
	m.true_exit &= ~((uint64_t)EXIT_LOAD_IA32_EFER << 32);
	CHECK(!vmx_compute_controls(&m, &request, &r));
	CHECK_EQ(r.missing_required.exit, EXIT_LOAD_IA32_EFER);
}

TEST(default1_bits_forced_without_request)
{
	static const struct vmx_control_request none;
	struct vmx_control_result r;

	CHECK(vmx_compute_controls(&older, &none, &r));
	CHECK_EQ(r.value.pin, PIN_DEFAULT1);
	CHECK_EQ(r.value.proc, PROC_DEFAULT1);
	CHECK_EQ(r.value.exit, EXIT_DEFAULT1);
	CHECK_EQ(r.value.entry, ENTRY_DEFAULT1);
	/* Nothing secondary asked for: not activated. */
	CHECK_EQ(r.value.proc2, 0);
	CHECK(vmx_controls_empty(&r.missing_required));
	CHECK(vmx_controls_empty(&r.missing_optional));
}

TEST(secondary_activated_by_proc2_bits)
{
	struct vmx_control_request req = { .optional = { .proc2 = CPU2_ENABLE_EPT } };
	struct vmx_control_result r;

	CHECK(vmx_compute_controls(&bochs_skylake_x, &req, &r));
	CHECK_EQ(r.value.proc2, CPU2_ENABLE_EPT);
	CHECK(r.value.proc & CPU_ACTIVATE_SECONDARY_CONTROLS);
	/* Only unsupported proc2 bits asked for: nothing to activate. */
	req.optional.proc2 = CPU2_ENABLE_PML;
	CHECK(vmx_compute_controls(&older, &req, &r));
	CHECK_EQ(r.value.proc2, 0);
	CHECK(!(r.value.proc & CPU_ACTIVATE_SECONDARY_CONTROLS));
	CHECK_EQ(r.missing_optional.proc2, CPU2_ENABLE_PML);
}

TEST(proc2_required_without_secondary_controls)
{
	struct vmx_cap_msrs m = older;
	struct vmx_control_request req = request;
	struct vmx_control_result r;
	char buf[256];

	m.procbased &= ~((uint64_t)CPU_ACTIVATE_SECONDARY_CONTROLS << 32);
	m.procbased2 = 0;
	m.ept_vpid_cap = 0;
	CHECK(!vmx_compute_controls(&m, &req, &r));
	CHECK_EQ(r.missing_required.proc, CPU_ACTIVATE_SECONDARY_CONTROLS);
	CHECK_EQ(r.missing_required.proc2, CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST);
	CHECK_EQ(r.missing_optional.proc2, request.optional.proc2);
	CHECK_EQ(r.value.proc2, 0);
	CHECK(!(r.value.proc & CPU_ACTIVATE_SECONDARY_CONTROLS));
	vmx_control_names(&r.missing_required, buf, sizeof(buf));
	CHECK_STR(buf, "primary: activate secondary controls; secondary: EPT, unrestricted guest");

	/* Without naming the primary bit: only the proc2 bits are missing. */
	req.required.proc &= ~CPU_ACTIVATE_SECONDARY_CONTROLS;
	CHECK(!vmx_compute_controls(&m, &req, &r));
	CHECK_EQ(r.missing_required.proc, 0);
	CHECK_EQ(r.missing_required.proc2, CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST);

	/* A stale PROCBASED_CTLS2 value does not count when the primary says no. */
	m.procbased2 = older.procbased2;
	req.required.proc2 = CPU2_ENABLE_EPT;
	CHECK(!vmx_compute_controls(&m, &req, &r));
	CHECK_EQ(r.missing_required.proc2, CPU2_ENABLE_EPT);
	CHECK_EQ(r.value.proc2, 0);
}

TEST(required_and_optional_overlap_reported_once)
{
	struct vmx_control_request req = {
		.required = { .proc2 = CPU2_ENABLE_VPID },
		.optional = { .proc2 = CPU2_ENABLE_VPID | CPU2_ENABLE_EPT },
	};
	struct vmx_control_result r;

	CHECK(!vmx_compute_controls(&older, &req, &r));
	CHECK_EQ(r.missing_required.proc2, CPU2_ENABLE_VPID);
	CHECK_EQ(r.missing_optional.proc2, 0);
	CHECK_EQ(r.value.proc2, CPU2_ENABLE_EPT);
}

TEST(control_names)
{
	struct vmx_controls c = {
		.proc2 = CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST,
		.exit = EXIT_LOAD_IA32_EFER,
	};
	char buf[128];
	int n;

	n = vmx_control_names(&c, buf, sizeof(buf));
	CHECK_STR(buf, "secondary: EPT, unrestricted guest; exit: load IA32_EFER");
	CHECK_EQ(n, strlen(buf));

	memset(&c, 0, sizeof(c));
	c.pin = PIN_NMI_EXITING | (1u << 12);
	c.entry = ENTRY_IA32E_MODE_GUEST | (1u << 31);
	vmx_control_names(&c, buf, sizeof(buf));
	CHECK_STR(buf, "pin: NMI exiting, pin bit 12; entry: IA-32e mode guest, entry bit 31");

	memset(&c, 0, sizeof(c));
	c.proc = CPU_HLT_EXITING | CPU_CR3_LOAD_EXITING | CPU_USE_TPR_SHADOW;
	vmx_control_names(&c, buf, sizeof(buf));
	CHECK_STR(buf, "primary: HLT exiting, CR3-load exiting, use TPR shadow");

	memset(&c, 0, sizeof(c));
	CHECK(vmx_controls_empty(&c));
	CHECK_EQ(vmx_control_names(&c, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "none");
	c.entry = 1;
	CHECK(!vmx_controls_empty(&c));
}

TEST(control_names_truncate)
{
	struct vmx_controls c = {
		.proc2 = CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST,
		.exit = EXIT_LOAD_IA32_EFER,
	};
	const char *full = "secondary: EPT, unrestricted guest; exit: load IA32_EFER";
	char buf[64];

	for (size_t len = 1; len < sizeof(buf); len++) {
		memset(buf, 'x', sizeof(buf));
		CHECK_EQ(vmx_control_names(&c, buf, len), strlen(full));
		CHECK_EQ(strlen(buf), MIN(len - 1, strlen(full)));
		CHECK(strncmp(buf, full, strlen(buf)) == 0);
		CHECK(buf[len] == 'x');      /* nothing written past len */
	}
	CHECK_EQ(vmx_control_names(&c, NULL, 0), strlen(full));
}

TEST(feature_control)
{
	uint64_t nv = 0x1234;

	CHECK_EQ(vmx_feature_control_check(0, &nv), VMX_FC_ENABLE);
	CHECK_EQ(nv, 5);
	CHECK_EQ(vmx_feature_control_check(1, &nv), VMX_FC_LOCKED_OFF);
	CHECK_EQ(nv, 1);
	CHECK_EQ(vmx_feature_control_check(5, &nv), VMX_FC_READY);
	CHECK_EQ(nv, 5);
	CHECK_EQ(vmx_feature_control_check(7, &nv), VMX_FC_READY);
	/* Locked, VMX only inside SMX: no use to a hypervisor outside SMX. */
	CHECK_EQ(vmx_feature_control_check(3, &nv), VMX_FC_LOCKED_OFF);
	/* Unlocked with other bits set (bit 20, LMCE on): kept. */
	CHECK_EQ(vmx_feature_control_check(0x100000, &nv), VMX_FC_ENABLE);
	CHECK_EQ(nv, 0x100005);
	/* Unlocked but already enabled: still needs the lock. */
	CHECK_EQ(vmx_feature_control_check(4, &nv), VMX_FC_ENABLE);
	CHECK_EQ(nv, 5);
	/* Unlocked, inside SMX only: the inside bit is kept, outside added. */
	CHECK_EQ(vmx_feature_control_check(2, &nv), VMX_FC_ENABLE);
	CHECK_EQ(nv, 7);
	CHECK_EQ(vmx_feature_control_check(0, NULL), VMX_FC_ENABLE);
}

TEST(apply_fixed)
{
	/* CR0 at reset (CD, NW, ET) gains PE, NE, PG. */
	CHECK_EQ(vmx_apply_fixed(0x60000010, 0x80000021, 0xffffffff), 0xe0000031);
	/* A long-mode host CR0 already has them. */
	CHECK_EQ(vmx_apply_fixed(0x80050033, 0x80000021, 0xffffffff), 0x80050033);
	/* Bits above 31 are not allowed by fixed1. */
	CHECK_EQ(vmx_apply_fixed((1ULL << 40) | 0x80000033, 0x80000021, 0xffffffff), 0x80000033);
	/* CR4 gains VMXE; PKE (bit 22) is not in this fixed1 and is dropped. */
	CHECK_EQ(vmx_apply_fixed(0x6f0, 0x2000, 0x3727ff), 0x26f0);
	CHECK_EQ(vmx_apply_fixed(0x4006f0, 0x2000, 0x3727ff), 0x26f0);
	CHECK_EQ(vmx_apply_fixed(0, bochs_skylake_x.cr4_fixed0, bochs_skylake_x.cr4_fixed1), 0x2000);
	/* A value already in VMX form stays. */
	CHECK_EQ(vmx_apply_fixed(0x3726f0, 0x2000, 0x3727ff), 0x3726f0);
}

TEST(decode_basic)
{
	struct vmx_basic b;

	memset(&b, 0xa5, sizeof(b));
	vmx_decode_basic(bochs_skylake_x.basic, &b);
	CHECK_EQ(b.revision, 0x2b);
	CHECK_EQ(b.region_size, 0x1000);
	CHECK(!b.phys_addr_32);
	CHECK_EQ(b.memtype, VMX_MEMTYPE_WB);
	CHECK(b.io_exit_info);
	CHECK(b.true_controls);

	vmx_decode_basic(older.basic, &b);
	CHECK_EQ(b.revision, 0xe);
	CHECK_EQ(b.region_size, 0x400);
	CHECK_EQ(b.memtype, 6);
	CHECK(b.io_exit_info);
	CHECK(!b.true_controls);

	/* Bit 31 is not part of the revision; bit 48 limits addresses; 13-bit size. */
	vmx_decode_basic(0x00011fff80000001ULL, &b);
	CHECK_EQ(b.revision, 1);
	CHECK_EQ(b.region_size, 0x1fff);
	CHECK(b.phys_addr_32);
	CHECK_EQ(b.memtype, 0);
	CHECK(!b.io_exit_info && !b.true_controls);
}

TEST(ept_vpid_caps)
{
	const uint64_t all = EPT_CAP_EXEC_ONLY | EPT_CAP_PAGE_WALK_4 | EPT_CAP_PAGE_WALK_5 |
		EPT_CAP_MEMTYPE_UC | EPT_CAP_MEMTYPE_WB | EPT_CAP_2MB_PAGE | EPT_CAP_1GB_PAGE |
		EPT_CAP_INVEPT | EPT_CAP_AD_BITS | EPT_CAP_INVEPT_SINGLE_CONTEXT |
		EPT_CAP_INVEPT_ALL_CONTEXT | VPID_CAP_INVVPID | VPID_CAP_INVVPID_INDIVIDUAL_ADDR |
		VPID_CAP_INVVPID_SINGLE_CONTEXT | VPID_CAP_INVVPID_ALL_CONTEXT;

	/* Bits 0, 6-8, 14, 16, 17, 20, 21, 25, 26, 32, 40-42 (A.10). */
	CHECK_EQ(all, 0x00000701063341c1ULL);
	/* Bochs has all of them but 5-level walks. */
	CHECK_EQ(bochs_skylake_x.ept_vpid_cap & all, all & ~EPT_CAP_PAGE_WALK_5);
	CHECK_EQ(older.ept_vpid_cap & all, EPT_CAP_EXEC_ONLY | EPT_CAP_PAGE_WALK_4 |
		 EPT_CAP_MEMTYPE_UC | EPT_CAP_MEMTYPE_WB | EPT_CAP_2MB_PAGE | EPT_CAP_INVEPT |
		 EPT_CAP_INVEPT_SINGLE_CONTEXT | EPT_CAP_INVEPT_ALL_CONTEXT);
}

TEST(msr_numbers)
{
	CHECK_EQ(MSR_IA32_VMX_BASIC, 0x480);
	CHECK_EQ(MSR_IA32_VMX_ENTRY_CTLS, 0x484);
	CHECK_EQ(MSR_IA32_VMX_CR4_FIXED1, 0x489);
	CHECK_EQ(MSR_IA32_VMX_PROCBASED_CTLS2, 0x48b);
	CHECK_EQ(MSR_IA32_VMX_EPT_VPID_CAP, 0x48c);
	CHECK_EQ(MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x48d);
	CHECK_EQ(MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x490);
	CHECK_EQ(MSR_IA32_VMX_VMFUNC, 0x491);
}

/* "NMI exiting" and "virtual NMIs" only together (27.2.1.1; 26.3 for why
 * NMI exiting alone would leave the guest's NMIs blocked after its IRET). */
TEST(nmi_exiting_and_virtual_nmis_together)
{
	struct vmx_cap_msrs m = bochs_skylake_x;
	struct vmx_control_result r;

	CHECK(vmx_compute_controls(&m, &vmx_hv_controls, &r));
	CHECK_EQ(r.value.pin & (PIN_NMI_EXITING | PIN_VIRTUAL_NMIS), PIN_NMI_EXITING | PIN_VIRTUAL_NMIS);
	CHECK(vmx_nmi_window_available(&m, &r.value));

	/* No virtual NMIs: no NMI exiting either, and no NMI window. */
	m.true_pinbased &= ~((uint64_t)PIN_VIRTUAL_NMIS << 32);
	CHECK(vmx_compute_controls(&m, &vmx_hv_controls, &r));
	CHECK_EQ(r.value.pin & (PIN_NMI_EXITING | PIN_VIRTUAL_NMIS), 0);
	CHECK_EQ(r.missing_optional.pin, PIN_VIRTUAL_NMIS);
	CHECK(!vmx_nmi_window_available(&m, &r.value));

	/* No NMI exiting: virtual NMIs would fail VM entry. */
	m = bochs_skylake_x;
	m.true_pinbased &= ~((uint64_t)PIN_NMI_EXITING << 32);
	CHECK(vmx_compute_controls(&m, &vmx_hv_controls, &r));
	CHECK_EQ(r.value.pin & (PIN_NMI_EXITING | PIN_VIRTUAL_NMIS), 0);

	/* Virtual NMIs but no NMI-window exiting: NMIs wait for the next exit. */
	m = bochs_skylake_x;
	m.true_procbased &= ~((uint64_t)CPU_NMI_WINDOW_EXITING << 32);
	CHECK(vmx_compute_controls(&m, &vmx_hv_controls, &r));
	CHECK(r.value.pin & PIN_VIRTUAL_NMIS);
	CHECK(!vmx_nmi_window_available(&m, &r.value));
	/* Without TRUE MSRs the plain procbased MSR decides. */
	m = bochs_skylake_x;
	m.basic &= ~VMX_BASIC_TRUE_CONTROLS;
	m.procbased &= ~((uint64_t)CPU_NMI_WINDOW_EXITING << 32);
	CHECK(vmx_compute_controls(&m, &vmx_hv_controls, &r));
	CHECK(!vmx_nmi_window_available(&m, &r.value));
}
