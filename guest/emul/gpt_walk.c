/* guest/emul/gpt_walk.c - guest page-table walker (SDM Vol. 3A, 4.3-4.5 paging modes,
 * 4.6 access rights, 4.7 page-fault error code, 4.8 accessed and dirty flags). */
#include "guest/emul/gpt_walk.h"

/* Paging-structure entry bits common to all modes (SDM Vol. 3A, Tables 4-4 .. 4-20). */
#define ENT_P          (1ULL << 0)
#define ENT_RW         (1ULL << 1)
#define ENT_US         (1ULL << 2)
#define ENT_A          (1ULL << 5)
#define ENT_D          (1ULL << 6)
#define ENT_PS         (1ULL << 7)     /* page size in PDEs / IA-32e PDPTEs; PAT in PTEs */
#define ENT_XD         (1ULL << 63)    /* PAE and IA-32e entries only */

#define ENT32_FRAME    0xfffff000ULL   /* 32-bit paging: table or 4 KiB frame, bits 31:12 */
#define ENT32_FRAME_4M 0xffc00000ULL   /* 32-bit PDE with PS: bits 31:22 of a 4 MiB frame */
#define CR3_PAE_PDPT   0xffffffe0ULL   /* PAE: CR3 bits 31:5 locate the PDPT (4.4.1) */

/* PAE PDPTE register bits 2:1 and 8:5 are reserved (Table 4-8), unlike IA-32e PDPTEs. */
#define PDPTE_PAE_RSVD 0x1e6ULL

_Static_assert((ENT_P | ENT_RW | ENT_US | ENT_A | ENT_D | ENT_PS) == 0xe7, "entry bits overlap");

/* bits hi:lo set; hi < 64. */
#define BITS(hi, lo)   ((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

/* One walk in progress. */
struct walk {
	const struct gpt_cpu *cpu;
	const struct gpt_mem *mem;
	struct gpt_result *res;
	gva_t va;                      /* truncated to 32 bits outside IA-32e mode */
	unsigned int access;           /* GPT_ACCESS_* */
	unsigned int m;                /* MAXPHYADDR, clamped to [32, 52] */
	uint64_t frame_mask;           /* bits M-1:12: table and page addresses */
	uint64_t rsvd;                 /* reserved in every PAE / IA-32e entry of this walk */
	bool rw, us, xd;               /* R/W and U/S ANDed over the entries used, XD ORed */
};

/* Implicit supervisor accesses are supervisor-mode whatever the CPL (4.6). */
static bool walk_user(const struct walk *w)
{
	return (w->access & GPT_ACCESS_USER) && !(w->access & GPT_ACCESS_IMPLICIT);
}

/* Records a page fault of kind `why` (0 = not present, or PFERR_P [| PFERR_RSVD]). */
static int walk_fault(struct walk *w, uint32_t why)
{
	uint32_t ec = why;

	if (w->access & GPT_ACCESS_WRITE)
		ec |= PFERR_W;
	if (walk_user(w))
		ec |= PFERR_U;
	/* 4.7: I/D reports a fetch only when fetches can be refused at all:
	 * SMEP, or XD (EFER.NXE under PAE or IA-32e paging). */
	if ((w->access & GPT_ACCESS_FETCH) &&
	    ((w->cpu->cr4 & GPT_CR4_SMEP) ||
	     (w->res->mode >= GPT_PAE && (w->cpu->efer & GPT_EFER_NXE))))
		ec |= PFERR_I;
	w->res->pf_error = ec;
	return -ENOENT;
}

static void walk_record(struct walk *w, gpa_t addr, uint64_t e)
{
	struct gpt_result *r = w->res;

	r->entries[r->levels] = e;
	r->entry_addrs[r->levels] = addr;
	r->levels++;
}

/*
 * Reads the entry of `size` bytes at addr, records it, and checks P: returns
 * 0, -EFAULT, or -ENOENT (not-present fault). A 4-byte entry is read as half
 * of the aligned quadword, which lies in the same table page.
 */
static int walk_read(struct walk *w, gpa_t addr, unsigned int size, uint64_t *e)
{
	uint64_t q;

	if (w->mem->read64(w->mem->ctx, addr & ~7ULL, &q))
		return -EFAULT;
	*e = size == 8 ? q : (uint32_t)(q >> (addr & 4) * 8);
	walk_record(w, addr, *e);
	if (!(*e & ENT_P))
		return walk_fault(w, 0);
	return 0;
}

/* Checks a present entry's reserved bits (4.7: RSVD faults have P = 1) and
 * folds its rights into the walk's. */
static int walk_use(struct walk *w, uint64_t e, uint64_t rsvd)
{
	if (e & rsvd)
		return walk_fault(w, PFERR_P | PFERR_RSVD);
	w->rw = w->rw && (e & ENT_RW);
	w->us = w->us && (e & ENT_US);
	w->xd = w->xd || (e & ENT_XD);      /* reserved, so already refused, without NXE */
	return 0;
}

static int walk_done(struct walk *w, gpa_t frame, uint64_t page_size)
{
	w->res->gpa = frame | (w->va & (page_size - 1));
	w->res->page_size = page_size;
	return 0;
}

/* 32-bit paging (4.3): 4-byte entries, a PD and a PT of 1024 each, or a 4 MiB
 * page from the PDE when CR4.PSE = 1, with PSE-36 address bits 39:32 in PDE 20:13. */
static int walk_32bit(struct walk *w)
{
	uint32_t va = (uint32_t)w->va;
	unsigned int m = MIN(w->m, 40u);
	uint64_t e;
	int rc;

	rc = walk_read(w, (w->cpu->cr3 & ENT32_FRAME) + (va >> 22) * 4, 4, &e);
	if (rc)
		return rc;
	if ((e & ENT_PS) && (w->cpu->cr4 & GPT_CR4_PSE)) {
		/* Table 4-6: bit 21 and bits 20:(M-19) are reserved. */
		rc = walk_use(w, e, BITS(21, m - 19));
		if (rc)
			return rc;
		return walk_done(w, (e & ENT32_FRAME_4M) | ((e >> 13) & 0xff) << 32, 4 * MiB);
	}
	rc = walk_use(w, e, 0);
	if (rc)
		return rc;
	rc = walk_read(w, (e & ENT32_FRAME) + ((va >> 12) & 0x3ff) * 4, 4, &e);
	if (rc)
		return rc;
	rc = walk_use(w, e, 0);
	if (rc)
		return rc;
	return walk_done(w, e & ENT32_FRAME, 4 * KiB);
}

/*
 * The 8-byte-entry levels shared by PAE (levels 2..1) and IA-32e paging
 * (levels 5 or 4..1): 512 entries per table, a page at level 3 (1 GiB, IA-32e
 * only) or 2 (2 MiB) when PS = 1, where the bits between 12 (PAT) and the page
 * size are reserved; PS itself is reserved in PML5Es and PML4Es.
 */
static int walk_tables(struct walk *w, gpa_t table, unsigned int top)
{
	unsigned int lvl, shift;
	uint64_t e, rsvd, size;
	bool page;
	int rc;

	for (lvl = top; lvl >= 1; lvl--) {
		shift = 12 + 9 * (lvl - 1);
		rc = walk_read(w, table + ((w->va >> shift) & 511) * 8, 8, &e);
		if (rc)
			return rc;
		page = lvl == 1 || ((lvl == 2 || lvl == 3) && (e & ENT_PS));
		rsvd = w->rsvd;
		if (lvl >= 4)
			rsvd |= ENT_PS;
		if (page && lvl > 1)
			rsvd |= BITS(shift - 1, 13);
		rc = walk_use(w, e, rsvd);
		if (rc)
			return rc;
		if (page) {
			size = 1ULL << shift;
			return walk_done(w, e & w->frame_mask & ~(size - 1), size);
		}
		table = e & w->frame_mask;
	}
	return -EFAULT;   /* not reached: level 1 always maps a page */
}

/* PAE paging (4.4): the PDPTE comes from the PDPTE registers, not memory; it
 * carries no rights and no accessed flag. */
static int walk_pae(struct walk *w)
{
	unsigned int i = (w->va >> 30) & 3;
	uint64_t e = w->cpu->pdpte[i];

	walk_record(w, (w->cpu->cr3 & CR3_PAE_PDPT) + i * 8, e);
	if (!(e & ENT_P))
		return walk_fault(w, 0);
	if (e & (PDPTE_PAE_RSVD | ~BITS(w->m - 1, 0)))
		return walk_fault(w, PFERR_P | PFERR_RSVD);
	return walk_tables(w, e & w->frame_mask, 2);
}

/* Access rights of the whole translation (4.6.1); the walk has set rw/us/xd. */
static bool walk_allowed(const struct walk *w)
{
	const struct gpt_cpu *c = w->cpu;
	bool write = w->access & GPT_ACCESS_WRITE;
	bool smap_off;

	if (w->access & GPT_ACCESS_FETCH) {
		if (w->xd)
			return false;
		if (walk_user(w))
			return w->us;
		return !(w->us && (c->cr4 & GPT_CR4_SMEP));
	}
	if (walk_user(w))
		return w->us && (!write || w->rw);
	/* EFLAGS.AC lifts SMAP only for explicit accesses, which at CPL 3 cannot
	 * be supervisor-mode ones. */
	smap_off = !(w->access & GPT_ACCESS_IMPLICIT) && c->cpl < 3 && (c->rflags & GPT_RFLAGS_AC);
	if (w->us && (c->cr4 & GPT_CR4_SMAP) && !smap_off)
		return false;
	return !write || w->rw || !(c->cr0 & GPT_CR0_WP);
}

/*
 * Sets A in every entry used and D in the leaf for writes (4.8), skipping the
 * PAE PDPTE. The CPU does a locked read-modify-write; here the quadword is
 * re-read and the flag ORed in, so a neighbouring 4-byte entry or a change
 * made since the walk is not overwritten with the value the walk saw.
 */
static int walk_set_ad(struct walk *w)
{
	struct gpt_result *r = w->res;
	unsigned int i = r->mode == GPT_PAE ? 1 : 0;
	uint64_t bits, q;
	unsigned int shift;

	for (; i < r->levels; i++) {
		bits = ENT_A;
		if (i == r->levels - 1 && (w->access & GPT_ACCESS_WRITE))
			bits |= ENT_D;
		if ((r->entries[i] & bits) == bits)
			continue;
		shift = (r->entry_addrs[i] & 4) * 8;   /* a 32-bit entry's half; 0 for 8-byte ones */
		if (w->mem->read64(w->mem->ctx, r->entry_addrs[i] & ~7ULL, &q))
			return -EFAULT;
		if (w->mem->write64(w->mem->ctx, r->entry_addrs[i] & ~7ULL, q | bits << shift))
			return -EFAULT;
	}
	return 0;
}

int gpt_translate(const struct gpt_cpu *cpu, const struct gpt_mem *mem, gva_t gva,
		  unsigned int access, struct gpt_result *res)
{
	struct walk w = {
		.cpu = cpu, .mem = mem, .res = res, .va = gva, .access = access,
		.m = MAX(32u, MIN(cpu->maxphyaddr, 52u)),
		.rw = true, .us = true, .xd = false,
	};
	int rc;

	*res = (struct gpt_result){ .gpa = INVALID_GPA, .mode = gpt_mode_of(cpu) };
	w.frame_mask = BITS(w.m - 1, 12);
	if (!(cpu->efer & GPT_EFER_NXE))
		w.rsvd |= ENT_XD;

	switch (res->mode) {
	case GPT_NONE:
		/* With paging off the linear address is the physical one; outside
		 * IA-32e mode it is 32 bits wide. */
		res->gpa = cpu->efer & GPT_EFER_LMA ? gva : (uint32_t)gva;
		res->page_size = 4 * KiB;
		return 0;
	case GPT_32BIT:
		w.va = (uint32_t)gva;
		rc = walk_32bit(&w);
		break;
	case GPT_PAE:
		/* PAE PDEs/PTEs reserve bits 62:M (Table 4-11 .. 4-13). */
		w.va = (uint32_t)gva;
		w.rsvd |= BITS(62, w.m);
		rc = walk_pae(&w);
		break;
	default:
		/* IA-32e entries reserve bits 51:M; 62:52 are ignored or PK (4.5). */
		if (w.m < 52)
			w.rsvd |= BITS(51, w.m);
		rc = walk_tables(&w, cpu->cr3 & w.frame_mask, res->mode == GPT_5LEVEL ? 5 : 4);
		break;
	}
	if (!rc && !walk_allowed(&w))
		rc = walk_fault(&w, PFERR_P);
	if (!rc)
		rc = walk_set_ad(&w);
	if (rc)
		res->gpa = INVALID_GPA;
	return rc;
}
