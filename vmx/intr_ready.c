/* vmx/intr_ready.c - whether VM entry can inject an external interrupt now. Pure. */
#include "vmx/intr_ready.h"
#include "vmx/vmcs.h"

#define RFLAGS_IF (1ULL << 9)

bool intr_injectable(uint32_t entry_intr_info, uint64_t rflags, uint64_t interruptibility,
		     uint64_t activity)
{
	return !(entry_intr_info & INTR_INFO_VALID) && (rflags & RFLAGS_IF) &&
	       !(interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	       (activity == ACTIVITY_ACTIVE || activity == ACTIVITY_HLT);
}
