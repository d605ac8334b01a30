/* vmx/vmcs_access.h - reading and writing fields of the current VMCS. */
#ifndef VMX_VMCS_ACCESS_H
#define VMX_VMCS_ACCESS_H

#include "vmx/vmx_insn.h"
#include "vmx/vmcs.h"

/* A failing VMREAD/VMWRITE of a field the hypervisor chose is its own bug. */
__noreturn void vmcs_access_failed(const char *op, uint64_t field, enum vmx_status s);

static inline uint64_t vmcs_read(uint64_t field)
{
	uint64_t v;
	enum vmx_status s = vmread_status(field, &v);

	if (unlikely(s != VMX_OK))
		vmcs_access_failed("VMREAD", field, s);
	return v;
}

static inline void vmcs_write(uint64_t field, uint64_t value)
{
	enum vmx_status s = vmwrite_status(field, value);

	if (unlikely(s != VMX_OK))
		vmcs_access_failed("VMWRITE", field, s);
}

#endif
