; tests/guests/realmode.asm - the real-mode start state (hv.mode=real,
; docs/hypercalls.md): CS = entry >> 4, IP = entry & 0xf, SP = 0x7c00, other
; segments 0, CR0.PE = 0; VMCALL (o32 register forms) and port output from
; real mode; then the guest enters 32-bit protected mode itself (SDM Vol. 3A,
; 9.9.1) and reports from there. Linked at 0x8000 (lib/realmode.ld).

HC_VERSION         equ 0
HC_CONSOLE_WRITE   equ 1
HC_EXIT            equ 2
HC_EXIT_COUNT      equ 3
HC_INJECT          equ 4
HC_NO_ERROR_CODE   equ 0xffffffff
HC_EINVAL          equ 22
HC_VERSION_WANT    equ 0x00000001        ; (0 << 16) | 1
GUEST_EXIT_HYPERCALL equ 13      ; guest/exit_reason.h
GUEST_EXIT_IO        equ 16
COM1               equ 0x3f8

	section .text progbits alloc exec write align=16
	bits 16
	global _start
_start:
	; Entry state into registers first: nothing may push before SP is read.
	mov bx, sp
	mov dx, cs
	mov si, ds
	mov di, es
	mov bp, ss
	call .here                          ; pushes the IP of .here
.here:
	pop cx
	jmp 0:.flat                         ; CS = 0: offsets are linear addresses now
.flat:
	xor ax, ax
	mov ds, ax
	mov es, ax
	cld
	mov [entry_sp], bx
	mov [entry_cs], dx
	sub cx, .here - _start
	mov [entry_ip], cx
	or si, di
	or si, bp
	mov [entry_segs], si

	movzx eax, word [entry_cs]
	mov edx, _start
	shr edx, 4
	mov si, d_cs
	call check
	movzx eax, word [entry_ip]
	mov edx, _start
	and edx, 0xf
	mov si, d_ip
	call check
	movzx eax, word [entry_sp]
	mov edx, 0x7c00
	mov si, d_sp
	call check
	movzx eax, word [entry_segs]
	xor edx, edx
	mov si, d_segs
	call check
	smsw ax
	and eax, 1
	xor edx, edx
	mov si, d_pe
	call check

	mov eax, HC_VERSION
	vmcall
	mov edx, HC_VERSION_WANT
	mov si, d_version
	call check

	mov ebx, GUEST_EXIT_HYPERCALL
	call exit_count
	mov [count0], eax
	mov ebx, GUEST_EXIT_HYPERCALL
	call exit_count
	sub eax, [count0]
	mov edx, 1
	mov si, d_vmcall_count
	call check

	; A check line written with one OUT per byte; it counts as a check itself.
	mov ebx, GUEST_EXIT_IO
	call exit_count
	mov [count0], eax
	mov si, out_line
	mov dx, COM1
.out:
	lodsb
	test al, al
	jz .out_done
	out dx, al
	jmp .out
.out_done:
	inc word [nchecks]
	mov ebx, GUEST_EXIT_IO
	call exit_count
	sub eax, [count0]
	mov edx, out_line_len
	mov si, d_out_exits
	call check

	; HC_INJECT #GP in real mode: delivered through the IVT without an error
	; code (VM entry refuses one outside protected mode: SDM Vol. 3C 26.2.1.3).
	mov word [13 * 4], gp_handler
	mov word [13 * 4 + 2], 0
	mov [sp_before], sp
	mov eax, HC_INJECT
	mov ebx, 13
	mov ecx, HC_NO_ERROR_CODE
	vmcall
.after_inject:
	mov [inject_ret], eax
	movzx eax, word [gp_hits]
	mov edx, 1
	mov si, d_gp_hits
	call check
	movzx eax, word [sp_before]
	sub ax, [gp_sp]
	mov edx, 6
	mov si, d_gp_frame
	call check
	movzx eax, word [gp_ip]
	mov edx, .after_inject
	mov si, d_gp_ip
	call check
	mov eax, [inject_ret]
	xor edx, edx
	mov si, d_inject_ret
	call check
	mov eax, HC_INJECT
	mov ebx, 13
	xor ecx, ecx
	vmcall
	mov edx, -HC_EINVAL
	mov si, d_inject_code
	call check

	cli
	lgdt [gdtr]
	mov eax, cr0
	or eax, 1
	mov cr0, eax
	jmp dword 0x08:protected

; The #GP handler of the HC_INJECT check: records SP and the pushed IP.
gp_handler:
	mov [gp_sp], sp
	push bx
	mov bx, sp
	mov bx, [bx + 2]
	mov [gp_ip], bx
	pop bx
	inc word [gp_hits]
	iret

; exit_count: EBX = basic exit reason -> EAX = HC_EXIT_COUNT(EBX).
exit_count:
	mov eax, HC_EXIT_COUNT
	vmcall
	ret

; check: EAX = got, EDX = expected, SI = description (NUL-terminated).
; Prints "[realmode] ok: DESC" or "[realmode] FAILED: DESC (got 0x... expected 0x...)".
check:
	pushad
	mov [got], eax
	mov [want], edx
	inc word [nchecks]
	mov di, line
	push si
	mov si, s_prefix
	call append
	mov eax, [got]
	cmp eax, [want]
	jne .failed
	mov si, s_ok
	call append
	pop si
	call append
	jmp .write
