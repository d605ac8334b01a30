/* guest/exit_reason.h - why a guest's CPU left it, in words any backend can
 * use (VMX exit reasons, SVM exit codes map onto these). The numbers are part
 * of the hypercall ABI (HC_EXIT_COUNT, docs/hypercalls.md): append, never
 * renumber. Included by guests too: no dependencies. */
#ifndef GUEST_EXIT_REASON_H
#define GUEST_EXIT_REASON_H

enum guest_exit {
	GUEST_EXIT_OTHER             = 0,   /* anything not below (the backend's own reason says which) */
	GUEST_EXIT_EXCEPTION         = 1,   /* an intercepted exception or NMI */
	GUEST_EXIT_EXTERNAL_INTR     = 2,   /* a host interrupt arrived while the guest ran */
	GUEST_EXIT_TRIPLE_FAULT      = 3,   /* triple fault / shutdown */
	GUEST_EXIT_INIT              = 4,   /* INIT signal */
	GUEST_EXIT_SIPI              = 5,   /* start-up IPI */
	GUEST_EXIT_INTR_WINDOW       = 6,   /* the guest can take an external interrupt now */
	GUEST_EXIT_NMI_WINDOW        = 7,   /* the guest can take an NMI now */
	GUEST_EXIT_TASK_SWITCH       = 8,
	GUEST_EXIT_CPUID             = 9,
	GUEST_EXIT_HLT               = 10,
	GUEST_EXIT_INVD              = 11,
	GUEST_EXIT_WBINVD            = 12,  /* WBINVD or WBNOINVD */
	GUEST_EXIT_HYPERCALL         = 13,  /* VMCALL (VMMCALL on AMD) */
	GUEST_EXIT_VIRT_INSN         = 14,  /* a virtualization instruction (VMX, SVM, GETSEC): #UD */
	GUEST_EXIT_CR_ACCESS         = 15,  /* a control-register access the hypervisor owns */
	GUEST_EXIT_IO                = 16,  /* IN, OUT, INS, OUTS on a trapped port */
	GUEST_EXIT_MSR_READ          = 17,
	GUEST_EXIT_MSR_WRITE         = 18,
	GUEST_EXIT_STAGE2_FAULT      = 19,  /* EPT violation / NPT fault */
	GUEST_EXIT_STAGE2_MISCONFIG  = 20,  /* EPT misconfiguration */
	GUEST_EXIT_XSETBV            = 21,
	GUEST_EXIT_CONSOLE_TICK      = 22,  /* the hypervisor's timer (VMX-preemption timer) */
	GUEST_EXIT_SINGLE_STEP       = 23,  /* the shell's step ended (monitor trap flag) */
	GUEST_EXIT_MACHINE_CHECK     = 24,  /* a machine check during VM entry */
	GUEST_EXIT_ENTRY_FAILURE     = 25,  /* the CPU refused the guest state on entry */
	GUEST_EXIT_COUNT             = 26
};

/* The name of a neutral exit reason ("CPUID", "I/O instruction"), for
 * reports and the shell's exits; "?" past the end (guest/exit_reason.c). */
const char *guest_exit_name(unsigned int reason);

#endif
