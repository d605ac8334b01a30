/* boot/x2apic_test.c - hvtest's testx2apic and its undoing on chain mode's
 * hand-back (SDM Vol. 3A, 11.12.5.1 x2APIC state transitions); see
 * x2apic_test.h. */
#include "boot/x2apic_test.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/lapic_state.h"
#include "arch/msr.h"
#include "mm/devmem.h"
#include "lib/print.h"

#define MSR_X2APIC_TIMER_CUR 0x839      /* the timer's current count (11.12.1.2) */

static struct {
	bool switched;                  /* x2apic_test_switch changed the mode */
	uint64_t fw_base;               /* IA32_APIC_BASE as the firmware had it */
	struct xapic_state st;          /* its xAPIC registers then */
} saved;

uint64_t x2apic_test_switch(uint64_t apic_base)
{
	hpa_t mmio = apic_base & APIC_BASE_ADDR;
	struct cpuid_regs r;
	uint32_t version = 0;

	cpuid(1, 0, &r);
	if (!(r.ecx & (1u << 21)) || !(apic_base & APIC_BASE_EN)) {
		printf("cpus: hvtest: no x2APIC to switch to\n");
		return apic_base;
	}
	if (apic_base & APIC_BASE_EXTD) {         /* the firmware's choice: nothing to undo */
		printf("cpus: hvtest: the boot CPU's local APIC is in x2APIC mode\n");
		return apic_base;
	}
	if (devmem_read(mmio + XAPIC_VERSION, &version, 4))
		version = 0;
	xapic_state_layout(&saved.st, version);
	for (unsigned int k = 0; k < saved.st.n; k++)
		if (devmem_read(mmio + saved.st.off[k], &saved.st.val[k], 4))
			saved.st.val[k] = 0;
	saved.fw_base = apic_base;
	saved.switched = true;
	apic_base |= APIC_BASE_EXTD;
	wrmsr(MSR_IA32_APIC_BASE, apic_base);
	printf("cpus: hvtest: the boot CPU's local APIC is in x2APIC mode\n");
	return apic_base;
}

void x2apic_test_undo(void)
{
	hpa_t mmio = saved.fw_base & APIC_BASE_ADDR;
	uint64_t back;
	unsigned int written = 0;
	bool counting;

	if (!saved.switched)
		return;
	saved.switched = false;
	counting = rdmsr(MSR_X2APIC_TIMER_CUR) != 0;
	wrmsr(MSR_IA32_APIC_BASE, saved.fw_base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	wrmsr(MSR_IA32_APIC_BASE, saved.fw_base);
	back = rdmsr(MSR_IA32_APIC_BASE);
	if (back != saved.fw_base) {
		printf("cpus: hvtest: the boot CPU's local APIC did not come back in xAPIC mode (IA32_APIC_BASE "
		       "0x%llx, the firmware had 0x%llx)\n", (unsigned long long)back,
		       (unsigned long long)saved.fw_base);
		return;
	}
	for (unsigned int k = 0; k < saved.st.n; k++)
		if (xapic_state_restore(&saved.st, k, counting) &&
		    !devmem_write(mmio + saved.st.off[k], &saved.st.val[k], 4))
			written++;
	printf("cpus: hvtest: the boot CPU's local APIC is back in xAPIC mode as the firmware had it "
	       "(IA32_APIC_BASE 0x%llx, %u registers written back%s)\n", (unsigned long long)back, written,
	       counting ? "" : ", the timer stopped");
}
