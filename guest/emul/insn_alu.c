/* guest/emul/insn_alu.c - results and arithmetic flags of the ALU instructions (SDM Vol. 1,
 * 3.4.3.1 status flags, Appendix A EFLAGS cross-reference; Vol. 2 ADD, ADC, SUB, SBB, ...). */
#include "guest/emul/insn_priv.h"

/* PF: set when the low byte of the result has an even number of ones. */
static bool parity_even(uint64_t res)
{
	uint8_t x = (uint8_t)res;

	x ^= x >> 4;
	x ^= x >> 2;
	x ^= x >> 1;
	return !(x & 1);
}

uint64_t insn_alu(unsigned int kind, unsigned int size, uint64_t dst, uint64_t src, uint64_t *rflags)
{
	uint64_t m = insn_mask(size), msb = 1ULL << (8 * size - 1);
	uint64_t a = dst & m, b = src & m, res, fl = 0;
	uint64_t cf_in = *rflags & INSN_RFLAGS_CF;
	bool add = false, sub = false, keep_cf = false;

	switch (kind) {
	case INSN_ADD: res = a + b; add = true; break;
	case INSN_ADC: res = a + b + cf_in; add = true; break;
	case INSN_SUB:
	case INSN_CMP: res = a - b; sub = true; break;
	case INSN_SBB: res = a - b - cf_in; sub = true; break;
	case INSN_AND:
	case INSN_TEST: res = a & b; break;
	case INSN_OR: res = a | b; break;
	case INSN_XOR: res = a ^ b; break;
	case INSN_INC: b = 1; res = a + 1; add = true; keep_cf = true; break;
	case INSN_DEC: b = 1; res = a - 1; sub = true; keep_cf = true; break;
	case INSN_NEG: b = a; a = 0; res = 0 - b; sub = true; break;
	case INSN_NOT: return ~a & m;            /* no flags */
	default: return a;
	}
	res &= m;

	if (add) {
		/* Carry out of the top bit; overflow when both inputs' signs differ from the result's. */
		if (((a & b) | ((a | b) & ~res)) & msb)
			fl |= INSN_RFLAGS_CF;
		if ((a ^ res) & (b ^ res) & msb)
			fl |= INSN_RFLAGS_OF;
	} else if (sub) {
		/* Borrow into the top bit; overflow when the inputs' signs differ and the result's is b's. */
		if (((~a & b) | (~(a ^ b) & res)) & msb)
			fl |= INSN_RFLAGS_CF;
		if ((a ^ b) & (a ^ res) & msb)
			fl |= INSN_RFLAGS_OF;
	}
	if ((add || sub) && ((a ^ b ^ res) & 0x10))
		fl |= INSN_RFLAGS_AF;               /* carry or borrow out of bit 3 */
	if (keep_cf)
		fl = (fl & ~INSN_RFLAGS_CF) | cf_in;
	if (parity_even(res))
		fl |= INSN_RFLAGS_PF;
	if (res == 0)
		fl |= INSN_RFLAGS_ZF;
	if (res & msb)
		fl |= INSN_RFLAGS_SF;
	*rflags = (*rflags & ~INSN_RFLAGS_ARITH) | fl;
	return res;
}
