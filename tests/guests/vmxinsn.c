/* tests/guests/vmxinsn.c - every VMX instruction raises #UD in the guest, as
 * on a CPU whose CPUID hides VMX (SDM Vol. 3C, 31.3: the hypervisor reflects
 * the VM exit as #UD; VMFUNC faults by itself with VM functions off). */
#include "tests/guests/lib/guest.h"

static uint8_t region[4096] __attribute__((aligned(4096)));   /* a would-be VMXON region / VMCS */
static uint64_t vmcs_ptr, descriptor[2];

/* Each runs one instruction, marked as the RIP the #UD must report. */
#define INSN_FN(name, text, ...)                                                  \
	static void name(long arg)                                                \
	{                                                                         \
		asm volatile(TRAP_WANT_IP("1f") "1: " text : : __VA_ARGS__ : "memory"); \
	}

INSN_FN(do_vmxon, "vmxon %0", "m"(vmcs_ptr))
INSN_FN(do_vmxoff, "vmxoff")
INSN_FN(do_vmclear, "vmclear %0", "m"(vmcs_ptr))
INSN_FN(do_vmptrld, "vmptrld %0", "m"(vmcs_ptr))
INSN_FN(do_vmptrst, "vmptrst %0", "m"(vmcs_ptr))
INSN_FN(do_vmread, "vmread %0, %%rcx", "a"(0x681eul))          /* VMCS_GUEST_RIP */
INSN_FN(do_vmwrite, "vmwrite %%rcx, %0", "a"(0x681eul), "c"(0ul))
INSN_FN(do_vmlaunch, "vmlaunch")
INSN_FN(do_vmresume, "vmresume")
INSN_FN(do_invept, "invept %0, %1", "m"(descriptor), "r"(1ul))    /* single-context */
INSN_FN(do_invvpid, "invvpid %0, %1", "m"(descriptor), "r"(1ul))  /* individual address */
INSN_FN(do_vmfunc, "vmfunc", "a"(0), "c"(0))                      /* EPTP switching, EPTP 0 */

static const struct {
	const char *name;
	trap_fn fn;
} insns[] = {
	{ "VMXON", do_vmxon },       { "VMXOFF", do_vmxoff },     { "VMCLEAR", do_vmclear },
	{ "VMPTRLD", do_vmptrld },   { "VMPTRST", do_vmptrst },   { "VMREAD", do_vmread },
	{ "VMWRITE", do_vmwrite },   { "VMLAUNCH", do_vmlaunch }, { "VMRESUME", do_vmresume },
	{ "INVEPT", do_invept },     { "INVVPID", do_invvpid },   { "VMFUNC", do_vmfunc },
};

void main(void)
{
	*(volatile uint32_t *)region = 0x12;   /* revision ID: hardware would take it */
	vmcs_ptr = (uintptr_t)region;
	descriptor[0] = 1;                     /* EPTP or VPID: anything plausible */
	descriptor[1] = (uintptr_t)region;

	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		expect_exception(sfmt("%s -> #UD", insns[i].name), 6, TRAP_NO_CODE, insns[i].fn, 0);

	check_eq("the hypervisor still answers HC_VERSION afterwards", (uint64_t)hc(HC_VERSION, 0, 0, 0),
		 HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
}
