/* guest/load/cpu_resume.h - a guest that resumes a CPU exactly where it was:
 * chain mode's firmware (hv.efi), which goes on as the hypervisor's guest from
 * the instruction after its call into the core (boot/info/efi_handoff.h,
 * struct efi_cpu_state). The loader captured selectors, not the segment
 * registers' hidden parts, so these are rebuilt from the descriptors in the
 * firmware's GDT (SDM Vol. 3A, 3.4.5 segment descriptors, 8.2.3 the 16-byte
 * TSS and LDT descriptors of IA-32e mode) in the VMCS access-rights format
 * (Vol. 3C, 25.4.1), and checked as VM entry will check them (26.3.1.2).
 * Pure: the caller copies the GDT's bytes. */
#ifndef GUEST_LOAD_CPU_RESUME_H
#define GUEST_LOAD_CPU_RESUME_H

#include "lib/compiler.h"
#include "boot/info/efi_handoff.h"

/* Segment registers in the VMCS's order (ES CS SS DS FS GS LDTR TR: B.1.2). */
enum resume_seg_reg { RS_ES, RS_CS, RS_SS, RS_DS, RS_FS, RS_GS, RS_LDTR, RS_TR, RS_COUNT };

/* Access rights, VMCS format: descriptor bits 47:40 and 55:52 as bits 7:0 and
 * 15:12; bit 16 "unusable" (the register holds a null selector). */
#define RS_AR_TYPE_MASK    0xfu
#define RS_AR_ACCESSED     0x1u       /* type bit 0 of a code or data segment */
#define RS_AR_CODE         0x8u       /* type bit 3 (S = 1): code */
#define RS_AR_RW           0x2u       /* type bit 1: writable data / readable code */
#define RS_AR_S            (1u << 4)
#define RS_AR_DPL_SHIFT    5
#define RS_AR_P            (1u << 7)
#define RS_AR_L            (1u << 13)
#define RS_AR_DB           (1u << 14)
#define RS_AR_G            (1u << 15)
#define RS_AR_UNUSABLE     (1u << 16)
#define RS_TYPE_LDT        0x2u
#define RS_TYPE_TSS64      0x9u       /* available; 0xb busy */
#define RS_TYPE_TSS64_BUSY 0xbu

struct resume_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;                  /* in bytes (G applied) */
	uint32_t ar;                     /* RS_AR_* */
};

/* Everything VM entry loads for a resumed CPU (guest-state area, 25.4). */
struct cpu_resume {
	struct resume_seg seg[RS_COUNT];
	uint64_t cr0, cr3, cr4;          /* as the firmware had them (the backend adds VMX's fixed bits) */
	uint64_t efer, pat, kernel_gs_base;
	uint64_t gdtr_base, idtr_base;
	uint16_t gdtr_limit, idtr_limit;
	uint64_t rip, rsp, rflags;
	uint64_t rbx, rbp, rdi, rsi, r12, r13, r14, r15;
	uint64_t dr7, debugctl, sysenter_cs, sysenter_esp, sysenter_eip;
	bool tr_made_up;                 /* TR was null: a busy 64-bit TSS of 0x68 bytes at 0 (see .c) */
};

/*
 * Builds *out from the firmware's captured state fw and its GDT, gdt_size
 * bytes (fw->gdtr_limit + 1 or fewer) copied from fw->gdtr_base. Requires
 * what a UEFI x64 firmware has (UEFI 2.10, 2.3.4): 64-bit mode with paging
 * (CR0.PE/PG, CR4.PAE, EFER.LME/LMA, CS.L), CPL 0, no LDT selectors, no
 * virtual-8086 flag; and what VM entry checks of the debug and SYSENTER
 * state (26.3.1.1): DR7[63:32] clear, no reserved IA32_DEBUGCTL bit (only
 * 0, 1 and 6-14 may be set), SYSENTER_ESP/EIP canonical. Returns 0, or -EINVAL with one line in err ("CS
 * selector 0x38: not a 64-bit code segment (access rights 0xc09b)").
 */
int __must_check cpu_resume_from_efi(const struct efi_cpu_state *fw, const void *gdt, size_t gdt_size,
				     struct cpu_resume *out, char *err, size_t errlen);

#endif
