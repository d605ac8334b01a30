/* guest/emul/insn_table.h - opcode descriptors of the supported instructions (SDM Vol. 2D,
 * Appendix A: Tables A-2 one-byte, A-3 two-byte opcode map, A-6 ModRM.reg groups). */
#ifndef GUEST_INSN_TABLE_H
#define GUEST_INSN_TABLE_H

#include "guest/emul/insn_decode.h"

/* Operand-form flags of an opcode. */
#define OPF_MODRM    (1u << 0)   /* a ModRM byte follows */
#define OPF_BYTE     (1u << 1)   /* byte operands (otherwise 16/32/64 by prefixes) */
#define OPF_IMM8     (1u << 2)   /* an 8-bit immediate, sign-extended to the operand size */
#define OPF_IMMZ     (1u << 3)   /* a 16- or 32-bit immediate by operand size (Iz) */
#define OPF_REGDST   (1u << 4)   /* the register operand is the destination */
#define OPF_ACC      (1u << 5)   /* the register operand is AL/rAX, not ModRM.reg */
#define OPF_MOFFS    (1u << 6)   /* no ModRM: an address-size offset is the memory operand */
#define OPF_STRING   (1u << 7)   /* STOS, MOVS, LODS, SCAS, CMPS: implicit rSI/rDI operands */
#define OPF_NO64     (1u << 8)   /* invalid in 64-bit mode */
#define OPF_ONLY64   (1u << 9)   /* valid only in 64-bit mode */
#define OPF_SRC8     (1u << 10)  /* source is a byte (MOVZX/MOVSX Eb) */
#define OPF_SRC16    (1u << 11)  /* source is a word (MOVZX/MOVSX Ew) */
#define OPF_SRC32    (1u << 12)  /* source is a doubleword unless 16-bit operands (MOVSXD Ed) */
#define OPF_GROUP    (1u << 13)  /* kind is a group: ModRM.reg selects the instruction */
#define OPF_IMMGRP   (1u << 14)  /* group 3: the immediate exists only for /0 and /1 (TEST) */
#define OPF_RMONLY   (1u << 15)  /* ModRM.reg is ignored: r/m is the only operand (SETcc) */

/* ModRM.reg groups (Table A-6) that hold supported instructions. */
enum insn_group { GRP_1, GRP_3, GRP_4, GRP_5, GRP_8, GRP_11, GRP_COUNT };

struct insn_opdesc {
	uint8_t kind;                   /* enum insn_kind, or enum insn_group with OPF_GROUP */
	uint16_t flags;                 /* OPF_* */
};

extern const struct insn_opdesc insn_onebyte[256];
extern const struct insn_opdesc insn_twobyte[256];   /* 0f xx */
extern const uint8_t insn_group_kind[GRP_COUNT][8];  /* INSN_BAD where undefined or unsupported */

#endif
