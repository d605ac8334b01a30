/* guest/insn_string.c - STOS and MOVS with and without REP (SDM Vol. 2B, STOS, MOVS,
 * REP: count in rCX and pointers rSI/rDI of the address size, direction from DF). */
#include "guest/insn_priv.h"

/*
 * Each iteration is one unit: the read (MOVS), the write, then rDI, rSI and
 * rCX. A fault leaves the iterations before it done and nothing of its own,
 * with RIP still at the instruction, as hardware leaves it for the restart.
 * F2 (REPNE) repeats STOS and MOVS like F3: they do not look at ZF.
 */
int insn_emulate_string(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops)
{
	unsigned int size = in->size, as = in->addr_size, n;
	uint64_t am = insn_mask(as);
	uint64_t step = cpu->rflags & INSN_RFLAGS_DF ? (uint64_t)0 - size : size;
	bool rep = in->prefixes & (INSN_PFX_REP | INSN_PFX_REPNE);
	uint64_t count = rep ? cpu->gpr[INSN_REG_RCX] & am : 1;
	unsigned int src_seg = in->seg_override != INSN_SEG_NONE ? in->seg_override : INSN_SEG_DS;
	int err;

	for (n = 0; count && n < INSN_REP_MAX; n++) {
		uint64_t di = cpu->gpr[INSN_REG_RDI] & am, si = cpu->gpr[INSN_REG_RSI] & am, v;

		if (in->kind == INSN_MOVS) {
			err = insn_seg_check(cpu, src_seg, si, size);
			if (!err)
				err = insn_mem_read(ops, insn_linear(cpu, src_seg, si), size, &v);
			if (err)
				return err;
		} else {
			v = insn_reg_read(cpu, INSN_REG_RAX, size);
		}
		err = insn_seg_check(cpu, INSN_SEG_ES, di, size);
		if (!err)
			err = insn_mem_write(ops, insn_linear(cpu, INSN_SEG_ES, di), size, v);
		if (err)
			return err;
		insn_reg_write(cpu, INSN_REG_RDI, as, di + step);
		if (in->kind == INSN_MOVS)
			insn_reg_write(cpu, INSN_REG_RSI, as, si + step);
		count--;
		if (rep)
			insn_reg_write(cpu, INSN_REG_RCX, as, count);
	}
	if (count == 0)
		insn_advance(in, cpu);
	return 0;
}
