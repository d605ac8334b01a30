/* tests/guests/lib/entry32.S - prot32 guest entry, exception stubs and
 * trap_try (SDM Vol. 3A, 6.12.1: stack frame without a privilege change). */
#define STACK_SIZE 16384
/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
#define ERROR_CODE_VECTORS 0x60227d00

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	/* What the hypervisor handed over, before anything changes it. The
	 * entry DS and ES also write .data up here at 16 MiB (lib/guest.h). */
	movl %esp, entry_esp
	movw %cs, entry_cs
	movw %ds, entry_ds
	movw %ss, entry_ss
	sgdt entry_gdtr
	movl $0x600dda7a, entry_ds_probe
	movl $0x600dda7a, %es:entry_es_probe
	/* The stack is in the BSS: zero it first, without a stack. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp
	xorl %ebp, %ebp
	call desc_init
	call main
	call finish
	ud2

	.data
	.balign 4
	.globl entry_esp, entry_cs, entry_ds, entry_ss, entry_gdtr, entry_ds_probe, entry_es_probe
entry_esp:	.long 0
entry_ds_probe:	.long 0
entry_es_probe:	.long 0
entry_cs:	.word 0
entry_ds:	.word 0
entry_ss:	.word 0
entry_gdtr:	.word 0
		.long 0

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
	pushl $-1
	.endif
	pushl $.Lvec
	jmp isr_common
	.set .Lvec, .Lvec + 1
	.endr

/* Saves the registers as struct trap_frame (lib/guest.h), calls trap_dispatch. */
isr_common:
	pushal
	cld
	movl %esp, %eax
	pushl %eax
	call trap_dispatch
	addl $4, %esp
	popal
	addl $8, %esp                   /* vector, error code */
	iretl

/* long trap_try(trap_fn fn, long arg) (lib/guest.h) */
	.globl trap_try
trap_try:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, trap_jmp_sp
	pushl 24(%esp)                  /* arg */
	call *24(%esp)                  /* fn */
	addl $4, %esp
	movl $-1, %eax                  /* TRAP_NONE */
	jmp 1f

/* void trap_resume(long vector): from trap_dispatch; back to trap_try's frame. */
	.globl trap_resume
trap_resume:
	movl 4(%esp), %eax
	movl trap_jmp_sp, %esp
	movl $0x10, %ecx                /* KERNEL_DS */
	movl %ecx, %ss
	movl %ecx, %ds
	movl %ecx, %es
1:	movl $0, trap_jmp_sp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.bss
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:
