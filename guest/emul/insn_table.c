/* guest/emul/insn_table.c - opcode descriptors of the supported instructions (SDM Vol. 2D,
 * Appendix A: Tables A-2 one-byte, A-3 two-byte opcode map, A-6 ModRM.reg groups). */
#include "guest/emul/insn_table.h"

#define D(k, f) { .kind = (k), .flags = (f) }

/* The six forms of one ALU row (00-05, 08-0d, ... 38-3d): Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz. */
#define ALU_ROW(op, k)                                                        \
	[(op) + 0] = D(k, OPF_MODRM | OPF_BYTE),                              \
	[(op) + 1] = D(k, OPF_MODRM),                                         \
	[(op) + 2] = D(k, OPF_MODRM | OPF_BYTE | OPF_REGDST),                 \
	[(op) + 3] = D(k, OPF_MODRM | OPF_REGDST),                            \
	[(op) + 4] = D(k, OPF_ACC | OPF_REGDST | OPF_BYTE | OPF_IMM8),         \
	[(op) + 5] = D(k, OPF_ACC | OPF_REGDST | OPF_IMMZ)

const struct insn_opdesc insn_onebyte[256] = {
	ALU_ROW(0x00, INSN_ADD), ALU_ROW(0x08, INSN_OR),
	ALU_ROW(0x10, INSN_ADC), ALU_ROW(0x18, INSN_SBB),
	ALU_ROW(0x20, INSN_AND), ALU_ROW(0x28, INSN_SUB),
	ALU_ROW(0x30, INSN_XOR), ALU_ROW(0x38, INSN_CMP),
	[0x63] = D(INSN_MOVSX, OPF_MODRM | OPF_REGDST | OPF_SRC32 | OPF_ONLY64),  /* ARPL outside 64-bit mode */
	[0x80] = D(GRP_1, OPF_GROUP | OPF_MODRM | OPF_BYTE | OPF_IMM8),
	[0x81] = D(GRP_1, OPF_GROUP | OPF_MODRM | OPF_IMMZ),
	[0x82] = D(GRP_1, OPF_GROUP | OPF_MODRM | OPF_BYTE | OPF_IMM8 | OPF_NO64),
	[0x83] = D(GRP_1, OPF_GROUP | OPF_MODRM | OPF_IMM8),
	[0x84] = D(INSN_TEST, OPF_MODRM | OPF_BYTE),
	[0x85] = D(INSN_TEST, OPF_MODRM),
	[0x86] = D(INSN_XCHG, OPF_MODRM | OPF_BYTE),
	[0x87] = D(INSN_XCHG, OPF_MODRM),
	[0x88] = D(INSN_MOV, OPF_MODRM | OPF_BYTE),
	[0x89] = D(INSN_MOV, OPF_MODRM),
	[0x8a] = D(INSN_MOV, OPF_MODRM | OPF_BYTE | OPF_REGDST),
	[0x8b] = D(INSN_MOV, OPF_MODRM | OPF_REGDST),
	[0xa0] = D(INSN_MOV, OPF_MOFFS | OPF_ACC | OPF_REGDST | OPF_BYTE),
	[0xa1] = D(INSN_MOV, OPF_MOFFS | OPF_ACC | OPF_REGDST),
	[0xa2] = D(INSN_MOV, OPF_MOFFS | OPF_ACC | OPF_BYTE),
	[0xa3] = D(INSN_MOV, OPF_MOFFS | OPF_ACC),
	[0xa4] = D(INSN_MOVS, OPF_STRING | OPF_BYTE),
	[0xa5] = D(INSN_MOVS, OPF_STRING),
	[0xa6] = D(INSN_CMPS, OPF_STRING | OPF_BYTE),
	[0xa7] = D(INSN_CMPS, OPF_STRING),
	[0xa8] = D(INSN_TEST, OPF_ACC | OPF_REGDST | OPF_BYTE | OPF_IMM8),
	[0xa9] = D(INSN_TEST, OPF_ACC | OPF_REGDST | OPF_IMMZ),
	[0xaa] = D(INSN_STOS, OPF_STRING | OPF_ACC | OPF_BYTE),
	[0xab] = D(INSN_STOS, OPF_STRING | OPF_ACC),
	[0xac] = D(INSN_LODS, OPF_STRING | OPF_ACC | OPF_REGDST | OPF_BYTE),
	[0xad] = D(INSN_LODS, OPF_STRING | OPF_ACC | OPF_REGDST),
	[0xae] = D(INSN_SCAS, OPF_STRING | OPF_ACC | OPF_REGDST | OPF_BYTE),
	[0xaf] = D(INSN_SCAS, OPF_STRING | OPF_ACC | OPF_REGDST),
	[0xc6] = D(GRP_11, OPF_GROUP | OPF_MODRM | OPF_BYTE | OPF_IMM8),
	[0xc7] = D(GRP_11, OPF_GROUP | OPF_MODRM | OPF_IMMZ),
	[0xf6] = D(GRP_3, OPF_GROUP | OPF_MODRM | OPF_BYTE | OPF_IMM8 | OPF_IMMGRP),
	[0xf7] = D(GRP_3, OPF_GROUP | OPF_MODRM | OPF_IMMZ | OPF_IMMGRP),
	[0xfe] = D(GRP_4, OPF_GROUP | OPF_MODRM | OPF_BYTE),
	[0xff] = D(GRP_5, OPF_GROUP | OPF_MODRM),
};

/* CMOVcc Gv,Ev and SETcc Eb, the condition in opcode bits 3:0 (SDM Vol. 1, Appendix B). */
#define CC_ROW(op, k, f)                                                      \
	[(op) + 0x0] = D(k, f), [(op) + 0x1] = D(k, f), [(op) + 0x2] = D(k, f), \
	[(op) + 0x3] = D(k, f), [(op) + 0x4] = D(k, f), [(op) + 0x5] = D(k, f), \
	[(op) + 0x6] = D(k, f), [(op) + 0x7] = D(k, f), [(op) + 0x8] = D(k, f), \
	[(op) + 0x9] = D(k, f), [(op) + 0xa] = D(k, f), [(op) + 0xb] = D(k, f), \
	[(op) + 0xc] = D(k, f), [(op) + 0xd] = D(k, f), [(op) + 0xe] = D(k, f), \
	[(op) + 0xf] = D(k, f)

const struct insn_opdesc insn_twobyte[256] = {
	CC_ROW(0x40, INSN_CMOV, OPF_MODRM | OPF_REGDST),
	CC_ROW(0x90, INSN_SETCC, OPF_MODRM | OPF_BYTE | OPF_RMONLY),
	[0xa3] = D(INSN_BT, OPF_MODRM),
	[0xab] = D(INSN_BTS, OPF_MODRM),
	[0xb3] = D(INSN_BTR, OPF_MODRM),
	[0xbb] = D(INSN_BTC, OPF_MODRM),
	[0xb6] = D(INSN_MOVZX, OPF_MODRM | OPF_REGDST | OPF_SRC8),
	[0xb7] = D(INSN_MOVZX, OPF_MODRM | OPF_REGDST | OPF_SRC16),
	[0xba] = D(GRP_8, OPF_GROUP | OPF_MODRM | OPF_IMM8),
	[0xbe] = D(INSN_MOVSX, OPF_MODRM | OPF_REGDST | OPF_SRC8),
	[0xbf] = D(INSN_MOVSX, OPF_MODRM | OPF_REGDST | OPF_SRC16),
};

/*
 * Group 3 /1 is not in the SDM's map, but CPUs execute it as TEST (and
 * disassemblers decode it so); group 11 /7 is XABORT/XBEGIN and groups 4/5
 * /2../7 are calls, jumps and pushes: not device-memory instructions.
 */
const uint8_t insn_group_kind[GRP_COUNT][8] = {
	[GRP_1]  = { INSN_ADD, INSN_OR, INSN_ADC, INSN_SBB, INSN_AND, INSN_SUB, INSN_XOR, INSN_CMP },
	[GRP_3]  = { INSN_TEST, INSN_TEST, INSN_NOT, INSN_NEG },
	[GRP_4]  = { INSN_INC, INSN_DEC },
	[GRP_5]  = { INSN_INC, INSN_DEC },
	[GRP_8]  = { [4] = INSN_BT, [5] = INSN_BTS, [6] = INSN_BTR, [7] = INSN_BTC },
	[GRP_11] = { INSN_MOV },
};

_Static_assert(INSN_BAD == 0, "zero-filled table entries must mean undefined");
_Static_assert(INSN_OR == INSN_ADD + 1 && INSN_CMP == INSN_ADD + 7, "ALU kinds follow opcode bits 5:3");
