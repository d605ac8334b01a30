/* guest/emul/insn_cache.h - decoded instructions kept per vCPU for the MMIO
 * emulation, each with everything its fetch depended on, so that a hit is
 * exactly what a fresh walk, fetch and decode would give (SDM Vol. 3A, 4.10
 * says what a CPU may cache of translations; this cache may cache less).
 *
 * Why a hit is never stale. What emulate.c computes for the instruction at
 * RIP is a function of:
 *   1. the linear address la of its first byte and the code's mode (16, 32,
 *      64), both in the key;
 *   2. the guest page walk for a fetch of la (guest/emul/gpt_walk.c), a
 *      function of: the paging mode (CR0.PG, CR4.PAE, EFER.LMA, CR4.LA57),
 *      CR3, CR4.PSE (32-bit paging), CR4.SMEP, EFER.NXE, whether the access
 *      is a user one (CPL 3), the PAE PDPTE register for la, MAXPHYADDR (fixed
 *      at boot), and the paging-structure entries it read, at addresses that
 *      follow from CR3 and the entries above them. CR0.WP, CR4.SMAP and
 *      RFLAGS.AC matter only to data accesses, never to a fetch. The key
 *      holds all of these but the entries; the entry keeps a host pointer to
 *      each paging-structure entry the walk read and the value it read with
 *      the accessed flag the walk set ORed in (the value memory holds after
 *      the walk when nothing else wrote it). A hit needs every one of those
 *      to read back the same, in which case the walk would read the same
 *      entries at the same addresses, allow the fetch and set nothing (the
 *      accessed flags are set), giving the same guest-physical address;
 *   3. whether those addresses and the code's are guest RAM, and which host
 *      memory backs them: fixed while the guest memory map is unchanged,
 *      whose generation (a 64-bit count bumped by every change) is in the key;
 *   4. the instruction's bytes: the entry keeps them and a host pointer to
 *      where the fetch found them; a hit needs them equal. The decoder reads
 *      its input strictly in order and its result's length is how far it read
 *      (guest/emul/insn_decode.c), so its result depends on those bytes only.
 * Only instructions that lie within one page of guest RAM are kept (one walk,
 * one pointer). Another CPU may write the page tables or the code while the
 * check runs: the hit then equals a walk and fetch made at the moment of the
 * check, the same race a fresh walk has with such a writer.
 */
#ifndef GUEST_INSN_CACHE_H
#define GUEST_INSN_CACHE_H

#include "guest/emul/insn_decode.h"
#include "guest/emul/insn_emulate.h"
#include "guest/emul/gpt_walk.h"

#define INSN_CACHE_WAYS 4          /* entries per vCPU, by the low bits of la */

/* The key's flags: the walk's mode bits and the access's kind. */
#define INSN_CACHE_PSE   (1u << 0)  /* CR4.PSE (looked at by 32-bit paging only) */
#define INSN_CACHE_SMEP  (1u << 1)
#define INSN_CACHE_NXE   (1u << 2)
#define INSN_CACHE_USER  (1u << 3)  /* CPL 3: a user-mode fetch */

struct insn_cache_key {
	uint64_t la;                    /* linear address of the first byte */
	uint64_t cr3;
	uint64_t pdpte;                 /* PAE paging: the PDPTE register for la; else 0 */
	uint64_t gen;                   /* the guest memory map's generation */
	uint8_t paging;                 /* enum gpt_mode */
	uint8_t flags;                  /* INSN_CACHE_* */
	uint8_t mode;                   /* enum cpu_mode of the code */
};

/* The paging-structure entries one walk read, where the host sees them. */
#define INSN_CACHE_LEVELS 5
struct insn_cache_walk {
	unsigned int count;
	const void *ptr[INSN_CACHE_LEVELS];   /* 4-byte entries (32-bit paging) or 8-byte ones */
	uint64_t val[INSN_CACHE_LEVELS];      /* with the accessed flag the walk set */
	bool wide;                            /* 8-byte entries */
};

