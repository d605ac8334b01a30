/* guest/dev/guest_ipi.c - a guest's IPI as its ICR write was decided
 * (guest/policy/apic_icr.c): INIT and start-up emulated on the vCPUs they
 * reach in the AP start fallback (apstart=trap), sent one vCPU at a time
 * otherwise; everything else to the real APIC or dropped. */
#include "guest/dev/guest_ipi.h"
#include "guest/ap_start_stub.h"
#include "arch/cpu.h"
#include "mm/devmem.h"
#include "drivers/console.h"
#include "lib/log.h"

#define MSR_IA32_APIC_BASE   0x1b
#define MSR_IA32_X2APIC_ICR  0x830
#define APIC_BASE_ADDR_MASK  0x000ffffffffff000ULL
#define XAPIC_ICR_LOW        0x300
#define XAPIC_ICR_HIGH       0x310
#define ICR_MODE_PHYSICAL_MASK (~(0x3u << 18 | 1u << 11))   /* no shorthand, physical */

/* One line per reason for the whole run: a guest that repeats an IPI it may
 * not send (an INIT storm to nobody) cannot flood the console. */
enum ipi_log { LOG_DROP_SMI, LOG_DROP_RESERVED, LOG_DROP_SHORTHAND, LOG_DROP_LOGICAL, LOG_NO_VCPU,
	       LOG_SELF, LOG_COUNT };
static bool logged[LOG_COUNT];

static bool first_time(enum ipi_log which)
{
	return log_enabled(LOG_INFO) && !__atomic_exchange_n(&logged[which], true, __ATOMIC_RELAXED);
}

void guest_ipi_send_real(bool x2apic, uint32_t dest, uint32_t low)
{
	hpa_t base;
	uint32_t high, guest_high;

	if (x2apic) {
		wrmsr(MSR_IA32_X2APIC_ICR, (uint64_t)dest << 32 | low);
		return;
	}
	/* The guest may be between its two ICR writes: its high dword is put back. */
	base = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK;
	high = dest << 24;
	if (devmem_read(base + XAPIC_ICR_HIGH, &guest_high, 4) ||
	    devmem_write(base + XAPIC_ICR_HIGH, &high, 4) ||
	    devmem_write(base + XAPIC_ICR_LOW, &low, 4) ||
	    devmem_write(base + XAPIC_ICR_HIGH, &guest_high, 4))
		printf("guest IPI: cannot reach the local APIC page at 0x%llx\n", (unsigned long long)base);
}

static void drop(struct vcpu *v, const struct apic_icr_decision *d)
{
	enum ipi_log which = d->icr.mode == ICR_MODE_SMI ? LOG_DROP_SMI :
			     d->icr.mode == ICR_MODE_RESERVED3 || d->icr.mode == ICR_MODE_RESERVED7 ?
			     LOG_DROP_RESERVED : d->icr.shorthand != ICR_DEST_FIELD ? LOG_DROP_SHORTHAND :
			     LOG_DROP_LOGICAL;

	if (first_time(which))
		printf("guest %s: %s IPI (ICR %s, destination 0x%x, shorthand %u) dropped: %s "
		       "(not logged again)\n", v->name, apic_icr_mode_name(d->icr.mode),
		       d->icr.x2apic ? "x2APIC" : "xAPIC", d->icr.dest, d->icr.shorthand, d->why);
}

/* INIT or start-up to one vCPU. */
static void deliver(struct vcpu *v, struct vcpu *t, uint32_t id, const struct apic_icr *i)
{
	if (v->vm->ap_start_trap) {
		if (i->mode == ICR_MODE_INIT)
			vcpu_post_init(t);
		else
			vcpu_post_sipi(t, i->vector);
		return;
	}
	/* The target waits for SIPI in VMX (or runs, and INIT makes it exit). */
	guest_ipi_send_real(i->x2apic, id, ((uint32_t)i->mode << 8 | i->vector | 1u << 14 |
					    (i->level_trigger ? 1u << 15 : 0)) & ICR_MODE_PHYSICAL_MASK);
}

bool guest_ipi(struct vcpu *v, const struct apic_icr_decision *d)
{
	const struct apic_icr *i = &d->icr;
	uint32_t self = vcpu_apic_id(v);
	struct vcpu *t;
	bool reached = false;

	switch (d->action) {
	case ICR_SEND:
		return true;
	case ICR_NOTHING:
	case ICR_GP:
		return false;
	case ICR_DROP:
		drop(v, d);
		return false;
	case ICR_INIT:
	case ICR_STARTUP:
		break;
	}
	for (unsigned int k = 0; (t = vm_vcpu_at(v->vm, k)); k++) {
		uint32_t id = vcpu_apic_id(t);

		if (!apic_icr_reaches(i, self, id))
			continue;
		reached = true;
		/* INIT to itself would reset the sender (physical broadcast only:
		 * the shorthands that include self are refused). */
		if (t == v) {
			if (first_time(LOG_SELF))
				printf("guest %s: %s IPI to its own CPU (APIC ID %u) not carried out "
				       "(not logged again)\n", v->name, apic_icr_mode_name(i->mode), self);
			continue;
		}
		deliver(v, t, id, i);
	}
	if (!reached && first_time(LOG_NO_VCPU))
		printf("guest %s: %s IPI to destination 0x%x reaches no vCPU: dropped (not logged again)\n",
		       v->name, apic_icr_mode_name(i->mode), i->dest);
	return false;
}
