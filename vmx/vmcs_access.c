/* vmx/vmcs_access.c - a VMREAD or VMWRITE of a field the hypervisor chose
 * failed: its own bug, a panic that says which field and why (SDM Vol. 3C,
 * 31.4 VM-instruction error numbers). */
#include "vmx/vmcs_access.h"
#include "vmx/exit_decode.h"
#include "lib/print.h"
#include "lib/ksyms.h"
#ifdef HV_VMCS_COUNT
#include "vmx/vmcs_shadow.h"
#include "vmx/vmx_cpu.h"

void vmcs_count_access(uint64_t field)
{
	if (!vmcs_shadowed_by_kvm((uint32_t)field))
		vmx_this_cpu.unshadowed++;
}
#endif

/* site: the address after the failing instruction (vmcs_read's stub
 * jumps here, so the stack trace starts at that function's caller). */
__noreturn void vmcs_access_failed(const char *op, uint64_t field, uint64_t site, enum vmx_status s)
{
	uint64_t err = 0, off = 0;
	const struct ksym *k = ksym_find(ksyms, ksyms_count, site, &off);

	if (s == VMX_FAIL_VALID)
		(void)vmread_status(VMCS_VM_INSTRUCTION_ERROR, &err);
	panic("%s of VMCS field 0x%llx failed in %s+0x%llx: %s", op, (unsigned long long)field,
	      k ? k->name : "?", (unsigned long long)off,
	      s == VMX_FAIL_INVALID ? "no current VMCS" : vmx_instruction_error_name((unsigned int)err));
}

void vmcs_read_failed(uint64_t field, uint64_t site)
{
	uint64_t v;

	vmcs_access_failed("VMREAD", field, site, vmread_status(field, &v));
}

void vmcs_write_failed(uint64_t field, uint64_t value, uint64_t site)
{
	vmcs_access_failed("VMWRITE", field, site, vmwrite_status(field, value));
}
