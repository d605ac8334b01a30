/* vmx/vcpu.c - building a guest's VMCS: controls, MSR and I/O bitmaps, host
 * state, and the guest's start state (SDM Vol. 3C, 25.2-25.8; the checks
 * every field must pass are in 27.2 and 27.3). Which control fields are
 * written is vmx/vmcs_setup.c's list. */
#include "vmx/vmx_vcpu.h"
#include "vmx/guest_state.h"
#include "vmx/flush.h"
#include "vmx/stage2.h"
#include "vmx/tsc_msrs.h"
#include "vmx/vmx_cpu.h"
#include "vmx/ept.h"
#include "vmx/vmcs_setup.h"
#include "guest/policy/msr_policy.h"
#include "guest/policy/cpuid_policy.h"
#include "guest/policy/efer.h"
#include "guest/dev/device.h"
#include "guest/load/cpu_resume.h"
#include "arch/cpu.h"
#include "arch/gdt.h"
#include "arch/msr.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "mm/malloc.h"
#include "lib/string.h"

#define CR0_ET  (1ULL << 4)
#define CR0_NE  (1ULL << 5)
#define CR4_VMXE (1ULL << 13)
#define PAT_POWER_ON 0x0007040600070406ULL

/* Segment access rights in the VMCS format (25.4.1, Table 25-2). */
#define AR_CODE64    0xa09b   /* present, DPL 0, execute/read accessed, L, G */
#define AR_CODE32    0xc09b   /* present, DPL 0, execute/read accessed, D, G */
#define AR_DATA32    0xc093   /* present, DPL 0, read/write accessed, D/B, G */
#define AR_CODE16    0x009b
#define AR_DATA16    0x0093
#define AR_TSS_BUSY  0x008b   /* present, 64-bit (or 32-bit) busy TSS */
#define AR_UNUSABLE  0x10000

extern char vmx_exit_entry[];

static hpa_t alloc_zeroed_frame(void)
{
	hpa_t pa = frame_alloc_one(mm_frames());

	if (pa != INVALID_HPA)
		memset(hpa_to_ptr(pa), 0, PAGE_SIZE);
	return pa;
}

static void io_bitmap_set(uint8_t *a, uint8_t *b, uint16_t port)
{
	uint8_t *bm = port < 0x8000 ? a : b;
	unsigned int bit = port & 0x7fff;

	bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static void trap_port_range(void *ctx, uint16_t base, uint16_t count)
{
	uint8_t **bm = ctx;

	for (uint32_t p = base; p < (uint32_t)base + count; p++)
		io_bitmap_set(bm[0], bm[1], (uint16_t)p);
}

/* The frames of a vCPU (VMCS, bitmaps) that it does not have yet, zeroed. */
static void alloc_frames(struct vmx_vcpu *x)
{
	hpa_t *f[] = { &x->vmcs, &x->msr_bitmap, &x->io_bitmap_a, &x->io_bitmap_b };

	for (unsigned int i = 0; i < ARRAY_SIZE(f); i++)
		if (!*f[i])
			*f[i] = alloc_zeroed_frame();
}

static int setup_bitmaps(struct vcpu *v, struct vmx_vcpu *x)
{
	uint8_t *msr, *ioa, *iob;

	if (x->msr_bitmap == INVALID_HPA || x->io_bitmap_a == INVALID_HPA ||
	    x->io_bitmap_b == INVALID_HPA)
		return -ENOMEM;
	/* Denied by default: only the allow-list's accesses stay in the guest. */
	msr = hpa_to_ptr(x->msr_bitmap);
	msr_bitmap_build(msr, &x->features);

	/* Only the ports device models own exit; the rest are the guest's. */
	ioa = hpa_to_ptr(x->io_bitmap_a);
	iob = hpa_to_ptr(x->io_bitmap_b);
	device_for_each_port_range(trap_port_range, (uint8_t *[]){ ioa, iob });
	return 0;
}

static void setup_host_state(struct vmx_vcpu *x)
{
	/* This CPU's block (arch/percpu.h): a VM exit loads GS base, TR, GDTR
	 * and IDTR from here, so every per-CPU access after the first exit
	 * depends on these being this CPU's, set once with the VMCS. */
	const struct percpu *pc = percpu_self();

	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, GDT_SEL_CODE);
	vmcs_write(VMCS_HOST_SS_SELECTOR, GDT_SEL_DATA);
	vmcs_write(VMCS_HOST_DS_SELECTOR, GDT_SEL_DATA);
	vmcs_write(VMCS_HOST_ES_SELECTOR, GDT_SEL_DATA);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, GDT_SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)(uintptr_t)pc);
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&pc->tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, (uint64_t)(uintptr_t)pc->gdt);
	vmcs_write(VMCS_HOST_IDTR_BASE, (uint64_t)(uintptr_t)pc->idt);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_CS, rdmsr(0x174));
	vmcs_write(VMCS_HOST_IA32_SYSENTER_ESP, rdmsr(0x175));
	vmcs_write(VMCS_HOST_IA32_SYSENTER_EIP, rdmsr(0x176));
	vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry);
	/* Fixed per vCPU, as Jailhouse and Xen do: vmx_enter() leaves the way
	 * back in the exit stack and never writes the VMCS. */
	vmcs_write(VMCS_HOST_RSP, (uint64_t)(uintptr_t)&x->exit_stack.regs);
}

static void set_segment(unsigned int seg, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	/* Selector, limit, AR and base fields are 2 apart in their groups (B.1.2, B.3.3, B.4.3). */
	vmcs_write(VMCS_GUEST_ES_SELECTOR + 2 * seg, sel);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	vmcs_write(VMCS_GUEST_ES_AR_BYTES + 2 * seg, ar);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, base);
}

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* The CR0/CR4 the guest believes it has (read shadow) and the real ones,
 * which also carry the bits VMX operation forces (A.7, A.8). */
static void set_control_registers(struct vmx_vcpu *x, uint64_t cr0, uint64_t cr4)
{
	const struct vmx_cap_msrs *c = &vmx_this_cpu.caps;
	uint64_t cr0_real = vmx_apply_fixed(cr0, c->cr0_fixed0 & ~(CR0_PE | CR0_PG), c->cr0_fixed1);
	uint64_t cr4_real = vmx_apply_fixed(cr4, c->cr4_fixed0, c->cr4_fixed1) | vmx_guest_cr4_forced();

	/* Owned: bits VMX fixes (other than PE/PG, free with unrestricted guest)
	 * and the bits the CPU does not allow at all, so setting them exits;
	 * CR0.PG, so that every change of it exits and IA32_EFER.LMA, which it
	 * sets and clears, stays known without reading the VMCS (the guest
	 * reads its own PG from the read shadow; vmx/guest_state.h,
	 * vmx_set_guest_efer); and CR4.MCE, kept set under the guest's feet
	 * (vmx_guest_cr4_forced). */
	x->cr0_mask = ((c->cr0_fixed0 | ~c->cr0_fixed1) & ~(CR0_PE | CR0_PG) & 0xffffffffULL) | CR0_PG;
	x->cr4_mask = c->cr4_fixed0 | (~c->cr4_fixed1 & 0xffffffffULL) | vmx_guest_cr4_forced();
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, x->cr0_mask);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, x->cr4_mask);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR0, cr0_real);
	vmcs_write(VMCS_GUEST_CR4, cr4_real);
}

/*
 * A CPU resumed where it was (chain mode's firmware; guest/load/cpu_resume.c
 * rebuilt and checked the segments as 26.3.1.2 requires): its segments with
 * TR and LDTR, CR0/CR4 with VMX's fixed bits (the shadows show the
 * firmware's own), CR3, EFER with "IA-32e mode guest" from its LMA, PAT,
 * descriptor tables, RFLAGS, RSP/RIP, the callee-saved registers,
 * IA32_KERNEL_GS_BASE; RAX = 0:
 * the loader's call into the core returns 0. Debug state as after reset
 * (the loader's DR7 is not captured: no breakpoints across the call).
 */
