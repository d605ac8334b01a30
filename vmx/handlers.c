/* vmx/handlers.c - what the hypervisor does for each VM exit (SDM Vol. 3C,
 * 26.1-26.2 for what exits; 28.2.1 for the qualifications). Policy that does
 * not depend on VMX lives in guest/ (CPUID, MSRs, hypercalls, ports). */
#include "vmx/vmx_vcpu.h"
#include "vmx/vmx_cpu.h"
#include "vmx/exit_decode.h"
#include "vmx/ept.h"
#include "guest/cpuid_policy.h"
#include "guest/msr_policy.h"
#include "guest/hypercall.h"
#include "guest/ioport.h"
#include "guest/gmem.h"
#include "guest/gpt_walk.h"
#include "guest/gmap.h"
#include "guest/emulate.h"
#include "arch/cpuinfo.h"
#include "arch/cpu.h"
#include "arch/msr.h"
#include "drivers/console.h"
#include <stdarg.h>
#include "lib/string.h"

#define CR0_PE  (1ULL << 0)
#define CR0_TS  (1ULL << 3)
#define CR0_NW  (1ULL << 29)
#define CR0_CD  (1ULL << 30)
#define CR4_PAE (1ULL << 5)
#define CR4_VMXE (1ULL << 13)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_PCIDE (1ULL << 17)
#define AR_L    (1u << 13)
#define RFLAGS_DF (1ULL << 10)
#define MSR_IGNORED_LOG_MAX 8

static unsigned int msr_ignored_logged;

/* ---- guest state helpers ---- */

static unsigned int guest_cpl(void)
{
	return (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> 5) & 3;
}

/* 64-bit code: IA-32e mode and CS.L (the only mode with 64-bit registers). */
static bool guest_64bit_code(void)
{
	return (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read(VMCS_GUEST_CS_AR_BYTES) & AR_L);
}

/* The CR0/CR4 the guest believes it has: its own bits, and the read shadow
 * where the hypervisor owns them (25.6.6). */
static uint64_t guest_cr0_view(struct vcpu *v)
{
	uint64_t m = to_vmx(v)->cr0_mask;

	return (vmcs_read(VMCS_GUEST_CR0) & ~m) | (vmcs_read(VMCS_CR0_READ_SHADOW) & m);
}

static uint64_t guest_cr4_view(struct vcpu *v)
{
	uint64_t m = to_vmx(v)->cr4_mask;

	return (vmcs_read(VMCS_GUEST_CR4) & ~m) | (vmcs_read(VMCS_CR4_READ_SHADOW) & m);
}

static uint64_t gpr_get(struct vcpu *v, unsigned int r)
{
	if (r == REG_RSP)
		return vmcs_read(VMCS_GUEST_RSP);
	return v->regs.gpr[r];
}

/* Writes a register as an instruction with that operand size would: 32-bit
 * results zero-extend outside 64-bit code. */
static void gpr_set(struct vcpu *v, unsigned int r, uint64_t val)
{
	if (!guest_64bit_code())
		val &= 0xffffffffULL;
	if (r == REG_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		v->regs.gpr[r] = val;
}

/* ---- backend services for guest/ ---- */

void vcpu_inject_exception(struct vcpu *v, unsigned int vector, uint32_t error_code)
{
	vmx_inject_exception(v, vector, error_code);
}

void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmx_vstop_guest(v, fmt, ap);
	va_end(ap);
}

static void restore_unmapped(struct vcpu *v)
{
	struct pagetable *pt = &to_vmx(v)->ept->pt;
	uint64_t *pte = pt_leaf_4k(pt, v->unmap_once_gpa);

	if (pte)
		*pte = v->unmap_once_entry;
	/* The split that made the page unmappable is undone too. */
	(void)pt_merge(pt, ALIGN_DOWN(v->unmap_once_gpa, PAGE_SIZE_1G), PAGE_SIZE_1G);
	v->unmap_once_gpa = INVALID_GPA;
	vmx_flush_ept(v);
}

int vcpu_map_changed(struct vcpu *v, gpa_t start, gpa_t end)
{
	int rc = ept_update(to_vmx(v)->ept, start, end);

	/* Also on failure: part of the range may have changed already. */
	vmx_flush_ept(v);
	ept_print_summary(to_vmx(v)->ept);
	return rc;
}

