/* arch/lapic_icr.c - packing and unpacking the local APIC's interrupt command
 * register (SDM Vol. 3A, 11.6.1, 11.12.9, 11.12.11). */
#include "arch/lapic_icr.h"

static uint32_t low_dword(const struct apic_icr *i)
{
	return i->vector | (uint32_t)i->mode << APIC_ICR_MODE_SHIFT |
	       (i->logical ? APIC_ICR_LOGICAL : 0) | (i->assert ? APIC_ICR_ASSERT : 0) |
	       (i->level_trigger ? APIC_ICR_LEVEL_TRIGGER : 0) |
	       (uint32_t)i->shorthand << APIC_ICR_SHORTHAND_SHIFT;
}

int apic_icr_pack(const struct apic_icr *i, bool x2apic, uint64_t *val)
{
	uint32_t dest = i->shorthand == ICR_DEST_FIELD ? i->dest : 0;

	if ((unsigned int)i->mode > ICR_MODE_RESERVED7 || (unsigned int)i->shorthand > ICR_DEST_OTHERS)
		return -EINVAL;
	if (x2apic) {
		*val = (uint64_t)dest << 32 | low_dword(i);
		return 0;
	}
	if (dest > APIC_ICR_XAPIC_BROADCAST)
		return -ERANGE;
	*val = (uint64_t)(dest << APIC_ICR_XAPIC_DEST_SHIFT) << 32 | low_dword(i);
	return 0;
}

void apic_icr_unpack(uint64_t val, bool x2apic, struct apic_icr *i)
{
	uint32_t low = (uint32_t)val, high = (uint32_t)(val >> 32);

	*i = (struct apic_icr){
		.dest = x2apic ? high : high >> APIC_ICR_XAPIC_DEST_SHIFT,
		.vector = (uint8_t)(low & APIC_ICR_VECTOR),
		.mode = (enum icr_mode)((low >> APIC_ICR_MODE_SHIFT) & 7),
		.logical = low & APIC_ICR_LOGICAL,
		.assert = low & APIC_ICR_ASSERT,
		.level_trigger = low & APIC_ICR_LEVEL_TRIGGER,
		.shorthand = (enum icr_shorthand)((low >> APIC_ICR_SHORTHAND_SHIFT) & 3),
		.x2apic = x2apic,
	};
}

bool apic_icr_is_self_ipi(const struct apic_icr *i)
{
	return i->shorthand == ICR_DEST_SELF && i->mode == ICR_MODE_FIXED && !i->level_trigger;
}
