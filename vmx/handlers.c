/* vmx/handlers.c - what the hypervisor does for each VM exit (SDM Vol. 3C,
 * 26.1-26.2 for what exits; 28.2.1 for the qualifications) and the table
 * routing exit reasons to them; memory and port exits are in
 * vmx/memory_exits.c. Policy that does
 * not depend on VMX lives in guest/ (CPUID, MSRs, hypercalls, ports). */
#include "vmx/guest_state.h"
#include "vmx/vmx_cpu.h"
#include "vmx/exit_decode.h"
#include "vmx/inject_rules.h"
#include "vmx/ept.h"
#include "guest/policy/cpuid_policy.h"
#include "guest/policy/msr_policy.h"
#include "guest/run/hypercall.h"
#include "guest/gmem.h"
#include "arch/cpu.h"
#include "arch/msr.h"
#include "arch/cpuinfo.h"
#include "arch/trap.h"
#include "arch/mca.h"
#include "drivers/console.h"
#include <stdarg.h>
#include "lib/string.h"
#include "lib/log.h"
#include "lib/format.h"

#define CR0_PE  (1ULL << 0)
#define CR0_TS  (1ULL << 3)
#define CR0_NW  (1ULL << 29)
#define CR0_CD  (1ULL << 30)
#define CR4_PAE (1ULL << 5)
#define CR4_VMXE (1ULL << 13)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_PCIDE (1ULL << 17)

#define RFLAGS_DF (1ULL << 10)
#define APIC_BASE_BSP   (1ULL << 8)
#define APIC_BASE_EXTD  (1ULL << 10)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUIDD_1_EAX_XSAVEC_XSAVES (1u << 1 | 1u << 3)

/* ---- guest state helpers ---- */

/* ---- backend services for guest/ ---- */

void vcpu_inject_exception(struct vcpu *v, unsigned int vector, uint32_t error_code)
{
	vmx_inject_exception(v, vector, error_code);
}

int vcpu_exception_error_code(struct vcpu *v, unsigned int vector)
{
	struct inject_ctx c;

	vmx_inject_ctx(&c);
	switch (exception_class(vector)) {
	case EXC_RESERVED:
	case EXC_INTERRUPT:
		return -EINVAL;
	default:
		break;
	}
	/* #CP exists only on CPUs with CET, which are the ones with IA32_VMX_BASIC[56]. */
	if (vector == 21 && !c.any_error_code)
		return -EINVAL;
	return inject_exception_has_error_code(vector, &c);
}

void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmx_vstop_guest(v, fmt, ap);
	va_end(ap);
}

/* ---- handlers ---- */

/* CPUID.(0DH,1):EBX from the component sizes: the size of the compacted
 * XSAVE area for the guest's XCR0 (the hardware's: XSETBV passes through;
 * IA32_XSS is always 0, the only value guests may write). Bochs 2.7 reports the standard-format
 * size there, which Linux's consistency check rejects with a WARN. */
static uint32_t xsave_size_for_guest(void)
{
	static uint32_t size[64];
	static bool align64[64], known;
	uint32_t lo, hi;

	if (!known) {
		for (unsigned int i = 2; i < 63; i++) {
			struct cpuid_regs c;

			cpuid(0xd, i, &c);
			size[i] = c.eax;
			align64[i] = c.ecx & 2;
		}
		known = true;
	}
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return xsave_compacted_size((uint64_t)hi << 32 | lo, size, align64);
}

static void handle_cpuid(struct vcpu *v, struct exit_info *e)
{
	uint32_t leaf = (uint32_t)v->regs.gpr[REG_RAX], sub = (uint32_t)v->regs.gpr[REG_RCX];
	struct cpuid_result r = { 0, 0, 0, 0 };

	if (!cpuid_is_hypervisor_leaf(leaf)) {
		struct cpuid_regs h;

		cpuid(leaf, sub, &h);
		r = (struct cpuid_result){ h.eax, h.ebx, h.ecx, h.edx };
	}
	cpuid_policy_apply(leaf, sub, &to_vmx(v)->features, guest_cr4_view(v), &r);
	if (leaf == 0xd && sub == 1 && (r.eax & CPUIDD_1_EAX_XSAVEC_XSAVES))
		r.ebx = xsave_size_for_guest();
	v->regs.gpr[REG_RAX] = r.eax;
	v->regs.gpr[REG_RBX] = r.ebx;
	v->regs.gpr[REG_RCX] = r.ecx;
	v->regs.gpr[REG_RDX] = r.edx;
	vmx_skip_instruction(v, e);
}

/* Refused and ignored MSR accesses are logged at info level, once per MSR
 * (a named range counts as one) and at most VMX_MSR_LOG_MAX MSRs per guest,
 * then one line saying so. */
static void __printf(4, 5) msr_log(struct vcpu *v, uint32_t msr, bool write, const char *what, ...)
{
	struct vmx_vcpu *x = to_vmx(v);
	const char *name = msr_name(msr);
	uint32_t key = msr_log_key(msr);
	char tail[96];
	va_list ap;

	if (!log_enabled(LOG_INFO) || x->msr_logged_count > VMX_MSR_LOG_MAX)
		return;
	for (unsigned int i = 0; i < x->msr_logged_count && i < VMX_MSR_LOG_MAX; i++)
		if (x->msr_logged[i] == key)
			return;
	if (x->msr_logged_count == VMX_MSR_LOG_MAX) {
		x->msr_logged_count++;
		printf("guest %s: more MSRs refused or ignored; not logged\n", v->name);
		return;
	}
	x->msr_logged[x->msr_logged_count++] = key;
	va_start(ap, what);
	fmt_vsnprintf(tail, sizeof(tail), what, ap);
	va_end(ap);
	printf("guest %s: %s 0x%x%s%s%s %s\n", v->name, write ? "WRMSR" : "RDMSR", msr,
	       name ? " (" : "", name ? name : "", name ? ")" : "", tail);
}

/* IA32_APIC_BASE writes (SDM Vol. 3A, 10.12.5): the mode transitions are
 * carried out on the real MSR, nothing else. False: #GP. */
static bool apic_base_write(uint64_t val)
{
	uint64_t cur = rdmsr(MSR_IA32_APIC_BASE);
	struct cpuid_regs r;
	struct cpuinfo ci;

	cpuid(1, 0, &r);
	cpuinfo_read(&ci);
	if (!msr_apic_base_write_ok(cur, val, r.ecx & CPUID1_ECX_X2APIC, ci.phys_addr_bits))
		return false;
	val = (val & ~APIC_BASE_BSP) | (cur & APIC_BASE_BSP);
	if (val != cur)
		wrmsr(MSR_IA32_APIC_BASE, val);
	return true;
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vmx_vcpu *x = to_vmx(v);

	/* Reached only while the guest's TSC is moved (vmx/tsc_msrs.c). */
	if (msr == MSR_IA32_TSC_DEADLINE)
		return vmx_tsc_msr_write(v, msr, val);
	switch (msr_policy(msr, true, &x->features)) {
	case MSR_TSC_WRITE:
	case MSR_TSC_ADJUST:
		if (vmx_tsc_msr_write(v, msr, val))
			return true;
		msr_log(v, msr, true, "refused (not on this CPU): #GP");
		return false;
	case MSR_IGNORE_WRITE:
		msr_log(v, msr, true, "= 0x%llx ignored: the hypervisor owns it", (unsigned long long)val);
		return true;
	case MSR_APIC_BASE:
		if (apic_base_write(val))
			return true;
		msr_log(v, msr, true, "= 0x%llx refused (new base, reserved bit or a mode "
			"change SDM 10.12.5 forbids): #GP", (unsigned long long)val);
		return false;
	case MSR_MISC_ENABLE:
		x->misc_enable = msr_misc_enable_write(x->misc_enable, val);
		return true;
	case MSR_X2APIC_ICR:
		/* Not in x2APIC mode the MSR does not exist (10.12.1.2). */
		if (!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD))
			return false;
		switch (msr_x2apic_icr_filter(val)) {
		case ICR_SEND:
			wrmsr(msr, val);
			return true;
		case ICR_DROP:
			msr_log(v, msr, true, "= 0x%llx dropped: no INIT, SIPI or SMI IPIs",
				(unsigned long long)val);
			return true;
		case ICR_GP:
			return false;
		}
		return false;
	case MSR_DEBUGCTL:
		if (!msr_debugctl_write_ok(val)) {
			msr_log(v, msr, true, "= 0x%llx refused (BTS or reserved bits): #GP",
				(unsigned long long)val);
			return false;
		}
		vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, val);
		return true;
	case MSR_XSS:
		if (val) {
			msr_log(v, msr, true, "= 0x%llx refused (no supervisor state): #GP",
				(unsigned long long)val);
			return false;
		}
		wrmsr(msr, 0);
		return true;
	case MSR_FEATURE_CONTROL:       /* locked */
		return false;
	case MSR_GP:
		msr_log(v, msr, true, "refused: #GP");
		return false;
	case MSR_PASS:
		break;
	}
	/* Passed accesses do not exit (msr_bitmap_build); one that does is not the guest's. */
	if (log_enabled(LOG_WARN))
		printf("guest %s: unexpected WRMSR exit for MSR 0x%x; #GP\n", v->name, msr);
	return false;
}

static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (msr == MSR_IA32_TSC_DEADLINE)
		return vmx_tsc_msr_read(v, msr, val);
	switch (msr_policy(msr, false, &x->features)) {
	case MSR_TSC_ADJUST:
		if (vmx_tsc_msr_read(v, msr, val))
			return true;
		msr_log(v, msr, false, "refused (not on this CPU): #GP");
		return false;
	case MSR_FEATURE_CONTROL:
		*val = msr_feature_control_view(rdmsr(MSR_IA32_FEATURE_CONTROL));
		return true;
	case MSR_MISC_ENABLE:
		*val = x->misc_enable;
		return true;
	case MSR_GP:
		msr_log(v, msr, false, "refused: #GP");
		return false;
	default:
		break;
	}
	if (log_enabled(LOG_WARN))
		printf("guest %s: unexpected RDMSR exit for MSR 0x%x; #GP\n", v->name, msr);
	return false;
}

static void handle_msr(struct vcpu *v, struct exit_info *e, bool write)
{
	uint32_t msr = (uint32_t)v->regs.gpr[REG_RCX];
	uint64_t val = (v->regs.gpr[REG_RDX] << 32) | (uint32_t)v->regs.gpr[REG_RAX];

	if (write ? !msr_write(v, msr, val) : !msr_read(v, msr, &val)) {
		vmx_inject_exception(v, 13, 0);
		return;
	}
	if (!write) {
		v->regs.gpr[REG_RAX] = (uint32_t)val;
		v->regs.gpr[REG_RDX] = val >> 32;
	}
	vmx_skip_instruction(v, e);
}

static void handle_rdmsr(struct vcpu *v, struct exit_info *e) { handle_msr(v, e, false); }
static void handle_wrmsr(struct vcpu *v, struct exit_info *e) { handle_msr(v, e, true); }

/* With EPT and PAE paging outside IA-32e mode, VM entry loads the PDPTEs from
 * the VMCS (27.3.2.4): refresh them after an emulated CR write. */
static bool load_pdptes(struct vcpu *v, uint64_t cr0, uint64_t cr4)
{
	uint64_t pdpte[4];
	gpa_t base = vmcs_read(VMCS_GUEST_CR3) & 0xffffffe0ULL;

	if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE) || (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LME))
		return true;
	if (gmem_read(base, pdpte, sizeof(pdpte)))
		return false;
	for (unsigned int i = 0; i < 4; i++) {
		/* Reserved bits in a present PDPTE: #GP (4.4.1). */
		if ((pdpte[i] & 1) && (pdpte[i] & 0x1e6))
			return false;
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	}
	return true;
}

/* MOV to CR0 that touched a bit the hypervisor owns: do what the CPU would
 * (SDM Vol. 2, MOV to CR0; Vol. 3A 9.8.5 for entering/leaving IA-32e mode). */