int vcpu_unmap_once(struct vcpu *v, gpa_t page)
{
	uint64_t *pte;

	if (!gmem_is_ram(page, PAGE_SIZE))
		return -EFAULT;
	if (v->unmap_once_gpa != INVALID_GPA)
		restore_unmapped(v);
	pte = pt_leaf_4k(&to_vmx(v)->ept->pt, page);
	if (!pte)
		return -EFAULT;
	v->unmap_once_gpa = page;
	v->unmap_once_entry = *pte;
	*pte = 0;
	vmx_flush_ept(v);
	return 0;
}

/* ---- handlers ---- */

static void handle_cpuid(struct vcpu *v, struct exit_info *e)
{
	uint32_t leaf = (uint32_t)v->regs.gpr[REG_RAX], sub = (uint32_t)v->regs.gpr[REG_RCX];
	struct cpuid_result r = { 0, 0, 0, 0 };

	if (!cpuid_is_hypervisor_leaf(leaf)) {
		struct cpuid_regs h;

		cpuid(leaf, sub, &h);
		r = (struct cpuid_result){ h.eax, h.ebx, h.ecx, h.edx };
	}
	cpuid_policy_apply(leaf, sub, guest_cr4_view(v), &r);
	v->regs.gpr[REG_RAX] = r.eax;
	v->regs.gpr[REG_RBX] = r.ebx;
	v->regs.gpr[REG_RCX] = r.ecx;
	v->regs.gpr[REG_RDX] = r.edx;
	vmx_skip_instruction(v, e);
}

static void handle_msr(struct vcpu *v, struct exit_info *e, bool write)
{
	uint32_t msr = (uint32_t)v->regs.gpr[REG_RCX];
	uint64_t val = (v->regs.gpr[REG_RDX] << 32) | (uint32_t)v->regs.gpr[REG_RAX];

	switch (msr_policy(msr, write)) {
	case MSR_FEATURE_CONTROL:
		if (write)
			goto gp;
		val = msr_feature_control_view(rdmsr(MSR_IA32_FEATURE_CONTROL));
		break;
	case MSR_TSC_WRITE:
		if (to_vmx(v)->ept && (vmx_this_cpu.ctl.proc & CPU_USE_TSC_OFFSETTING))
			vmcs_write(VMCS_TSC_OFFSET, val - rdtsc());
		break;
	case MSR_IGNORE_WRITE:
		if (msr_ignored_logged++ < MSR_IGNORED_LOG_MAX)
			printf("guest %s: WRMSR 0x%x = 0x%llx ignored: the hypervisor owns that MSR\n",
			       v->name, msr, (unsigned long long)val);
		break;
	case MSR_PASS:
		/* Untrapped MSRs do not exit; one that does is not the guest's. */
		printf("guest %s: unexpected %s exit for MSR 0x%x; #GP\n", v->name,
		       write ? "WRMSR" : "RDMSR", msr);
		goto gp;
	case MSR_GP:
		goto gp;
	}
	if (!write) {
		v->regs.gpr[REG_RAX] = (uint32_t)val;
		v->regs.gpr[REG_RDX] = val >> 32;
	}
	vmx_skip_instruction(v, e);
	return;
gp:
	vmx_inject_exception(v, 13, 0);
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
	vmcs_write(VMCS_GUEST_CR4, vmx_apply_fixed(val, c->cr4_fixed0, c->cr4_fixed1));
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

/* Linear address of a string operand: segment base (only FS/GS in 64-bit
 * code), register masked to the address size (SDM Vol. 1, 3.3.7). */
static uint64_t string_linear(unsigned int seg, uint64_t reg, unsigned int addr_size)
{
	uint64_t mask = addr_size == 8 ? ~0ULL : addr_size == 4 ? 0xffffffffULL : 0xffffULL;
	uint64_t base = 0;

	if (!guest_64bit_code() || seg == 4 || seg == 5)
		base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * seg);
	return base + (reg & mask);
}

