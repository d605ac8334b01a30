/* tests/guests/lib/entry64.S - long64 guest entry, exception stubs and
 * trap_try (SDM Vol. 3A, 6.14: 64-bit interrupt stack frame). */
#define STACK_SIZE 16384
/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
#define ERROR_CODE_VECTORS 0x60227d00

	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	cli
	cld
	/* The stack is in the BSS: zero it first, without a stack. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movq $stack_top, %rsp
	xorl %ebp, %ebp
	call desc_init
	call main
	call finish
	ud2

/* One 16-byte stub per vector: a dummy error code where the CPU pushes none,
 * the vector, then the common path. */
	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set .Lvec, 0
	.rept 256
	.balign 16
	.if .Lvec < 32 && ((ERROR_CODE_VECTORS >> .Lvec) & 1)
	.else
	pushq $-1
	.endif
	pushq $.Lvec
	jmp isr_common
	.set .Lvec, .Lvec + 1
	.endr

/* Saves every register as struct trap_frame (lib/guest.h), calls trap_dispatch. */
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp                  /* vector, error code */
	iretq

/* long trap_try(trap_fn fn, long arg) (lib/guest.h) */
	.globl trap_try
trap_try:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, trap_jmp_sp(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	movq $-1, %rax                  /* TRAP_NONE */
	jmp 1f

/* void trap_resume(long vector): from trap_dispatch, on whatever stack the
 * exception used; back to trap_try's frame at CPL 0 with flat data segments
 * (an exception from CPL 3 left SS null). */
	.globl trap_resume
trap_resume:
	movq trap_jmp_sp(%rip), %rsp
	movl $0x10, %eax                /* KERNEL_DS */
	movl %eax, %ss
	movl %eax, %ds
	movl %eax, %es
	movq %rdi, %rax
1:	movq $0, trap_jmp_sp(%rip)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.bss
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:
