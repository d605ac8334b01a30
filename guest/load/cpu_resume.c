/* guest/load/cpu_resume.c - the state VM entry loads to resume a captured CPU
 * (chain mode's firmware); see cpu_resume.h. */
#include "guest/load/cpu_resume.h"
#include "lib/le.h"
#include "lib/format.h"
#include "lib/string.h"

#define CR0_PE         (1ULL << 0)
#define CR0_PG         (1ULL << 31)
#define CR4_PAE        (1ULL << 5)
#define CR4_LA57       (1ULL << 12)
#define EFER_LME       (1ULL << 8)
#define EFER_LMA       (1ULL << 10)
#define SEL_TI         0x4u
#define SEL_RPL        0x3u
#define RFLAGS_FIXED1  0x2ULL
#define RFLAGS_VM      (1ULL << 17)
/* Bits RFLAGS has (SDM Vol. 1, 3.4.3): VM entry wants the others 0 (26.3.1.4). */
#define RFLAGS_DEFINED 0x3f7fd7ULL
/* IA32_DEBUGCTL bits VM entry accepts (26.3.1.1): LBR, BTF, 6-14. */
#define DEBUGCTL_VALID 0x7fc3ULL

/* 48-bit canonical (bits 63:47 all equal; LA57 is refused). */
static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static const char *const seg_name[RS_COUNT] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR" };

struct resume_ctx {
	const uint8_t *gdt;
	size_t gdt_size;
	char *err;
	size_t errlen;
};

static int fail(struct resume_ctx *c, unsigned int reg, uint16_t sel, const char *why, uint32_t ar)
{
	fmt_snprintf(c->err, c->errlen, "%s selector 0x%x: %s (access rights 0x%x)", seg_name[reg], sel, why, ar);
	return -EINVAL;
}

/* The descriptor sel selects, decoded as loading it would (bytes 8..15 too
 * for the 16-byte system descriptors of IA-32e mode); false if it is not
 * inside the GDT's copy. */
static bool read_desc(const struct resume_ctx *c, uint16_t sel, bool system, struct resume_seg *s)
{
	size_t off = sel & ~7u, len = system ? 16 : 8;
	uint32_t lo, hi, limit;

	if (off + len > c->gdt_size)
		return false;
	lo = le32_read(c->gdt + off);
	hi = le32_read(c->gdt + off + 4);
	limit = (lo & 0xffff) | (hi & 0xf0000);
	s->sel = sel;
	s->base = lo >> 16 | (hi & 0xff) << 16 | (hi & 0xff000000);
	s->ar = (hi >> 8) & 0xf0ff;
	s->limit = (s->ar & RS_AR_G) ? limit << 12 | 0xfff : limit;
	if (system)
		s->base |= (uint64_t)le32_read(c->gdt + off + 8) << 32;
	return true;
}

static unsigned int dpl(uint32_t ar)
{
	return (ar >> RS_AR_DPL_SHIFT) & 3;
}

/* CS: 64-bit code (L = 1, D = 0), present, DPL 0 = RPL 0: CPL 0 in 64-bit mode. */
static int load_cs(struct resume_ctx *c, uint16_t sel, struct resume_seg *s)
{
	if (sel & SEL_TI)
		return fail(c, RS_CS, sel, "an LDT selector", 0);
	if (!(sel & ~7u) || !read_desc(c, sel, false, s))
		return fail(c, RS_CS, sel, "null or outside the GDT", 0);
	if (!(s->ar & RS_AR_S) || !(s->ar & RS_AR_CODE) || !(s->ar & RS_AR_P) || !(s->ar & RS_AR_L) ||
	    (s->ar & RS_AR_DB))
		return fail(c, RS_CS, sel, "not a present 64-bit code segment", s->ar);
	if (dpl(s->ar) || (sel & SEL_RPL))
		return fail(c, RS_CS, sel, "not privilege level 0", s->ar);
	s->ar |= RS_AR_ACCESSED;         /* set in the descriptor by the load that put it in CS */
	return 0;
}

