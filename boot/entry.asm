; boot/entry.asm - Multiboot2 header and the 32-bit to long-mode stub
; (Multiboot2 spec 3.1 and 3.3; SDM Vol. 3A, 9.8.5 "Initializing IA-32e Mode").
;
; GRUB enters mb2_entry in 32-bit protected mode, paging off, EAX = magic,
; EBX = physical address of the information block. The stub checks for long
; mode and NX, zeroes the BSS, builds early page tables (the first 4 GiB
; identity-mapped so C can read the boot information wherever the loader put
; it, and the same first GiB at KERNEL_VBASE for the image), enables PAE,
; LME, NXE, paging, WP and the caches, and calls hv_main(magic, info) on the
; boot stack.
; C replaces these tables with its own W^X tables as soon as it can.

%define KERNEL_VBASE      0xffffffff80000000
%define MB2_HEADER_MAGIC  0xe85250d6
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
%define COM1              0x3f8

extern __bss_start
extern __bss_end
extern hv_main
extern boot_stack_top

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
.end:
	dw 0, 0
	dd 8
mb2_header_end:

; ---------------------------------------------------------------------------
section .boot.text progbits alloc exec nowrite align=16
bits 32
global mb2_entry
mb2_entry:
	cli
	cld
	mov esp, boot32_stack_top
	mov [saved_magic], eax                  ; for hv_main(magic, info_pa)
	mov [saved_info], ebx

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

	; Zero the BSS (linked high; zeroed through its physical address).
	mov edi, __bss_start - KERNEL_VBASE
	mov ecx, __bss_end - KERNEL_VBASE
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd
	jmp .build_tables

.no_long_mode:
	mov esi, msg_no_long_mode
	jmp early_fatal
.no_nx:
	mov esi, msg_no_nx
	jmp early_fatal

.build_tables:
	; The loader zeroes .boot.bss only if it honours the segment's memsz: be sure.
	mov edi, early_pml4
	mov ecx, (early_tables_end - early_pml4) / 4
	xor eax, eax
	rep stosd

	; 4 page directories of 2 MiB pages: identity map of [0, 4 GiB).
	mov edi, early_pd
	mov eax, PTE_P_W_PS
	xor edx, edx
	mov ecx, 4 * 512
.fill_pd:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .fill_pd

	; PDPT for the identity map: entries 0..3 -> the 4 directories.
	mov eax, early_pd + PTE_P_W
	mov [early_pdpt_low + 0 * 8], eax
	add eax, 4096
	mov [early_pdpt_low + 1 * 8], eax
	add eax, 4096
	mov [early_pdpt_low + 2 * 8], eax
	add eax, 4096
	mov [early_pdpt_low + 3 * 8], eax

	; KERNEL_VBASE is PML4[511], PDPT[510]: reuse the first directory.
	mov dword [early_pdpt_high + 510 * 8], early_pd + PTE_P_W

	mov dword [early_pml4 + 0 * 8], early_pdpt_low + PTE_P_W
	mov dword [early_pml4 + 511 * 8], early_pdpt_high + PTE_P_W

	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, early_pml4
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

	lgdt [early_gdt_ptr]
	jmp 0x08:long_mode_entry

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
	mov edi, [saved_magic]                  ; hv_main(magic, info_pa)
	mov esi, [saved_info]
	mov rax, hv_main
	call rax
.hang:
	cli
	hlt
	jmp .hang

; ---------------------------------------------------------------------------
section .boot.data progbits alloc noexec write align=16
msg_no_long_mode: db "hv: this CPU has no 64-bit long mode; cannot start.", 13, 10, 0
msg_no_nx:        db "hv: this CPU has no NX (execute-disable) support; cannot start.", 13, 10, 0

align 8
early_gdt:
	dq 0
	dq 0x00af9a000000ffff                   ; 0x08: 64-bit code, DPL 0
	dq 0x00cf92000000ffff                   ; 0x10: data, DPL 0
early_gdt_end:
early_gdt_ptr:
	dw early_gdt_end - early_gdt - 1
	dd early_gdt

; ---------------------------------------------------------------------------
section .boot.bss nobits alloc noexec write align=4096
early_pml4:      resb 4096
early_pdpt_low:  resb 4096
early_pdpt_high: resb 4096
early_pd:        resb 4 * 4096
early_tables_end:
saved_magic:     resd 1
saved_info:      resd 1
boot32_stack:    resb 256
boot32_stack_top:
