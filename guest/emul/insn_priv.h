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

/* insn_gpr_write, remembered in gpr_written. */
static inline void insn_reg_write(struct insn_cpu *cpu, unsigned int reg, unsigned int size, uint64_t val)
{
	cpu->gpr_written |= (uint16_t)(1u << insn_gpr_write(cpu->gpr, reg, size, val));
}

/* Segment base + ea, as the mode forms linear addresses (64-bit: only FS/GS bases count). */
static inline uint64_t insn_linear(const struct insn_cpu *cpu, unsigned int seg, uint64_t ea)
{
	if (cpu->mode == CPU_MODE_64)
		return seg == INSN_SEG_FS || seg == INSN_SEG_GS ? cpu->seg_base[seg] + ea : ea;
	return (uint32_t)(cpu->seg_base[seg] + ea);
}

/* 0, or INSN_FAULT_GP/SS if size bytes at offset ea pass seg's limit (only
 * when cpu->seg_limits; expand-down segments are not modelled). */
static inline int insn_seg_check(const struct insn_cpu *cpu, unsigned int seg, uint64_t ea, unsigned int size)
{
	if (!cpu->seg_limits || cpu->mode == CPU_MODE_64 || seg >= 6)
		return 0;
	if (ea + size - 1 > cpu->seg_limit[seg] || ea + size - 1 < ea)
		return seg == INSN_SEG_SS ? INSN_FAULT_SS : INSN_FAULT_GP;
	return 0;
}

int insn_mem_read(const struct insn_ops *ops, uint64_t la, unsigned int size, uint64_t *val) __must_check;
int insn_mem_write(const struct insn_ops *ops, uint64_t la, unsigned int size, uint64_t val) __must_check;

/* Advances RIP past in, wrapping at the code segment's size. */
static inline void insn_advance(const struct insn *in, struct insn_cpu *cpu)
{
	uint64_t rip = cpu->rip + in->len;

	if (cpu->mode == CPU_MODE_16)
		rip &= 0xffff;
	else if (cpu->mode == CPU_MODE_32)
		rip &= 0xffffffff;
	cpu->rip = rip;
}

/* STOS, MOVS, LODS, SCAS and CMPS with and without REP (guest/emul/insn_string.c). */
int insn_emulate_string(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops) __must_check;

#endif