static bool emulate_cr0_write(struct vcpu *v, uint64_t val)
{
	const struct vmx_cap_msrs *c = &vmx_this_cpu.caps;
	uint64_t old = guest_cr0_view(v);
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	uint64_t cr4 = vmcs_read(VMCS_GUEST_CR4);
	uint32_t entry = (uint32_t)vmcs_read(VMCS_VM_ENTRY_CONTROLS);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	if (!(old & CR0_PG) && (val & CR0_PG) && (efer & EFER_LME)) {
		if (!(cr4 & CR4_PAE))
			return false;
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_MODE_GUEST;
	} else if ((old & CR0_PG) && !(val & CR0_PG) && (efer & EFER_LMA)) {
		if (guest_64bit_code() || (cr4 & CR4_PCIDE))
			return false;
		efer &= ~EFER_LMA;
		entry &= ~ENTRY_IA32E_MODE_GUEST;
	}
	if (!load_pdptes(v, val, cr4))
		return false;
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_VM_ENTRY_CONTROLS, entry);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmx_apply_fixed(val, c->cr0_fixed0 & ~(CR0_PE | CR0_PG), c->cr0_fixed1));
	return true;
}

static bool emulate_cr4_write(struct vcpu *v, uint64_t val)
{
	const struct vmx_cap_msrs *c = &vmx_this_cpu.caps;

	/* VMXE is hidden (VMX does not exist for guests) and bits the CPU
	 * does not allow are reserved: both #GP like on a CPU without them. */
	if ((val >> 32) || (val & CR4_VMXE) || (val & ~c->cr4_fixed1 & 0xffffffffULL))
		return false;
	if (!(val & CR4_PAE) && (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA))
		return false;
	if (!load_pdptes(v, vmcs_read(VMCS_GUEST_CR0), val))
		return false;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmx_apply_fixed(val, c->cr4_fixed0, c->cr4_fixed1) | vmx_guest_cr4_forced());
	return true;
}

static void handle_cr_access(struct vcpu *v, struct exit_info *e)
{
	struct cr_access a;
	uint64_t val, cr0;
	bool ok = true;

	vmx_decode_cr_access(e->qual, &a);
	switch (a.type) {
	case CR_ACCESS_MOV_TO:
		val = gpr_get(v, a.gpr);
		if (!guest_64bit_code())
			val &= 0xffffffffULL;
		if (a.cr == 0)
			ok = emulate_cr0_write(v, val);
		else if (a.cr == 4)
			ok = emulate_cr4_write(v, val);
		else if (a.cr == 3)
			vmcs_write(VMCS_GUEST_CR3, val);
		else if (a.cr == 8)
			asm volatile("mov %0, %%cr8" : : "r"(val & 0xf));
		break;
	case CR_ACCESS_MOV_FROM:
		if (a.cr == 3)
			val = vmcs_read(VMCS_GUEST_CR3);
		else
			asm volatile("mov %%cr8, %0" : "=r"(val));
		gpr_set(v, a.gpr, val);
		break;
	case CR_ACCESS_CLTS:
		cr0 = guest_cr0_view(v);
		ok = emulate_cr0_write(v, cr0 & ~CR0_TS);
		break;
	case CR_ACCESS_LMSW:
		/* LMSW loads CR0[3:0] but can set PE, never clear it. */
		cr0 = guest_cr0_view(v);
		ok = emulate_cr0_write(v, (cr0 & ~0xeULL) | (a.lmsw_source & 0xf) | (cr0 & CR0_PE));
		break;
	}
	if (!ok) {
		vmx_inject_exception(v, 13, 0);
		return;
	}
	/* The real instruction would have flushed the TLB (SDM Vol. 3A, 4.10.4.1);
	 * the emulated one must too (harmless for reads and CLTS: these exits are rare). */
	if (a.type != CR_ACCESS_MOV_FROM && a.cr != 8)
		vmx_flush_guest_tlb(v);
	vmx_skip_instruction(v, e);
}

