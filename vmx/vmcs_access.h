/* vmx/vmcs_access.h - reading and writing fields of the current VMCS. */
#ifndef VMX_VMCS_ACCESS_H
#define VMX_VMCS_ACCESS_H

#include "vmx/vmx_insn.h"
#include "vmx/vmcs.h"

/* A failing VMREAD/VMWRITE of a field the hypervisor chose is its own bug. */
__noreturn void vmcs_access_failed(const char *op, uint64_t field, enum vmx_status s);

/* The retry on the cold path tells VMfailInvalid from VMfailValid. */
__noreturn void vmcs_read_failed(uint64_t field);
__noreturn void vmcs_write_failed(uint64_t field, uint64_t value);

/* The exit path's most frequent instruction: one SETNA (CF or ZF: either
 * failure) and a branch to the cold path, the value in a register. Nothing
 * in memory changes, so no memory clobber; volatile keeps VMREADs and
 * VMWRITEs in program order. */
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
	uint8_t bad;

	vmcs_count_access(field);
	asm volatile("vmread %2, %0; setna %1" : "=r"(v), "=q"(bad) : "r"(field) : "cc");
	if (unlikely(bad))
		vmcs_read_failed(field);
	return v;
}

static inline void vmcs_write(uint64_t field, uint64_t value)
{
	uint8_t bad;

	vmcs_count_access(field);
	asm volatile("vmwrite %2, %1; setna %0" : "=q"(bad) : "r"(field), "rm"(value) : "cc", "memory");
	if (unlikely(bad))
		vmcs_write_failed(field, value);
}

#endif
