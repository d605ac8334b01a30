/* guest/emul/insn_emulate.c - executes a decoded instruction against guest registers and
 * a memory-access callback (SDM Vol. 1, 3.4.1.1 register writes, 3.7.5 addressing). */
#include "guest/emul/insn_priv.h"

uint64_t insn_reg_read(const struct insn_cpu *cpu, unsigned int reg, unsigned int size)
{
	return insn_gpr_read(cpu->gpr, reg, size);
}

/* Memory operands are little-endian, as x86 is: the bytes of a uint64_t are
 * the operand's, lowest first (the hypervisor and its host tests are x86). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "operand bytes are the value's");

int insn_mem_read(const struct insn_ops *ops, uint64_t la, unsigned int size, uint64_t *val)
{
	uint64_t v = 0;
	int err = ops->read(ops->ctx, la, &v, size);

	if (err)
		return err;
	*val = v & insn_mask(size);
	return 0;
}

int insn_mem_write(const struct insn_ops *ops, uint64_t la, unsigned int size, uint64_t val)
{
	return ops->write(ops->ctx, la, &val, size);
}

/* base + index * scale + disp + extra, truncated to the address size. */
static uint64_t mem_ea(const struct insn *in, const struct insn_cpu *cpu, uint64_t extra)
{
	const struct insn_mem *m = &in->mem;
	uint64_t ea = (uint64_t)m->disp + extra;

	if (m->base == INSN_REG_RIP)
		ea += cpu->rip + in->len;
	else if (m->base != INSN_REG_NONE)
		ea += cpu->gpr[m->base];
	if (m->index != INSN_REG_NONE)
		ea += cpu->gpr[m->index] * m->scale;
	return ea & insn_mask(in->addr_size);
}

uint64_t insn_mem_linear(const struct insn *in, const struct insn_cpu *cpu)
{
	return insn_linear(cpu, in->mem.seg, mem_ea(in, cpu, 0));
}

static bool size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static bool opnd_ok(const struct insn *in, const struct insn_opnd *o)
{
	switch (o->type) {
	case INSN_OPND_NONE:
		return true;
	case INSN_OPND_REG:
		return size_ok(o->size) &&
		       (o->reg < 16 || (o->size == 1 && o->reg >= INSN_REG_AH && o->reg <= INSN_REG_BH));
	case INSN_OPND_MEM:
		return size_ok(o->size) && in->has_mem;
	case INSN_OPND_IMM:
		return size_ok(o->size);
	default:
		return false;
	}
}

/* Whether in is something insn_decode could have produced for mode: never index past gpr[]. */
bool insn_check(const struct insn *in, enum cpu_mode mode)
{
	const struct insn_mem *m = &in->mem;

	if (in->kind == INSN_BAD || in->kind >= INSN_KIND_COUNT || in->mode != mode ||
	    mode > CPU_MODE_64 || !size_ok(in->size) || !size_ok(in->addr_size) ||
	    in->addr_size == 1 || in->len == 0 || in->len > INSN_MAX_LEN)
		return false;
	if (!opnd_ok(in, &in->dst) || !opnd_ok(in, &in->src))
		return false;
	if (in->has_mem &&
	    ((m->base >= 16 && m->base != INSN_REG_RIP && m->base != INSN_REG_NONE) ||
	     (m->index >= 16 && m->index != INSN_REG_NONE) || !size_ok(m->scale) ||
	     m->seg > INSN_SEG_GS))
		return false;
	if (in->seg_override > INSN_SEG_GS && in->seg_override != INSN_SEG_NONE)
		return false;
	return in->dst.type != INSN_OPND_NONE && in->dst.type != INSN_OPND_IMM;
}

static int opnd_read(const struct insn *in, const struct insn_cpu *cpu, const struct insn_ops *ops,
		     const struct insn_opnd *o, uint64_t la, uint64_t *v)
{
	switch (o->type) {
	case INSN_OPND_REG:
		*v = insn_reg_read(cpu, o->reg, o->size);
		return 0;
	case INSN_OPND_IMM:
		*v = in->imm & insn_mask(o->size);
		return 0;
	case INSN_OPND_MEM:
		return insn_mem_read(ops, la, o->size, v);
	default:
		*v = 0;
		return 0;
	}
}

/*
 * BT, BTS, BTR, BTC (SDM Vol. 2A, BT: "bit base, bit offset"). A register bit
 * offset is signed and, for a memory operand, selects the operand-size unit
 * (offset SAR log2(bits)) * size bytes away; an immediate is taken modulo the
 * operand size. CF is the bit; OF, SF, AF and PF are undefined and kept, ZF kept.
 */
static int emulate_bt(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops)
{
	unsigned int size = in->dst.size, bits = 8 * size, shift = size == 2 ? 4 : size == 4 ? 5 : 6;
	uint64_t off, val, la = 0, bit;
	int err;

	if (size == 1)
		return -EINVAL;
	if (in->src.type == INSN_OPND_IMM) {
		off = in->imm & (bits - 1);
	} else if (in->src.type == INSN_OPND_REG) {
		off = insn_sext(insn_reg_read(cpu, in->src.reg, size), size);
	} else {
		return -EINVAL;
	}
	bit = off & (bits - 1);
	if (in->dst.type == INSN_OPND_MEM) {
		uint64_t adjust = 0;

		uint64_t ea;

		if (in->src.type == INSN_OPND_REG)
			adjust = (uint64_t)(((int64_t)off >> shift) * (int64_t)size);
		ea = mem_ea(in, cpu, adjust);
		err = insn_seg_check(cpu, in->mem.seg, ea, size);
		if (err)
			return err;
		la = insn_linear(cpu, in->mem.seg, ea);
	}
	err = opnd_read(in, cpu, ops, &in->dst, la, &val);
	if (err)
		return err;
	if (in->kind != INSN_BT) {
		uint64_t nval = in->kind == INSN_BTS ? val | (1ULL << bit) :
				in->kind == INSN_BTR ? val & ~(1ULL << bit) : val ^ (1ULL << bit);

		if (in->dst.type == INSN_OPND_MEM) {
			err = insn_mem_write(ops, la, size, nval);
			if (err)
				return err;
		} else {
			insn_reg_write(cpu, in->dst.reg, size, nval);
		}
	}
	cpu->rflags = (cpu->rflags & ~INSN_RFLAGS_CF) | ((val >> bit) & 1);
	insn_advance(in, cpu);
	return 0;
}

/* Whether the kind reads its destination operand before writing it (CMOVcc: a
 * register, kept when the condition is false). */
static bool reads_dst(unsigned int kind)
{
	return kind != INSN_MOV && kind != INSN_MOVZX && kind != INSN_MOVSX && kind != INSN_SETCC;
}

/* Whether the kind writes its destination operand. */
static bool writes_dst(unsigned int kind)
{
	return kind != INSN_CMP && kind != INSN_TEST;
}

int insn_emulate(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops)
{
	if (!insn_check(in, cpu->mode))
		return -EINVAL;
	return insn_emulate_checked(in, cpu, ops);
}

int insn_emulate_checked(const struct insn *in, struct insn_cpu *cpu, const struct insn_ops *ops)
{
	uint64_t la = 0, d = 0, s = 0, res, rflags = cpu->rflags;
	unsigned int size = in->dst.size;
	int err;

	if (in->mode != cpu->mode)
		return -EINVAL;
	/* MOV to or from memory, what device drivers do most: the path below
	 * without its switches (same order: address, limit, read, write). */
	if (in->kind == INSN_MOV && (in->dst.type == INSN_OPND_MEM || in->src.type == INSN_OPND_MEM)) {
		bool store = in->dst.type == INSN_OPND_MEM;
		uint64_t ea = mem_ea(in, cpu, 0);

		err = insn_seg_check(cpu, in->mem.seg, ea, size);
		if (err)
			return err;
		la = insn_linear(cpu, in->mem.seg, ea);
		if (store) {
			err = opnd_read(in, cpu, ops, &in->src, la, &s);
			if (!err)
				err = insn_mem_write(ops, la, size, s);
		} else {
			err = insn_mem_read(ops, la, in->src.size, &s);
			if (!err)
				insn_reg_write(cpu, in->dst.reg, size, s);
		}
		if (err)
			return err;
		insn_advance(in, cpu);
		return 0;
	}
	switch (in->kind) {
	case INSN_STOS:
	case INSN_MOVS:
	case INSN_LODS:
	case INSN_SCAS:
	case INSN_CMPS:
		return insn_emulate_string(in, cpu, ops);
	case INSN_BT: case INSN_BTS: case INSN_BTR: case INSN_BTC:
		return emulate_bt(in, cpu, ops);
	default:
		break;
	}
	if ((in->kind == INSN_XCHG && in->src.type != INSN_OPND_REG) ||
	    (in->kind == INSN_CMOV && in->dst.type != INSN_OPND_REG))
		return -EINVAL;                 /* only a hand-made insn: decoded ones have a register */
	if (in->has_mem) {
		unsigned int msize = in->dst.type == INSN_OPND_MEM ? in->dst.size : in->src.size;
		uint64_t ea = mem_ea(in, cpu, 0);

		err = insn_seg_check(cpu, in->mem.seg, ea, msize);
		if (err)
			return err;
		la = insn_linear(cpu, in->mem.seg, ea);
	}

	/* Read everything, compute, then the one memory write; registers and flags last. */
	err = opnd_read(in, cpu, ops, &in->src, la, &s);
	if (!err && reads_dst(in->kind))
		err = opnd_read(in, cpu, ops, &in->dst, la, &d);
	if (err)
		return err;

	switch (in->kind) {
	case INSN_MOV:
	case INSN_MOVZX:
		res = s;
		break;
	case INSN_MOVSX:
		res = insn_sext(s, in->src.size);
		break;
	case INSN_XCHG:
		res = s;
		break;
	case INSN_CMOV:
		/* The source was read either way; a false condition still writes the destination
		 * back, which clears bits 63:32 of a 32-bit one in 64-bit mode (SDM Vol. 2A, CMOVcc). */
		res = insn_cond(in->opcode, cpu->rflags) ? s : d;
		break;
	case INSN_SETCC:
		res = insn_cond(in->opcode, cpu->rflags);
		break;
	default:
		res = insn_alu(in->kind, size, d, s, &rflags);
		break;
	}

	if (writes_dst(in->kind)) {
		if (in->dst.type == INSN_OPND_MEM) {
			err = insn_mem_write(ops, la, size, res);
			if (err)
				return err;
		} else {
			insn_reg_write(cpu, in->dst.reg, size, res);
		}
	}
	if (in->kind == INSN_XCHG)
		insn_reg_write(cpu, in->src.reg, size, d);
	cpu->rflags = rflags;
	insn_advance(in, cpu);
	return 0;
}