static void handle_xsetbv(struct vcpu *v, struct exit_info *e)
{
	uint64_t val = (v->regs.gpr[REG_RDX] << 32) | (uint32_t)v->regs.gpr[REG_RAX];
	struct cpuid_regs r;

	if (!(guest_cr4_view(v) & CR4_OSXSAVE)) {
		vmx_inject_exception(v, 6, 0);
		return;
	}
	cpuid(0xd, 0, &r);
	if (guest_cpl() != 0 || (uint32_t)v->regs.gpr[REG_RCX] != 0 ||
	    !xcr0_is_valid(val, ((uint64_t)r.edx << 32) | r.eax)) {
		vmx_inject_exception(v, 13, 0);
		return;
	}
	/* The hypervisor uses no extended state: XCR0 can simply be the guest's. */
	asm volatile("xsetbv" : : "a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "c"(0));
	vmx_skip_instruction(v, e);
}

static void handle_wbinvd(struct vcpu *v, struct exit_info *e)
{
	/* INVD would drop the hypervisor's dirty lines too: write back instead. */
	asm volatile("wbinvd" ::: "memory");
	vmx_skip_instruction(v, e);
}

static void handle_vmx_instruction(struct vcpu *v, struct exit_info *e)
{
	/* VMX is hidden from guests: as on a CPU without it (CPUID.1:ECX.VMX = 0). */
	vmx_inject_exception(v, 6, 0);
}

static void handle_vmcall(struct vcpu *v, struct exit_info *e)
{
	hypercall(v, guest_cpl(), guest_64bit_code());
	if (v->state == VCPU_RUNNING)
		vmx_skip_instruction(v, e);
}

static void handle_triple_fault(struct vcpu *v, struct exit_info *e)
{
	vmx_dump_guest_state(v);
	vmx_stop_guest(v, "triple fault at RIP 0x%016llx; guest stopped, hypervisor continues",
		       (unsigned long long)e->rip);
}

static void handle_init(struct vcpu *v, struct exit_info *e)
{
	vmx_stop_guest(v, "INIT signal at RIP 0x%016llx (resetting a guest is not supported yet)",
		       (unsigned long long)e->rip);
}

/* A machine check while the guest ran (an #MC exception exit) or during
 * VM entry (exit reason 41). The hypervisor owns machine-check reporting
 * (guest writes to the MCA MSRs are dropped: guest/policy/msr_policy.c), as KVM's
 * handle_machine_check() does: it reports and acknowledges the event and
 * the guest resumes without seeing it; where the interrupted guest code
 * cannot go on (PCC, SRAR, no RIPV), that guest stops and the hypervisor
 * keeps its shell (docs/architecture.md, "Machine checks"). */
static void guest_machine_check(struct vcpu *v, bool during_entry, uint64_t rip)
{
	char where[96];

	fmt_snprintf(where, sizeof(where), during_entry ? "during VM entry of guest %s (RIP 0x%016llx)" :
			"while guest %s ran (RIP 0x%016llx)", v->name, (unsigned long long)rip);
	if (mca_handle(where, true) == MCA_FATAL) {
		vmx_stop_guest(v, "machine check %s, not recoverable: guest stopped, the hypervisor goes on",
			       during_entry ? "during its VM entry" : "while it ran");
		return;
	}
	printf("machine check: guest %s resumes\n", v->name);
}

/* Intercepted: #MC always (machine checks are the hypervisor's), #DB while
 * the shell single-steps with RFLAGS.TF (vmx/step.c). With "NMI exiting"
 * an NMI exits here too: it is the guest's (it owns the devices) and is
 * queued like one that reaches the hypervisor's IDT. */
static void handle_exception(struct vcpu *v, struct exit_info *e)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_VM_EXIT_INTR_INFO);
	char what[96];

	/* The exit undid the unblocking by an IRET it interrupted: with virtual
	 * NMIs, restore virtual-NMI blocking (28.2.3, VM-exit interruption info bit 12). */
	if ((info & INTR_INFO_NMI_UNBLOCKING_IRET) && !(e->idt_vectoring & INTR_INFO_VALID) &&
	    (vmx_this_cpu.ctl.pin & PIN_VIRTUAL_NMIS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
	if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI) {
		trap_nmi_arrived();
		return;
	}
	vmx_describe_intr_info(info, what, sizeof(what));
	if ((info & INTR_INFO_VECTOR_MASK) == 1) {
		/* Only intercepted while the shell steps with RFLAGS.TF (vmx/step.c). */
		if (!vmx_step_owns_db(v, e->qual))
			vmx_inject_exception(v, 1, 0);
		return;
	}
	if ((info & INTR_INFO_VECTOR_MASK) == 18) {
		guest_machine_check(v, false, e->rip);
		return;
	}
	vmx_stop_guest(v, "unexpected exception exit: %s", what);
}