static int linear_to_gpa(struct vcpu *v, uint64_t la, bool write, gpa_t *gpa)
{
	struct gpt_cpu cpu = {
		.cr0 = guest_cr0_view(v), .cr3 = vmcs_read(VMCS_GUEST_CR3),
		.cr4 = guest_cr4_view(v), .efer = vmcs_read(VMCS_GUEST_IA32_EFER),
		.rflags = vmcs_read(VMCS_GUEST_RFLAGS), .cpl = guest_cpl(), .maxphyaddr = 52,
	};
	struct gpt_result res;
	int rc;

	if (gpt_mode_of(&cpu) == GPT_PAE)
		for (unsigned int i = 0; i < 4; i++)
			cpu.pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
	rc = gpt_translate(&cpu, gmem_walk_ops(), la, (write ? GPT_ACCESS_WRITE : 0) |
			   (cpu.cpl == 3 ? GPT_ACCESS_USER : 0), &res);
	if (rc == -ENOENT) {
		asm volatile("mov %0, %%cr2" : : "r"(la));   /* CR2 is not in the VMCS: the guest's is live */
		vmx_inject_exception(v, 14, res.pf_error);
		return rc;
	}
	*gpa = res.gpa;
	return rc;
}

/* INS/OUTS, with REP run to completion in one exit. Each element goes through
 * the guest's page tables; a page fault stops the string where it happened. */
static void io_string(struct vcpu *v, struct exit_info *e, const struct io_access *a)
{
	unsigned int asz = a->addr_size ? a->addr_size : (guest_64bit_code() ? 8 : 4);
	uint64_t mask = asz == 8 ? ~0ULL : asz == 4 ? 0xffffffffULL : 0xffffULL;
	unsigned int idx = a->in ? REG_RDI : REG_RSI;
	unsigned int seg = a->in ? 0 : a->segment;
	int64_t step = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)a->size : a->size;
	uint64_t count = a->rep ? (v->regs.gpr[REG_RCX] & mask) : 1;

	while (count) {
		uint64_t la = string_linear(seg, v->regs.gpr[idx], asz);
		uint32_t val = 0;
		gpa_t gpa;

		if (linear_to_gpa(v, la, a->in, &gpa))
			break;
		if (((gpa + a->size - 1) ^ gpa) & ~(PAGE_SIZE - 1) || !gmem_is_ram(gpa, a->size)) {
			vmx_stop_guest(v, "string I/O on port 0x%x with an operand at GPA 0x%llx that is "
				       "not plain guest RAM (unsupported)", a->port, (unsigned long long)gpa);
			return;
		}
		if (a->in) {
			val = ioport_in(v, a->port, a->size);
			if (gmem_write(gpa, &val, a->size))
				break;
		} else {
			if (gmem_read(gpa, &val, a->size))
				break;
			ioport_out(v, a->port, a->size, val);
		}
		v->regs.gpr[idx] = (v->regs.gpr[idx] & ~mask) | ((v->regs.gpr[idx] + step) & mask);
		count--;
		if (a->rep)
			v->regs.gpr[REG_RCX] = (v->regs.gpr[REG_RCX] & ~mask) | (count & mask);
	}
	if (!count)
		vmx_skip_instruction(v, e);
}

static void handle_io(struct vcpu *v, struct exit_info *e)
{
	struct io_access a;

	vmx_decode_io(e->qual, (uint32_t)vmcs_read(VMCS_VM_EXIT_INSTRUCTION_INFO), &a);
	if (!a.size) {
		vmx_stop_guest(v, "I/O exit with an undefined size (qualification 0x%llx)",
			       (unsigned long long)e->qual);
		return;
	}
	if (a.string) {
		io_string(v, e, &a);
		return;
	}
	if (a.in) {
		uint32_t val = ioport_in(v, a.port, a.size);
		uint64_t *rax = &v->regs.gpr[REG_RAX];

		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends (Vol. 1, 3.4.1.1). */
		if (a.size == 4)
			*rax = val;
		else
			*rax = (*rax & ~((1ULL << (8 * a.size)) - 1)) | val;
	} else {
		ioport_out(v, a.port, a.size, (uint32_t)v->regs.gpr[REG_RAX]);
	}
	vmx_skip_instruction(v, e);
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

static void report_machine_check(void)
{
	uint64_t cap = rdmsr(0x179), status = rdmsr(0x17a);

	printf("machine check: IA32_MCG_STATUS 0x%llx\n", (unsigned long long)status);
	for (unsigned int i = 0; i < (cap & 0xff); i++) {
		uint64_t st = rdmsr(0x401 + 4 * i);

		if (st >> 63)
			printf("machine check: bank %u status 0x%016llx\n", i, (unsigned long long)st);
	}
}

/* Only #MC is intercepted (the exception bitmap). A machine check belongs to
 * the hardware, not the guest: report it and stop the guest that ran into it. */
static void handle_exception(struct vcpu *v, struct exit_info *e)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_VM_EXIT_INTR_INFO);
	char what[96];

	vmx_describe_intr_info(info, what, sizeof(what));
	if ((info & INTR_INFO_VECTOR_MASK) == 18) {
		report_machine_check();
		vmx_stop_guest(v, "machine check while the guest ran (RIP 0x%016llx)",
			       (unsigned long long)e->rip);
		return;
	}
	vmx_stop_guest(v, "unexpected exception exit: %s", what);
}

