/* boot/info/efi_handoff.h - the hand-off from a UEFI loader (hv.efi) to the
 * hypervisor core's 64-bit entry, efi_entry64 in boot/entry.asm.
 *
 * How a loader starts the core (docs/architecture.md, "Boot flow"):
 * 1. It finds the entry in hv.elf's ELF note (PT_NOTE; name "HV", type
 *    HV_NOTE_EFI_ENTRY64, desc: the entry's 64-bit physical link address)
 *    and copies the PT_LOAD segments to a 2 MiB aligned physical address
 *    below 4 GiB (load offset = that address - the lowest segment's p_paddr),
 *    zeroing each segment's memsz - filesz (boot/efi/core_load.c does this).
 * 2. It fills a struct boot_info and a struct efi_handoff, both below 4 GiB
 *    and 8-byte aligned, and calls the entry at (note's address + load
 *    offset) in 64-bit long mode, ring 0, on the firmware's identity-mapped
 *    page tables (CR4.LA57 clear), with the System V AMD64 ABI:
 *        RDI = physical address of the struct boot_info
 *        RSI = physical address of the struct efi_handoff
 *    (boot/efi/core_enter.c: core_enter). Any stack alignment; the entry
 *    uses 16 bytes of the caller's stack.
 * 3. The entry first checks, changing nothing: both pointers non-null,
 *    8-byte aligned and below 4 GiB; the handoff's magic, version and mode;
 *    the load offset (2 MiB aligned, not negative, equal to where the entry
 *    really runs, the image ending below 4 GiB); NX in CPUID; CR4.LA57 clear.
 *    On failure it returns to the caller with RAX = an EFI_HANDOFF_E_* code,
 *    RFLAGS and every callee-saved register as they were: nothing happened
 *    (interrupts are not even disabled before the checks pass).
 *    Otherwise it disables interrupts, takes over the CPU (its own page
 *    tables, GDT, stack) and does not return in boot mode; boot/main.c
 *    validates both structures (a bad one: a message on COM1, then halt in
 *    boot mode, the hand-back below in chain mode) and runs the core
 *    exactly as after GRUB.
 *
 * The core copies both structures before using any memory, so the loader
 * may put them anywhere below 4 GiB (EfiLoaderData). Chain mode (boot
 * services still running): the loader also gives the pool, all the memory
 * the core may use, and a page below 0xa0000 for the APs' start-up code;
 * the core returns to the firmware as its guest at fw.rip with RAX = 0
 * (boot/efi/chain_enter.c). A failure the core finds after the entry's
 * checks and before the firmware's first VM entry is handed back: the CPU
 * returns to fw.rip as core_enter left it, with RAX = EFI_HANDOFF_E_CORE
 * and the reason in out.reason (boot/chain_fail.c).
 */
#ifndef BOOT_INFO_EFI_HANDOFF_H
#define BOOT_INFO_EFI_HANDOFF_H

#include "lib/compiler.h"
#include "boot/info/boot_info.h"

/* The ELF note that names the 64-bit entry (like Xen's XEN_ELFNOTE_PHYS32_ENTRY). */
#define HV_NOTE_NAME             "HV"
#define HV_NOTE_EFI_ENTRY64      1             /* desc: uint64_t physical link address of efi_entry64 */

#define EFI_HANDOFF_MAGIC        0x464f444e41485648ULL   /* "HVHANDOF" in memory order */
#define EFI_HANDOFF_VERSION      4
#define EFI_HANDOFF_ENTRY_MAGIC  0x46455648U   /* hv_main's first argument on this path ("HVEF") */

enum efi_handoff_mode {
	EFI_HANDOFF_MODE_BOOT  = 1,   /* the loader has called ExitBootServices: the core owns the machine */
	EFI_HANDOFF_MODE_CHAIN = 2,   /* boot services running: the core returns as the firmware's guest */
};

/* Chain mode's pool: 2 MiB aligned (the core maps it with 2 MiB pages), at
 * least hvmem='s minimum; the AP start-up page below this (a start-up IPI's
 * vector names a page under 1 MiB; boot/ap_start.c keeps below the EBDA). */
#define EFI_HANDOFF_POOL_ALIGN        (2 * MiB)
#define EFI_HANDOFF_POOL_MIN          (16 * MiB)
#define EFI_HANDOFF_TRAMPOLINE_LIMIT  0xa0000ULL

/* Returned in RAX by efi_entry64 when it refuses to start (nothing changed). */
enum efi_handoff_error {
	EFI_HANDOFF_E_POINTER = 1,    /* boot_info or handoff pointer null, misaligned or above 4 GiB */
	EFI_HANDOFF_E_HEADER  = 2,    /* handoff magic or version not this core's */
	EFI_HANDOFF_E_MODE    = 3,    /* mode neither boot nor chain */
	EFI_HANDOFF_E_OFFSET  = 4,    /* load offset not 2 MiB aligned, negative, not where the entry runs, or image above 4 GiB */
	EFI_HANDOFF_E_CPU     = 5,    /* no NX, or CR4.LA57 (5-level paging) set */
	EFI_HANDOFF_E_CORE    = 6,    /* chain mode: the core failed after its entry and handed the
				       * firmware's CPU back as it was (out.reason says why) */
};

/*
 * The firmware's CPU state at the return point, as the loader saw it just
 * before the call (core_enter captures it). Chain mode resumes the
 * firmware as a guest from exactly this state: RIP/RSP/RFLAGS of the
 * instruction after the call, the registers both the System V and the
 * Microsoft x64 ABI keep across a call (the XMM registers the Microsoft ABI
 * also keeps are never touched by the core, which is built without SSE),
 * control registers, the MSRs that shape the address space, descriptor
 * tables and selectors, the debug controls and the SYSENTER MSRs (which VM
 * entry loads from the guest-state area, SDM 26.3.2.1). Unused in boot mode.
 */
struct efi_cpu_state {
	uint64_t rip, rsp, rflags;                 /* the return point */
	uint64_t rbx, rbp, rdi, rsi, r12, r13, r14, r15;
	uint64_t cr0, cr3, cr4;
	uint64_t efer, pat;                        /* IA32_EFER, IA32_PAT */
	uint64_t fs_base, gs_base, kernel_gs_base; /* IA32_FS_BASE, IA32_GS_BASE, IA32_KERNEL_GS_BASE */
	uint64_t gdtr_base, idtr_base;
	uint16_t gdtr_limit, idtr_limit;
	uint16_t cs, ds, es, fs, gs, ss, tr, ldtr; /* selectors (TR/LDTR: as STR/SLDT read them) */
	uint16_t reserved[2];
	uint64_t dr7, debugctl;                    /* DR7, IA32_DEBUGCTL (the firmware's breakpoints, LBR) */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;   /* IA32_SYSENTER_CS/ESP/EIP */
};

/*
 * What the core tells the loader in chain mode (zeroed by the loader; the
 * core writes it before it returns, whether as the guest or handing back).
 */
struct efi_handoff_out {
	uint64_t view_rsdp;             /* the RSDP of the hypervisor's ACPI view (CPUs not started
					 * disabled, the DMAR left out), which the loader installs in
					 * the EFI configuration table for the OS; 0: none, the
					 * firmware's own tables are right as they are */
	uint32_t aps_started;           /* handed back with other CPUs the core had started: they
					 * wait halted in its memory, which the loader must keep */
	uint32_t reserved;
	char reason[160];               /* RAX = EFI_HANDOFF_E_CORE: why the core handed back */
};

/*
 * What the loader tells the core besides struct boot_info. Fields up to
 * load_offset are read by the assembly entry: their offsets are fixed.
 */
struct efi_handoff {
	uint64_t magic;                 /* EFI_HANDOFF_MAGIC */
	uint32_t version;               /* EFI_HANDOFF_VERSION */
	uint32_t size;                  /* sizeof(struct efi_handoff) as the loader built it */
	uint32_t boot_info_size;        /* sizeof(struct boot_info) as the loader built it */
	uint32_t mode;                  /* enum efi_handoff_mode */
	uint64_t load_offset;           /* load address - link address of hv.elf, 2 MiB aligned */
	uint64_t pool_start, pool_end;  /* [start, end): memory the loader allocated for the
					 * hypervisor (chain mode: its whole heap, hidden from
					 * the firmware); 0, 0 in boot mode (the e820 decides) */
	uint64_t trampoline;            /* chain mode: a page below 0xa0000 the loader allocated for
					 * the APs' start-up code (boot/ap_start.c); 0 in boot mode
					 * (the core borrows a page of usable low memory) */
	struct efi_cpu_state fw;        /* chain mode's return point; see above */
	struct efi_handoff_out out;     /* chain mode: the core's answers, read after the return */
};

/* The entry's view (boot/entry.asm: HANDOFF_OFF_*). */
_Static_assert(__builtin_offsetof(struct efi_handoff, magic) == 0, "entry.asm reads magic at 0");
_Static_assert(__builtin_offsetof(struct efi_handoff, version) == 8, "entry.asm reads version at 8");
_Static_assert(__builtin_offsetof(struct efi_handoff, mode) == 20, "entry.asm reads mode at 20");
_Static_assert(__builtin_offsetof(struct efi_handoff, load_offset) == 24, "entry.asm reads load_offset at 24");
_Static_assert(sizeof(struct efi_cpu_state) == 232, "efi_cpu_state layout is part of the hand-off ABI");

/*
 * Checks what a loader handed over before the core trusts any of it:
 * handoff magic, version, size and mode (boot or chain; chain: the pool
 * 2 MiB aligned, at least 16 MiB and below 4 GiB, the start-up page
 * aligned below 0xa0000 or 0), the boot_info size the loader was built
 * with, that neither structure lies inside the core's image (w), in chain
 * mode that the pool covers none of the image, the two structures and the
 * start-up page, and inside boot_info every
 * count against its array, every string terminated inside its array, the
 * memory map's and modules' ranges (non-empty, no wrap-around), the RSDP
 * length and the EFI map's descriptor size. On success copies boot_info to
 * *out with info_start/info_end set to [bi_pa, bi_pa + sizeof) and the
 * efi note cleared of garbage. Returns 0, or -EINVAL with a one-line
 * reason in err. Pure: the caller maps both structures.
 *
 * The image's lower bound: the GRUB path keeps the low 16 MiB for guests
 * (entry.asm IMAGE_MIN_ADDR, ISA DMA); efi_entry64 does not ask for it on
 * purpose: a UEFI loader allocates with AllocateMaxAddress, top-down below
 * 4 GiB, and in chain mode all memory outside the image and pool stays the
 * firmware's, which gives out low memory as it sees fit.
 */
struct efi_handoff_where {
	hpa_t bi_pa, h_pa;              /* where the loader put the two structures */
	hpa_t image_start, image_end;   /* the core's image as loaded (its bss included) */
};

int __must_check efi_handoff_check(const struct boot_info *bi, const struct efi_handoff *h,
				   const struct efi_handoff_where *w, struct boot_info *out,
				   char *err, size_t errlen);

/* A one-line reason for efi_entry64's refusal code (loader side). */
const char *efi_handoff_strerror(uint64_t code);

#endif