/* 26.8: with exit reason 41 the guest state was loaded but no guest
 * instruction ran; the guest's RIP is where it would have started. */
static void handle_mce_during_entry(struct vcpu *v, struct exit_info *e)
{
	guest_machine_check(v, true, e->rip);
}

static void handle_hlt(struct vcpu *v, struct exit_info *e)
{
	/* Not requested; if a CPU forces HLT exiting, halt the guest as it asked. */
	vmx_skip_instruction(v, e);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
}

static void handle_nothing(struct vcpu *v, struct exit_info *e)
{
	/* External interrupts and the like: nothing to do, the guest resumes. */
}

const exit_handler_t vmx_exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_REASON_EXCEPTION_NMI]      = handle_exception,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_nothing,
	/* The guest can take the 8259 interrupt that waits: the next entry injects it. */
	[EXIT_REASON_INTERRUPT_WINDOW]   = handle_nothing,
	[EXIT_REASON_TRIPLE_FAULT]       = handle_triple_fault,
	[EXIT_REASON_NMI_WINDOW]         = vmx_nmi_window_exit,
	[EXIT_REASON_INIT_SIGNAL]        = handle_init,
	[EXIT_REASON_TASK_SWITCH]        = vmx_handle_task_switch,
	[EXIT_REASON_CPUID]              = handle_cpuid,
	[EXIT_REASON_GETSEC]             = handle_vmx_instruction,
	[EXIT_REASON_HLT]                = handle_hlt,
	[EXIT_REASON_INVD]               = handle_wbinvd,
	[EXIT_REASON_VMCALL]             = handle_vmcall,
	[EXIT_REASON_VMCLEAR]            = handle_vmx_instruction,
	[EXIT_REASON_VMLAUNCH]           = handle_vmx_instruction,
	[EXIT_REASON_VMPTRLD]            = handle_vmx_instruction,
	[EXIT_REASON_VMPTRST]            = handle_vmx_instruction,
	[EXIT_REASON_VMREAD]             = handle_vmx_instruction,
	[EXIT_REASON_VMRESUME]           = handle_vmx_instruction,
	[EXIT_REASON_VMWRITE]            = handle_vmx_instruction,
	[EXIT_REASON_VMXOFF]             = handle_vmx_instruction,
	[EXIT_REASON_VMXON]              = handle_vmx_instruction,
	[EXIT_REASON_CR_ACCESS]          = handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION]     = vmx_handle_io,
	[EXIT_REASON_MSR_READ]           = handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]          = handle_wrmsr,
	[EXIT_REASON_MCE_DURING_VMENTRY] = handle_mce_during_entry,
	[EXIT_REASON_EPT_VIOLATION]      = vmx_handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]      = vmx_handle_ept_misconfig,
	[EXIT_REASON_INVEPT]             = handle_vmx_instruction,
	[EXIT_REASON_INVVPID]            = handle_vmx_instruction,
	[EXIT_REASON_VMFUNC]             = handle_vmx_instruction,
	[EXIT_REASON_WBINVD]             = handle_wbinvd,
	[EXIT_REASON_XSETBV]             = handle_xsetbv,
	/* The console tick and the end of a single step: the run loop acts on both. */
	[EXIT_REASON_PREEMPTION_TIMER]   = handle_nothing,
	[EXIT_REASON_MONITOR_TRAP_FLAG]  = handle_nothing,
};

const char *vcpu_exit_name(unsigned int reason)
{
	return vmx_exit_reason_name(reason);
}
