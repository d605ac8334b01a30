/* drivers/ipi.c - the hypervisor's IPIs through the local APIC's ICR (SDM
 * Vol. 3A, 11.6.1 xAPIC ICR, 11.12.9 x2APIC ICR) and the sending side of
 * the request channel (arch/cpu_request.c): request, NMI, bounded wait. */
#include "drivers/ipi.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/msr.h"
#include "arch/tsc.h"
#include "mm/devmem.h"
#include "lib/format.h"
#include "lib/print.h"

#define ICR_IDLE_US 10000               /* an xAPIC's delivery status going idle */

static struct cpu_request_totals totals;

/* An xAPIC's delivery status idle within ICR_IDLE_US; false if it stayed busy. */
static bool xapic_icr_idle(hpa_t mmio)
{
	uint64_t t0 = rdtsc(), ticks = tsc_khz() * ICR_IDLE_US / 1000;
	uint32_t v = APIC_ICR_BUSY;

	while (!devmem_read(mmio + APIC_ICR_LO, &v, 4) && (v & APIC_ICR_BUSY) &&
	       rdtsc() - t0 < ticks)
		cpu_relax();
	return !(v & APIC_ICR_BUSY);
}

bool ipi_send_base(uint64_t apic_base, uint32_t apic_id, uint32_t lo)
{
	hpa_t mmio = apic_base & APIC_BASE_ADDR;
	uint32_t hi = apic_id << 24, guest_hi;

	if (!(apic_base & APIC_BASE_EN))
		return false;
	if (apic_base & APIC_BASE_EXTD) {
		/* Not serializing (11.12.3): the request's stores must be
		 * visible before the NMI can arrive. */
		asm volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_ICR, (uint64_t)apic_id << 32 | lo);
		return true;
	}
	if (apic_id > APIC_XAPIC_MAX_ID || !xapic_icr_idle(mmio) ||
	    devmem_read(mmio + APIC_ICR_HI, &guest_hi, 4))
		return false;
	if (devmem_write(mmio + APIC_ICR_HI, &hi, 4) || devmem_write(mmio + APIC_ICR_LO, &lo, 4))
		return false;
	(void)devmem_write(mmio + APIC_ICR_HI, &guest_hi, 4);
	return xapic_icr_idle(mmio);
}

bool ipi_send(uint32_t apic_id, uint32_t lo)
{
	return ipi_send_base(rdmsr(MSR_IA32_APIC_BASE), apic_id, lo);
}

bool ipi_send_nmi(uint32_t apic_id)
{
	return ipi_send(apic_id, APIC_ICR_DM_NMI | APIC_ICR_ASSERT);
}

int cpu_request(struct percpu *pc, uint32_t bits, uint32_t *seq)
{
	bool send;

	*seq = cpu_request_post(&pc->req, bits, &send);
	if (send && !ipi_send_nmi(pc->apic_id)) {
		cpu_request_unsent(&pc->req);
		return -EBUSY;
	}
	return 0;
}

unsigned int cpu_request_all_wait(uint32_t bits, uint64_t timeout_us, const char *what)
{
	uint32_t seq[PERCPU_MAX];           /* on the stack: several CPUs may ask at once */
	uint8_t asked[PERCPU_MAX];
	struct percpu *self = percpu_self();
	uint64_t t0 = rdtsc(), ticks = tsc_khz() * timeout_us / 1000;
	unsigned int waiting = 0, missed = 0, limit = percpu_limit;
	char line[300];
	size_t n;

	/* All asked first, then one wait: the CPUs work in parallel. */
	for (unsigned int c = 0; c < limit; c++) {
		struct percpu *pc = percpu_cpus[c];

		asked[c] = pc && pc != self && pc->online;
		if (!asked[c])
			continue;
		/* A CPU whose NMI was not sent is still waited for: it may look
		 * at its bits on its own (its next exit). */
		(void)cpu_request(pc, bits, &seq[c]);
		waiting++;
	}
	__atomic_add_fetch(&totals.rounds, 1, __ATOMIC_RELAXED);
	while (waiting) {
		waiting = 0;
		for (unsigned int c = 0; c < limit; c++)
			if (asked[c] && !cpu_request_acked(&percpu_cpus[c]->req, seq[c]))
				waiting++;
		if (!waiting || rdtsc() - t0 >= ticks)
			break;
		cpu_relax();
	}
	n = (size_t)fmt_snprintf(line, sizeof(line), "cpus: no answer to %s from APIC IDs", what);
	for (unsigned int c = 0; c < limit; c++) {
		if (!asked[c])
			continue;
		if (cpu_request_acked(&percpu_cpus[c]->req, seq[c])) {
			__atomic_add_fetch(&totals.acks, 1, __ATOMIC_RELAXED);
			continue;
		}
		missed++;
		if (n + 12 < sizeof(line))
			n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %u", percpu_cpus[c]->apic_id);
	}
	__atomic_add_fetch(&totals.missed, missed, __ATOMIC_RELAXED);
	if (missed)
		printf("%s within %llu ms\n", line, (unsigned long long)(timeout_us / 1000));
	return missed;
}

void cpu_request_totals(struct cpu_request_totals *t)
{
	*t = totals;
}

void cpu_request_print_stats(void)
{
	printf("cross-CPU requests: %llu rounds, %llu acknowledged, %llu unanswered",
	       (unsigned long long)totals.rounds, (unsigned long long)totals.acks,
	       (unsigned long long)totals.missed);
	for (unsigned int c = 0; c < percpu_limit; c++) {
		const struct percpu *pc = percpu_cpus[c];

		if (pc && pc->online)
			printf("; APIC ID %u: %u kicks, %u served, %u stage-2 flushes", pc->apic_id, pc->req.kicks, pc->req.served, pc->req.flushes);
	}
	printf("\n");
}
