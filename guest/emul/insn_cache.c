/* guest/emul/insn_cache.c - decoded instructions kept per vCPU, each checked
 * against everything its walk, fetch and decode depended on before it is
 * used again (guest/emul/insn_cache.h says why that is enough). */
#include "guest/emul/insn_cache.h"
#include "guest/emul/insn_emulate.h"

#define ENT_A (1ULL << 5)           /* accessed, in every paging-structure entry (SDM Vol. 3A, 4.8) */

void insn_cache_key_of(const struct gpt_cpu *c, uint64_t la, enum cpu_mode mode, bool user,
		       uint64_t gen, struct insn_cache_key *k)
{
	insn_cache_key_make(k, la, mode, user, gen, gpt_mode_of(c), c->cr3, c->cr4, c->efer, c->pdpte);
}

void insn_cache_walk_of(const struct gpt_result *r, const void *const ptr[INSN_CACHE_LEVELS],
			struct insn_cache_walk *w)
{
	unsigned int i = r->mode == GPT_PAE ? 1 : 0;   /* the PDPTE is a register */

	w->count = 0;
	w->wide = r->mode != GPT_32BIT;
	for (; i < r->levels && i < INSN_CACHE_LEVELS; i++) {
		w->ptr[w->count] = ptr[i];
		/* The walk set the accessed flag of every entry it used (4.8). */
		w->val[w->count] = r->entries[i] | ENT_A;
		w->count++;
	}
}

bool insn_cache_put(struct insn_cache *c, const struct insn_cache_key *k, const struct insn_cache_walk *w,
		    const uint8_t *bytes, const uint8_t *code, gpa_t code_gpa, const struct insn *in)
{
	struct insn_cache_entry *e = &c->e[insn_cache_way(k->la)];

	if (in->len == 0 || in->len > INSN_MAX_LEN || w->count > INSN_CACHE_LEVELS ||
	    (k->la & (PAGE_SIZE - 1)) + in->len > PAGE_SIZE || !insn_check(in, (enum cpu_mode)k->mode))
		return false;
	e->valid = false;
	e->key = *k;
	e->walk = *w;
	e->code = code;
	e->code_gpa = code_gpa;
	/* The bytes decoded, not what code holds now: a hit must compare with those. */
	e->word[0] = e->word[1] = e->word_mask[0] = e->word_mask[1] = 0;
	for (unsigned int i = 0; i < in->len; i++) {
		e->bytes[i] = bytes[i];
		e->word[i / 8] |= (uint64_t)bytes[i] << (8 * (i % 8));
		e->word_mask[i / 8] |= 0xffULL << (8 * (i % 8));
	}
	e->segs = (uint8_t)insn_segs_used(in);
	/* In 64-bit mode only FS and GS have a base, and no segment a limit. */
	if (k->mode == CPU_MODE_64)
		e->segs &= (1u << INSN_SEG_FS) | (1u << INSN_SEG_GS);
	e->mov64 = insn_mov64_simple(in);
	e->insn = *in;
	e->valid = true;
	return true;
}

bool insn_mov64_simple(const struct insn *in)
{
	const struct insn_opnd *o = in->dst.type == INSN_OPND_MEM ? &in->src : &in->dst;

	if (in->kind != INSN_MOV || in->mode != CPU_MODE_64 || !in->has_mem ||
	    (in->dst.type != INSN_OPND_MEM && in->src.type != INSN_OPND_MEM) ||
	    in->mem.seg == INSN_SEG_FS || in->mem.seg == INSN_SEG_GS ||
	    in->mem.base == INSN_REG_RSP || in->mem.index == INSN_REG_RSP)
		return false;
	if (in->prefixes & (INSN_PFX_LOCK | INSN_PFX_REP | INSN_PFX_REPNE))
		return false;
	if (o->type == INSN_OPND_IMM)
		return in->dst.type == INSN_OPND_MEM;
	return o->type == INSN_OPND_REG && o->reg != INSN_REG_RSP && o->size == in->dst.size;
}

void insn_cache_clear(struct insn_cache *c)
{
	for (unsigned int i = 0; i < INSN_CACHE_WAYS; i++)
		c->e[i].valid = false;
}
