/* guest/emul/task_switch.h - hardware task switches (SDM Vol. 3A, 8.3 Task Switching,
 * 8.2.1 TSS layout, Table 8-2 checks; Vol. 3C 27.2.1 exit qualification for task
 * switches). Pure: guest memory through the instruction emulator's callbacks. */
#ifndef GUEST_TASK_SWITCH_H
#define GUEST_TASK_SWITCH_H

#include "guest/emul/insn_emulate.h"

/* What started the switch: the exit qualification's bits 31:30 (SDM Vol. 3C, Table 28-2). */
enum ts_source { TS_CALL = 0, TS_IRET = 1, TS_JMP = 2, TS_GATE = 3 };

/* Segment registers in the VMCS / TSS order (the TSS keeps ES..GS in this order too). */
enum ts_seg_reg { TS_ES, TS_CS, TS_SS, TS_DS, TS_FS, TS_GS, TS_LDTR, TS_TR, TS_SEG_COUNT };

/* Access rights in the VMCS format (SDM Vol. 3C, 25.4.1, Table 25-2): bits 15:0
 * are bits 23:8 of a descriptor's high dword with 11:8 zero; bit 16 unusable. */
#define TS_AR_TYPE_MASK   0xfu
#define TS_AR_S           (1u << 4)
#define TS_AR_DPL_SHIFT   5
#define TS_AR_P           (1u << 7)
#define TS_AR_DB          (1u << 14)
#define TS_AR_G           (1u << 15)
#define TS_AR_UNUSABLE    (1u << 16)

/* Descriptor types with S = 0 (SDM Vol. 3A, Table 3-2). */
#define TS_TYPE_TSS16_AVAIL  0x1u
#define TS_TYPE_LDT          0x2u
#define TS_TYPE_TSS16_BUSY   0x3u
#define TS_TYPE_TSS32_AVAIL  0x9u
#define TS_TYPE_TSS32_BUSY   0xbu
#define TS_TYPE_BUSY         0x2u         /* the busy bit of a TSS type */

/* EFLAGS and control bits a task switch reads or writes (SDM Vol. 1, 3.4.3; Vol. 3A 2.5, 17.2.4). */
#define TS_EFLAGS_RF      (1u << 16)
#define TS_EFLAGS_NT      (1u << 14)
#define TS_EFLAGS_VM      (1u << 17)
#define TS_EFLAGS_DEFINED 0x3f7fd5u       /* bits EFLAGS has; the rest load as 0 (bit 1 as 1) */
#define TS_CR0_TS         (1ULL << 3)
#define TS_DR7_LOCAL      0x155u          /* L0-L3 and LE: cleared by every task switch */

/* The 32-bit TSS (SDM Vol. 3A, Figure 8-2): byte offsets of its fields. */
#define TSS32_LINK        0x00
#define TSS32_CR3         0x1c
#define TSS32_EIP         0x20
#define TSS32_EFLAGS      0x24
#define TSS32_GPR         0x28            /* EAX ECX EDX EBX ESP EBP ESI EDI, 4 bytes each */
#define TSS32_SEG         0x48            /* ES CS SS DS FS GS, 4 bytes apart (selector in the low word) */
#define TSS32_LDT         0x60
#define TSS32_T           0x64            /* bit 0: debug trap on entry */
#define TSS32_MIN_LIMIT   0x67

/* The 16-bit TSS (SDM Vol. 3A, Figure 8-11). */
#define TSS16_IP          0x0e
#define TSS16_FLAGS       0x10
#define TSS16_GPR         0x12            /* AX CX DX BX SP BP SI DI, 2 bytes each */
#define TSS16_SEG         0x22            /* ES CS SS DS */
#define TSS16_LDT         0x2a
#define TSS16_MIN_LIMIT   0x2b

struct ts_seg {
	uint16_t sel;
	uint32_t base, limit;            /* limit in bytes (G applied) */
	uint32_t ar;                     /* VMCS format, TS_AR_* */
};

/* The guest state a task switch reads and replaces (outside IA-32e mode only). */
struct ts_cpu {
	uint32_t gpr[8];                 /* EAX ECX EDX EBX ESP EBP ESI EDI */
	uint32_t eip, eflags;
	struct ts_seg seg[TS_SEG_COUNT];
	uint32_t gdt_base, gdt_limit;
	uint64_t cr0, cr3, dr7;
};

/* Why the task switch happens (exit qualification and IDT-vectoring information). */
struct ts_event {
	enum ts_source source;
	uint16_t selector;               /* the new TSS (qualification bits 15:0) */
	unsigned int insn_len;           /* CALL, JMP, IRET, INT n / INT3 / INTO / INT1 through a gate */
	bool after_insn;                 /* the old task resumes after the instruction (CALL, JMP, IRET,
					    software interrupts and exceptions), else at EIP (faults,
					    external interrupts, NMI) */
	bool external;                   /* an event from outside the program: error codes get EXT (6.13) */
	bool saved_rf;                   /* a fault-class exception: EFLAGS.RF set in the saved image */
	bool has_error_code;             /* an exception with an error code: pushed on the new stack */
	uint32_t error_code;
};

enum ts_status {
	TS_DONE,                         /* switched; cpu holds the new task */
	TS_FAULT,                        /* deliver vector/error_code in the context cpu now holds */
	TS_MEMORY,                       /* a memory callback failed (mem_rc): its caller knows why */
	TS_UNSUPPORTED,                  /* legal but not emulated (why): stop the guest */
};

struct ts_result {
	enum ts_status status;
	bool committed;                  /* the new task's state is in cpu (faults belong to it) */
	bool debug_trap;                 /* the new TSS has T set: #DB with DR6.BT after the switch */
	unsigned int vector;
	uint32_t error_code;
	int mem_rc;
	const char *why;
};

/* Memory and CR3 for task_switch(). load_cr3 makes later linear accesses use the
 * new page tables (and checks PAE PDPTEs); it returns 0, TS_CR3_INVALID for a CR3
 * the CPU refuses (#GP(0) in the new task), or another nonzero value that ends
 * the switch as TS_MEMORY. */
#define TS_CR3_INVALID    1
struct ts_ops {
	const struct insn_ops *mem;      /* linear addresses, implicit supervisor accesses */
	int (*load_cr3)(void *ctx, uint64_t cr3);
	void *ctx;
};

/*
 * Performs the task switch ev describes on cpu, as SDM Vol. 3A 8.3 lists its
 * steps: checks the new TSS descriptor, saves the old task in its TSS, moves
 * busy bits, writes the back-link and sets NT for CALL and gates, loads CR3,
 * registers, LDTR and segments (with the Table 8-2 checks), TR, sets CR0.TS,
 * pushes the error code, clears DR7's local enables. Before the commit cpu is
 * untouched (a fault then belongs to the old task); after it, cpu is the new
 * task, with a segment that failed its check (and the ones after it) left
 * unusable (data) or as they were (CS, SS). 32-bit and 16-bit TSSs, in
 * either direction; TS_UNSUPPORTED if TR holds no busy TSS. Privilege checks
 * on gates and TSS DPLs are the CPU's, done before the VM exit (SDM Vol. 3C,
 * 26.4.2).
 */
void task_switch(struct ts_cpu *cpu, const struct ts_event *ev, const struct ts_ops *ops,
		 struct ts_result *r);

/* Decodes a descriptor (low and high dword) into a segment register as loading it would. */
void ts_seg_from_desc(uint16_t sel, uint32_t lo, uint32_t hi, struct ts_seg *s);

#endif
