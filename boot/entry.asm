; boot/entry.asm - Multiboot2 header and the 32-bit to long-mode stub
; (Multiboot2 spec 3.1 and 3.3; SDM Vol. 3A, 9.8.5 "Initializing IA-32e Mode").
;
; GRUB enters mb2_entry in 32-bit protected mode, paging off, EAX = magic,
; EBX = physical address of the information block. The image is relocatable
; (header tag 10): GRUB loads it, 2 MiB aligned, as high as it fits below
; 4 GiB, so that guest RAM from 1 MiB stays one run. The stub runs wherever
; it was put: it finds the load offset (load address - link address) in the
; information block's load base address tag (Multiboot2 3.6.13; no tag: loaded
; at the link address), reaches all its own data through EBP = that offset,
; checks for long mode and NX, zeroes the BSS, builds early page tables (the
; first 4 GiB identity-mapped so C can read the boot information wherever
; the loader put it, and the image's virtual range at KERNEL_VBASE mapped
; onto where it was loaded), enables PAE, LME, NXE, paging, WP and the
; caches, stores the offset in image_load_offset and calls
; hv_main(magic, info, 0) on the boot stack.
; C replaces these tables with its own W^X tables as soon as it can.
;
; The second entry, efi_entry64, is for a UEFI loader (hv.efi) that calls it
; in 64-bit long mode on the firmware's identity map (the contract:
; boot/info/efi_handoff.h; found through the ELF note HV/1 below). After its
; checks it does the same as the stub after the mode switch, through the same
; macros and data, and calls hv_main(EFI_HANDOFF_ENTRY_MAGIC, info, handoff).

%define KERNEL_VBASE      0xffffffff80000000
%define MB2_HEADER_MAGIC  0xe85250d6
%define MB2_LOADER_MAGIC  0x36d76289
%define MB2_TAG_LOAD_BASE 21                    ; image load base physical address
%define IMAGE_ALIGN       0x200000              ; early tables map the image with 2 MiB pages
%define IMAGE_MIN_ADDR    0x1000000             ; keep the low 16 MiB (ISA DMA) for guests
%define IMAGE_MAX_ADDR    0xffffffff            ; the image must end below 4 GiB (32-bit stub)
%define MSR_IA32_EFER     0xc0000080
%define EFER_LME          (1 << 8)
%define EFER_NXE          (1 << 11)
%define CR0_PE            (1 << 0)
%define CR0_WP            (1 << 16)
%define CR0_PG            (1 << 31)
%define CR0_NW            (1 << 29)
%define CR0_CD            (1 << 30)
%define CR4_PAE           (1 << 5)
%define PTE_P_W           0x003
%define PTE_P_W_PS        0x083
%define CR4_LA57          (1 << 12)
%define COM1              0x3f8

; = boot/info/efi_handoff.h (tests/unit/boot/test_efi_handoff.c compares them)
%define EFI_HANDOFF_MAGIC        0x464f444e41485648
%define EFI_HANDOFF_VERSION      5
%define EFI_HANDOFF_ENTRY_MAGIC  0x46455648
%define EFI_HANDOFF_MODE_BOOT    1
%define EFI_HANDOFF_MODE_CHAIN   2
%define EFI_HANDOFF_E_POINTER    1
%define EFI_HANDOFF_E_HEADER     2
%define EFI_HANDOFF_E_MODE       3
%define EFI_HANDOFF_E_OFFSET     4
%define EFI_HANDOFF_E_CPU        5
%define HANDOFF_OFF_MAGIC        0
%define HANDOFF_OFF_VERSION      8
%define HANDOFF_OFF_MODE         20
%define HANDOFF_OFF_LOAD_OFFSET  24
%define HV_NOTE_EFI_ENTRY64      1
%define HV_NOTE_EFI_AP_ENTRY64   2
%define EFI_AP_HANDOFF_MAGIC     0x5041464f444e4148
%define AP_HANDOFF_OFF_INDEX     8
%define EFI_AP_E_POINTER         1
%define EFI_AP_E_HEADER          2
%define EFI_AP_E_INDEX           3
%define EFI_AP_E_CPU             4

