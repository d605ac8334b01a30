/* mm/mtrr_read.c - reads the host's MTRRs (SDM Vol. 3A, 12.11.1-12.11.2.3; MSR numbers Vol. 4, Table 2-2). */
#include "mm/mtrr_read.h"
#include "arch/cpu.h"
#include "lib/print.h"

#define MSR_IA32_MTRRCAP            0x0fe
#define MSR_IA32_MTRR_PHYSBASE(n)   (0x200 + 2 * (n))
#define MSR_IA32_MTRR_PHYSMASK(n)   (0x201 + 2 * (n))
#define MSR_IA32_MTRR_FIX64K_00000  0x250
#define MSR_IA32_MTRR_FIX16K_80000  0x258
#define MSR_IA32_MTRR_FIX16K_A0000  0x259
#define MSR_IA32_MTRR_FIX4K_C0000   0x268   /* .. 0x26f = FIX4K_F8000 */
#define MSR_IA32_MTRR_DEF_TYPE      0x2ff

#define CPUID_1_EDX_MTRR            (1u << 12)
#define MTRRCAP_FIX                 (1ULL << 8)
#define PHYSMASK_V                  (1ULL << 11)

static unsigned int host_phys_bits(void)
{
	struct cpuid_regs r;

	cpuid(0x80000000, 0, &r);
	if (r.eax < 0x80000008)
		return 36;      /* 12.11.2.3: no leaf 80000008H means 36 bits */
	cpuid(0x80000008, 0, &r);
	return r.eax & 0xff;
}

void mtrr_read_host(struct mtrr_state *s)
{
	uint64_t fixed[11], pairs[2 * MTRR_MAX_VAR], cap, def_type;
	unsigned int vcnt;
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	if (!(r.edx & CPUID_1_EDX_MTRR)) {
		/* Reading the MSRs would #GP; all-zero is "disabled, no ranges". */
		mtrr_state_from_msrs(s, 0, 0, NULL, NULL, host_phys_bits());
		return;
	}
	cap = rdmsr(MSR_IA32_MTRRCAP);
	def_type = rdmsr(MSR_IA32_MTRR_DEF_TYPE);
	if (cap & MTRRCAP_FIX) {
		fixed[0] = rdmsr(MSR_IA32_MTRR_FIX64K_00000);
		fixed[1] = rdmsr(MSR_IA32_MTRR_FIX16K_80000);
		fixed[2] = rdmsr(MSR_IA32_MTRR_FIX16K_A0000);
		for (unsigned int i = 0; i < 8; i++)
			fixed[3 + i] = rdmsr(MSR_IA32_MTRR_FIX4K_C0000 + i);
	}
	vcnt = MIN((unsigned int)(cap & 0xff), MTRR_MAX_VAR);
	for (unsigned int n = 0; n < vcnt; n++) {
		pairs[2 * n] = rdmsr(MSR_IA32_MTRR_PHYSBASE(n));
		pairs[2 * n + 1] = rdmsr(MSR_IA32_MTRR_PHYSMASK(n));
	}
	mtrr_state_from_msrs(s, cap, def_type, (cap & MTRRCAP_FIX) ? fixed : NULL, pairs,
			     host_phys_bits());
}

void mtrr_print(const struct mtrr_state *s)
{
	unsigned int count = MIN(s->var_count, MTRR_MAX_VAR), used = 0;
	unsigned int bits = s->phys_bits ? MIN(s->phys_bits, 52u) : 36;
	uint64_t addr = ((1ULL << bits) - 1) & ~0xfffULL;

	/* VCNT is never 0 on a CPU with MTRRs, so this is mtrr_read_host's "none". */
	if (!s->enabled && count == 0) {
		printf("MTRR: none, all memory UC\n");
		return;
	}
	for (unsigned int n = 0; n < count; n++)
		used += (s->var[n].mask & PHYSMASK_V) != 0;
	printf("MTRR: %s, default %s, fixed %s, %u variable (%u in use)\n",
	       s->enabled ? "enabled" : "disabled (all memory UC)", mtrr_type_name(s->default_type),
	       s->fixed_enabled ? "on" : "off", count, used);
	for (unsigned int n = 0; n < count; n++) {
		uint64_t m = s->var[n].mask & addr, low = m & -m;
		uint64_t base = s->var[n].base & m;
		const char *type = mtrr_type_name((uint8_t)s->var[n].base);

		if (!(s->var[n].mask & PHYSMASK_V))
			continue;
		/* Contiguous: every address bit from the lowest mask bit up is set. */
		if (m && m == (addr & ~(low - 1)))
			printf("MTRR: var %u: 0x%016llx-0x%016llx %s\n", n, (unsigned long long)base,
			       (unsigned long long)(base + low - 1), type);
		else
			printf("MTRR: var %u: base 0x%016llx mask 0x%016llx %s (non-contiguous)\n", n,
			       (unsigned long long)s->var[n].base, (unsigned long long)s->var[n].mask, type);
	}
}
