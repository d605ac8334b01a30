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
 * the core may use, and the list of the firmware's CPUs; the core returns
 * to the firmware as its guest at fw.rip with RAX = 0, and each AP comes
 * under the hypervisor later through efi_ap_entry64 (struct efi_ap_handoff
 * below; boot/efi/chain_enter.c, boot/efi/chain_aps.c). A failure the core finds after the entry's
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
#define HV_NOTE_EFI_AP_ENTRY64   2             /* desc: uint64_t physical link address of efi_ap_entry64 */

#define EFI_HANDOFF_MAGIC        0x464f444e41485648ULL   /* "HVHANDOF" in memory order */
#define EFI_HANDOFF_VERSION      5
#define EFI_HANDOFF_ENTRY_MAGIC  0x46455648U   /* hv_main's first argument on this path ("HVEF") */

enum efi_handoff_mode {
	EFI_HANDOFF_MODE_BOOT  = 1,   /* the loader has called ExitBootServices: the core owns the machine */
	EFI_HANDOFF_MODE_CHAIN = 2,   /* boot services running: the core returns as the firmware's guest */
};

/* Chain mode's pool: 2 MiB aligned (the core maps it with 2 MiB pages), at
 * least hvmem='s minimum. */
#define EFI_HANDOFF_POOL_ALIGN        (2 * MiB)
#define EFI_HANDOFF_POOL_MIN          (16 * MiB)
/* Chain mode's ACPI view area: the RSDP, XSDT, RSDT and MADT copies
 * (guest/dev/acpi_guest.c). */
#define EFI_HANDOFF_VIEW_SIZE         (16 * KiB)
/* Chain mode's CPUs: at most one vCPU each (guest/vm.h VM_MAX_VCPUS). */
#define EFI_HANDOFF_CPUS_MAX          64

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
	uint64_t reserved;              /* 0 (chain mode starts no AP before the hand-back point) */
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
	uint64_t acpi_view;             /* chain mode: EFI_HANDOFF_VIEW_SIZE bytes of EfiACPIMemoryNVS
					 * (page aligned, below 4 GiB) for the core's ACPI view, the
					 * tables the OS reads through the configuration table (the
					 * UEFI type for ACPI tables the OS keeps and never uses as
					 * RAM); 0: none (no RSDP), or boot mode */
	struct efi_cpu_state fw;        /* chain mode's return point; see above */
	/* Chain mode: every enabled CPU the firmware runs (EFI_MP_SERVICES_PROTOCOL),
	 * by APIC ID, the boot CPU's first; each AP enters the core later
	 * through efi_ap_entry64. 0 CPUs in boot mode. */
	uint32_t cpu_count;
	uint32_t cpu_apic_id[EFI_HANDOFF_CPUS_MAX];
	struct efi_handoff_out out;     /* chain mode: the core's answers, read after the return */
};

/*
 * Chain mode's second entry, efi_ap_entry64 in boot/entry.asm (found through
 * the ELF note HV_NOTE_EFI_AP_ENTRY64, at the same load offset): after
 * efi_entry64 returned on the boot CPU as the firmware's guest, the loader
 * runs a procedure on each AP (EFI_MP_SERVICES_PROTOCOL.StartupAllAPs) that
 * captures that AP's state at its return point in fw (as core_enter does)
 * and calls the entry with RDI = the physical address of this block (below
 * 4 GiB, 8-byte aligned), on the firmware's identity map. The entry checks
 * the block and that the core expects an AP at cpu_index (refusing with an
 * EFI_AP_E_* code in RAX, nothing changed), then takes the CPU: its per-CPU
 * block (allocated when the boot CPU entered), VMXON, a vCPU of the
 * firmware's VM resumed from fw, so that the call returns RAX = 0 in VMX
 * non-root operation. What fails after that (VMXON, the APIC ID is not
 * the one listed at cpu_index, the vCPU) is undone (VMXOFF and the state
 * at fw back, boot/chain_ap.c) and the call returns RAX = EFI_AP_E_CORE
 * with status EFI_AP_S_RETURNED: the AP is the firmware's again, outside
 * VMX, in a state its MP services can reset. Only where that cannot be
 * done is the AP parked in the hypervisor (EFI_AP_S_PARKED).
 */
