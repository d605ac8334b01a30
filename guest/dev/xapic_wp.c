/* guest/dev/xapic_wp.c - the local APIC page write-protected (apstart=trap,
 * or a CPU of the machine outside VMX;
 * SDM Vol. 3A, 10.4.1, 10.6.1): the guest reads its APIC directly (the page
 * is mapped read-only, UC); each write exits and is performed on the real
 * APIC of the CPU it came from (EOI, TPR, timer, LVTs, ICR high...), except
 * a write of the ICR's low dword, which sends the IPI: it is decoded with
 * the ICR's high dword (guest/policy/apic_icr.c) and INIT and start-up are
 * emulated instead (guest/dev/guest_ipi.c). Every CPU shares the one page
 * and this model: the writes go to whichever APIC the CPU sees there. */
#include "guest/dev/xapic_wp.h"
#include "guest/dev/device.h"
#include "guest/gmap.h"
#include "guest/gmem.h"
#include "guest/dev/guest_ipi.h"
#include "guest/policy/apic_icr.h"
#include "mm/devmem.h"
#include "drivers/console.h"
#include "lib/log.h"

#define XAPIC_ICR_HIGH  0x310

struct xapic_wp {
	gpa_t base;
	uint64_t writes;                /* every write that exited */
	uint64_t icr_writes;            /* of which to the ICR's low dword */
	uint64_t emulated;              /* of which INIT, INIT de-assert and start-up: not sent */
};

static struct xapic_wp wp;

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static uint64_t xapic_read(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size)
{
	uint64_t val = 0;

	/* Only an emulated instruction that also reads (an RMW) gets here. */
	if (devmem_read(addr, &val, size))
		return ~0ULL;
	return val;
}

/* The guest writes low to the ICR: the IPI is sent (or emulated) now. */
static void icr_write(struct vcpu *v, gpa_t addr, uint32_t low)
{
	struct apic_icr_decision d;
	uint32_t high = 0;

	count(&wp.icr_writes);
	/* The high dword is the guest's: every write of it reached the APIC. */
	if (devmem_read(wp.base + XAPIC_ICR_HIGH, &high, 4)) {
		printf("guest %s: xAPIC ICR write 0x%x lost: the APIC page cannot be read\n", v->name, low);
		return;
	}
	apic_icr_decode_xapic(low, high, &d);
	if (guest_ipi(v, &d)) {
		(void)devmem_write(addr, &low, 4);
		return;
	}
	/* Nothing was written to the real ICR, so its delivery status stays
	 * idle, which is what Linux polls (safe_apic_wait_icr_idle). */
	if (d.action == ICR_INIT || d.action == ICR_STARTUP || d.action == ICR_NOTHING)
		count(&wp.emulated);
}

static void xapic_write(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size,
			uint64_t val)
{
	static bool partial_logged;
	uint64_t off = addr - wp.base;

	count(&wp.writes);
	switch (apic_xapic_write_kind(off, size)) {
	case XAPIC_WRITE_ICR:
		icr_write(v, addr, (uint32_t)val);
		return;
	case XAPIC_WRITE_ICR_PART:
		if (log_enabled(LOG_INFO) && !__atomic_exchange_n(&partial_logged, true, __ATOMIC_RELAXED))
			printf("guest %s: %u-byte write to the xAPIC ICR at offset 0x%llx dropped "
			       "(not logged again)\n", v->name, size, (unsigned long long)off);
		return;
	case XAPIC_WRITE_OTHER:
		break;
	}
	(void)devmem_write(addr, &val, size);
}

static void xapic_describe(struct device_model *d)
{
	printf("  %s: xAPIC page 0x%llx write-protected: %llu writes, %llu to ICR, "
	       "%llu INIT/start-up emulated\n", d->name, (unsigned long long)wp.base,
	       (unsigned long long)wp.writes, (unsigned long long)wp.icr_writes,
	       (unsigned long long)wp.emulated);
}

static struct device_model xapic_dev = {
	.name = "lapic",
	.mmio_read = xapic_read,
	.mmio_write = xapic_write,
	.describe = xapic_describe,
};

int xapic_wp_init(gpa_t base)
{
	int rc = device_add_mmio_writes(&xapic_dev, base, PAGE_SIZE);

	if (!rc)
		wp.base = base;
	return rc;
}
