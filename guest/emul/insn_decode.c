/* guest/emul/insn_decode.c - x86 instruction decoder for the forms guests use on device
 * memory (SDM Vol. 2A, 2.1 instruction format, 2.2.1 REX, Tables 2-1 to 2-3 ModRM/SIB). */
#include "guest/emul/insn_decode.h"
#include "guest/emul/insn_table.h"

/* The bytes being decoded. */
struct dec {
	const uint8_t *b;
	size_t avail;                   /* readable bytes at b */
	unsigned int pos;               /* next byte to read */
	enum cpu_mode mode;
	uint8_t rex;
	uint8_t addr_size;
};

/* Reads n (1, 2, 4 or 8) bytes little-endian; -E2BIG past 15 bytes, -ERANGE past avail. */
static int fetch(struct dec *d, unsigned int n, uint64_t *v)
{
	uint64_t x = 0;

	if (d->pos + n > INSN_MAX_LEN)
		return -E2BIG;
	if (d->pos + n > d->avail)
		return -ERANGE;
	for (unsigned int i = 0; i < n; i++)
		x |= (uint64_t)d->b[d->pos + i] << (8 * i);
	d->pos += n;
	*v = x;
	return 0;
}

static int fetch8(struct dec *d, uint8_t *v)
{
	uint64_t x;
	int err = fetch(d, 1, &x);

	*v = (uint8_t)x;
	return err;
}

/* Sign-extends the low n bytes of x. */
static uint64_t sext(uint64_t x, unsigned int n)
{
	unsigned int sh = 64 - 8 * n;

	return (uint64_t)((int64_t)(x << sh) >> sh);
}

/* A register operand of `size` bytes numbered r (REX bits included): without
 * REX, byte registers 4-7 are AH, CH, DH, BH (SDM Vol. 2A, 3.1.1.1). */
static struct insn_opnd reg_opnd(const struct dec *d, unsigned int r, unsigned int size)
{
	struct insn_opnd o = { .type = INSN_OPND_REG, .size = (uint8_t)size, .reg = (uint8_t)r };

	if (size == 1 && !d->rex && r >= 4 && r < 8)
		o.reg = (uint8_t)(INSN_REG_AH + (r - 4));
	return o;
}

/* 16-bit ModRM memory forms (Table 2-1): [bx+si] [bx+di] [bp+si] [bp+di] [si] [di] [bp] [bx]. */
static const uint8_t base16[8] = {
	INSN_REG_RBX, INSN_REG_RBX, INSN_REG_RBP, INSN_REG_RBP,
	INSN_REG_RSI, INSN_REG_RDI, INSN_REG_RBP, INSN_REG_RBX,
};
static const uint8_t index16[8] = {
	INSN_REG_RSI, INSN_REG_RDI, INSN_REG_RSI, INSN_REG_RDI,
	INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE,
};

/* Decodes the memory operand of a ModRM byte with mod != 3 (SIB and displacement) into m. */
static int decode_mem(struct dec *d, uint8_t modrm, struct insn_mem *m)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, disp_size = 0;
	uint64_t disp = 0;
	int err;

	m->base = INSN_REG_NONE;
	m->index = INSN_REG_NONE;
	m->scale = 1;
	if (d->addr_size == 2) {
		if (mod == 0 && rm == 6) {
			disp_size = 2;              /* [disp16] */
		} else {
			m->base = base16[rm];
			m->index = index16[rm];
		}
		if (mod == 1)
			disp_size = 1;
		else if (mod == 2)
			disp_size = 2;
	} else {
		if (rm == 4) {
			uint8_t sib;
			unsigned int index, base;

			err = fetch8(d, &sib);
			if (err)
				return err;
			index = ((sib >> 3) & 7) | ((d->rex & 2u) << 2);
			base = (sib & 7) | ((d->rex & 1u) << 3);
			if (index != INSN_REG_RSP) {    /* 100 without REX.X: no index */
				m->index = (uint8_t)index;
				m->scale = (uint8_t)(1u << (sib >> 6));
			}
			if ((sib & 7) == 5 && mod == 0)
				disp_size = 4;      /* no base (REX.B ignored): [index*scale + disp32] */
			else
				m->base = (uint8_t)base;
		} else if (rm == 5 && mod == 0) {
			disp_size = 4;              /* 64-bit mode: [rip + disp32]; else [disp32] */
			if (d->mode == CPU_MODE_64)
				m->base = INSN_REG_RIP;
		} else {
			m->base = (uint8_t)(rm | ((d->rex & 1u) << 3));
		}
		if (mod == 1)
			disp_size = 1;
		else if (mod == 2)
			disp_size = 4;
	}
	if (disp_size) {
		err = fetch(d, disp_size, &disp);
		if (err)
			return err;
	}
	m->disp = (int64_t)sext(disp, disp_size ? disp_size : 8);
	/* rBP and rSP bases address the stack segment (SDM Vol. 1, 3.7.4); r12/r13 do not. */
	m->seg = m->base == INSN_REG_RBP || m->base == INSN_REG_RSP ? INSN_SEG_SS : INSN_SEG_DS;
	return 0;
}

/* LOCK is allowed only on these, with a memory destination (SDM Vol. 2A, LOCK). */
static bool lockable(unsigned int kind)
{
	switch (kind) {
	case INSN_ADD: case INSN_OR: case INSN_ADC: case INSN_SBB:
	case INSN_AND: case INSN_SUB: case INSN_XOR:
	case INSN_XCHG: case INSN_BTS: case INSN_BTR: case INSN_BTC:
	case INSN_NOT: case INSN_NEG: case INSN_INC: case INSN_DEC:
		return true;
	default:
		return false;
	}
}

/* Whether an instruction of this kind reads / writes its destination. */
static bool reads_dst(unsigned int kind)
{
	return kind != INSN_MOV && kind != INSN_MOVZX && kind != INSN_MOVSX && kind != INSN_STOS &&
	       kind != INSN_MOVS && kind != INSN_SETCC;
}

static bool writes_dst(unsigned int kind)
{
	return kind != INSN_CMP && kind != INSN_TEST && kind != INSN_BT && kind != INSN_CMPS &&
	       kind != INSN_SCAS;
}

/* Reads the legacy and REX prefixes and the opcode byte. */
static int decode_prefixes(struct dec *d, struct insn *out, uint8_t *op)
{
	uint8_t b;
	int err;

	for (;;) {
		err = fetch8(d, &b);
		if (err)
			return err;
		switch (b) {
		case 0x66: out->prefixes |= INSN_PFX_OPSIZE; break;
		case 0x67: out->prefixes |= INSN_PFX_ADSIZE; break;
		case 0x26: out->seg_override = INSN_SEG_ES; break;
		case 0x2e: out->seg_override = INSN_SEG_CS; break;
		case 0x36: out->seg_override = INSN_SEG_SS; break;
		case 0x3e: out->seg_override = INSN_SEG_DS; break;
		case 0x64: out->seg_override = INSN_SEG_FS; break;
		case 0x65: out->seg_override = INSN_SEG_GS; break;
		case 0xf0: out->prefixes |= INSN_PFX_LOCK; break;
		case 0xf2:
			out->prefixes = (uint8_t)((out->prefixes & ~INSN_PFX_REP) | INSN_PFX_REPNE);
			break;
		case 0xf3:
			out->prefixes = (uint8_t)((out->prefixes & ~INSN_PFX_REPNE) | INSN_PFX_REP);
			break;
		default:
			if (d->mode == CPU_MODE_64 && (b & 0xf0) == 0x40) {
				d->rex = b;     /* counts only if the opcode follows (2.2.1) */
				continue;
			}
			*op = b;
			return 0;
		}
		d->rex = 0;
	}
}

/* Operand and address sizes from the mode, 66/67 and REX.W (SDM Vol. 1, 3.6, Table 3-4). */
static void decode_sizes(struct dec *d, struct insn *out, uint16_t flags)
{
	bool o16 = out->prefixes & INSN_PFX_OPSIZE, a16 = out->prefixes & INSN_PFX_ADSIZE;

	if (d->mode == CPU_MODE_64)
		d->addr_size = a16 ? 4 : 8;
	else if (d->mode == CPU_MODE_32)
		d->addr_size = a16 ? 2 : 4;
	else
		d->addr_size = a16 ? 4 : 2;
	if (flags & OPF_BYTE)
		out->size = 1;
	else if (d->rex & 8)
		out->size = 8;
	else if (d->mode == CPU_MODE_16)
		out->size = o16 ? 4 : 2;
	else
		out->size = o16 ? 2 : 4;
	out->addr_size = d->addr_size;
}

/* The size of the r/m operand: the source of MOVZX/MOVSX(D) is narrower. */
static unsigned int rm_size(const struct insn *out, uint16_t flags)
{
	if (flags & OPF_SRC8)
		return 1;
	if (flags & OPF_SRC16)
		return 2;
	if (flags & OPF_SRC32)
		return out->size == 8 ? 4 : out->size;
	return out->size;
}

