/* guest/emul/insn_emulate.h - executes a decoded instruction against guest registers and
 * a memory-access callback (SDM Vol. 1, 3.4.3 EFLAGS, 3.7.5 addressing; Vol. 2 per instruction). */
#ifndef GUEST_INSN_EMULATE_H
#define GUEST_INSN_EMULATE_H

#include "guest/emul/insn_decode.h"

/* RFLAGS bits the emulated instructions read or write (SDM Vol. 1, 3.4.3). */
#define INSN_RFLAGS_CF    (1ULL << 0)
#define INSN_RFLAGS_PF    (1ULL << 2)
#define INSN_RFLAGS_AF    (1ULL << 4)
#define INSN_RFLAGS_ZF    (1ULL << 6)
#define INSN_RFLAGS_SF    (1ULL << 7)
#define INSN_RFLAGS_DF    (1ULL << 10)
#define INSN_RFLAGS_OF    (1ULL << 11)
#define INSN_RFLAGS_ARITH (INSN_RFLAGS_CF | INSN_RFLAGS_PF | INSN_RFLAGS_AF | INSN_RFLAGS_ZF | \
			   INSN_RFLAGS_SF | INSN_RFLAGS_OF)

/* Iterations of one REP string instruction per insn_emulate call; the rest runs when the
 * guest executes the instruction again (as after an interrupt between iterations). */
#define INSN_REP_MAX      4096u

/*
 * Memory at linear addresses. The caller translates through the guest page
 * tables and routes device memory to its model. Each call moves `size` bytes
 * (1, 2, 4 or 8) whole or not at all (a write that crosses a page boundary is
 * translated for both pages before either is written). A nonzero return aborts
 * the instruction and is returned by insn_emulate as it is: a negative error,
 * or whatever the caller uses to mean "inject this fault".
 */
struct insn_ops {
	int (*read)(void *ctx, uint64_t la, void *buf, unsigned int size);
	int (*write)(void *ctx, uint64_t la, const void *buf, unsigned int size);
	void *ctx;
};

/* The guest state an instruction can read or change. */
struct insn_cpu {
	uint64_t gpr[16];               /* SDM order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
	uint64_t rip, rflags;
	uint64_t seg_base[6];           /* ES CS SS DS FS GS (enum insn_seg); 64-bit mode uses FS, GS only */
	enum cpu_mode mode;             /* must be the mode the instruction was decoded for */
	uint32_t seg_limit[6];          /* segment limits, checked if seg_limits (16/32-bit code) */
	bool seg_limits;                /* check expand-up limits: #GP(0), #SS(0) for SS (SDM Vol. 3A, 5.3) */
	uint16_t gpr_written;           /* bit r set by every write to gpr[r] (the caller clears it):
					   what the caller must write back */
};

/* A register operand of size bytes in gpr[16] (reg: enum insn_reg, AH..BH
 * included), read, and written as the CPU writes it: 8- and 16-bit writes
 * keep the other bits; 32-bit writes zero bits 63:32, as hardware does (the
 * SDM leaves them undefined outside 64-bit mode; KVM zeroes too). */
static inline uint64_t insn_gpr_read(const uint64_t *gpr, unsigned int reg, unsigned int size)
{
	if (reg >= INSN_REG_AH && reg <= INSN_REG_BH)
		return (gpr[reg - INSN_REG_AH] >> 8) & 0xff;
	return size >= 8 ? gpr[reg] : gpr[reg] & ((1ULL << (8 * size)) - 1);
}

/* Returns the index of the register written. */
static inline unsigned int insn_gpr_write(uint64_t *gpr, unsigned int reg, unsigned int size, uint64_t val)
{
	uint64_t m = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

	if (reg >= INSN_REG_AH && reg <= INSN_REG_BH) {
		reg -= INSN_REG_AH;
		gpr[reg] = (gpr[reg] & ~0xff00ULL) | ((val & 0xff) << 8);
	} else if (size >= 4) {
		gpr[reg] = val & m;
	} else {
		gpr[reg] = (gpr[reg] & ~m) | (val & m);
	}
	return reg;
}

/* insn_emulate() results for an access beyond a segment's limit. */
#define INSN_FAULT_GP   (-1000)         /* #GP(0) */
#define INSN_FAULT_SS   (-1001)         /* #SS(0) */

/*
 * Executes in (decoded from the bytes at cpu->rip) on cpu. Returns 0 when it
 * completed (RIP advanced) or when a REP string instruction stopped after
 * INSN_REP_MAX iterations (RIP unchanged: it continues when the guest runs
 * again); the nonzero return of ops->read or ops->write, with nothing of the
 * instruction done except the REP iterations completed before (RCX, RSI and RDI
 * say how many); -EINVAL if in is malformed or was decoded for another mode.
 * Not checked here: segment limits and rights, canonical addresses, alignment
 * checks (the caller's translation does them), and atomicity against other
 * CPUs (LOCK and XCHG are read, compute, write).
 */
int insn_emulate(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops) __must_check;

/* Whether in is well formed for code of mode: what insn_emulate checks
 * first (every insn_decode result for mode is). */
bool insn_check(const struct insn *in, enum cpu_mode mode);

/* insn_emulate for an in that passed insn_check for cpu->mode (a decoded
 * instruction kept for reuse): the same but for that check. -EINVAL if
 * cpu->mode is not in->mode. */
int insn_emulate_checked(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops) __must_check;

/* The linear address of in->mem on cpu: the access an EPT violation reported, for checks. */
uint64_t insn_mem_linear(const struct insn *in, const struct insn_cpu *cpu);

/*
 * Computes kind (INSN_ADD..INSN_TEST, INSN_NOT, INSN_NEG, INSN_INC, INSN_DEC)
 * on the low `size` bytes of dst and src; returns the result (truncated to
 * size) and updates the arithmetic flags in *rflags as the SDM defines them,
 * using CF for ADC/SBB. Flags the SDM leaves undefined: AF of AND/OR/XOR/TEST
 * is cleared.
 */
uint64_t insn_alu(unsigned int kind, unsigned int size, uint64_t dst, uint64_t src, uint64_t *rflags);

/* Whether condition cc (bits 3:0 of a Jcc, CMOVcc or SETcc opcode: O, NO, B, AE, E, NE,
 * BE, A, S, NS, P, NP, L, GE, LE, G) holds for rflags. */
bool insn_cond(unsigned int cc, uint64_t rflags);

#endif
