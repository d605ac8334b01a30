/* guest/emul/insn_decode.h - x86 instruction decoder for the forms guests use on device
 * memory (SDM Vol. 2A, 2.1 instruction format, 2.2.1 REX, Tables 2-1 to 2-3 ModRM/SIB). */
#ifndef GUEST_INSN_DECODE_H
#define GUEST_INSN_DECODE_H

#include "lib/compiler.h"

#ifndef E2BIG
#define E2BIG 7                     /* longer than 15 bytes (belongs in lib/compiler.h) */
#endif

#define INSN_MAX_LEN 15             /* SDM Vol. 2A, 2.3.11: longer is #GP(0) */

/* The code segment's default size: real mode and 16-bit protected mode are CPU_MODE_16. */
enum cpu_mode { CPU_MODE_16, CPU_MODE_32, CPU_MODE_64 };

/* Registers in the SDM's encoding order (Table 2-2): gpr[] of struct insn_cpu is indexed by them. */
enum insn_reg {
	INSN_REG_RAX, INSN_REG_RCX, INSN_REG_RDX, INSN_REG_RBX,
	INSN_REG_RSP, INSN_REG_RBP, INSN_REG_RSI, INSN_REG_RDI,
	INSN_REG_R8, INSN_REG_R9, INSN_REG_R10, INSN_REG_R11,
	INSN_REG_R12, INSN_REG_R13, INSN_REG_R14, INSN_REG_R15,
	INSN_REG_AH, INSN_REG_CH, INSN_REG_DH, INSN_REG_BH,   /* byte operands 4-7 without REX: bits 15:8 of rax..rbx */
	INSN_REG_RIP,                   /* insn_mem.base only: RIP-relative, from the next instruction */
	INSN_REG_NONE = 0xff,
};

/* Segment registers in the SDM's order (Sreg encoding, Table 3-6). */
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS,
		INSN_SEG_NONE = 0xff };

/* What the instruction does. ADD..CMP are in the order of opcode bits 5:3 / ModRM.reg of group 1. */
enum insn_kind {
	INSN_BAD,
	INSN_ADD, INSN_OR, INSN_ADC, INSN_SBB, INSN_AND, INSN_SUB, INSN_XOR, INSN_CMP,
	INSN_TEST,
	INSN_MOV,
	INSN_MOVZX,                     /* src.size < dst.size, zero-extended */
	INSN_MOVSX,                     /* MOVSX and MOVSXD: sign-extended (MOVSXD without REX.W is a plain move) */
	INSN_XCHG,
	INSN_BT, INSN_BTS, INSN_BTR, INSN_BTC,
	INSN_NOT, INSN_NEG, INSN_INC, INSN_DEC,
	INSN_STOS,                      /* ES:[rDI] <- AL/AX/EAX/RAX */
	INSN_MOVS,                      /* ES:[rDI] <- seg:[rSI], seg = DS unless overridden */
	INSN_LODS,                      /* AL/AX/EAX/RAX <- seg:[rSI] */
	INSN_SCAS,                      /* flags of rAX - ES:[rDI] */
	INSN_CMPS,                      /* flags of seg:[rSI] - ES:[rDI] */
	INSN_CMOV,                      /* reg <- r/m if condition (opcode bits 3:0); r/m always read */
	INSN_SETCC,                     /* byte r/m <- condition (opcode bits 3:0) ? 1 : 0 */
	INSN_KIND_COUNT
};

enum insn_opnd_type { INSN_OPND_NONE, INSN_OPND_REG, INSN_OPND_MEM, INSN_OPND_IMM };

struct insn_opnd {
	uint8_t type;                   /* enum insn_opnd_type */
	uint8_t size;                   /* bytes: 1, 2, 4 or 8 */
	uint8_t reg;                    /* INSN_OPND_REG: enum insn_reg */
};

/*
 * A memory operand: linear address = segment base + ((base + index * scale +
 * disp) truncated to the address size), with base INSN_REG_RIP meaning the
 * address of the next instruction. moffs forms have no base or index and the
 * offset (zero-extended) in disp. For the string instructions it is ES:[rDI]
 * (STOS, MOVS, SCAS, CMPS) or, for LODS, [rSI] in seg_override or DS; the
 * [rSI] operand of MOVS and CMPS is in seg_override or DS. Of CMPS, dst is
 * the [rSI] operand (the first source) and src ES:[rDI].
 */
struct insn_mem {
	uint8_t base;                   /* enum insn_reg or INSN_REG_NONE */
	uint8_t index;                  /* enum insn_reg or INSN_REG_NONE */
	uint8_t scale;                  /* 1, 2, 4 or 8 */
	uint8_t seg;                    /* enum insn_seg: the override, else DS, or SS for rBP/rSP bases */
	int64_t disp;                   /* sign-extended displacement, or the moffs offset */
};

#define INSN_PFX_LOCK    (1u << 0)  /* f0 */
#define INSN_PFX_REP     (1u << 1)  /* f3, the last of f2/f3 */
#define INSN_PFX_REPNE   (1u << 2)  /* f2, the last of f2/f3 */
#define INSN_PFX_OPSIZE  (1u << 3)  /* 66 */
#define INSN_PFX_ADSIZE  (1u << 4)  /* 67 */

/* One decoded instruction: dst is also the first source of ALU, XCHG, BT*, SCAS and CMPS forms. */
struct insn {
	uint8_t len;                    /* bytes, prefixes included */
	uint8_t kind;                   /* enum insn_kind */
	uint8_t size;                   /* operand size in bytes (the destination's) */
	uint8_t addr_size;              /* 2, 4 or 8 */
	uint8_t mode;                   /* enum cpu_mode it was decoded for */
	uint8_t prefixes;               /* INSN_PFX_* */
	uint8_t seg_override;           /* enum insn_seg: the last segment prefix, or INSN_SEG_NONE */
	uint8_t rex;                    /* the REX byte in effect, 0 if none */
	uint8_t opcode;                 /* last opcode byte */
	bool two_byte;                  /* opcode was preceded by 0f */
	uint8_t modrm;                  /* 0 when the form has none */
	uint8_t reg;                    /* the register operand (ModRM.reg or accumulator), INSN_REG_NONE if none */
	bool is_read;                   /* the instruction reads memory */
	bool is_write;                  /* the instruction writes memory */
	bool has_mem;                   /* mem is valid (every supported form with a memory operand) */
	struct insn_opnd dst, src;
	struct insn_mem mem;
	uint64_t imm;                   /* INSN_OPND_IMM: sign-extended to 64 bits as the CPU extends it */
};

/*
 * Decodes the instruction at bytes[0..avail) for code of default size mode
 * into *out. Returns 0; -ERANGE if avail ends before the instruction does
 * (fetch more bytes, up to INSN_MAX_LEN, and call again); -E2BIG if it is
 * longer than 15 bytes (#GP(0)); -EINVAL if it is undefined, not supported
 * here, or LOCK where LOCK is not allowed (#UD). Never reads past avail.
 */
int insn_decode(const uint8_t *bytes, size_t avail, enum cpu_mode mode, struct insn *out) __must_check;

/* The segment registers the instruction's memory operands go through: bit
 * (1 << enum insn_seg) for each (their bases and limits are all that
 * insn_emulate reads of struct insn_cpu's segments). */
unsigned int insn_segs_used(const struct insn *in);

/* A short name for kind ("add", "movzx"), "bad" if out of range: for logs. */
const char *insn_kind_name(unsigned int kind);

#endif
