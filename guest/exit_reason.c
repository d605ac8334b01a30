/* guest/exit_reason.c - the names of the neutral exit reasons (pure). The
 * ones tests and tools/bench-linux.sh look for are worded as the SDM's
 * exit reasons were ("CPUID", "I/O instruction", "RDMSR"). */
#include "guest/exit_reason.h"
#include "lib/compiler.h"

static const char *const names[GUEST_EXIT_COUNT] = {
	[GUEST_EXIT_OTHER]            = "other",
	[GUEST_EXIT_EXCEPTION]        = "exception or NMI",
	[GUEST_EXIT_EXTERNAL_INTR]    = "external interrupt",
	[GUEST_EXIT_TRIPLE_FAULT]     = "triple fault",
	[GUEST_EXIT_INIT]             = "INIT signal",
	[GUEST_EXIT_SIPI]             = "start-up IPI (SIPI)",
	[GUEST_EXIT_INTR_WINDOW]      = "interrupt window",
	[GUEST_EXIT_NMI_WINDOW]       = "NMI window",
	[GUEST_EXIT_TASK_SWITCH]      = "task switch",
	[GUEST_EXIT_CPUID]            = "CPUID",
	[GUEST_EXIT_HLT]              = "HLT",
	[GUEST_EXIT_INVD]             = "INVD",
	[GUEST_EXIT_WBINVD]           = "WBINVD or WBNOINVD",
	[GUEST_EXIT_HYPERCALL]        = "hypercall",
	[GUEST_EXIT_VIRT_INSN]        = "virtualization instruction",
	[GUEST_EXIT_CR_ACCESS]        = "control-register access",
	[GUEST_EXIT_IO]               = "I/O instruction",
	[GUEST_EXIT_MSR_READ]         = "RDMSR",
	[GUEST_EXIT_MSR_WRITE]        = "WRMSR",
	[GUEST_EXIT_STAGE2_FAULT]     = "stage-2 fault",
	[GUEST_EXIT_STAGE2_MISCONFIG] = "stage-2 misconfiguration",
	[GUEST_EXIT_XSETBV]           = "XSETBV",
	[GUEST_EXIT_CONSOLE_TICK]     = "console tick",
	[GUEST_EXIT_SINGLE_STEP]      = "single step",
	[GUEST_EXIT_MACHINE_CHECK]    = "machine check during entry",
	[GUEST_EXIT_ENTRY_FAILURE]    = "VM-entry failure",
};

const char *guest_exit_name(unsigned int reason)
{
	return reason < GUEST_EXIT_COUNT && names[reason] ? names[reason] : "?";
}
