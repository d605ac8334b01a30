/* guest/emul/insn_cond.c - the condition codes of Jcc, CMOVcc and SETcc over RFLAGS (SDM Vol. 1,
 * Appendix B, Table B-1 EFLAGS condition codes). */
#include "guest/emul/insn_priv.h"

bool insn_cond(unsigned int cc, uint64_t rflags)
{
	bool cf = rflags & INSN_RFLAGS_CF, zf = rflags & INSN_RFLAGS_ZF, pf = rflags & INSN_RFLAGS_PF;
	bool sf = rflags & INSN_RFLAGS_SF, of = rflags & INSN_RFLAGS_OF;
	bool t;

	/* Bits 3:1 pick the test, bit 0 negates it: O B E BE S P L LE and their N forms. */
	switch ((cc >> 1) & 7) {
	case 0: t = of; break;
	case 1: t = cf; break;
	case 2: t = zf; break;
	case 3: t = cf || zf; break;
	case 4: t = sf; break;
	case 5: t = pf; break;
	case 6: t = sf != of; break;
	default: t = zf || sf != of; break;
	}
	return t != (cc & 1);
}