extern __bss_start
extern __image_phys_start
extern __image_phys_end
extern __bss_end
extern hv_main
extern boot_stack_top
extern chain_ap_main
extern chain_ap_count
extern chain_ap_cr3
extern chain_ap_stack

; ---------------------------------------------------------------------------
section .multiboot progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd 0                                    ; architecture: i386 protected mode
	dd mb2_header_end - mb2_header
	dd -(MB2_HEADER_MAGIC + 0 + (mb2_header_end - mb2_header))

	align 8
.info_request:                                  ; type 1: information request
	dw 1, 0
	dd .info_request_end - .info_request
	dd 1                                    ; boot command line
	dd 2                                    ; boot loader name
	dd 3                                    ; modules
	dd 6                                    ; memory map
	dd 8                                    ; framebuffer info (no mode change asked)
	dd 14                                   ; ACPI old RSDP
	dd 15                                   ; ACPI new RSDP
	dd 12                                   ; EFI 64-bit system table pointer
	dd 17                                   ; EFI memory map (GRUB still calls ExitBootServices: no tag 18)
.info_request_end:

	align 8
.module_align:                                  ; type 6: page-align modules
	dw 6, 0
	dd 8

	align 8
.relocatable:                                   ; type 10: load anywhere in [min, max], aligned, high
	dw 10, 0
	dd 24
	dd IMAGE_MIN_ADDR
	dd IMAGE_MAX_ADDR
	dd IMAGE_ALIGN
	dd 2                                    ; preference: high

	align 8
.end:
	dw 0, 0
	dd 8
mb2_header_end:

; ---------------------------------------------------------------------------
; What both entries do once they run with EBP = the load offset (the image
; below 4 GiB). Written with 32-bit registers and addresses so that the same
; text assembles for the 32-bit stub and the 64-bit entry (there the upper
; halves of RCX/RDI are zero, so LOOP and REP use them unchanged).
; Clobber EAX, ECX, EDX, EDI.

; Zero the BSS (linked high; zeroed through its physical address), then
; store the load offset for C.
%macro ZERO_BSS_SET_OFFSET 0
	lea edi, [ebp + __bss_start - KERNEL_VBASE]
	mov ecx, __bss_end - KERNEL_VBASE
	sub ecx, __bss_start - KERNEL_VBASE
	shr ecx, 2
	xor eax, eax
	rep stosd
	mov [ebp + image_load_offset - KERNEL_VBASE], ebp
	mov dword [ebp + image_load_offset - KERNEL_VBASE + 4], 0
%endmacro

; ECX page-directory entries from EDI, 2 MiB pages, the first EDX:EAX
; (address and attributes), each next one 2 MiB further.
%macro FILL_2M_PDES 0
%%next:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop %%next
%endmacro

