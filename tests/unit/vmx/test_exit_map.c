/* tests/unit/vmx/test_exit_map.c - VMX basic exit reasons as neutral reasons,
 * and which of them the VMX backend handles itself. */
#include "tests/unit/check.h"
#include "vmx/exit_map.h"
#include "vmx/vmcs.h"
#include "guest/vcpu.h"

/* Every exit the hypervisor enables or the CPU forces, and where it goes. */
static const struct { uint32_t vmx; enum guest_exit neutral; bool internal; } map[] = {
	{ EXIT_REASON_EXCEPTION_NMI, GUEST_EXIT_EXCEPTION, true },
	{ EXIT_REASON_EXTERNAL_INTERRUPT, GUEST_EXIT_EXTERNAL_INTR, true },
	{ EXIT_REASON_TRIPLE_FAULT, GUEST_EXIT_TRIPLE_FAULT, false },
	{ EXIT_REASON_INIT_SIGNAL, GUEST_EXIT_INIT, false },
	{ EXIT_REASON_SIPI, GUEST_EXIT_SIPI, false },
	{ EXIT_REASON_INTERRUPT_WINDOW, GUEST_EXIT_INTR_WINDOW, true },
	{ EXIT_REASON_NMI_WINDOW, GUEST_EXIT_NMI_WINDOW, true },
	{ EXIT_REASON_TASK_SWITCH, GUEST_EXIT_TASK_SWITCH, false },
	{ EXIT_REASON_CPUID, GUEST_EXIT_CPUID, false },
	{ EXIT_REASON_GETSEC, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_HLT, GUEST_EXIT_HLT, false },
	{ EXIT_REASON_INVD, GUEST_EXIT_INVD, false },
	{ EXIT_REASON_VMCALL, GUEST_EXIT_HYPERCALL, false },
	{ EXIT_REASON_VMCLEAR, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMLAUNCH, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMPTRLD, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMPTRST, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMREAD, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMRESUME, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMWRITE, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMXOFF, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_VMXON, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_CR_ACCESS, GUEST_EXIT_CR_ACCESS, true },
	{ EXIT_REASON_IO_INSTRUCTION, GUEST_EXIT_IO, false },
	{ EXIT_REASON_MSR_READ, GUEST_EXIT_MSR_READ, false },
	{ EXIT_REASON_MSR_WRITE, GUEST_EXIT_MSR_WRITE, false },
	{ EXIT_REASON_INVALID_GUEST_STATE, GUEST_EXIT_ENTRY_FAILURE, true },
	{ EXIT_REASON_MSR_LOADING, GUEST_EXIT_ENTRY_FAILURE, true },
	{ EXIT_REASON_MONITOR_TRAP_FLAG, GUEST_EXIT_SINGLE_STEP, true },
	{ EXIT_REASON_MCE_DURING_VMENTRY, GUEST_EXIT_MACHINE_CHECK, false },
	{ EXIT_REASON_EPT_VIOLATION, GUEST_EXIT_STAGE2_FAULT, false },
	{ EXIT_REASON_EPT_MISCONFIG, GUEST_EXIT_STAGE2_MISCONFIG, false },
	{ EXIT_REASON_INVEPT, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_PREEMPTION_TIMER, GUEST_EXIT_CONSOLE_TICK, true },
	{ EXIT_REASON_INVVPID, GUEST_EXIT_VIRT_INSN, true },
	{ EXIT_REASON_WBINVD, GUEST_EXIT_WBINVD, false },
	{ EXIT_REASON_XSETBV, GUEST_EXIT_XSETBV, false },
	{ EXIT_REASON_VMFUNC, GUEST_EXIT_VIRT_INSN, true },
};

TEST(exit_map_table)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(map); i++) {
		CHECK_EQ(vmx_exit_to_guest_exit(map[i].vmx), map[i].neutral);
		CHECK_EQ(vmx_exit_is_internal(map[i].neutral), map[i].internal);
	}
}

/* Reasons never enabled, and numbers past the table, are "other": the
 * generic code stops the guest with the VMX number in the report. */
TEST(exit_map_other)
{
	CHECK_EQ(vmx_exit_to_guest_exit(EXIT_REASON_RDTSC), GUEST_EXIT_OTHER);
	CHECK_EQ(vmx_exit_to_guest_exit(EXIT_REASON_DR_ACCESS), GUEST_EXIT_OTHER);
	CHECK_EQ(vmx_exit_to_guest_exit(EXIT_REASON_APIC_ACCESS), GUEST_EXIT_OTHER);
	CHECK_EQ(vmx_exit_to_guest_exit(EXIT_REASON_COUNT - 1), GUEST_EXIT_OTHER);
	CHECK_EQ(vmx_exit_to_guest_exit(EXIT_REASON_COUNT), GUEST_EXIT_OTHER);
	CHECK_EQ(vmx_exit_to_guest_exit(0xffff), GUEST_EXIT_OTHER);
	CHECK(!vmx_exit_is_internal(GUEST_EXIT_OTHER));
}

/* Every neutral reason is reachable from some VMX reason, and has a name
 * of its own. */
TEST(exit_map_covers_neutral_names)
{
	bool seen[GUEST_EXIT_COUNT] = { false };

	for (uint32_t r = 0; r < EXIT_REASON_COUNT; r++) {
		enum guest_exit g = vmx_exit_to_guest_exit(r);

		CHECK(g < GUEST_EXIT_COUNT);
		seen[g] = true;
	}
	for (unsigned int g = 0; g < GUEST_EXIT_COUNT; g++) {
		CHECK(seen[g]);
		CHECK(strcmp(guest_exit_name(g), "?") != 0);
		for (unsigned int h = 0; h < g; h++)
			CHECK(strcmp(guest_exit_name(g), guest_exit_name(h)) != 0);
	}
	CHECK_STR(guest_exit_name(GUEST_EXIT_COUNT), "?");
	/* The names tests and tools/bench-linux.sh look for. */
	CHECK_STR(guest_exit_name(GUEST_EXIT_CPUID), "CPUID");
	CHECK_STR(guest_exit_name(GUEST_EXIT_IO), "I/O instruction");
	CHECK_STR(guest_exit_name(GUEST_EXIT_MSR_READ), "RDMSR");
}
