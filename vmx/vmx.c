/* vmx/vmx.c - discovering VMX and entering VMX root operation (SDM Vol. 3C,
 * 24.6 "Discovering Support for VMX", 24.7 "Enabling and Entering VMX
 * Operation", 24.8 "Restrictions on VMX Operation"). */
#include "guest/backend.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_vcpu.h"
#include "vmx/caps.h"
#include "vmx/vmx_insn.h"
#include "arch/cpu.h"
#include "arch/cpuinfo.h"
#include "arch/msr.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "mm/malloc.h"
#include "lib/string.h"

#define CR0_NE          (1ULL << 5)
#define CR4_VMXE        (1ULL << 13)
#define CR4_OSXSAVE     (1ULL << 18)
#define CPUID1_ECX_XSAVE (1u << 26)

/* EPT capabilities without which the EPT cannot be built (A.10). */
static const struct { uint64_t bit; const char *name; } ept_required[] = {
	{ EPT_CAP_PAGE_WALK_4, "4-level EPT page walk" },
	{ EPT_CAP_MEMTYPE_WB, "write-back EPT paging structures" },
	{ EPT_CAP_INVEPT, "INVEPT" },
};

static void read_caps(struct vmx_cap_msrs *m)
{
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	m->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* These exist only when the allowed-1 settings say so (A.3.3, A.10, A.1). */
	if (m->procbased >> 32 & CPU_ACTIVATE_SECONDARY_CONTROLS) {
		m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if (m->procbased2 >> 32 & (CPU2_ENABLE_EPT | CPU2_ENABLE_VPID))
			m->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
	if (m->basic & (1ULL << 55)) {
		m->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
}

/* testvmx=noept|noug: take a feature out of the allowed-1 settings;
 * testvmx=nowfs: clear IA32_VMX_MISC bit 8 (no wait-for-SIPI activity
 * state, as in KVM's nested VMX before Linux 5.11 and QEMU's named CPU
 * models). Every CPU applies it to what it read (backend_init_ap compares
 * its capabilities with the boot CPU's); only the boot CPU says so. */
static void apply_test_hook(struct vmx_cap_msrs *m, enum test_vmx t, bool say)
{
	uint64_t bit = t == TEST_VMX_NO_EPT ? CPU2_ENABLE_EPT :
		       t == TEST_VMX_NO_UG ? CPU2_UNRESTRICTED_GUEST : 0;

	if (bit) {
		m->procbased2 &= ~(bit << 32);
		if (say)
			printf("VMX: test hook: pretending the CPU cannot set '%s'\n",
			       t == TEST_VMX_NO_EPT ? "enable EPT" : "unrestricted guest");
	}
	if (t == TEST_VMX_NO_WFS) {
		m->misc &= ~VMX_MISC_WAIT_FOR_SIPI;
		if (say)
			printf("VMX: test hook: pretending the CPU has no wait-for-SIPI activity state "
			       "(IA32_VMX_MISC bit 8 clear)\n");
	}
}

static bool check_cpuid(const struct cpuinfo *ci)
{
	if (ci->vmx)
		return true;
	printf("VMX: not available: this CPU (%s, %s) does not report VMX in CPUID.1:ECX[5].\n",
	       ci->vendor, ci->brand[0] ? ci->brand : "no brand string");
	printf("VMX: hv needs an Intel CPU with VT-x; under QEMU use -enable-kvm -cpu host "
	       "on an Intel host with nested virtualization (kvm_intel nested=1), or Bochs.\n");
	if (ci->svm)
		printf("VMX: this CPU has AMD SVM instead, which hv does not support yet.\n");
	return false;
}

static bool check_feature_control(enum test_vmx t)
{
	uint64_t fc = t == TEST_VMX_FC_LOCKED ? 1 : rdmsr(MSR_IA32_FEATURE_CONTROL);
	uint64_t nv;

	switch (vmx_feature_control_check(fc, &nv)) {
	case VMX_FC_READY:
		return true;
	case VMX_FC_ENABLE:
		wrmsr(MSR_IA32_FEATURE_CONTROL, nv);
		printf("VMX: IA32_FEATURE_CONTROL was unlocked (0x%llx); set VMX-outside-SMX and the lock bit (0x%llx)\n",
		       (unsigned long long)fc, (unsigned long long)nv);
		return true;
	case VMX_FC_LOCKED_OFF:
		break;
	}
	printf("VMX: disabled by the firmware: IA32_FEATURE_CONTROL is locked with VMX off (0x%llx).\n",
	       (unsigned long long)fc);
	printf("VMX: enable \"Intel Virtualization Technology\" (VT-x) in the firmware setup and "
	       "power-cycle the machine.\n");
	return false;
}

static bool check_controls(struct vmx_cpu *c)
{
	struct vmx_control_result res;
	char names[256];
	bool ok = vmx_compute_controls(&c->caps, &vmx_hv_controls, &res);

	if (!ok) {
		vmx_control_names(&res.missing_required, names, sizeof(names));
		printf("VMX: this CPU lacks VMX features hv needs: %s\n", names);
	}
	for (unsigned int i = 0; ok && i < ARRAY_SIZE(ept_required); i++) {
		if (!(c->caps.ept_vpid_cap & ept_required[i].bit)) {
			printf("VMX: this CPU lacks a VMX feature hv needs: %s\n", ept_required[i].name);
			ok = false;
		}
	}
	if (ok && !(c->caps.ept_vpid_cap & (EPT_CAP_INVEPT_SINGLE_CONTEXT | EPT_CAP_INVEPT_ALL_CONTEXT))) {
		printf("VMX: this CPU lacks a VMX feature hv needs: single- or all-context INVEPT\n");
		ok = false;
	}
	if (!ok)
		return false;
	/* A VPID is only usable if its TLB entries can be invalidated (29.4.3.3). */
	if ((res.value.proc2 & CPU2_ENABLE_VPID) &&
	    (!(c->caps.ept_vpid_cap & VPID_CAP_INVVPID) ||
	     !(c->caps.ept_vpid_cap & (VPID_CAP_INVVPID_SINGLE_CONTEXT | VPID_CAP_INVVPID_ALL_CONTEXT)))) {
		res.value.proc2 &= ~CPU2_ENABLE_VPID;
		printf("VMX: VPID present but INVVPID is not; running without VPID\n");
	}
	if (!vmx_controls_empty(&res.missing_optional)) {
		vmx_control_names(&res.missing_optional, names, sizeof(names));
		printf("VMX: optional features not available (running without them): %s\n", names);
	}
	c->ctl = res.value;
	c->ctl.entry &= ~ENTRY_IA32E_MODE_GUEST;
	c->nmi_window = vmx_nmi_window_available(&c->caps, &c->ctl);
	return true;
}

/* CR0 and CR4 must satisfy the fixed bits in VMX operation (A.7, A.8). */
static bool fix_control_registers(const struct vmx_cpu *c, const struct cpuinfo *ci)
{
	uint64_t cr0 = vmx_apply_fixed(read_cr0() | CR0_NE, c->caps.cr0_fixed0, c->caps.cr0_fixed1);
	uint64_t cr4 = vmx_apply_fixed(read_cr4() | CR4_VMXE, c->caps.cr4_fixed0, c->caps.cr4_fixed1);
	struct cpuid_regs r;

	/* XSETBV from guests is emulated with XSETBV in root operation. */
	cpuid(1, 0, &r);
	if (r.ecx & CPUID1_ECX_XSAVE)
		cr4 |= CR4_OSXSAVE;
	if (!(cr0 & CR0_PG) || !(cr0 & CR0_PE) || !(cr4 & CR4_PAE)) {
		printf("VMX: the CR0/CR4 fixed bits (0x%llx/0x%llx) clash with long mode\n",
		       (unsigned long long)c->caps.cr0_fixed1, (unsigned long long)c->caps.cr4_fixed1);
		return false;
	}
	write_cr0(cr0);
	write_cr4(cr4);
	return true;
}

static void print_summary(const struct vmx_cpu *c)
{
	uint64_t e = c->caps.ept_vpid_cap;

	printf("VMX: revision 0x%x, EPT with %s%s%s, %s, unrestricted guest; VMX root operation entered\n",
	       c->basic.revision, e & EPT_CAP_2MB_PAGE ? "2 MiB" : "4 KiB",
	       e & EPT_CAP_1GB_PAGE ? " and 1 GiB pages" : " pages",
	       e & EPT_CAP_AD_BITS ? ", A/D bits" : "",
	       c->ctl.proc2 & CPU2_ENABLE_VPID ? "VPID" : "no VPID");
}

int backend_init(const struct hv_options *o)
{
	struct vmx_cpu *c = &vmx_this_cpu;
	struct cpuinfo ci;
	enum vmx_status s;
	uint32_t *region;

	cpuinfo_read(&ci);
	if (!check_cpuid(&ci) || !check_feature_control(o->test_vmx))
		return -ENOENT;
	read_caps(&c->caps);
	apply_test_hook(&c->caps, o->test_vmx, true);
	vmx_decode_basic(c->caps.basic, &c->basic);
	if (c->basic.region_size > PAGE_SIZE || c->basic.memtype != MT_WB) {
		printf("VMX: unsupported VMCS region (size %u, memory type %u)\n",
		       c->basic.region_size, c->basic.memtype);
		return -ENOENT;
	}
	if (!check_controls(c) || !fix_control_registers(c, &ci))
		return -ENOENT;

	c->vmxon_region = frame_alloc_one(mm_frames());
	if (c->vmxon_region == INVALID_HPA ||
	    (c->basic.phys_addr_32 && c->vmxon_region >= 4 * GiB)) {
		printf("VMX: no memory for the VMXON region\n");
		return -ENOMEM;
	}
	region = hpa_to_ptr(c->vmxon_region);
	region[0] = c->basic.revision;
	s = vmxon(c->vmxon_region);
	if (s != VMX_OK) {
		printf("VMX: VMXON failed (%s)\n", s == VMX_FAIL_INVALID ?
		       "VMfailInvalid: bad VMXON region or CR0/CR4" : "VMfailValid");
		return -EINVAL;
	}
	c->on = true;
	print_summary(c);
	return 0;
}

int backend_off(void)
{
	struct vmx_cpu *c = &vmx_this_cpu;

	if (!c->on)
		return 0;
	/* No VMCS stays current across VMXOFF that matters: the caller's
	 * vCPUs were destroyed (VMCLEAR) or never launched. It fails only
	 * under the dual-monitor treatment of SMIs (SDM Vol. 3C, 32.15.7):
	 * then CR4.VMXE must stay (clearing it in VMX operation is a #GP). */
	if (vmxoff() != VMX_OK)
		return -EIO;
	c->on = false;
	write_cr4(read_cr4() & ~CR4_VMXE);
	return 0;
}

/* A vCPU's memory (the struct, its VMCS and bitmaps, zeroed) for a CPU's
 * first vcpu_create (vmx_cpu.spare); NULL if there is not enough. */
static struct vmx_vcpu *reserve_vcpu(void)
{
	struct vmx_vcpu *x = calloc(1, sizeof(*x));
	hpa_t *f[4];

	if (!x)
		return NULL;
	f[0] = &x->vmcs;
	f[1] = &x->msr_bitmap;
	f[2] = &x->io_bitmap_a;
	f[3] = &x->io_bitmap_b;
	for (unsigned int i = 0; i < ARRAY_SIZE(f); i++) {
		*f[i] = frame_alloc_one(mm_frames());
		if (*f[i] == INVALID_HPA) {
			while (i--)
				(void)frame_free(mm_frames(), *f[i], 0);
			free(x);
			return NULL;
		}
		memset(hpa_to_ptr(*f[i]), 0, PAGE_SIZE);
	}
	return x;
}

int backend_reserve_ap(struct percpu *pc)
{
	const struct vmx_cpu *boot = (const struct vmx_cpu *)(const void *)percpu_cpus[0]->backend;
	struct vmx_cpu *c = (struct vmx_cpu *)(void *)pc->backend;

	if (!c->vmxon_region) {
		c->vmxon_region = frame_alloc_one(mm_frames());
		if (c->vmxon_region == INVALID_HPA ||
		    (boot->basic.phys_addr_32 && c->vmxon_region >= 4 * GiB)) {
			c->vmxon_region = 0;
			return -ENOMEM;
		}
	}
	if (!c->spare)
		c->spare = reserve_vcpu();
	return c->spare ? 0 : -ENOMEM;
}

int backend_init_ap(const struct hv_options *o, const char **why)
{
	const struct vmx_cpu *boot = (const struct vmx_cpu *)(const void *)percpu_cpus[0]->backend;
	struct vmx_cpu *c = &vmx_this_cpu;
	struct vmx_cap_msrs caps;
	struct cpuinfo ci;
	uint64_t fc, nv;
	uint32_t *region;

	*why = "VMX is off on the boot CPU";
	if (!boot->on)
		return -ENOENT;
	cpuinfo_read(&ci);
	*why = "no VMX in CPUID";
	if (!ci.vmx)
		return -ENOENT;
	fc = o->test_vmx == TEST_VMX_FC_LOCKED ? 1 : rdmsr(MSR_IA32_FEATURE_CONTROL);
	switch (vmx_feature_control_check(fc, &nv)) {
	case VMX_FC_READY:
		break;
	case VMX_FC_ENABLE:
		wrmsr(MSR_IA32_FEATURE_CONTROL, nv);
		break;
	case VMX_FC_LOCKED_OFF:
		*why = "IA32_FEATURE_CONTROL locked with VMX off";
		return -ENOENT;
	}
	/* Every vCPU's VMCS is built from the boot CPU's controls: a CPU that
	 * reports other capabilities might refuse them. */
	memset(&caps, 0, sizeof(caps));
	read_caps(&caps);
	apply_test_hook(&caps, o->test_vmx, false);
	*why = "VMX capabilities differ from the boot CPU's";
	if (memcmp(&caps, &boot->caps, sizeof(caps)))
		return -EINVAL;
	c->caps = caps;
	c->basic = boot->basic;
	c->ctl = boot->ctl;
	c->nmi_window = boot->nmi_window;
	*why = "CR0/CR4 fixed bits clash with long mode";
	if (!fix_control_registers(c, &ci))
		return -EINVAL;
	*why = "no memory for the VMXON region";
	if (!c->vmxon_region)           /* else reserved (backend_reserve_ap) */
		c->vmxon_region = frame_alloc_one(mm_frames());
	if (c->vmxon_region == INVALID_HPA || (c->basic.phys_addr_32 && c->vmxon_region >= 4 * GiB))
		return -ENOMEM;
	region = hpa_to_ptr(c->vmxon_region);
	region[0] = c->basic.revision;
	*why = "VMXON failed";
	if (vmxon(c->vmxon_region) != VMX_OK)
		return -EINVAL;
	c->on = true;
	*why = NULL;
	return 0;
}
