; boot/ap_trampoline.asm - an application processor's way from its start-up
; IPI to the hypervisor: real mode -> protected mode -> long mode (SDM Vol.
; 3A, 10.4.4 "MP Initialization Example", 11.6.1 "Start-up IPI", 10.8.5
; "Initializing IA-32e Mode").
;
; trampoline_start .. trampoline_end is copied by boot/ap_start.c to a page
; P below 1 MiB; the start-up IPI's vector is P >> 12, so the AP begins at
; CS:IP = (P >> 4):0000 in real mode. The code reaches everything through
; EBX = P. The three absolute addresses the CPU takes from memory (the GDT
; base, the two far jumps) hold offsets from trampoline_start here; C adds
; P to them after the copy, and fills in the rest of the parameter block:
; the first page tables (the trampoline page identity-mapped, the
; hypervisor's upper half), the hypervisor's CR3, the AP's stack and
; per-CPU block, and ap_entry64. The layout is struct trampoline_params
; (boot/ap_start.c), which checks the size field.

%define CR0_PE     (1 << 0)
%define CR0_WP     (1 << 16)
%define CR0_NW     (1 << 29)
%define CR0_CD     (1 << 30)
%define CR0_PG     (1 << 31)
%define CR4_PAE    (1 << 5)
%define MSR_EFER   0xc0000080
%define EFER_LME   (1 << 8)
%define EFER_NXE   (1 << 11)

%define SEL_CODE32 0x08
%define SEL_DATA   0x10
%define SEL_CODE64 0x18

%define TP_STARTED   1                  ; status: the AP ran the first instruction
%define TP_LONG_MODE 2                  ; status: the AP is in 64-bit mode

; Offsets in the parameter block (struct trampoline_params).
%define TP           (tp_params - trampoline_start)
%define TP_SIZE      0
%define TP_STATUS    4
%define TP_GDTR      8                  ; limit (2), base (4)
%define TP_JMP32     16                 ; offset (4), selector (2)
%define TP_JMP64     24                 ; offset (4), selector (2)
%define TP_CR3_32    32
%define TP_CR3       40
%define TP_STACK     48
%define TP_PERCPU    56
%define TP_ENTRY     64
%define TP_END       72

extern ap_main

section .rodata progbits alloc noexec nowrite align=16
bits 16
global trampoline_start
trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4                              ; EBX = P
	mov dword [TP + TP_STATUS], TP_STARTED
	o32 lgdt [TP + TP_GDTR]                 ; o32: a 32-bit base
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword far [TP + TP_JMP32]           ; CS = 32-bit code, EIP = P + tramp32

bits 32
tramp32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [ebx + TP + TP_CR3_32]
	mov cr3, eax
	; NXE before paging: the hypervisor's entries have XD set (a reserved
	; bit while NXE is 0).
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	; CD and NW are set after INIT (SDM Vol. 3A, Table 10-1): caches on, as
	; boot/entry.asm does on the boot CPU.
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)
	or eax, CR0_PE | CR0_PG | CR0_WP
	mov cr0, eax
	jmp far [ebx + TP + TP_JMP64]           ; compatibility -> 64-bit mode

bits 64
tramp64:
	mov ebx, ebx                            ; upper halves are undefined after the switch
	mov dword [rbx + TP + TP_STATUS], TP_LONG_MODE
	mov rsp, [rbx + TP + TP_STACK]
	mov rdi, [rbx + TP + TP_PERCPU]
	mov rsi, [rbx + TP + TP_CR3]
	mov rax, [rbx + TP + TP_ENTRY]
	jmp rax                                 ; ap_entry64, in the image

align 8
tp_gdt:
	dq 0
	dq 0x00cf9a000000ffff                   ; 0x08: 32-bit code, DPL 0
	dq 0x00cf92000000ffff                   ; 0x10: data, DPL 0
	dq 0x00af9a000000ffff                   ; 0x18: 64-bit code, DPL 0
tp_gdt_end:

align 8
tp_params:
	dd TP_END                               ; size
	dd 0                                    ; status
	dw tp_gdt_end - tp_gdt - 1              ; GDTR limit
	dd tp_gdt - trampoline_start            ; GDTR base: + P
	dw 0
	dd tramp32 - trampoline_start           ; + P
	dw SEL_CODE32, 0
	dd tramp64 - trampoline_start           ; + P
	dw SEL_CODE64, 0
	dd 0                                    ; CR3 for the switch (below 4 GiB)
	dd 0
	dq 0                                    ; the hypervisor's CR3
	dq 0                                    ; stack top
	dq 0                                    ; struct percpu *
	dq 0                                    ; ap_entry64
tp_params_end:
global trampoline_end
trampoline_end:
; The block's size must be TP_END and its offset a multiple of 8 (assembly
; errors otherwise: a negative TIMES count).
times (tp_params_end - tp_params) - TP_END db 0
times TP_END - (tp_params_end - tp_params) db 0
global trampoline_params_offset
trampoline_params_offset: dd TP

; The AP's first instructions in the image: on the hypervisor's own page
; tables from here, the trampoline page no longer mapped. RDI = its per-CPU
; block, RSI = the hypervisor's CR3, RSP = its run stack's top.
section .text
bits 64
global ap_entry64
ap_entry64:
	mov cr3, rsi
	xor ebp, ebp                            ; end of the frame-pointer chain
	call ap_main                            ; never returns
.hang:
	cli
	hlt
	jmp .hang
