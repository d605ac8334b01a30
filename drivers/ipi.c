/* drivers/ipi.c - IPIs through the local APIC's ICR, the hypervisor's own and
 * those it sends for a guest (SDM Vol. 3A, 11.6.1 xAPIC ICR, 11.12.9 x2APIC
 * ICR), and the sending side of the request channel (arch/cpu_request.c):
 * request, NMI, bounded wait. */
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

int ipi_send_icr(uint64_t apic_base, const struct apic_icr *i)
{
	hpa_t mmio = apic_base & APIC_BASE_ADDR;
	bool x2apic = apic_base & APIC_BASE_EXTD;
	uint32_t hi, lo, guest_hi;
	uint64_t icr;
	int rc;

	if (!(apic_base & APIC_BASE_EN))
		return -ENOTSUP;
	rc = apic_icr_pack(i, x2apic, &icr);
	if (rc)
		return rc;
	if (x2apic) {
		/* Not serializing (11.12.3): the stores before it (a request's
		 * bits) must be visible before the IPI can arrive. */
		asm volatile("mfence; lfence" ::: "memory");
		if (apic_icr_is_self_ipi(i))
			wrmsr(MSR_X2APIC_SELF_IPI, i->vector);
		else
			wrmsr(MSR_X2APIC_ICR, icr);
		return 0;
	}
	/* The IPI before (the guest's or ours) must have left (11.6.1). */
	if (!xapic_icr_idle(mmio))
		return -EBUSY;
	/* The guest owns the xAPIC page (wait-for-SIPI mode, and the pages of
	 * CPUs it runs on in either mode) and sends its IPIs as two writes:
	 * the high dword (the destination), then the low one, which sends. A VM
	 * exit may fall between them, and this IPI with it; the guest's low
	 * write after the next entry then sends to the destination it wrote,
	 * as long as the hypervisor leaves the high dword as it found it. */
	if (devmem_read(mmio + APIC_ICR_HI, &guest_hi, 4))
		return -EFAULT;
	hi = (uint32_t)(icr >> 32);
	lo = (uint32_t)icr;
	rc = devmem_write(mmio + APIC_ICR_HI, &hi, 4) || devmem_write(mmio + APIC_ICR_LO, &lo, 4) ?
	     -EFAULT : 0;
	(void)devmem_write(mmio + APIC_ICR_HI, &guest_hi, 4);
	return rc;
}

bool ipi_send_base(uint64_t apic_base, uint32_t apic_id, enum icr_mode mode, uint8_t vector)
{
	struct apic_icr i = { .dest = apic_id, .mode = mode, .vector = vector, .assert = true };
	bool x2apic = apic_base & APIC_BASE_EXTD;

	if (!x2apic && apic_id > APIC_XAPIC_MAX_ID)
		return false;
	if (ipi_send_icr(apic_base, &i))
		return false;
	return x2apic || xapic_icr_idle(apic_base & APIC_BASE_ADDR);
}

bool ipi_send(uint32_t apic_id, enum icr_mode mode, uint8_t vector)
{
	return ipi_send_base(rdmsr(MSR_IA32_APIC_BASE), apic_id, mode, vector);
}

bool ipi_send_nmi(uint32_t apic_id)
{
	return ipi_send(apic_id, ICR_MODE_NMI, 0);
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
