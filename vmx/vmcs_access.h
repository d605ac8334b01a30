/* vmx/vmcs_access.h - reading and writing fields of the current VMCS. */
#ifndef VMX_VMCS_ACCESS_H
#define VMX_VMCS_ACCESS_H

#include "vmx/vmx_insn.h"
#include "vmx/vmcs.h"

/* A failing VMREAD/VMWRITE of a field the hypervisor chose is its own bug. */
__noreturn void vmcs_access_failed(const char *op, uint64_t field, uint64_t site, enum vmx_status s);

/* The retry on the cold path tells VMfailInvalid from VMfailValid; site:
 * the address after the failing instruction. */
__noreturn void vmcs_read_failed(uint64_t field, uint64_t site);
__noreturn void vmcs_write_failed(uint64_t field, uint64_t value, uint64_t site);

/*
 * The exit path's most frequent instruction: one JNA (CF or ZF: either
 * failure) to a cold stub in .text.unlikely, the value in a register.
 * The stub's jump to vmx/vmcs_fail.asm is no call: the functions around a
 * VMREAD need neither an aligned stack nor saved registers for it, which
 * keeps the fast exit path's handlers leaves (docs/benchmarks.md). The
 * stub never returns, so what it clobbers does not matter. Nothing in
 * memory changes, so no memory clobber for VMREAD; volatile keeps VMREADs
 * and VMWRITEs in program order.
 */
#ifdef HV_VMCS_COUNT
/* The instrumented bench build: counts accesses to fields KVM does not
 * shadow (vmx/vmcs_shadow.h) on this CPU. */
void vmcs_count_access(uint64_t field);
#else
static inline void vmcs_count_access(uint64_t field)
{
}
#endif

static inline uint64_t vmcs_read(uint64_t field)
{
	uint64_t v;

	vmcs_count_access(field);
	asm volatile("vmread %1, %0\n\t"
		     "jna 2f\n"
		     "1:\n\t"
		     ".pushsection .text.unlikely.vmcs_fail, \"ax\"\n"
		     "2:\tpush %1\n\t"
		     "pop %%rdi\n\t"
		     "lea 1b(%%rip), %%rsi\n\t"
		     "jmp vmcs_read_fail_stub\n\t"
		     ".popsection"
		     : "=&r"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmcs_write(uint64_t field, uint64_t value)
{
	vmcs_count_access(field);
	asm volatile("vmwrite %1, %0\n\t"
		     "jna 2f\n"
		     "1:\n\t"
		     ".pushsection .text.unlikely.vmcs_fail, \"ax\"\n"
		     "2:\tpush %0\n\t"
		     "push %1\n\t"
		     "pop %%rsi\n\t"
		     "pop %%rdi\n\t"
		     "lea 1b(%%rip), %%rdx\n\t"
		     "jmp vmcs_write_fail_stub\n\t"
		     ".popsection"
		     : : "r"(field), "r"(value) : "cc", "memory");
}

#endif
