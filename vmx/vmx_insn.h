/* vmx/vmx_insn.h - VMX instructions as inline wrappers (SDM Vol. 3C, 31.3;
 * Vol. 2 "VMX instruction reference"). Hardware only: pure code never includes it. */
#ifndef VMX_VMX_INSN_H
#define VMX_VMX_INSN_H

#include "lib/compiler.h"
#include "lib/addr.h"

/* Outcome of a VMX instruction (31.2): success, VMfailInvalid (CF=1: no
 * current VMCS), VMfailValid (ZF=1: error number in VMCS_VM_INSTRUCTION_ERROR). */
enum vmx_status { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

#define VMX_STATUS(insn, ...)                                               \
	({                                                                  \
		uint8_t cf_, zf_;                                           \
		asm volatile(insn "; setc %0; setz %1"                      \
			     : "=qm"(cf_), "=qm"(zf_) : __VA_ARGS__ : "cc", "memory"); \
		cf_ ? VMX_FAIL_INVALID : zf_ ? VMX_FAIL_VALID : VMX_OK;     \
	})

static inline enum vmx_status vmxon(hpa_t region) { return VMX_STATUS("vmxon %2", "m"(region)); }
static inline enum vmx_status vmclear(hpa_t vmcs) { return VMX_STATUS("vmclear %2", "m"(vmcs)); }
static inline enum vmx_status vmptrld(hpa_t vmcs) { return VMX_STATUS("vmptrld %2", "m"(vmcs)); }
static inline enum vmx_status vmxoff(void) { return VMX_STATUS("vmxoff", "i"(0)); }

static inline enum vmx_status vmwrite_status(uint64_t field, uint64_t value)
{
	return VMX_STATUS("vmwrite %3, %2", "r"(field), "rm"(value));
}

/* Reads a VMCS field of the current VMCS; a failure here is a hypervisor bug
 * (unsupported field), reported by vmcs_read() in vmx/vmcs.c. */
static inline enum vmx_status vmread_status(uint64_t field, uint64_t *value)
{
	uint8_t cf, zf;
	uint64_t v = 0;

	asm volatile("vmread %3, %2; setc %0; setz %1"
		     : "=qm"(cf), "=qm"(zf), "=rm"(v) : "r"(field) : "cc", "memory");
	*value = v;
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

/* INVEPT/INVVPID types (31.3). */
#define INVEPT_SINGLE_CONTEXT   1
#define INVEPT_ALL_CONTEXT      2
#define INVVPID_INDIVIDUAL_ADDR 0
#define INVVPID_SINGLE_CONTEXT  1
#define INVVPID_ALL_CONTEXT     2

struct invept_desc { uint64_t eptp, reserved; };
struct invvpid_desc { uint64_t vpid, gla; };

static inline enum vmx_status invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc d = { eptp, 0 };

	return VMX_STATUS("invept %3, %2", "r"(type), "m"(d));
}

static inline enum vmx_status invvpid(uint64_t type, uint16_t vpid, uint64_t gla)
{
	struct invvpid_desc d = { vpid, gla };

	return VMX_STATUS("invvpid %3, %2", "r"(type), "m"(d));
}

#endif
