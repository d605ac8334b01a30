/* guest/emul/gpt_walk.h - guest page-table walker, GVA -> GPA as the CPU does it (SDM Vol. 3A,
 * 4.3 32-bit, 4.4 PAE, 4.5 4/5-level paging, 4.6 access rights, 4.7 #PF error code, 4.8 A/D). */
#ifndef GUEST_GPT_WALK_H
#define GUEST_GPT_WALK_H

#include "lib/compiler.h"
#include "lib/addr.h"

#ifndef EFAULT
#define EFAULT 14                   /* bad address (belongs in lib/compiler.h) */
#endif

/* Control-register and EFER bits the walk depends on (SDM Vol. 3A, 2.5, 2.2.1). */
#define GPT_CR0_WP      (1ULL << 16)
#define GPT_CR0_PG      (1ULL << 31)
#define GPT_CR4_PSE     (1ULL << 4)
#define GPT_CR4_PAE     (1ULL << 5)
#define GPT_CR4_LA57    (1ULL << 12)
#define GPT_CR4_SMEP    (1ULL << 20)
#define GPT_CR4_SMAP    (1ULL << 21)
#define GPT_EFER_LMA    (1ULL << 10)
#define GPT_EFER_NXE    (1ULL << 11)
#define GPT_RFLAGS_AC   (1ULL << 18)

/* #PF error code (SDM Vol. 3A, 4.7, Figure 4-12). */
#define PFERR_P         (1u << 0)   /* 0: not present; 1: protection or reserved bit */
#define PFERR_W         (1u << 1)   /* the access was a write */
#define PFERR_U         (1u << 2)   /* the access was a user-mode access */
#define PFERR_RSVD      (1u << 3)   /* a reserved bit was set in a paging-structure entry */
#define PFERR_I         (1u << 4)   /* instruction fetch (with NXE under PAE/IA-32e, or SMEP) */

struct gpt_mem {                    /* guest-physical memory access for the walker */
	int (*read64)(void *ctx, gpa_t pa, uint64_t *val);      /* 0, or -EFAULT if pa is not guest RAM */
	int (*write64)(void *ctx, gpa_t pa, uint64_t val);      /* for A/D updates */
	void *ctx;
};

struct gpt_cpu {                    /* the guest's paging-related state */
	uint64_t cr0, cr3, cr4, efer, rflags;
	uint64_t pdpte[4];              /* PAE: the PDPTE registers */
	unsigned int cpl;               /* 0..3 */
	unsigned int maxphyaddr;        /* CPUID.80000008H:EAX[7:0], e.g. 39 or 46 */
};

#define GPT_ACCESS_WRITE   (1u << 0)
#define GPT_ACCESS_USER    (1u << 1)   /* an explicit user-mode access (CPL 3) */
#define GPT_ACCESS_FETCH   (1u << 2)
#define GPT_ACCESS_IMPLICIT (1u << 3)  /* implicit supervisor access (descriptor tables...) */

enum gpt_mode { GPT_NONE, GPT_32BIT, GPT_PAE, GPT_4LEVEL, GPT_5LEVEL };

struct gpt_result {
	gpa_t gpa;                      /* on success */
	uint64_t page_size;             /* 4 KiB, 2 MiB, 4 MiB, 1 GiB; for GPT_NONE 4 KiB */
	enum gpt_mode mode;
	unsigned int levels;            /* entries read */
	uint64_t entries[5];            /* the entries read, top level first (for the shell's gva command) */
	gpa_t entry_addrs[5];
	uint32_t pf_error;              /* on fault: #PF error code (P, W/R, U/S, RSVD, I/D bits as SDM 4.7) */
};

/* The paging mode CR0.PG, CR4.PAE, EFER.LMA and CR4.LA57 select (SDM Vol. 3A, 4.1.1, Table 4-1). */
static inline enum gpt_mode gpt_mode_bits(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	if (!(cr0 & GPT_CR0_PG))
		return GPT_NONE;
	if (!(cr4 & GPT_CR4_PAE))
		return GPT_32BIT;
	if (!(efer & GPT_EFER_LMA))
		return GPT_PAE;
	return cr4 & GPT_CR4_LA57 ? GPT_5LEVEL : GPT_4LEVEL;
}

static inline enum gpt_mode gpt_mode_of(const struct gpt_cpu *cpu)
{
	return gpt_mode_bits(cpu->cr0, cpu->cr4, cpu->efer);
}

/*
 * Translates gva for an access of kind `access`. Returns 0 (result filled,
 * A/D bits updated), -EFAULT (a paging structure is not in guest RAM: the
 * caller decides, e.g. stop the guest), or -ENOENT meaning a page fault:
 * res->pf_error holds the error code to inject with CR2 = gva.
 *
 * Not checked here, the caller's job: canonicality (a non-canonical address is
 * #GP or #SS, not #PF, and only bits 47/56:0 are used), segmentation, and
 * protection keys (ignored). Outside IA-32e mode gva is truncated to 32 bits.
 * A user-mode access is GPT_ACCESS_USER without GPT_ACCESS_IMPLICIT; cpl only
 * matters for SMAP, whose EFLAGS.AC override needs an explicit access at
 * CPL < 3. PAE PDPTEs come from cpu->pdpte (entries[0], with the address they
 * were loaded from); reserved bits in them give a RSVD fault, as in KVM,
 * where hardware would have refused them at load. 1-GiB pages are assumed
 * supported; maxphyaddr is clamped to [32, 52]. Entries are reported as read,
 * before the A/D update; 32-bit paging entries are read through read64 at the
 * 8-byte-aligned address, so an access never leaves the table's page.
 */
int gpt_translate(const struct gpt_cpu *cpu, const struct gpt_mem *mem, gva_t gva, unsigned int access, struct gpt_result *res);

#endif