static void setup_resumed_state(struct vcpu *v, struct vmx_vcpu *x, const struct cpu_resume *r,
				uint32_t *entry_ctl)
{
	for (unsigned int seg = SEG_ES; seg <= SEG_TR; seg++)
		set_segment(seg, r->seg[seg].sel, r->seg[seg].base, r->seg[seg].limit, r->seg[seg].ar);
	set_control_registers(x, r->cr0, r->cr4);
	vmcs_write(VMCS_GUEST_CR3, r->cr3);
	vmx_set_guest_efer(x, r->efer);
	if (r->efer & EFER_LMA)
		*entry_ctl |= ENTRY_IA32E_MODE_GUEST;
	vmcs_write(VMCS_GUEST_GDTR_BASE, r->gdtr_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, r->gdtr_limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, r->idtr_base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, r->idtr_limit);
	vmcs_write(VMCS_GUEST_RIP, r->rip);
	vmcs_write(VMCS_GUEST_RSP, r->rsp);
	vmcs_write(VMCS_GUEST_RFLAGS, r->rflags);
	/* The firmware's own (a debug agent's breakpoints, LBR): VM entry
	 * loads them into the CPU (26.3.2.1); cpu_resume checked 26.3.1.1. */
	vmcs_write(VMCS_GUEST_DR7, r->dr7 | 0x400);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, r->debugctl);
	vmcs_write(VMCS_GUEST_IA32_PAT, r->pat);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, r->sysenter_cs);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, r->sysenter_esp);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, r->sysenter_eip);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	/* Not in the VMCS, passed through (guest/policy/msr_policy.c) and never
	 * used by the hypervisor (no SWAPGS): the guest's from here on. This
	 * runs on the CPU that resumes (the boot CPU). */
	wrmsr(MSR_KERNEL_GS_BASE, r->kernel_gs_base);

	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.gpr[REG_RAX] = 0;
	v->regs.gpr[REG_RBX] = r->rbx;
	v->regs.gpr[REG_RBP] = r->rbp;
	v->regs.gpr[REG_RDI] = r->rdi;
	v->regs.gpr[REG_RSI] = r->rsi;
	v->regs.gpr[REG_R12] = r->r12;
	v->regs.gpr[REG_R13] = r->r13;
	v->regs.gpr[REG_R14] = r->r14;
	v->regs.gpr[REG_R15] = r->r15;
	v->regs.gpr[REG_RSP] = r->rsp;
}

static void setup_guest_state(struct vcpu *v, struct vmx_vcpu *x, const struct vcpu_start *s,
			      uint32_t *entry_ctl)
{
	uint16_t cs_sel = 0x10, ds_sel = 0x18;      /* Linux boot protocol's __BOOT_CS/__BOOT_DS */

	if (s->mode == VCPU_MODE_RESUME) {
		setup_resumed_state(v, x, s->resume, entry_ctl);
		return;
	}
	switch (s->mode) {
	case VCPU_MODE_RESUME:          /* above */
	case VCPU_MODE_LONG64:
		set_control_registers(x, CR0_PE | CR0_ET | CR0_WP | CR0_PG, CR4_PAE);
		vmcs_write(VMCS_GUEST_CR3, s->cr3);
		vmx_set_guest_efer(x, EFER_LME | EFER_LMA);
		*entry_ctl |= ENTRY_IA32E_MODE_GUEST;
		set_segment(SEG_CS, cs_sel, 0, 0xffffffff, AR_CODE64);
		for (unsigned int seg = SEG_ES; seg <= SEG_GS; seg++)
			if (seg != SEG_CS)
				set_segment(seg, ds_sel, 0, 0xffffffff, AR_DATA32);
		break;
	case VCPU_MODE_PROT32:
		set_control_registers(x, CR0_PE | CR0_ET, 0);
		vmcs_write(VMCS_GUEST_CR3, 0);
		vmx_set_guest_efer(x, 0);
		set_segment(SEG_CS, cs_sel, 0, 0xffffffff, AR_CODE32);
		for (unsigned int seg = SEG_ES; seg <= SEG_GS; seg++)
			if (seg != SEG_CS)
				set_segment(seg, ds_sel, 0, 0xffffffff, AR_DATA32);
		break;
	case VCPU_MODE_REAL:
		/* Unrestricted guest: real mode runs natively (25.6.2). */
		set_control_registers(x, CR0_ET, 0);
		vmcs_write(VMCS_GUEST_CR3, 0);
		vmx_set_guest_efer(x, 0);
		cs_sel = (uint16_t)(s->rip >> 4);
		set_segment(SEG_CS, cs_sel, (uint64_t)cs_sel << 4, 0xffff, AR_CODE16);
		for (unsigned int seg = SEG_ES; seg <= SEG_GS; seg++)
			if (seg != SEG_CS)
				set_segment(seg, 0, 0, 0xffff, AR_DATA16);
		break;
	}
	set_segment(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
	set_segment(SEG_TR, 0, 0, 0x67, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, s->mode == VCPU_MODE_REAL ? 0 : s->gdt_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, s->mode == VCPU_MODE_REAL ? 0xffff : s->gdt_limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);

	vmcs_write(VMCS_GUEST_RIP, s->mode == VCPU_MODE_REAL ? (s->rip & 0xf) : s->rip);
	vmcs_write(VMCS_GUEST_RSP, s->rsp);
	vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_IA32_PAT, PAT_POWER_ON);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);

	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.gpr[REG_RAX] = s->rax;
	v->regs.gpr[REG_RBX] = s->rbx;
	v->regs.gpr[REG_RSI] = s->rsi;
	v->regs.gpr[REG_RSP] = s->rsp;
}

/* The preemption timer counts down at the TSC rate divided by 2^IA32_VMX_MISC[4:0]
 * (26.5.1); without "save timer value" every VM entry reloads it, so it
 * bounds how long the guest runs without an exit, halted or not. */
static uint64_t tick_value(struct vcpu *v)
{
	uint64_t ticks = v->tick_tsc >> (vmx_this_cpu.caps.misc & 0x1f);

	return MIN(MAX(ticks, 1), 0xffffffffULL);
}

struct setup_ctx {
	struct vcpu *v;
	struct vmx_vcpu *x;
	uint32_t entry_ctl;             /* per-guest entry controls (IA-32e mode guest) */
};

/* One field of vmcs_setup_fields (vmx/vmcs_setup.c, which says which
 * control needs it) with its value for this vCPU. */
static void setup_field(void *ctx, uint32_t field)
{
	const struct setup_ctx *sc = ctx;
	const struct vmx_controls *c = &vmx_this_cpu.ctl;
	struct vmx_vcpu *x = sc->x;
	uint64_t val;

	switch (field) {
	case VMCS_PIN_BASED_VM_EXEC_CONTROL:    val = c->pin; break;
	case VMCS_CPU_BASED_VM_EXEC_CONTROL:    val = c->proc; break;
	case VMCS_SECONDARY_VM_EXEC_CONTROL:    val = c->proc2; break;
	case VMCS_VM_EXIT_CONTROLS:             val = c->exit; break;
	case VMCS_VM_ENTRY_CONTROLS:            val = c->entry | sc->entry_ctl; break;
	/* Only #MC: machine checks are the hypervisor's business (vmx/handlers.c). */
	case VMCS_EXCEPTION_BITMAP:             val = 1u << 18; break;
	case VMCS_VMCS_LINK_POINTER:            val = ~0ULL; break;
	case VMCS_MSR_BITMAP:                   val = x->msr_bitmap; break;
	case VMCS_IO_BITMAP_A:                  val = x->io_bitmap_a; break;
	case VMCS_IO_BITMAP_B:                  val = x->io_bitmap_b; break;
	case VMCS_EPT_POINTER:                  val = x->ept->eptp; break;
	case VMCS_VPID:                         val = VMX_GUEST_VPID; break;
	case VMCS_VMX_PREEMPTION_TIMER_VALUE:   val = tick_value(sc->v); break;
	/* The guest's IA32_XSS is always 0 (guest/policy/msr_policy.c): no XSAVES or
	 * XRSTORS exits needed. */
	case VMCS_XSS_EXIT_BITMAP:
	case VMCS_TSC_OFFSET:
	case VMCS_PAGE_FAULT_ERROR_CODE_MASK:
	case VMCS_PAGE_FAULT_ERROR_CODE_MATCH:
	case VMCS_CR3_TARGET_COUNT:
	case VMCS_VM_EXIT_MSR_STORE_COUNT:
	case VMCS_VM_EXIT_MSR_LOAD_COUNT:
	case VMCS_VM_ENTRY_MSR_LOAD_COUNT:
	case VMCS_VM_ENTRY_INTR_INFO:
		val = 0;
		break;
	default:
		panic("VMCS setup: no value for field 0x%x", field);
	}
	vmcs_write(field, val);
}

/* The IA32_EFER bits the guest may set: those its CPUID.80000001H:EDX
 * (the CPU's, through the CPUID policy) gives it (guest/policy/efer.h). */
static uint64_t guest_efer_supported(const struct guest_features *f)
{
	struct cpuid_regs h;
	struct cpuid_result r;

	cpuid(0x80000001, 0, &h);
	r = (struct cpuid_result){ h.eax, h.ebx, h.ecx, h.edx };
	cpuid_policy_apply(0x80000001, 0, f, 0, &r);
	return efer_supported(r.edx);
}

bool backend_has_tick(void)
{
	return vmx_this_cpu.ctl.pin & PIN_VMX_PREEMPTION_TIMER;
}


int vcpu_create(struct vcpu *v, struct vm *vm, const struct vcpu_start *s)
{
	/* A chain-mode AP's first vCPU: on memory taken before the firmware
	 * ran as the guest (backend_reserve_ap), so its join cannot fail for
	 * lack of it. Otherwise, and afterwards, from the heap. */
	struct vmx_vcpu *x = vmx_this_cpu.spare;
	uint32_t entry_ctl = 0;
	enum vmx_status st;
	uint32_t *region;

	if (x)
		vmx_this_cpu.spare = NULL;
	else
		x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	v->arch = x;
	v->vm = vm;
	x->ept = vmx_stage2_ept(vm);
	vmx_guest_features(&vmx_this_cpu.ctl, &x->features);
	v->efer_supported = guest_efer_supported(&x->features);
	v->misc_enable = msr_misc_enable_init(rdmsr(MSR_IA32_MISC_ENABLE));
	vmx_tsc_init(x);
	alloc_frames(x);
	if (x->vmcs == INVALID_HPA)
		return -ENOMEM;
	region = hpa_to_ptr(x->vmcs);
	region[0] = vmx_this_cpu.basic.revision;
	st = vmclear(x->vmcs);
	if (st == VMX_OK)
		st = vmptrld(x->vmcs);
	if (st != VMX_OK) {
		printf("VMX: VMCLEAR/VMPTRLD of the new VMCS failed (%d)\n", st);
		return -EINVAL;
	}
	if (setup_bitmaps(v, x))
		return -ENOMEM;
	setup_host_state(x);
	setup_guest_state(v, x, s, &entry_ctl);
	/* Every control field the enabled controls read, from one list. */
	vmcs_setup_for_each(&vmx_this_cpu.ctl, setup_field,
			    &(struct setup_ctx){ .v = v, .x = x, .entry_ctl = entry_ctl });
	/* Guests run one after another with the same VPID and EPT: nothing an
	 * earlier one left in the TLB may leak into this one. */
	vmx_flush_guest_tlb(v);
	vmx_flush_ept(x->ept);
	return 0;
}

#define CR0_NW  (1ULL << 29)
#define CR0_CD  (1ULL << 30)
#define DR7_INIT 0x400

bool backend_has_wait_for_sipi(void)
{
	return vmx_this_cpu.caps.misc & VMX_MISC_WAIT_FOR_SIPI;
}

/* The register state INIT leaves (SDM Vol. 3A, Table 10-1; CR0 as after
 * power-up: CD, NW, ET), in real mode: what a start-up IPI then changes is
 * only CS and IP (10.4.4). The TSC offset, the MSR bitmap and the controls
 * stay; no event is pending or queued, nothing blocks (26.3.1.5: a
 * wait-for-SIPI entry must inject nothing). */
static void set_init_state(struct vcpu *v, struct vmx_vcpu *x)
{
	struct cpuid_regs id;
	uint32_t entry = (uint32_t)vmcs_read(VMCS_VM_ENTRY_CONTROLS);
	uint32_t proc = (uint32_t)vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);

	exit_state_discard(&x->xs);     /* the whole state is written below */

	set_control_registers(x, CR0_CD | CR0_NW | CR0_ET, 0);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmx_set_guest_efer(x, 0);
	vmcs_write(VMCS_VM_ENTRY_CONTROLS, entry & ~ENTRY_IA32E_MODE_GUEST);
	set_segment(SEG_CS, 0xf000, 0xffff0000, 0xffff, AR_CODE16);
	for (unsigned int seg = SEG_ES; seg <= SEG_GS; seg++)
		if (seg != SEG_CS)
			set_segment(seg, 0, 0, 0xffff, AR_DATA16);
	set_segment(SEG_LDTR, 0, 0, 0xffff, AR_UNUSABLE);
	set_segment(SEG_TR, 0, 0, 0xffff, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_RIP, 0xfff0);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write(VMCS_GUEST_DR7, DR7_INIT);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_IA32_PAT, PAT_POWER_ON);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
		   proc & ~(CPU_INTERRUPT_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING));
	x->intr_window = false;
	memset(&v->regs, 0, sizeof(v->regs));
	cpuid(1, 0, &id);
	v->regs.gpr[REG_RDX] = id.eax;          /* family, model, stepping */
	v->rc.valid = v->rc.dirty = 0;
	v->nmis_requested = 0;
}

void vcpu_init_signal(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);

	set_init_state(v, x);
	/* Without the activity state (IA32_VMX_MISC bit 8 clear) an entry in
	 * it would fail (26.3.1.5): the VMCS stays active and its run loop
	 * holds the vCPU in the hypervisor instead (guest/run/ap_run.c). */
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE,
		   backend_has_wait_for_sipi() ? ACTIVITY_WAIT_FOR_SIPI : ACTIVITY_ACTIVE);
	v->wait_sipi = true;
}

void vcpu_start_up(struct vcpu *v, uint8_t vector)
{
	struct vmx_vcpu *x = to_vmx(v);

	set_init_state(v, x);
	set_segment(SEG_CS, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0xffff, AR_CODE16);
	vmcs_write(VMCS_GUEST_RIP, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	v->wait_sipi = false;
}

uint8_t vcpu_exit_sipi_vector(struct vcpu *v)
{
	/* Exit qualification bits 7:0 (28.2.1, Table 28-1 footnote: SIPI). */
	return (uint8_t)vmcs_read(VMCS_EXIT_QUALIFICATION);
}

bool vcpu_break_for_test(struct vcpu *v, const char *what)
{
	uint32_t allowed1 = (uint32_t)((vmx_this_cpu.caps.basic & (1ULL << 55) ?
					vmx_this_cpu.caps.true_procbased :
					vmx_this_cpu.caps.procbased) >> 32);

	if (!strcmp(what, "control") && ~allowed1) {
		/* The lowest bit the CPU does not allow to be 1 (26.2.1.1). */
		vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL, vmx_this_cpu.ctl.proc | (~allowed1 & -~allowed1));
		return true;
	}
	if (!strcmp(what, "guest-state")) {
		/* CR0.PG = 1 needs CR0.PE = 1, unrestricted guest or not (26.3.1.1). */
		vmcs_write(VMCS_GUEST_CR0, (vmcs_read(VMCS_GUEST_CR0) | CR0_PG) & ~CR0_PE);
		return true;
	}
	return false;
}

void vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (!x)
		return;
	if (x->vmcs != INVALID_HPA && x->vmcs) {
		(void)vmclear(x->vmcs);
		(void)frame_free(mm_frames(), x->vmcs, 0);
	}
	if (x->msr_bitmap != INVALID_HPA && x->msr_bitmap)
		(void)frame_free(mm_frames(), x->msr_bitmap, 0);
	if (x->io_bitmap_a != INVALID_HPA && x->io_bitmap_a)
		(void)frame_free(mm_frames(), x->io_bitmap_a, 0);
	if (x->io_bitmap_b != INVALID_HPA && x->io_bitmap_b)
		(void)frame_free(mm_frames(), x->io_bitmap_b, 0);
	free(x);
	v->arch = NULL;
}
