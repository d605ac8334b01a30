/* guest/policy/apic_icr.c - decoding the local APIC's ICR and deciding what a
 * guest's IPI does (SDM Vol. 3A, 10.6.1, 10.12.9, Table 10-3). */
#include "guest/policy/apic_icr.h"

static void decide(struct apic_icr_decision *d)
{
	const struct apic_icr *i = &d->icr;

	d->why = NULL;
	switch (i->mode) {
	case ICR_MODE_FIXED:
	case ICR_MODE_LOWEST:
	case ICR_MODE_NMI:
		/* Nothing here needs the hypervisor: every CPU the guest can name
		 * runs a vCPU (chain mode's lost APs aside: an NMI that would
		 * reach one is split up in guest/dev/guest_ipi.c). */
		d->action = ICR_SEND;
		return;
	case ICR_MODE_SMI:
		d->action = ICR_DROP;
		d->why = "SMI: would enter SMM";
		return;
	case ICR_MODE_RESERVED3:
	case ICR_MODE_RESERVED7:
		d->action = ICR_DROP;
		d->why = "reserved delivery mode";
		return;
	case ICR_MODE_INIT:
	case ICR_MODE_STARTUP:
		break;
	}
	/* "INIT level de-assert" (level 0, level-triggered): the P6's way to end
	 * an INIT; Pentium 4 and later do nothing (10.6.1). Linux still sends it
	 * after each INIT; KVM draws the line the same way. */
	if (i->mode == ICR_MODE_INIT && !i->assert && i->level_trigger) {
		d->action = ICR_NOTHING;
		return;
	}
	/* Table 10-3: INIT and start-up go to the destination field or to all
	 * excluding self; with "self" or "all including self" they are not a
	 * valid combination. */
	if (i->shorthand == ICR_DEST_SELF || i->shorthand == ICR_DEST_ALL) {
		d->action = ICR_DROP;
		d->why = "not a valid shorthand for INIT or start-up (SDM Table 10-3)";
		return;
	}
	if (i->shorthand == ICR_DEST_FIELD && i->logical && !i->x2apic) {
		d->action = ICR_DROP;
		d->why = "xAPIC logical destination for INIT or start-up: not emulated "
			 "(physical destinations and shorthands are)";
		return;
	}
	d->action = i->mode == ICR_MODE_INIT ? ICR_INIT : ICR_STARTUP;
}

void apic_icr_decode_x2apic(uint64_t val, struct apic_icr_decision *d)
{
	apic_icr_unpack(val, true, &d->icr);
	if (val & APIC_ICR_X2APIC_RESERVED) {
		d->action = ICR_GP;
		d->why = "reserved bits set";
		return;
	}
	decide(d);
}

void apic_icr_decode_xapic(uint32_t low, uint32_t high, struct apic_icr_decision *d)
{
	apic_icr_unpack((uint64_t)high << 32 | low, false, &d->icr);
	decide(d);
}

bool apic_icr_reaches(const struct apic_icr *i, uint32_t self, uint32_t id)
{
	switch (i->shorthand) {
	case ICR_DEST_SELF:
		return id == self;
	case ICR_DEST_ALL:
		return true;
	case ICR_DEST_OTHERS:
		return id != self;
	case ICR_DEST_FIELD:
		break;
	}
	if (!i->logical)
		return i->dest == id ||
		       i->dest == (i->x2apic ? APIC_ICR_X2APIC_BROADCAST : APIC_ICR_XAPIC_BROADCAST);
	if (!i->x2apic)
		return false;
	if (i->dest == APIC_ICR_X2APIC_BROADCAST)
		return true;
	/* The x2APIC's logical ID is derived from its ID (10.12.10.2). */
	return (i->dest >> 16) == (id >> 4) && (i->dest & (1u << (id & 0xf)));
}

uint64_t apic_icr_vcpu_targets(const struct apic_icr *i, uint32_t self, const uint32_t *ids,
			       unsigned int n)
{
	uint64_t set = 0;

	for (unsigned int k = 0; k < n && k < 64; k++)
		if (ids[k] != self && apic_icr_reaches(i, self, ids[k]))
			set |= 1ULL << k;
	return set;
}

#define XAPIC_ICR_LOW 0x300

enum xapic_write apic_xapic_write_kind(uint64_t off, unsigned int size)
{
	if (off >= XAPIC_ICR_LOW + 4 || off + size <= XAPIC_ICR_LOW)
		return XAPIC_WRITE_OTHER;
	/* An 8-byte write's upper half lands in reserved space (0x304-0x307). */
	return off == XAPIC_ICR_LOW && size >= 4 ? XAPIC_WRITE_ICR : XAPIC_WRITE_ICR_PART;
}

const char *apic_icr_mode_name(enum icr_mode m)
{
	static const char *const names[] = {
		"fixed", "lowest priority", "SMI", "reserved (3)", "NMI", "INIT", "start-up", "reserved (7)",
	};

	return (unsigned int)m < ARRAY_SIZE(names) ? names[m] : "?";
}