static void handle_mce_during_entry(struct vcpu *v, struct exit_info *e)
{
	report_machine_check();
	vmx_stop_guest(v, "machine check during VM entry");
}

static unsigned int maxphyaddr(void)
{
	static unsigned int bits;

	/* CPUID is an exit of its own when this hypervisor runs nested: ask once. */
	if (!bits) {
		struct cpuinfo ci;

		cpuinfo_read(&ci);
		bits = ci.phys_addr_bits;
	}
	return bits;
}

/* The guest state instruction emulation works on (guest/emulate.h). */
static void read_guest_cpu(struct vcpu *v, struct guest_cpu *c)
{
	uint64_t cs_ar = vmcs_read(VMCS_GUEST_CS_AR_BYTES);

	memcpy(c->regs.gpr, v->regs.gpr, sizeof(c->regs.gpr));
	c->regs.gpr[REG_RSP] = vmcs_read(VMCS_GUEST_RSP);
	c->regs.rip = vmcs_read(VMCS_GUEST_RIP);
	c->regs.rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	for (unsigned int s = 0; s < 6; s++)
		c->regs.seg_base[s] = vmcs_read(VMCS_GUEST_ES_BASE + 2 * s);
	c->regs.mode = guest_64bit_code() ? CPU_MODE_64 : (cs_ar & (1u << 14)) ? CPU_MODE_32 : CPU_MODE_16;
	c->cr0 = guest_cr0_view(v);
	c->cr3 = vmcs_read(VMCS_GUEST_CR3);
	c->cr4 = guest_cr4_view(v);
	c->efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	for (unsigned int i = 0; i < 4; i++)
		c->pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
	c->cpl = guest_cpl();
	c->maxphyaddr = maxphyaddr();
}

