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

/* The exit path's most frequent instruction: one JNA (CF or ZF: either
 * failure) to the cold path, the value in a register. Nothing in memory
 * changes, so no memory clobber; volatile (asm goto is) keeps VMREADs and
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

	vmcs_count_access(field);
	asm goto("vmread %1, %0; jna %l[fail]" : "=r"(v) : "r"(field) : "cc" : fail);
	return v;
fail:
	vmcs_read_failed(field);
}

static inline void vmcs_write(uint64_t field, uint64_t value)
{
	vmcs_count_access(field);
	asm goto("vmwrite %1, %0; jna %l[fail]" : : "r"(field), "r"(value) : "cc", "memory" : fail);
	return;
fail:
	vmcs_write_failed(field, value);
}

#endif
