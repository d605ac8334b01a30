/* guest/emul/insn_string.c - STOS, MOVS, LODS, SCAS and CMPS with and without REP (SDM Vol. 2B,
 * STOS, MOVS, LODS, SCAS, CMPS, REP/REPE/REPNE: count in rCX and pointers rSI/rDI of the
 * address size, direction from DF). */
#include "guest/emul/insn_priv.h"

/* Reads size bytes at offset ea of seg, checking the segment's limit first. */
static int seg_read(struct insn_cpu *cpu, const struct insn_ops *ops, unsigned int seg,
		    uint64_t ea, unsigned int size, uint64_t *v)
{
	int err = insn_seg_check(cpu, seg, ea, size);

	return err ? err : insn_mem_read(ops, insn_linear(cpu, seg, ea), size, v);
}

/*
 * Each iteration is one unit: the reads, the write or compare, then rDI, rSI
 * and rCX. A fault leaves the iterations before it done (their flags included)
 * and nothing of its own, with RIP still at the instruction, as hardware leaves
 * it for the restart. F2 (REPNE) repeats STOS, MOVS and LODS like F3: they do
 * not look at ZF. SCAS and CMPS stop early, with the instruction completed,
 * after an iteration that leaves ZF clear under F3 (REPE) or set under F2
 * (REPNE); their flags are those of CMP (SDM Vol. 2B, REP: the count is
 * decremented and tested before ZF).
 */
int insn_emulate_string(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops)
{
	unsigned int size = in->size, as = in->addr_size, n, kind = in->kind;
	uint64_t am = insn_mask(as);
	uint64_t step = cpu->rflags & INSN_RFLAGS_DF ? (uint64_t)0 - size : size;
	bool rep = in->prefixes & (INSN_PFX_REP | INSN_PFX_REPNE);
	bool cmp = kind == INSN_SCAS || kind == INSN_CMPS;
	bool uses_si = kind == INSN_MOVS || kind == INSN_LODS || kind == INSN_CMPS;
	bool uses_di = kind != INSN_LODS;
	uint64_t count = rep ? cpu->gpr[INSN_REG_RCX] & am : 1;
	unsigned int src_seg = in->seg_override != INSN_SEG_NONE ? in->seg_override : INSN_SEG_DS;
	bool stop = false;
	int err;

	for (n = 0; count && !stop && n < INSN_REP_MAX; n++) {
		uint64_t di = cpu->gpr[INSN_REG_RDI] & am, si = cpu->gpr[INSN_REG_RSI] & am;
		uint64_t v = 0, w = 0;

		if (uses_si) {
			err = seg_read(cpu, ops, src_seg, si, size, &v);
			if (err)
				return err;
		} else {
			v = insn_reg_read(cpu, INSN_REG_RAX, size);     /* STOS, SCAS */
		}
		if (cmp) {
			err = seg_read(cpu, ops, INSN_SEG_ES, di, size, &w);
			if (err)
				return err;
			insn_alu(INSN_CMP, size, v, w, &cpu->rflags);
		} else if (kind == INSN_LODS) {
			insn_reg_write(cpu, INSN_REG_RAX, size, v);
		} else {
			err = insn_seg_check(cpu, INSN_SEG_ES, di, size);
			if (!err)
				err = insn_mem_write(ops, insn_linear(cpu, INSN_SEG_ES, di), size, v);
			if (err)
				return err;
		}
		if (uses_di)
			insn_reg_write(cpu, INSN_REG_RDI, as, di + step);
		if (uses_si)
			insn_reg_write(cpu, INSN_REG_RSI, as, si + step);
		count--;
		if (rep) {
			bool zf = cpu->rflags & INSN_RFLAGS_ZF;

			insn_reg_write(cpu, INSN_REG_RCX, as, count);
			if (cmp)
				stop = (in->prefixes & INSN_PFX_REP) ? !zf : zf;
		}
	}
	if (count == 0 || stop)
		insn_advance(in, cpu);
	return 0;
}