.failed:
	inc word [nfailed]
	mov si, s_failed
	call append
	pop si
	call append
	mov si, s_got
	call append
	mov eax, [got]
	call hex32
	mov si, s_want
	call append
	mov eax, [want]
	call hex32
	mov al, ')'
	stosb
.write:
	mov al, 10
	stosb
	movzx ecx, di
	sub ecx, line
	mov ebx, line
	mov eax, HC_CONSOLE_WRITE
	vmcall
	popad
	ret

; append: copies the string at SI to DI.
append:
	lodsb
	test al, al
	jz .end
	stosb
	jmp append
.end:
	ret

; hex32: EAX as 8 hex digits at DI.
hex32:
	mov cx, 8
.digit:
	rol eax, 4
	mov bx, ax
	and bx, 0xf
	mov bl, [hexdigits + bx]
	mov [di], bl
	inc di
	loop .digit
	ret

	bits 32
protected:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, 0x7c00
	mov esi, pm_ok
	mov eax, cr0
	test al, 1
	jz .bad
	mov ax, cs
	cmp ax, 0x08
	je .report
.bad:
	mov esi, pm_failed
	inc word [nfailed]
.report:
	inc word [nchecks]
	mov edi, line
	call append32
	call write32
	; "[realmode] done: N checks, F failed"
	mov edi, line
	mov esi, s_done
	call append32
	movzx eax, word [nchecks]
	call dec32
	mov esi, s_checks
	call append32
	movzx eax, word [nfailed]
	call dec32
	mov esi, s_failed_nl
	call append32
	call write32
	mov eax, HC_EXIT
	movzx ebx, word [nfailed]
	vmcall
.stop:
	hlt
	jmp .stop

; append32: copies the string at ESI to EDI.
append32:
	lodsb
	test al, al
	jz .end
	stosb
	jmp append32
.end:
	ret

; dec32: EAX in decimal at EDI.
dec32:
	mov ebx, 10
	xor ecx, ecx
.divide:
	xor edx, edx
	div ebx
	push edx
	inc ecx
	test eax, eax
	jnz .divide
.emit:
	pop eax
	add al, '0'
	stosb
	loop .emit
	ret

; write32: HC_CONSOLE_WRITE of line[0 .. EDI).
write32:
	mov ecx, edi
	sub ecx, line
	mov ebx, line
	mov eax, HC_CONSOLE_WRITE
	vmcall
	ret

	align 8
gdt:
	dq 0
	dq 0x00cf9a000000ffff               ; 0x08 code, 32-bit, base 0, 4 GiB
	dq 0x00cf92000000ffff               ; 0x10 data
gdtr:
	dw gdtr - gdt - 1
	dd gdt

hexdigits:      db "0123456789abcdef"
s_prefix:       db "[realmode] ", 0
s_ok:           db "ok: ", 0
s_failed:       db "FAILED: ", 0
s_got:          db " (got 0x", 0
s_want:         db " expected 0x", 0
s_done:         db "[realmode] done: ", 0
s_checks:       db " checks, ", 0
s_failed_nl:    db " failed", 10, 0
d_cs:           db "CS at entry is entry >> 4", 0
d_ip:           db "IP at entry is entry & 0xf", 0
d_sp:           db "SP at entry is 0x7c00", 0
d_segs:         db "DS, ES and SS are 0 at entry", 0
d_pe:           db "CR0.PE is 0 (SMSW)", 0
d_version:      db "VMCALL HC_VERSION from real mode returns 0.1", 0
d_vmcall_count: db "HC_EXIT_COUNT(VMCALL) grows by 1 per VMCALL in real mode", 0
d_out_exits:    db "one OUT to 0x3f8 per byte of that line is one I/O exit per byte", 0
d_gp_hits:      db "HC_INJECT #GP in real mode: the IVT handler ran once (VM entry accepted it)", 0
d_gp_frame:     db "HC_INJECT #GP in real mode: FLAGS, CS, IP pushed, no error code", 0
d_gp_ip:        db "HC_INJECT #GP in real mode: the pushed IP is right after the VMCALL", 0
d_inject_ret:   db "HC_INJECT #GP in real mode returned 0", 0
d_inject_code:  db "HC_INJECT #GP with an error code in real mode -> -HC_EINVAL", 0
out_line:       db "[realmode] ok: OUT to 0x3f8 from real mode", 10
out_line_len    equ $ - out_line
                db 0
pm_ok:          db "[realmode] ok: 32-bit protected mode after LGDT, CR0.PE and a far jump (CS 0x08)", 10, 0
pm_failed:      db "[realmode] FAILED: 32-bit protected mode after LGDT, CR0.PE and a far jump (CR0.PE or CS wrong)", 10, 0

	align 4
count0:         dd 0
got:            dd 0
want:           dd 0
inject_ret:     dd 0
sp_before:      dw 0
gp_sp:          dw 0
gp_ip:          dw 0
gp_hits:        dw 0
entry_sp:       dw 0
entry_cs:       dw 0
entry_ip:       dw 0
entry_segs:     dw 0
nchecks:        dw 0
nfailed:        dw 0
line:           times 160 db 0
