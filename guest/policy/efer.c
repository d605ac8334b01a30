/* guest/policy/efer.c - the guest's IA32_EFER: its bits and its WRMSR
 * (SDM Vol. 4, Table 2-2; Vol. 3A 2.2.1, 9.8.5). */
#include "guest/policy/efer.h"
#include "arch/msr.h"

uint64_t efer_supported(uint32_t edx)
{
	uint64_t s = EFER_SCE;

	if (edx & CPUID81_EDX_LM)
		s |= EFER_LME | EFER_LMA;
	if (edx & CPUID81_EDX_NX)
		s |= EFER_NXE;
	return s;
}

bool efer_write(uint64_t old, uint64_t val, bool paging, uint64_t supported, uint64_t *efer)
{
	if (val & ~supported)
		return false;
	if (paging && ((old ^ val) & EFER_LME))
		return false;
	*efer = (val & ~EFER_LMA) | (old & EFER_LMA);
	return true;
}