static void write_guest_cpu(struct vcpu *v, const struct guest_cpu *c, struct exit_info *e)
{
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	memcpy(v->regs.gpr, c->regs.gpr, sizeof(v->regs.gpr));
	vmcs_write(VMCS_GUEST_RSP, c->regs.gpr[REG_RSP]);
	vmcs_write(VMCS_GUEST_RFLAGS, c->regs.rflags);
	/* A completed instruction ends STI/MOV-SS blocking, as in vmx_skip_instruction(). */
	if (c->regs.rip != e->rip && (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	vmcs_write(VMCS_GUEST_RIP, c->regs.rip);
}

static void emulate_access(struct vcpu *v, struct exit_info *e, gpa_t gpa)
{
	struct guest_cpu c;
	struct emul_result r;

	read_guest_cpu(v, &c);
	emulate_instruction(v, &c, gpa, &r);
	switch (r.status) {
	case EMUL_DONE:
		write_guest_cpu(v, &c, e);
		break;
	case EMUL_EXCEPTION:
		/* CR2 is not in the VMCS: the CPU's own CR2 becomes the guest's on entry. */
		if (r.vector == 14)
			asm volatile("mov %0, %%cr2" : : "r"(r.cr2));
		vmx_inject_exception(v, r.vector, r.error_code);
		break;
	case EMUL_STOP:
		vmx_stop_guest(v, "%s", r.why);
		break;
	}
}

static void handle_ept_violation(struct vcpu *v, struct exit_info *e)
{
	gpa_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	const struct gmap_range *r;
	struct ept_violation q;

	/* NMI unblocking by IRET was undone by the exit; redo it (28.2.3). */
	vmx_decode_ept_violation(e->qual, &q);
	if (q.nmi_unblocking && !(e->idt_vectoring & INTR_INFO_VALID))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
	if (v->unmap_once_gpa != INVALID_GPA && (gpa & ~(PAGE_SIZE - 1)) == v->unmap_once_gpa) {
		restore_unmapped(v);
		return;     /* the access (or the interrupted delivery) is retried */
	}
	r = gmap_lookup(gmem_map(), gpa);
	if (r && gmap_kind_mapped(r->kind)) {
		printf("guest %s: EPT violation on mapped %s memory at GPA 0x%016llx (%s, entry allowed %s%s%s):\n",
		       v->name, gmap_kind_name(r->kind), (unsigned long long)gpa,
		       q.fetch ? "fetch" : q.write ? "write" : "read", q.readable ? "R" : "-",
		       q.writable ? "W" : "-", q.executable ? "X" : "-");
		ept_print_walk(to_vmx(v)->ept, gpa);
		vmx_stop_guest(v, "EPT violation on mapped memory at GPA 0x%016llx: a hypervisor bug",
			       (unsigned long long)gpa);
		return;
	}
	/* Only an instruction's own accesses can be emulated, not the CPU's
	 * accesses for event delivery or for walking the guest's page tables. */
	if (e->idt_vectoring & INTR_INFO_VALID) {
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO, 0);
		vmx_stop_guest(v, "event delivery touched %s at GPA 0x%016llx (IDT, stack or TSS there?)",
			       r ? gmap_kind_name(r->kind) : "unmapped space", (unsigned long long)gpa);
		return;
	}
	if (q.gla_valid && !q.gla_translation) {
		vmx_stop_guest(v, "the guest's page tables are in %s at GPA 0x%016llx",
			       r ? gmap_kind_name(r->kind) : "unmapped space", (unsigned long long)gpa);
		return;
	}
	emulate_access(v, e, gpa);
}

static void handle_ept_misconfig(struct vcpu *v, struct exit_info *e)
{
	gpa_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);

	/* Misconfigured entries are never made on purpose (no MMIO fast path yet). */
	printf("guest %s: EPT misconfiguration at GPA 0x%016llx; the walk:\n", v->name,
	       (unsigned long long)gpa);
	ept_print_walk(to_vmx(v)->ept, gpa);
	vmx_stop_guest(v, "EPT misconfiguration at GPA 0x%016llx: a hypervisor bug in the EPT",
		       (unsigned long long)gpa);
}

static void handle_hlt(struct vcpu *v, struct exit_info *e)
{
	/* Not requested; if a CPU forces HLT exiting, halt the guest as it asked. */
	vmx_skip_instruction(v, e);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
}

static void handle_task_switch(struct vcpu *v, struct exit_info *e)
{
	vmx_stop_guest(v, "hardware task switch at RIP 0x%016llx (not supported)",
		       (unsigned long long)e->rip);
}

static void handle_nothing(struct vcpu *v, struct exit_info *e)
{
	/* External interrupts and the like: nothing to do, the guest resumes. */
}

const exit_handler_t vmx_exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_REASON_EXCEPTION_NMI]      = handle_exception,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_nothing,
	[EXIT_REASON_TRIPLE_FAULT]       = handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL]        = handle_init,
	[EXIT_REASON_TASK_SWITCH]        = handle_task_switch,
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
	[EXIT_REASON_IO_INSTRUCTION]     = handle_io,
	[EXIT_REASON_MSR_READ]           = handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]          = handle_wrmsr,
	[EXIT_REASON_MCE_DURING_VMENTRY] = handle_mce_during_entry,
	[EXIT_REASON_EPT_VIOLATION]      = handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]      = handle_ept_misconfig,
	[EXIT_REASON_INVEPT]             = handle_vmx_instruction,
	[EXIT_REASON_INVVPID]            = handle_vmx_instruction,
	[EXIT_REASON_VMFUNC]             = handle_vmx_instruction,
	[EXIT_REASON_WBINVD]             = handle_wbinvd,
	[EXIT_REASON_XSETBV]             = handle_xsetbv,
};