; The early page tables in .boot.bss: identity map of [0, 4 GiB) and the
; image's virtual range. Loading them into CR3 is the caller's part.
%macro BUILD_EARLY_TABLES 0
	; The loader zeroes .boot.bss only if it honours the segment's memsz: be sure.
	lea edi, [ebp + early_pml4]
	mov ecx, (early_tables_end - early_pml4) / 4
	xor eax, eax
	rep stosd

	; 4 page directories of 2 MiB pages: identity map of [0, 4 GiB).
	lea edi, [ebp + early_pd]
	mov eax, PTE_P_W_PS
	xor edx, edx
	mov ecx, 4 * 512
	FILL_2M_PDES

	; One more for the image: KERNEL_VBASE + x -> x + offset (the offset is 2 MiB aligned).
	lea edi, [ebp + early_pd_image]
	lea eax, [ebp + PTE_P_W_PS]
	xor edx, edx
	mov ecx, 512
	FILL_2M_PDES

	; PDPT for the identity map: entries 0..3 -> the 4 directories.
	lea eax, [ebp + early_pd + PTE_P_W]
	mov [ebp + early_pdpt_low + 0 * 8], eax
	add eax, 4096
	mov [ebp + early_pdpt_low + 1 * 8], eax
	add eax, 4096
	mov [ebp + early_pdpt_low + 2 * 8], eax
	add eax, 4096
	mov [ebp + early_pdpt_low + 3 * 8], eax

	; KERNEL_VBASE is PML4[511], PDPT[510].
	lea eax, [ebp + early_pd_image + PTE_P_W]
	mov [ebp + early_pdpt_high + 510 * 8], eax

	lea eax, [ebp + early_pdpt_low + PTE_P_W]
	mov [ebp + early_pml4 + 0 * 8], eax
	lea eax, [ebp + early_pdpt_high + PTE_P_W]
	mov [ebp + early_pml4 + 511 * 8], eax
%endmacro

; The early GDT, its base patched to where it was loaded (LGDT reads a 4-byte
; base in 32-bit mode, 8 bytes in 64-bit mode: the pointer holds 8).
%macro LOAD_EARLY_GDT 0
	lea eax, [ebp + early_gdt]
	mov [ebp + early_gdt_ptr + 2], eax
	lgdt [ebp + early_gdt_ptr]
%endmacro

; ---------------------------------------------------------------------------
section .boot.text progbits alloc exec nowrite align=16
bits 32
global mb2_entry
mb2_entry:
	cli
	cld
	; No stack yet (Multiboot2 leaves ESP undefined): registers only until
	; EBP holds the load offset.
	mov esi, eax                            ; magic
	xor ebp, ebp
	cmp eax, MB2_LOADER_MAGIC               ; else hv_main reports it
	jne .have_offset
	lea ecx, [ebx + 8]                      ; first tag
	mov edx, [ebx]                          ; total_size
	add edx, ebx                            ; end of the block
.next_tag:
	lea eax, [ecx + 16]                     ; a load base tag is 12 bytes; no tag is shorter than 8
	cmp eax, edx
	ja .have_offset
	mov eax, [ecx]
	test eax, eax                           ; end tag
	jz .have_offset
	cmp eax, MB2_TAG_LOAD_BASE
	je .load_base
	mov eax, [ecx + 4]                      ; size
	cmp eax, 8
	jb .have_offset                         ; malformed: hv_main's parser says so
	add eax, 7
	and eax, ~7
	add ecx, eax
	jmp .next_tag
.load_base:
	mov ebp, [ecx + 8]
	cmp ebp, __image_phys_start
	jb .bad_load
	sub ebp, __image_phys_start
	test ebp, IMAGE_ALIGN - 1
	jnz .bad_load
.have_offset:
	lea esp, [ebp + boot32_stack_top]
	mov [ebp + saved_magic], esi            ; for hv_main(magic, info_pa)
	mov [ebp + saved_info], ebx
	mov dword [ebp + saved_handoff], 0

	; Long mode (CPUID.80000001H:EDX[29]) and NX (EDX[20]) are required.
	pushfd                                  ; CPUID present? (EFLAGS.ID toggles)
	pop eax
	mov ecx, eax
	xor eax, 1 << 21
	push eax
	popfd
	pushfd
	pop eax
	push ecx
	popfd
	cmp eax, ecx
	je .no_long_mode
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	test edx, 1 << 20
	jz .no_nx

	ZERO_BSS_SET_OFFSET
	jmp .build_tables

.bad_load:                                      ; the message where it was really loaded
	mov esi, [ecx + 8]
	sub esi, __image_phys_start
	add esi, msg_bad_load
	jmp early_fatal
.no_long_mode:
	lea esi, [ebp + msg_no_long_mode]
	jmp early_fatal
