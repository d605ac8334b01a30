/* guest/emul/insn_priv.h - helpers shared by the instruction emulator's files: register
 * access with x86 write semantics (SDM Vol. 1, 3.4.1.1), addresses and memory. */
#ifndef GUEST_INSN_PRIV_H
#define GUEST_INSN_PRIV_H

#include "guest/emul/insn_emulate.h"

/* All ones in the low `size` bytes (1, 2, 4 or 8). */
static inline uint64_t insn_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Sign-extends the low `size` bytes of x. */
static inline uint64_t insn_sext(uint64_t x, unsigned int size)
{
	unsigned int sh = 64 - 8 * size;

	return (uint64_t)((int64_t)(x << sh) >> sh);
}

uint64_t insn_reg_read(const struct insn_cpu *cpu, unsigned int reg, unsigned int size);
void insn_reg_write(struct insn_cpu *cpu, unsigned int reg, unsigned int size, uint64_t val);

/* Segment base + ea, as the mode forms linear addresses (64-bit: only FS/GS bases count). */
uint64_t insn_linear(const struct insn_cpu *cpu, unsigned int seg, uint64_t ea);

/* 0, or INSN_FAULT_GP/SS if size bytes at offset ea pass seg's limit (only
 * when cpu->seg_limits; expand-down segments are not modelled). */
int insn_seg_check(const struct insn_cpu *cpu, unsigned int seg, uint64_t ea, unsigned int size);

int insn_mem_read(const struct insn_ops *ops, uint64_t la, unsigned int size, uint64_t *val) __must_check;
int insn_mem_write(const struct insn_ops *ops, uint64_t la, unsigned int size, uint64_t val) __must_check;

/* Advances RIP past in, wrapping at the code segment's size. */
void insn_advance(const struct insn *in, struct insn_cpu *cpu);

/* STOS, MOVS, LODS, SCAS and CMPS with and without REP (guest/emul/insn_string.c). */
int insn_emulate_string(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops) __must_check;

#endif