/* Reads the immediate of the form, sign-extended to 64 bits. */
static int decode_imm(struct dec *d, struct insn *out, uint16_t flags, bool group8)
{
	unsigned int n = (flags & OPF_IMM8) ? 1 : out->size == 2 ? 2 : 4;
	uint64_t v;
	int err = fetch(d, n, &v);

	if (err)
		return err;
	out->imm = group8 ? v : sext(v, n);     /* a BT bit offset is unsigned */
	out->src = (struct insn_opnd){ .type = INSN_OPND_IMM, .size = out->size };
	return 0;
}

/* Fills in operands, memory operand and access flags of a form with a ModRM byte. */
static int decode_modrm_form(struct dec *d, struct insn *out, uint16_t flags)
{
	unsigned int mod, reg;
	struct insn_opnd rm;
	int err;

	err = fetch8(d, &out->modrm);
	if (err)
		return err;
	mod = out->modrm >> 6;
	reg = ((out->modrm >> 3) & 7) | ((d->rex & 4u) << 1);
	if (mod == 3) {
		rm = reg_opnd(d, (out->modrm & 7) | ((d->rex & 1u) << 3), rm_size(out, flags));
	} else {
		err = decode_mem(d, out->modrm, &out->mem);
		if (err)
			return err;
		out->has_mem = true;
		rm = (struct insn_opnd){ .type = INSN_OPND_MEM, .size = (uint8_t)rm_size(out, flags) };
	}
	if (flags & (OPF_GROUP | OPF_RMONLY)) {
		out->dst = rm;
		return 0;
	}
	if (flags & OPF_REGDST) {
		out->dst = reg_opnd(d, reg, out->size);
		out->src = rm;
		out->reg = out->dst.reg;
	} else {
		out->dst = rm;
		out->src = reg_opnd(d, reg, out->size);
		out->reg = out->src.reg;
	}
	return 0;
}

/* Fills in the operands of the forms without ModRM: accumulator with immediate, moffs, strings. */
static int decode_plain_form(struct dec *d, struct insn *out, uint16_t flags)
{
	struct insn_opnd acc = { .type = INSN_OPND_REG, .size = out->size, .reg = INSN_REG_RAX };
	struct insn_opnd mem = { .type = INSN_OPND_MEM, .size = out->size };
	struct insn_mem *m = &out->mem;
	uint64_t off;
	int err;

	m->base = m->index = INSN_REG_NONE;
	m->scale = 1;
	m->seg = INSN_SEG_DS;
	if (flags & OPF_MOFFS) {
		err = fetch(d, d->addr_size, &off);     /* 8 bytes in 64-bit mode without 67 */
		if (err)
			return err;
		m->disp = (int64_t)off;
		out->has_mem = true;
	} else if (flags & OPF_STRING) {
		out->has_mem = true;
		if (out->kind == INSN_LODS) {
			m->base = INSN_REG_RSI;         /* the only memory operand: [rSI], overridable */
			m->seg = out->seg_override != INSN_SEG_NONE ? out->seg_override : INSN_SEG_DS;
		} else {
			m->base = INSN_REG_RDI;         /* ES:[rDI]: no override (SDM Vol. 1, 3.7.4) */
			m->seg = INSN_SEG_ES;
		}
		switch (out->kind) {
		case INSN_STOS:
			out->dst = mem;
			out->src = acc;
			break;
		case INSN_LODS:
		case INSN_SCAS:
			out->dst = acc;                 /* SCAS: the first source, not written */
			out->src = mem;
			break;
		default:                                /* MOVS, CMPS: two memory operands */
			out->dst = mem;
			out->src = mem;
			break;
		}
		out->reg = out->dst.type == INSN_OPND_MEM && out->src.type == INSN_OPND_MEM ?
			   INSN_REG_NONE : INSN_REG_RAX;
		return 0;
	}
	out->reg = INSN_REG_RAX;
	if (flags & OPF_REGDST) {
		out->dst = acc;
		out->src = mem;                         /* an immediate replaces it below */
	} else {
		out->dst = mem;
		out->src = acc;
	}
	return 0;
}

int insn_decode(const uint8_t *bytes, size_t avail, enum cpu_mode mode, struct insn *out)
{
	struct dec d = { .b = bytes, .avail = avail, .mode = mode };
	struct insn_opdesc desc;
	uint8_t op;
	bool group8 = false, has_imm;
	int err;

	__builtin_memset(out, 0, sizeof(*out));
	out->mode = (uint8_t)mode;
	out->seg_override = INSN_SEG_NONE;
	out->reg = INSN_REG_NONE;
	out->mem.base = out->mem.index = INSN_REG_NONE;
	if (mode != CPU_MODE_16 && mode != CPU_MODE_32 && mode != CPU_MODE_64)
		return -EINVAL;

	err = decode_prefixes(&d, out, &op);
	if (err)
		return err;
	out->rex = d.rex;
	if (op == 0x0f) {
		err = fetch8(&d, &op);
		if (err)
			return err;
		out->two_byte = true;
		desc = insn_twobyte[op];
	} else {
		desc = insn_onebyte[op];
	}
	out->opcode = op;
	if (!desc.flags ||
	    ((desc.flags & OPF_NO64) && mode == CPU_MODE_64) ||
	    ((desc.flags & OPF_ONLY64) && mode != CPU_MODE_64))
		return -EINVAL;
	decode_sizes(&d, out, desc.flags);

	has_imm = desc.flags & (OPF_IMM8 | OPF_IMMZ);
	if (desc.flags & OPF_GROUP) {
		/* The group member is known from ModRM.reg before the rest is read. */
		uint8_t modrm;

		if (d.pos >= INSN_MAX_LEN)
			return -E2BIG;
		if (d.pos >= avail)
			return -ERANGE;
		modrm = bytes[d.pos];
		out->kind = insn_group_kind[desc.kind][(modrm >> 3) & 7];
		if ((desc.flags & OPF_IMMGRP) && ((modrm >> 3) & 7) > 1)
			has_imm = false;                /* NOT, NEG */
		group8 = desc.kind == GRP_8;
	} else {
		out->kind = desc.kind;
	}
	if (out->kind == INSN_BAD)
		return -EINVAL;

	if (desc.flags & OPF_MODRM)
		err = decode_modrm_form(&d, out, desc.flags);
	else
		err = decode_plain_form(&d, out, desc.flags);
	if (err)
		return err;
	if (has_imm) {
		err = decode_imm(&d, out, desc.flags, group8);
		if (err)
			return err;
	}
	if (out->has_mem && !(desc.flags & OPF_STRING))
		out->mem.seg = out->seg_override != INSN_SEG_NONE ? out->seg_override : out->mem.seg;

	if (out->dst.type == INSN_OPND_MEM) {
		out->is_read = reads_dst(out->kind) || out->src.type == INSN_OPND_MEM;
		out->is_write = writes_dst(out->kind);
	} else {
		out->is_read = out->src.type == INSN_OPND_MEM;
	}
	if ((out->prefixes & INSN_PFX_LOCK) &&
	    (!lockable(out->kind) || out->dst.type != INSN_OPND_MEM))
		return -EINVAL;
	out->len = (uint8_t)d.pos;
	return 0;
}

static const char *const kind_names[INSN_KIND_COUNT] = {
	[INSN_BAD] = "bad", [INSN_ADD] = "add", [INSN_OR] = "or", [INSN_ADC] = "adc",
	[INSN_SBB] = "sbb", [INSN_AND] = "and", [INSN_SUB] = "sub", [INSN_XOR] = "xor",
	[INSN_CMP] = "cmp", [INSN_TEST] = "test", [INSN_MOV] = "mov", [INSN_MOVZX] = "movzx",
	[INSN_MOVSX] = "movsx", [INSN_XCHG] = "xchg", [INSN_BT] = "bt", [INSN_BTS] = "bts",
	[INSN_BTR] = "btr", [INSN_BTC] = "btc", [INSN_NOT] = "not", [INSN_NEG] = "neg",
	[INSN_INC] = "inc", [INSN_DEC] = "dec", [INSN_STOS] = "stos", [INSN_MOVS] = "movs",
	[INSN_LODS] = "lods", [INSN_SCAS] = "scas", [INSN_CMPS] = "cmps", [INSN_CMOV] = "cmov",
	[INSN_SETCC] = "setcc",
};

unsigned int insn_segs_used(const struct insn *in)
{
	unsigned int segs = in->has_mem && in->mem.seg <= INSN_SEG_GS ? 1u << in->mem.seg : 0;
	unsigned int src = in->seg_override != INSN_SEG_NONE ? in->seg_override : INSN_SEG_DS;

	switch (in->kind) {
	case INSN_MOVS: case INSN_CMPS: case INSN_LODS:
		segs |= (src <= INSN_SEG_GS ? 1u << src : 0) | (in->kind != INSN_LODS ? 1u << INSN_SEG_ES : 0);
		break;
	case INSN_STOS: case INSN_SCAS:
		segs |= 1u << INSN_SEG_ES;
		break;
	default:
		break;
	}
	return segs;
}

const char *insn_kind_name(unsigned int kind)
{
	return kind < INSN_KIND_COUNT && kind_names[kind] ? kind_names[kind] : "bad";
}