.no_nx:
	lea esi, [ebp + msg_no_nx]
	jmp early_fatal

.build_tables:
	BUILD_EARLY_TABLES

	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	lea eax, [ebp + early_pml4]
	mov cr3, eax
	mov ecx, MSR_IA32_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	; Caches on: some firmware (Bochs' BIOS) leaves CD/NW set, and VM entry
	; does not load them (SDM Vol. 3C, 27.3.2.1), so guests would inherit them.
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)
	or eax, CR0_PE | CR0_PG | CR0_WP
	mov cr0, eax

	LOAD_EARLY_GDT
	lea eax, [ebp + long_mode_entry]        ; far jump to a computed target: CS, then EIP
	push dword 0x08
	push eax
	retf

; Prints the NUL-terminated string at ESI on COM1 (as the loader left it) and stops.
early_fatal:
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	lodsb
	test al, al
	jz .halt
	mov dx, COM1
	out dx, al
	jmp early_fatal
.halt:
	cli
	hlt
	jmp .halt

bits 64
long_mode_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax

	mov rsp, boot_stack_top
	xor ebp, ebp                            ; end of the frame-pointer chain
	mov edi, [rel saved_magic]              ; hv_main(magic, info_pa, handoff_pa);
	mov esi, [rel saved_info]               ; RIP-relative: the stub runs where
	mov edx, [rel saved_handoff]            ; it was loaded
	mov rax, hv_main
	call rax
.hang:
	cli
	hlt
	jmp .hang

; efi_entry64(boot_info_pa, handoff_pa): the entry for a UEFI loader, called
; in 64-bit long mode on the firmware's identity map with the System V AMD64
; ABI (RDI, RSI; the contract is in boot/info/efi_handoff.h). Runs at its
; physical load address: its own code and data RIP-relative or through
; RBP = the load offset, like the stub.
global efi_entry64
efi_entry64:
	pushfq
	; Checks first, changing nothing the caller keeps: refusal returns RAX =
	; a code with RFLAGS restored. RBX, RBP and R12-R15 stay untouched here,
	; and so do interrupts (the checks only read; up to the CR4 read they
	; run unprivileged too: tests/unit/boot/test_efi_entry.c calls them).
	mov eax, EFI_HANDOFF_E_POINTER
	test rdi, rdi
	jz .refuse
	test rsi, rsi
	jz .refuse
	mov rcx, rdi
	or rcx, rsi
	test ecx, 7
	jnz .refuse
	shr rcx, 32                             ; both below 4 GiB: the early map covers them
	jnz .refuse
	mov eax, EFI_HANDOFF_E_HEADER
	mov rcx, EFI_HANDOFF_MAGIC
	cmp [rsi + HANDOFF_OFF_MAGIC], rcx
	jne .refuse
	cmp dword [rsi + HANDOFF_OFF_VERSION], EFI_HANDOFF_VERSION
	jne .refuse
	mov eax, EFI_HANDOFF_E_MODE             ; boot or chain (boot/main.c tells them apart)
	mov ecx, [rsi + HANDOFF_OFF_MODE]
	dec ecx                                 ; EFI_HANDOFF_MODE_BOOT = 1, EFI_HANDOFF_MODE_CHAIN = 2
	cmp ecx, EFI_HANDOFF_MODE_CHAIN - 1
	ja .refuse

	; The load offset: where this code runs minus where it was linked.
	mov eax, EFI_HANDOFF_E_OFFSET
	lea r8, [rel efi_entry64]
	mov rcx, efi_entry64                    ; the link address, an absolute constant
	sub r8, rcx
	jb .refuse                              ; below the link address
	test r8d, IMAGE_ALIGN - 1
	jnz .refuse
	cmp r8, [rsi + HANDOFF_OFF_LOAD_OFFSET]
	jne .refuse
	mov rcx, __image_phys_end
	add rcx, r8
	mov rdx, IMAGE_MAX_ADDR + 1             ; the image's end below 4 GiB, as for GRUB
	cmp rcx, rdx
	ja .refuse

	; NX (the C page tables use it) and 4-level paging: CR4.LA57 cannot
	; be cleared in long mode, and the early tables have 4 levels.
	mov rcx, cr4
	test ecx, CR4_LA57
	jnz .cpu
	mov r9, rbx                             ; CPUID writes RBX, which the caller keeps
	mov eax, 0x80000001
	cpuid
	mov rbx, r9
	test edx, 1 << 20
	jz .cpu

	; From here on the core owns the CPU and never returns.
	cli
	mov rbp, r8
	mov dword [rel saved_magic], EFI_HANDOFF_ENTRY_MAGIC
	mov [rel saved_info], edi
	mov [rel saved_handoff], esi
	cld
	ZERO_BSS_SET_OFFSET
	BUILD_EARLY_TABLES
	; CR4 = PAE alone, as after the 32-bit stub: clearing PGE also flushes the
	; firmware's global TLB entries (its CR4 is in the handoff for chain mode).
	mov eax, CR4_PAE
	mov cr4, rax
	lea rax, [rel early_pml4]
	mov cr3, rax
	mov ecx, MSR_IA32_EFER                  ; LME and LMA are set: add NXE
	rdmsr
	or eax, EFER_NXE
	wrmsr
	mov rax, cr0                            ; caches on and WP, as in the stub
	and eax, ~(CR0_CD | CR0_NW)
	or eax, CR0_PE | CR0_PG | CR0_WP
	mov cr0, rax
	LOAD_EARLY_GDT
	lea rax, [rel long_mode_entry]          ; reload CS with the early GDT's 0x08
	push 0x08
	push rax
	o64 retf
.cpu:
	mov eax, EFI_HANDOFF_E_CPU
.refuse:
	popfq
	ret

; efi_ap_entry64(ap_pa): chain mode's entry for each AP, once efi_entry64 has
; returned on the boot CPU as the firmware's guest (boot/info/efi_handoff.h,
; struct efi_ap_handoff). Called like efi_entry64: 64-bit, the firmware's
; identity map, System V ABI, RDI = the block's physical address. Checks
; first, changing nothing (refusal: RAX = an EFI_AP_E_* code, RFLAGS
; restored); then it takes the CPU: the early tables (still built, in the
; image: the identity map and the image's virtual range) to reach the
; image's upper half, there the hypervisor's own tables and the per-CPU
; block's run stack that boot/chain_ap.c prepared for this index, and
; chain_ap_main(ap_pa, index), which never returns here.
global efi_ap_entry64
efi_ap_entry64:
	pushfq
	mov eax, EFI_AP_E_POINTER
	test rdi, rdi
	jz .ap_refuse
	test edi, 7
	jnz .ap_refuse
	mov rcx, rdi
	shr rcx, 32
	jnz .ap_refuse
	mov eax, EFI_AP_E_HEADER
	mov rcx, EFI_AP_HANDOFF_MAGIC
	cmp [rdi], rcx
	jne .ap_refuse
	; The load offset, as in efi_entry64 (which checked it on the boot CPU).
	lea r8, [rel efi_ap_entry64]
	mov rcx, efi_ap_entry64
	sub r8, rcx
	; chain_ap_count (linked high, read through its physical address): 0
	; until the boot CPU's core prepared the APs' blocks, and index 0 is
	; the boot CPU.
	mov rdx, chain_ap_count                 ; its link address, less KERNEL_VBASE, plus the offset
	mov rax, KERNEL_VBASE
	sub rdx, rax
	add rdx, r8
	mov eax, EFI_AP_E_INDEX
	mov ecx, [rdi + AP_HANDOFF_OFF_INDEX]
	test ecx, ecx
	jz .ap_refuse
	cmp ecx, [rdx]
	jae .ap_refuse
	mov eax, EFI_AP_E_CPU
	mov rdx, cr4
	test edx, CR4_LA57
	jnz .ap_refuse

	; From here on the core owns this CPU.
	cli
	cld
	mov eax, CR4_PAE                        ; as efi_entry64: PGE, PCIDE, CET off
	mov cr4, rax
	mov esi, ecx                            ; the index, for chain_ap_main
	mov ecx, MSR_IA32_EFER                  ; NXE: the hypervisor's tables use XD
	rdmsr
	or eax, EFER_NXE
	wrmsr
	lea rax, [rel early_pml4]
	mov cr3, rax
	mov rax, cr0
	and eax, ~(CR0_CD | CR0_NW)
	or eax, CR0_PE | CR0_PG | CR0_WP
	mov cr0, rax
	mov rax, chain_ap_high                  ; its link address: the early tables map it
	jmp rax
.ap_refuse:
	popfq
	ret

; chain mode's AP, continued in the image's upper half on the early tables:
; the hypervisor's tables and the run stack of its block (boot/chain_ap.c
; fills chain_ap_cr3 and chain_ap_stack before chain_ap_count). RDI = the
; block's physical address, ESI = its index.
section .text
bits 64
chain_ap_high:
	mov rax, [rel chain_ap_cr3]
	mov cr3, rax
	lea rax, [rel chain_ap_stack]
	mov rsp, [rax + rsi * 8]
	xor ebp, ebp                            ; end of the frame-pointer chain
	call chain_ap_main                      ; never returns
.hang:
	cli
	hlt
	jmp .hang

; ---------------------------------------------------------------------------
section .boot.data progbits alloc noexec write align=16
msg_no_long_mode: db "hv: this CPU has no 64-bit long mode; cannot start.", 13, 10, 0
msg_no_nx:        db "hv: this CPU has no NX (execute-disable) support; cannot start.", 13, 10, 0
msg_bad_load:     db "hv: the boot loader put the image below its link address or not 2 MiB aligned; cannot start.", 13, 10, 0

align 8
early_gdt:
	dq 0
	dq 0x00af9a000000ffff                   ; 0x08: 64-bit code, DPL 0
	dq 0x00cf92000000ffff                   ; 0x10: data, DPL 0
early_gdt_end:
early_gdt_ptr:
	dw early_gdt_end - early_gdt - 1
	dq early_gdt                            ; + the load offset, patched before LGDT

; The ELF note that tells a UEFI loader where efi_entry64 is (PT_NOTE; gABI
; "Note Section"; like Xen's XEN_ELFNOTE_PHYS32_ENTRY): name "HV", type
; HV_NOTE_EFI_ENTRY64, desc = the entry's 64-bit physical link address.
section .note.hv note alloc noexec nowrite align=4
	dd 3                                    ; namesz: "HV" and its NUL
	dd 8                                    ; descsz
	dd HV_NOTE_EFI_ENTRY64
	db "HV", 0, 0                           ; padded to 4 bytes
	dq efi_entry64
	dd 3                                    ; the same for efi_ap_entry64
	dd 8
	dd HV_NOTE_EFI_AP_ENTRY64
	db "HV", 0, 0
	dq efi_ap_entry64

; Load address - link address of the image (a multiple of IMAGE_ALIGN), for
; C's conversions between the image's virtual and physical addresses.
section .data
align 8
global image_load_offset
global early_pml4                       ; boot/chain_return.asm goes back through it
image_load_offset: dq 0

; ---------------------------------------------------------------------------
section .boot.bss nobits alloc noexec write align=4096
early_pml4:      resb 4096
early_pdpt_low:  resb 4096
early_pdpt_high: resb 4096
early_pd:        resb 4 * 4096
early_pd_image:  resb 4096
early_tables_end:
saved_magic:     resd 1
saved_info:      resd 1
saved_handoff:   resd 1                 ; 0 on the Multiboot2 path
boot32_stack:    resb 256
boot32_stack_top:
