; vmx/entry.asm - VM entry and VM exit (SDM Vol. 3C, 27 and 28.5): the only
; place guest general-purpose registers move between the CPU and memory.
;
; int vmx_enter(struct guest_regs *regs, int launched, struct vmx_exit_stack *es)
;   Saves the host's callee-saved registers, leaves regs and this frame's
;   RSP in *es, loads the guest's registers and executes VMRESUME (or
;   VMLAUNCH the first time). After each VM exit it calls
;   vmx_fast_exit(regs) (vmx/fast_exit.c), which finishes the common exits
;   itself: then the guest is resumed from here at once, without leaving
;   this frame. Returns (enum vmx_enter_result, vmx/fast_exit.h)
;   VMX_ENTER_EXIT after a VM exit for the caller to handle (guest
;   registers saved to *regs), VMX_ENTER_HANDLED after exits the fast path
;   handled, the last of which left work for the run loop, or 1
;   (VMfailInvalid) / 2 (VMfailValid) if a VM entry instruction failed.
; HOST_RIP is vmx_exit_entry and HOST_RSP is &es->regs, both written once
; when the VMCS is set up (vmx/vcpu.c): no VMWRITE on this path, which under
; nested KVM would be one more exit to the host per entry.

; struct guest_regs layout: SDM register order (guest/vcpu.h).
%define R_RAX  0*8
%define R_RCX  1*8
%define R_RDX  2*8
%define R_RBX  3*8
%define R_RBP  5*8
%define R_RSI  6*8
%define R_RDI  7*8
%define R_R8   8*8
%define R_R9   9*8
%define R_R10 10*8
%define R_R11 11*8
%define R_R12 12*8
%define R_R13 13*8
%define R_R14 14*8
%define R_R15 15*8

; struct vmx_exit_stack (vmx/vmx_vcpu.h): HOST_RSP points at ES_REGS.
%define ES_REGS     6*8
%define ES_HOST_RSP 7*8

; vmx_fast_exit's answer that means "enter the guest again now".
%define FAST_RESUME 3

extern vmx_fast_exit

; The guest's registers from [rdi] (rdi last).
%macro load_guest 0
	mov rax, [rdi + R_RAX]
	mov rcx, [rdi + R_RCX]
	mov rdx, [rdi + R_RDX]
	mov rbx, [rdi + R_RBX]
	mov rbp, [rdi + R_RBP]
	mov rsi, [rdi + R_RSI]
	mov r8,  [rdi + R_R8]
	mov r9,  [rdi + R_R9]
	mov r10, [rdi + R_R10]
	mov r11, [rdi + R_R11]
	mov r12, [rdi + R_R12]
	mov r13, [rdi + R_R13]
	mov r14, [rdi + R_R14]
	mov r15, [rdi + R_R15]
	mov rdi, [rdi + R_RDI]
%endmacro

section .text
bits 64

global vmx_enter
global vmx_exit_entry

vmx_enter:
	push rbp
	mov rbp, rsp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; regs, for the fast path's re-entry; RSP 16-byte aligned
	mov [rdx + ES_REGS], rdi
	mov [rdx + ES_HOST_RSP], rsp    ; where the exit returns to

	test esi, esi                   ; launched?
	jz .launch
.resume:                                ; rdi: regs
	load_guest
	vmresume
	jmp .entry_failed
.launch:
	load_guest
	vmlaunch
.entry_failed:
	; Still the host: guest values sit in the registers (RBP too), but RSP
	; is the host's and the frame below it is intact.
	jc .fail_invalid
	mov eax, 2
	jmp .out
.fail_invalid:
	mov eax, 1
.out:                                   ; eax: the result; RSP: this frame
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; RSP = HOST_RSP = &es->regs; interrupts are off (VM exit clears RFLAGS.IF)
; and NMIs use their own IST stack, so the one push below stays in *es.
vmx_exit_entry:
	push rdi                        ; the guest's rdi; [rsp + 8] is regs
	mov rdi, [rsp + 8]
	mov [rdi + R_RAX], rax
	mov [rdi + R_RCX], rcx
	mov [rdi + R_RDX], rdx
	mov [rdi + R_RBX], rbx
	mov [rdi + R_RBP], rbp
	mov [rdi + R_RSI], rsi
	mov [rdi + R_R8],  r8
	mov [rdi + R_R9],  r9
	mov [rdi + R_R10], r10
	mov [rdi + R_R11], r11
	mov [rdi + R_R12], r12
	mov [rdi + R_R13], r13
	mov [rdi + R_R14], r14
	mov [rdi + R_R15], r15
	pop rax
	mov [rdi + R_RDI], rax
	mov rsp, [rsp + ES_HOST_RSP - ES_REGS]   ; back on vmx_enter's frame
	call vmx_fast_exit              ; (regs): rdi still holds it
	cmp eax, FAST_RESUME
	jne vmx_enter.out               ; vmx_enter returns eax from there
	mov rdi, [rsp]                  ; regs (vmx_enter's push)
	load_guest                      ; vmx_enter.resume's, one jump less
	vmresume
	jmp vmx_enter.entry_failed