#define EFI_AP_HANDOFF_MAGIC     0x5041464f444e4148ULL   /* "HANDOFAP" in memory order */
#define EFI_AP_GDT_MAX           4096                    /* a UEFI firmware's GDT has a few entries */

struct efi_ap_handoff {
	uint64_t magic;                 /* EFI_AP_HANDOFF_MAGIC */
	uint32_t cpu_index;             /* its place in efi_handoff.cpu_apic_id[] (not 0: the boot CPU) */
	volatile int32_t status;        /* EFI_AP_S_*: what became of the AP (enum efi_ap_status) */
	struct efi_cpu_state fw;        /* this AP's return point */
	/* Its GDT, fw.gdtr_limit + 1 bytes (at most EFI_AP_GDT_MAX), copied
	 * by the AP before the call: the firmware's GDT may lie in memory the
	 * hypervisor does not map (runtime services data, reserved). */
	uint8_t gdt[EFI_AP_GDT_MAX];
};

enum efi_ap_error {                     /* RAX from efi_ap_entry64, nothing changed */
	EFI_AP_E_POINTER = 1,           /* block pointer null, misaligned or above 4 GiB */
	EFI_AP_E_HEADER  = 2,           /* magic not this core's */
	EFI_AP_E_INDEX   = 3,           /* no AP expected at cpu_index (or not in chain mode) */
	EFI_AP_E_CPU     = 4,           /* CR4.LA57 set */
	EFI_AP_E_CORE    = 5,           /* the join failed after the entry; undone: the AP is back
					 * outside VMX as it was (status EFI_AP_S_RETURNED; the
					 * hypervisor's console says why) */
};

/*
 * efi_ap_handoff.status: what became of the AP, the word both sides agree
 * on (the procedure's return may come after StartupAllAPs gave up). The
 * loader writes NONE before the call. The core's AP claims it with a
 * compare-and-swap NONE -> JOINED as its vCPU joins the guest (before its
 * first VM entry) and refuses to join if that fails; once StartupAllAPs
 * returned, the loader swaps NONE -> ABANDONED for every AP whose
 * procedure did not return, so afterwards JOINED is final and exactly the
 * APs under the hypervisor. RETURNED and PARKED are plain stores.
 */
enum efi_ap_status {
	EFI_AP_S_NONE    = 0,           /* nothing yet (or refused by the entry: see RAX) */
	EFI_AP_S_JOINED  = 1,           /* core: its vCPU joined the guest: under the hypervisor */
	EFI_AP_S_PARKED  = -1,          /* core: failed after the entry, could not go back: parked
					 * in the hypervisor */
	EFI_AP_S_RETURNED = -2,         /* core: failed after the entry, undone: back to the
					 * firmware outside VMX (RAX = EFI_AP_E_CORE) */
	EFI_AP_S_ABANDONED = -3,        /* loader: stopped waiting; the AP may no longer join */
};
_Static_assert(__builtin_offsetof(struct efi_ap_handoff, cpu_index) == 8, "entry.asm reads cpu_index at 8");

/* The entry's view (boot/entry.asm: HANDOFF_OFF_*). */
_Static_assert(__builtin_offsetof(struct efi_handoff, magic) == 0, "entry.asm reads magic at 0");
_Static_assert(__builtin_offsetof(struct efi_handoff, version) == 8, "entry.asm reads version at 8");
_Static_assert(__builtin_offsetof(struct efi_handoff, mode) == 20, "entry.asm reads mode at 20");
_Static_assert(__builtin_offsetof(struct efi_handoff, load_offset) == 24, "entry.asm reads load_offset at 24");
_Static_assert(sizeof(struct efi_cpu_state) == 232, "efi_cpu_state layout is part of the hand-off ABI");

/*
 * Checks what a loader handed over before the core trusts any of it:
 * handoff magic, version, size and mode (boot or chain; chain: the pool
 * 2 MiB aligned, at least 16 MiB and below 4 GiB, 1 to
 * EFI_HANDOFF_CPUS_MAX CPUs each once), the boot_info size the loader was built
 * with, that neither structure lies inside the core's image (w), in chain
 * mode that the pool covers none of the image and the two structures, and
 * that the ACPI view area, if any, is page aligned, below 4 GiB, inside one
 * ACPI NVS range of the memory map and clear of the image, the pool and
 * the two structures (in boot mode there is none), and
 * inside boot_info every
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
