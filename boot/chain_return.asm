; boot/chain_return.asm - chain mode's hand-back (boot/info/efi_handoff.h,
; EFI_HANDOFF_E_CORE): the core failed after its entry and before the
; firmware ran as its guest, so the CPU goes back to the firmware as
; core_enter left it: the firmware's GDT, IDT, CR3, CR4, CR0, EFER, PAT,
; segments with their bases, LDTR and TR (a null TR as 0xfff0, below),
; debug and SYSENTER state, the
; return point's RSP, RFLAGS and callee-saved registers, RAX = the code.
; The caller (boot/chain_fail.c) has undone everything else (VMX, VT-d,
; the UART). Chain mode's APs go back the same way when their join fails
; (boot/chain_ap.c, EFI_AP_E_CORE): their return point is the one
; core_ap_enter recorded in the AP's hand-off block.
;
; The switch runs on identity-mapped code: the core's page tables do not
; map the image at its physical address, the firmware's map nothing else.
; The early tables (boot/entry.asm, still intact in .boot.bss) map both,
; so they are the bridge: from the image at KERNEL_VBASE onto them, to the
; copy of this code at its physical address, then onto the firmware's.
bits 64
default rel

%define FW_RIP            0
%define FW_RSP            8
%define FW_RFLAGS         16
%define FW_RBX            24
%define FW_RBP            32
%define FW_RDI            40
%define FW_RSI            48
%define FW_R12            56
%define FW_R13            64
%define FW_R14            72
%define FW_R15            80
%define FW_CR0            88
%define FW_CR3            96
%define FW_CR4            104
%define FW_EFER           112
%define FW_PAT            120
%define FW_FS_BASE        128
%define FW_GS_BASE        136
%define FW_KERNEL_GS_BASE 144
%define FW_GDTR_BASE      152
%define FW_IDTR_BASE      160
%define FW_GDTR_LIMIT     168
%define FW_IDTR_LIMIT     170
%define FW_CS             172
%define FW_DS             174
%define FW_ES             176
%define FW_FS             178
%define FW_GS             180
%define FW_SS             182
%define FW_TR             184
%define FW_LDTR           186
%define FW_DR7            192
%define FW_DEBUGCTL       200
%define FW_SYSENTER_CS    208
%define FW_SYSENTER_ESP   216
%define FW_SYSENTER_EIP   224
%define MSR_IA32_DEBUGCTL 0x1d9
%define MSR_SYSENTER_CS   0x174
%define MSR_SYSENTER_ESP  0x175
%define MSR_SYSENTER_EIP  0x176

%define CR4_PGE           (1 << 7)
%define RET_SLOTS         64                    ; EFI_HANDOFF_CPUS_MAX (boot/info/efi_handoff.h)
%define MSR_IA32_EFER     0xc0000080
%define MSR_IA32_PAT      0x277
%define MSR_FS_BASE       0xc0000100
%define MSR_GS_BASE       0xc0000101
%define MSR_KERNEL_GS     0xc0000102

extern early_pml4
extern image_load_offset

; wrmsr ecx <- the 64 bits at [r8 + off]
%macro WRMSR_FROM 2
	mov ecx, %1
	mov eax, [r8 + %2]
	mov edx, [r8 + %2 + 4]
	wrmsr
%endmacro

section .text
; chain_return_to_firmware(fw_pa = RDI, code = RSI, slot = RDX): never
; returns. fw_pa: physical address below 4 GiB (which the early tables
; identity-map) of a struct efi_cpu_state: in the image for the boot CPU,
; an AP's struct efi_ap_handoff for an AP (boot/chain_ap.c); slot: the
; CPU's index (0: the boot CPU), which picks its own GDTR/IDTR scratch, so
; that CPUs going back at once do not share one. Interrupts off from here
; until the firmware's RFLAGS.
global chain_return_to_firmware
chain_return_to_firmware:
	cli
	mov r8, rdi
	mov r9, rsi
	mov r11, rdx
	and r11, RET_SLOTS - 1
	shl r11, 6                              ; 64 bytes a slot
	mov r10, [rel image_load_offset]
	mov rax, early_pml4                     ; link address = physical link address (.boot.bss)
	add rax, r10
	mov rcx, chain_return_low
	add rcx, r10
	mov rdx, cr4                            ; PGE off: the core's global entries go too
	and rdx, ~CR4_PGE
	mov cr4, rdx
	mov cr3, rax                            ; still mapped here: the early tables map KERNEL_VBASE
	jmp rcx

section .boot.text
chain_return_low:                               ; at its physical address, on the identity map
	lea rax, [rel ret_desc]
	add r11, rax                            ; this slot's: GDTR +0, IDTR +16, TSS descriptor +32, GDTR +48
	; A null TR cannot be loaded, and the core's (GDT_SEL_TSS, 0x18) must
	; not stay: STR shows it, and EDK II's MpInitLib saves an AP's TR in
	; its HLT loop and loads it back with LTR after its next INIT-SIPI-SIPI
	; (RestoreVolatileRegisters), where 0x18 is a data segment of the
	; firmware's GDT: #GP(0x18) at ExitBootServices. MpInitLib loads back
	; only a TR below its GDT's limit; so TR gets selector 0xfff0 (past any
	; firmware GDT), from a GDT whose base lies 0xfff0 below this slot's
	; TSS descriptor (only that descriptor is read), for a zeroed TSS that
	; ring-0 code without IST never uses. The firmware's own TR, if it
	; has one, is loaded below.
	movzx eax, word [r8 + FW_TR]
	test eax, eax
	jnz .tr_kept
	lea rax, [rel ret_tss]
	mov word [r11 + 32], 103                ; limit: 104-byte TSS
	mov [r11 + 34], ax                      ; base 15:0
	mov rcx, rax
	shr rcx, 16
	mov [r11 + 36], cl                      ; base 23:16
	mov byte [r11 + 37], 0x89               ; present, DPL 0, available 64-bit TSS
	mov byte [r11 + 38], 0
	shr rcx, 8
	mov [r11 + 39], cl                      ; base 31:24
	shr rax, 32
	mov [r11 + 40], eax                     ; base 63:32
	mov dword [r11 + 44], 0
	mov word [r11 + 48], 0xffff
	lea rax, [r11 + 32 - 0xfff0]
	mov [r11 + 50], rax
	lgdt [r11 + 48]
	mov ax, 0xfff0
	ltr ax
.tr_kept:
	mov ax, [r8 + FW_GDTR_LIMIT]
	mov [r11], ax
	mov rax, [r8 + FW_GDTR_BASE]
	mov [r11 + 2], rax
	mov ax, [r8 + FW_IDTR_LIMIT]
	mov [r11 + 16], ax
	mov rax, [r8 + FW_IDTR_BASE]
	mov [r11 + 18], rax
	lgdt [r11]
	lidt [r11 + 16]
	; The firmware's paging identity-maps all memory: this code, its data
	; and the state at r8 stay where they are.
	mov rax, [r8 + FW_CR3]
	mov cr3, rax
	mov rax, [r8 + FW_CR4]
	mov cr4, rax
	mov rax, [r8 + FW_CR0]
	mov cr0, rax
	WRMSR_FROM MSR_IA32_EFER, FW_EFER       ; LME/LMA as they are; NXE as the firmware had it
	WRMSR_FROM MSR_IA32_PAT, FW_PAT
	mov ax, [r8 + FW_SS]
	mov ss, ax
	mov ax, [r8 + FW_DS]
	mov ds, ax
	mov ax, [r8 + FW_ES]
	mov es, ax
	mov ax, [r8 + FW_FS]
	mov fs, ax
	mov ax, [r8 + FW_GS]
	mov gs, ax
	; In 64-bit mode the bases are the MSRs (the selector loads above wrote
	; 32-bit ones).
	WRMSR_FROM MSR_FS_BASE, FW_FS_BASE
	WRMSR_FROM MSR_GS_BASE, FW_GS_BASE
	WRMSR_FROM MSR_KERNEL_GS, FW_KERNEL_GS_BASE
	; A failed first VM entry set DR7 to 0x400, DEBUGCTL to 0 and the
	; SYSENTER MSRs to the host's (27.8, 28.5.1): the firmware's again.
	mov rax, [r8 + FW_DR7]
	mov dr7, rax
	WRMSR_FROM MSR_IA32_DEBUGCTL, FW_DEBUGCTL
	WRMSR_FROM MSR_SYSENTER_CS, FW_SYSENTER_CS
	WRMSR_FROM MSR_SYSENTER_ESP, FW_SYSENTER_ESP
	WRMSR_FROM MSR_SYSENTER_EIP, FW_SYSENTER_EIP
	lldt [r8 + FW_LDTR]
	movzx eax, word [r8 + FW_TR]
	test eax, eax
	jz .tr_done                             ; null: 0xfff0 stays (above)
	; LTR wants an available TSS, and the firmware's own LTR marked its
	; descriptor busy (SDM Vol. 3A, 8.2.4): clear that bit first.
	mov rdx, [r8 + FW_GDTR_BASE]
	mov ecx, eax
	and ecx, ~7
	and byte [rdx + rcx + 5], ~0x02
	ltr ax
.tr_done:
	; CS through a far return on the firmware's stack (below its RSP: free;
	; hv.efi is built without a red zone).
	mov rsp, [r8 + FW_RSP]
	movzx eax, word [r8 + FW_CS]
	push rax
	lea rax, [rel .cs_done]
	push rax
	o64 retf
.cs_done:
	mov rbx, [r8 + FW_RBX]
	mov rbp, [r8 + FW_RBP]
	mov rdi, [r8 + FW_RDI]
	mov rsi, [r8 + FW_RSI]
	mov r12, [r8 + FW_R12]
	mov r13, [r8 + FW_R13]
	mov r14, [r8 + FW_R14]
	mov r15, [r8 + FW_R15]
	push qword [r8 + FW_RFLAGS]
	mov rcx, [r8 + FW_RIP]
	mov rax, r9
	popfq                                   ; the firmware's IF: its IDT is in place
	jmp rcx

section .boot.data
align 16
ret_desc: times RET_SLOTS * 64 db 0             ; per CPU index: GDTR, IDTR, TSS descriptor, GDTR
align 16
ret_tss: times 104 db 0                         ; the TSS of TR 0xfff0: never used
