/* guest/tsc_offset.c - the guest's TSC as the host's plus an offset, and the
 * MSRs that see or move it (SDM Vol. 3B, 17.17.3; Vol. 3A, 10.5.4.1). Pure. */
#include "guest/tsc_offset.h"

void guest_tsc_init(struct guest_tsc *t, uint64_t host_adjust)
{
	t->offset = 0;
	t->adjust_base = host_adjust;
	t->deadline = 0;
}

uint64_t guest_tsc_adjust(const struct guest_tsc *t)
{
	/* Every change of the offset is a change of the guest's TSC, which
	 * TSC_ADJUST follows: invariant adjust = base + offset. */
	return t->adjust_base + t->offset;
}

uint64_t guest_tsc_offset_after_adjust_write(const struct guest_tsc *t, uint64_t val)
{
	return t->offset + (val - guest_tsc_adjust(t));
}

uint64_t guest_tsc_offset_after_tsc_write(uint64_t val, uint64_t host_tsc)
{
	return val - host_tsc;
}

uint64_t guest_tsc_deadline_to_host(uint64_t deadline, uint64_t offset)
{
	__int128 host;

	if (!deadline)
		return 0;
	/* The offset is a signed distance (guest ahead or behind). */
	host = (__int128)deadline - (__int128)(int64_t)offset;
	if (host <= 0)
		return 1;
	if (host > (__int128)UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)host;
}