/* SS, DS, ES, FS, GS: null (unusable, as 64-bit mode allows) or a present
 * data or readable code segment; SS writable data of DPL 0. */
static int load_data(struct resume_ctx *c, unsigned int reg, uint16_t sel, struct resume_seg *s)
{
	bool code;

	if (sel & SEL_TI)
		return fail(c, reg, sel, "an LDT selector", 0);
	if (!(sel & ~7u)) {
		/* Unusable, DPL 0: for SS the DPL is the CPL (SDM Vol. 3C, 25.4.1). */
		*s = (struct resume_seg){ .sel = sel, .ar = RS_AR_UNUSABLE };
		return 0;
	}
	if (!read_desc(c, sel, false, s))
		return fail(c, reg, sel, "outside the GDT", 0);
	code = s->ar & RS_AR_CODE;
	if (!(s->ar & RS_AR_S) || !(s->ar & RS_AR_P) || (code && !(s->ar & RS_AR_RW)))
		return fail(c, reg, sel, "not a present data or readable code segment", s->ar);
	if (reg == RS_SS && (code || !(s->ar & RS_AR_RW) || dpl(s->ar) || (sel & SEL_RPL)))
		return fail(c, reg, sel, "not writable data of privilege level 0", s->ar);
	/* Data and non-conforming code: DPL >= RPL, as a load checks (26.3.1.2). */
	if ((s->ar & RS_AR_TYPE_MASK) <= 11 && dpl(s->ar) < (sel & SEL_RPL))
		return fail(c, reg, sel, "its descriptor's privilege level is below the selector's RPL", s->ar);
	s->ar |= RS_AR_ACCESSED;
	return 0;
}

/* LDTR: null (unusable) or a present LDT; TR: a present 64-bit TSS, marked
 * busy as LTR marks it. A null TR cannot be entered (VM entry wants TR
 * usable, 26.3.1.2): firmware that never loaded one (EDK II without stack
 * guard) gets a busy TSS at 0 of the minimum size, which it never reads:
 * at CPL 0 with IST entries 0 an interrupt uses no TSS field. */
static int load_system(struct resume_ctx *c, unsigned int reg, uint16_t sel, struct resume_seg *s,
		       bool *made_up)
{
	unsigned int type;

	if (sel & SEL_TI)
		return fail(c, reg, sel, "an LDT selector", 0);
	if (!(sel & ~7u)) {
		if (reg == RS_LDTR) {
			*s = (struct resume_seg){ .sel = sel, .ar = RS_AR_UNUSABLE };
		} else {
			*s = (struct resume_seg){ .sel = sel, .limit = 0x67, .ar = RS_AR_P | RS_TYPE_TSS64_BUSY };
			*made_up = true;
		}
		return 0;
	}
	if (!read_desc(c, sel, true, s))
		return fail(c, reg, sel, "outside the GDT", 0);
	type = s->ar & RS_AR_TYPE_MASK;
	if ((s->ar & RS_AR_S) || !(s->ar & RS_AR_P) ||
	    (reg == RS_LDTR ? type != RS_TYPE_LDT : (type | 2) != RS_TYPE_TSS64_BUSY))
		return fail(c, reg, sel, reg == RS_LDTR ? "not a present LDT" : "not a present 64-bit TSS", s->ar);
	if (reg == RS_TR)
		s->ar |= RS_TYPE_TSS64_BUSY;
	return 0;
}

int cpu_resume_from_efi(const struct efi_cpu_state *fw, const void *gdt, size_t gdt_size,
			struct cpu_resume *out, char *err, size_t errlen)
{
	struct resume_ctx c = { gdt, MIN(gdt_size, (size_t)fw->gdtr_limit + 1), err, errlen };
	static const uint8_t data_regs[] = { RS_SS, RS_DS, RS_ES, RS_FS, RS_GS };
	const uint16_t sel[RS_COUNT] = { fw->es, fw->cs, fw->ss, fw->ds, fw->fs, fw->gs, fw->ldtr, fw->tr };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(fw->cr0 & CR0_PE) || !(fw->cr0 & CR0_PG) || !(fw->cr4 & CR4_PAE) ||
	    !(fw->efer & EFER_LME) || !(fw->efer & EFER_LMA)) {
		fmt_snprintf(err, errlen, "not in 64-bit mode with paging (CR0 0x%llx, CR4 0x%llx, EFER 0x%llx)",
			     (unsigned long long)fw->cr0, (unsigned long long)fw->cr4,
			     (unsigned long long)fw->efer);
		return -EINVAL;
	}
	if (fw->cr4 & CR4_LA57) {
		fmt_snprintf(err, errlen, "5-level paging (CR4.LA57) is not supported");
		return -EINVAL;
	}
	if (fw->rflags & RFLAGS_VM) {
		fmt_snprintf(err, errlen, "RFLAGS 0x%llx has the virtual-8086 flag", (unsigned long long)fw->rflags);
		return -EINVAL;
	}
	if (fw->dr7 >> 32) {
		fmt_snprintf(err, errlen, "DR7 0x%llx has bits 63:32 set", (unsigned long long)fw->dr7);
		return -EINVAL;
	}
	if (fw->debugctl & ~DEBUGCTL_VALID) {
		fmt_snprintf(err, errlen, "IA32_DEBUGCTL 0x%llx has bits VM entry refuses (only 0, 1, 6-14)",
			     (unsigned long long)fw->debugctl);
		return -EINVAL;
	}
	if (!canonical(fw->sysenter_esp) || !canonical(fw->sysenter_eip)) {
		fmt_snprintf(err, errlen, "IA32_SYSENTER_ESP 0x%llx or _EIP 0x%llx is not canonical",
			     (unsigned long long)fw->sysenter_esp, (unsigned long long)fw->sysenter_eip);
		return -EINVAL;
	}
	if ((rc = load_cs(&c, sel[RS_CS], &out->seg[RS_CS])) < 0)
		return rc;
	for (unsigned int i = 0; i < ARRAY_SIZE(data_regs); i++)
		if ((rc = load_data(&c, data_regs[i], sel[data_regs[i]], &out->seg[data_regs[i]])) < 0)
			return rc;
	if ((rc = load_system(&c, RS_LDTR, sel[RS_LDTR], &out->seg[RS_LDTR], &out->tr_made_up)) < 0 ||
	    (rc = load_system(&c, RS_TR, sel[RS_TR], &out->seg[RS_TR], &out->tr_made_up)) < 0)
		return rc;
	/* In 64-bit mode FS and GS bases are the MSRs (WRMSR or WRFSBASE may
	 * have changed them after the selector load): those are the truth. */
	out->seg[RS_FS].base = fw->fs_base;
	out->seg[RS_GS].base = fw->gs_base;

	out->cr0 = fw->cr0;
	out->cr3 = fw->cr3;
	out->cr4 = fw->cr4;
	out->efer = fw->efer;
	out->pat = fw->pat;
	out->kernel_gs_base = fw->kernel_gs_base;
	out->gdtr_base = fw->gdtr_base;
	out->gdtr_limit = fw->gdtr_limit;
	out->idtr_base = fw->idtr_base;
	out->idtr_limit = fw->idtr_limit;
	out->rip = fw->rip;
	out->rsp = fw->rsp;
	/* PUSHFQ never shows undefined bits set; clear them anyway (26.3.1.4). */
	out->rflags = (fw->rflags & RFLAGS_DEFINED) | RFLAGS_FIXED1;
	out->rbx = fw->rbx;
	out->rbp = fw->rbp;
	out->rdi = fw->rdi;
	out->rsi = fw->rsi;
	out->r12 = fw->r12;
	out->r13 = fw->r13;
	out->r14 = fw->r14;
	out->r15 = fw->r15;
	out->dr7 = fw->dr7;
	out->debugctl = fw->debugctl;
	out->sysenter_cs = fw->sysenter_cs;
	out->sysenter_esp = fw->sysenter_esp;
	out->sysenter_eip = fw->sysenter_eip;
	return 0;
}