struct insn_cache_entry {
	struct insn_cache_key key;
	bool valid;
	struct insn_cache_walk walk;
	const uint8_t *code;            /* host pointer to the instruction's first byte */
	gpa_t code_gpa;                 /* its guest-physical address */
	uint8_t bytes[INSN_MAX_LEN];    /* its bytes, insn.len of them */
	uint64_t word[2], word_mask[2]; /* the same as two words, bytes past insn.len masked off */
	uint8_t segs;                   /* insn_segs_used(), as far as mode looks at segments */
	bool mov64;                     /* insn_mov64_simple(): a MOV emulate.c can do directly */
	struct insn insn;
};

struct insn_cache {
	struct insn_cache_entry e[INSN_CACHE_WAYS];
	uint64_t hits, misses;          /* for the shell and the tests */
};

/* The key for a fetch at la by code of mode with the control registers
 * cr0, cr3, cr4 and efer (paging mode m = gpt_mode_bits of them; pdpte:
 * the PDPTE registers, read only under PAE paging), in a map of
 * generation gen. */
static inline void insn_cache_key_make(struct insn_cache_key *k, uint64_t la, enum cpu_mode mode, bool user,
				       uint64_t gen, enum gpt_mode m, uint64_t cr3, uint64_t cr4, uint64_t efer,
				       const uint64_t pdpte[4])
{
	k->la = la;
	k->cr3 = m == GPT_NONE ? 0 : cr3;
	k->pdpte = m == GPT_PAE ? pdpte[(uint32_t)la >> 30] : 0;
	k->gen = gen;
	k->paging = (uint8_t)m;
	k->mode = (uint8_t)mode;
	k->flags = (uint8_t)(((cr4 & (1ULL << 4)) ? INSN_CACHE_PSE : 0) |
			     ((cr4 & GPT_CR4_SMEP) ? INSN_CACHE_SMEP : 0) |
			     ((efer & GPT_EFER_NXE) ? INSN_CACHE_NXE : 0) |
			     (user ? INSN_CACHE_USER : 0));
}

/* The same from the walker's view of the CPU. */
void insn_cache_key_of(const struct gpt_cpu *c, uint64_t la, enum cpu_mode mode, bool user,
		       uint64_t gen, struct insn_cache_key *k);

/* The walk record of a successful fetch walk r, whose entry at
 * r->entry_addrs[i] the host reaches at ptr[i] (the PAE PDPTE, a register,
 * is left out: the key has it). */
void insn_cache_walk_of(const struct gpt_result *r, const void *const ptr[INSN_CACHE_LEVELS],
			struct insn_cache_walk *w);

/* The entry kept for la, if any. */
static inline unsigned int insn_cache_way(uint64_t la)
{
	return (unsigned int)(la ^ (la >> 7)) % INSN_CACHE_WAYS;
}

static inline bool insn_cache_same_key(const struct insn_cache_key *a, const struct insn_cache_key *b)
{
	return a->la == b->la && a->cr3 == b->cr3 && a->pdpte == b->pdpte && a->gen == b->gen &&
	       a->paging == b->paging && a->flags == b->flags && a->mode == b->mode;
}

/* Every entry of the walk still holds what the walk left there. */
static inline bool insn_cache_walk_unchanged(const struct insn_cache_walk *w)
{
	for (unsigned int i = 0; i < w->count; i++) {
		uint64_t now = w->wide ? *(const volatile uint64_t *)w->ptr[i] :
					 *(const volatile uint32_t *)w->ptr[i];

		if (now != w->val[i])
			return false;
	}
	return true;
}

/* The code still holds the decoded bytes. */
static inline bool insn_cache_bytes_unchanged(const struct insn_cache_entry *e)
{
	const volatile uint8_t *p = e->code;

	/* Two loads where 16 bytes from code stay in its page (which is guest RAM). */
	if (((uintptr_t)e->code & (PAGE_SIZE - 1)) <= PAGE_SIZE - 16) {
		uint64_t w0, w1;

		__builtin_memcpy(&w0, e->code, 8);
		__builtin_memcpy(&w1, e->code + 8, 8);
		return (w0 & e->word_mask[0]) == e->word[0] && (w1 & e->word_mask[1]) == e->word[1];
	}
	for (unsigned int i = 0; i < e->insn.len; i++)
		if (p[i] != e->bytes[i])
			return false;
	return true;
}

/* The entry for k whose walk entries and code bytes still read as they
 * did, or NULL (counted as a hit or a miss). Inline: every MMIO exit. */
static inline const struct insn_cache_entry *insn_cache_find(struct insn_cache *c,
							      const struct insn_cache_key *k)
{
	const struct insn_cache_entry *e = &c->e[insn_cache_way(k->la)];

	if (e->valid && insn_cache_same_key(&e->key, k) && insn_cache_walk_unchanged(&e->walk) &&
	    insn_cache_bytes_unchanged(e)) {
		c->hits++;
		return e;
	}
	c->misses++;
	return NULL;
}

/* Keeps in, decoded from bytes[0..in->len), which the fetch through the
 * walk w under k read at code (host pointer; guest-physical code_gpa; the
 * host can read from code to the end of its page, which is guest RAM).
 * Nothing is kept (false) if the instruction crosses a page boundary. */
bool insn_cache_put(struct insn_cache *c, const struct insn_cache_key *k, const struct insn_cache_walk *w,
		    const uint8_t *bytes, const uint8_t *code, gpa_t code_gpa, const struct insn *in);

/* Whether in is a MOV between memory and a register or an immediate in
 * 64-bit code whose address and register do not involve RSP (which the
 * VMCS holds) or a segment base (FS, GS): one access, to the page the exit
 * reported, and one register written, with nothing else to it. */
bool insn_mov64_simple(const struct insn *in);

/*
 * The direct path of such a MOV, in inline steps (every MMIO exit a kept
 * MOV hits takes it; guest/dev/emulate.c's mov64_direct does the access
 * between them and writes a load's register with insn_gpr_write, by the
 * CPU's rules). insn_mov64_gpa: whether the operand, at its effective
 * address from gpr and the RIP of the instruction's first byte, lies whole
 * in the page of the exit's linear address la (true: *gpa is its
 * guest-physical address, in the page of gpa_page, which the exit's
 * translation gave); false when it does not (the general path then does
 * it). insn_mov64_store_val: the in->dst.size bytes a store writes.
 */
static inline bool insn_mov64_gpa(const struct insn *in, const uint64_t *gpr, uint64_t rip, uint64_t la,
				  gpa_t gpa_page, gpa_t *gpa)
{
	const struct insn_mem *m = &in->mem;
	uint64_t ea = (uint64_t)m->disp;

	if (m->base == INSN_REG_RIP)
		ea += rip + in->len;
	else if (m->base != INSN_REG_NONE)
		ea += gpr[m->base];
	if (m->index != INSN_REG_NONE)
		ea += gpr[m->index] * m->scale;
	if (in->addr_size == 4)
		ea = (uint32_t)ea;
	if (((ea ^ la) & ~(uint64_t)(PAGE_SIZE - 1)) || (ea & (PAGE_SIZE - 1)) + in->dst.size > PAGE_SIZE)
		return false;
	*gpa = (gpa_page & ~(gpa_t)(PAGE_SIZE - 1)) | (ea & (PAGE_SIZE - 1));
	return true;
}

static inline uint64_t insn_mov64_store_val(const struct insn *in, const uint64_t *gpr)
{
	return in->src.type == INSN_OPND_IMM ? in->imm : insn_gpr_read(gpr, in->src.reg, in->dst.size);
}

/* Forgets every entry (nothing needs it for correctness; the shell, tests). */
void insn_cache_clear(struct insn_cache *c);

#endif
