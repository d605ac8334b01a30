/* arch/mca.c - machine checks, the hardware side: CR4.MCE, reading and
 * clearing the MCA MSRs (SDM Vol. 3B, 16.3); arch/mca_decode.c decides. */
#include "arch/mca.h"
#include "arch/cpu.h"
#include "lib/print.h"

#define CPUID_1_EDX_MCE  (1u << 7)
#define CPUID_1_EDX_MCA  (1u << 14)

static uint32_t cpuid_1_edx(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	return r.edx;
}

bool mca_enable(void)
{
	if (!(cpuid_1_edx() & CPUID_1_EDX_MCE))
		return false;
	write_cr4(read_cr4() | CR4_MCE);
	return true;
}

/* Bank i's MSRs: CTL, STATUS, ADDR, MISC at 0x400 + 4i. ADDR and MISC are
 * read only when STATUS says they are valid: some CPUs #GP otherwise. */
static void read_event(struct mca_event *e)
{
	e->mcg_cap = rdmsr(MSR_IA32_MCG_CAP);
	e->mcg_status = rdmsr(MSR_IA32_MCG_STATUS);
	e->bank_count = MIN((unsigned int)(e->mcg_cap & MCG_CAP_COUNT), (unsigned int)MCA_BANKS_MAX);
	for (unsigned int i = 0; i < e->bank_count; i++) {
		struct mca_bank *b = &e->bank[i];

		*b = (struct mca_bank){ rdmsr(MSR_IA32_MC0_STATUS + 4 * i), 0, 0 };
		if ((b->status & MCI_STATUS_VAL) && (b->status & MCI_STATUS_ADDRV))
			b->addr = rdmsr(MSR_IA32_MC0_STATUS + 4 * i + 1);
		if ((b->status & MCI_STATUS_VAL) && (b->status & MCI_STATUS_MISCV))
			b->misc = rdmsr(MSR_IA32_MC0_STATUS + 4 * i + 2);
	}
}

/* 16.3.2.2: software clears a bank by writing 0 to MCi_STATUS (anything
 * else may #GP); MCIP last, which lets the next #MC in. */
static void acknowledge(const struct mca_event *e)
{
	for (unsigned int i = 0; i < e->bank_count; i++)
		if (e->bank[i].status & MCI_STATUS_VAL)
			wrmsr(MSR_IA32_MC0_STATUS + 4 * i, 0);
	wrmsr(MSR_IA32_MCG_STATUS, 0);
}

enum mca_verdict mca_handle(const char *where, bool ack_fatal)
{
	struct mca_event e;
	enum mca_verdict verdict;
	char line[256];
	bool any = false;

	if (!(cpuid_1_edx() & CPUID_1_EDX_MCA)) {
		printf("machine check %s: the CPU has no machine-check architecture (CPUID.1:EDX.MCA = 0)\n",
		       where);
		return MCA_FATAL;
	}
	read_event(&e);
	mca_mcg_status_describe(e.mcg_status, line, sizeof(line));
	printf("machine check %s: IA32_MCG_STATUS %s, IA32_MCG_CAP 0x%llx (%u banks)\n", where, line,
	       (unsigned long long)e.mcg_cap, e.bank_count);
	for (unsigned int i = 0; i < e.bank_count; i++) {
		if (!(e.bank[i].status & MCI_STATUS_VAL))
			continue;
		mca_bank_describe(&e.bank[i], i, e.mcg_cap, line, sizeof(line));
		printf("machine check: %s\n", line);
		any = true;
	}
	if (!any)
		printf("machine check: no bank holds a valid error\n");
	verdict = mca_decide(&e, line, sizeof(line));
	printf("machine check: %s\n", line);
	if (verdict == MCA_CONTINUE || (verdict == MCA_FATAL && ack_fatal))
		acknowledge(&e);
	return verdict;
}
