/* tests/unit/arch/test_lapic_state.c - the xAPIC state put back after
 * x2APIC mode (SDM Vol. 3A, 11.12.5.1): DFR before SVR (11.6.2.2), SVR
 * before the LVTs (11.4.7.2), the LVTs the version's MaxLVT says exist,
 * the timer's initial count last and only while the timer was counting. */
#include "arch/lapic_state.h"
#include "tests/unit/check.h"

static int index_of(const struct xapic_state *s, uint16_t off)
{
	for (unsigned int k = 0; k < s->n; k++)
		if (s->off[k] == off)
			return (int)k;
	return -1;
}

TEST(order_with_every_lvt)
{
	struct xapic_state s;

	xapic_state_layout(&s, 0x00060015);     /* MaxLVT 6 (7 LVTs, CMCI too): Skylake, Bochs skylake_x */
	CHECK_EQ(s.n, 13);
	CHECK(index_of(&s, XAPIC_DFR) < index_of(&s, XAPIC_SVR));
	CHECK(index_of(&s, XAPIC_LDR) < index_of(&s, XAPIC_SVR));
	CHECK(index_of(&s, XAPIC_SVR) < index_of(&s, XAPIC_LVT_LINT0));
	CHECK(index_of(&s, XAPIC_SVR) < index_of(&s, XAPIC_LVT_CMCI));
	CHECK(index_of(&s, XAPIC_TIMER_DIV) < index_of(&s, XAPIC_TIMER_INIT));
	CHECK(index_of(&s, XAPIC_LVT_TIMER) < index_of(&s, XAPIC_TIMER_INIT));
	CHECK_EQ(index_of(&s, XAPIC_TIMER_INIT), 12);   /* last: it starts the timer */
	CHECK(index_of(&s, XAPIC_LVT_PERF) >= 0 && index_of(&s, XAPIC_LVT_THERM) >= 0);
}

TEST(lvts_per_max_lvt)
{
	struct xapic_state s;

	xapic_state_layout(&s, 0x00050014);     /* MaxLVT 5: no CMCI */
	CHECK_EQ(index_of(&s, XAPIC_LVT_CMCI), -1);
	CHECK(index_of(&s, XAPIC_LVT_THERM) >= 0);
	xapic_state_layout(&s, 0x00030010);     /* MaxLVT 3: LINT0/1, error, timer only */
	CHECK_EQ(index_of(&s, XAPIC_LVT_PERF), -1);
	CHECK_EQ(index_of(&s, XAPIC_LVT_THERM), -1);
	CHECK_EQ(s.n, 10);
}

TEST(initial_count_only_while_counting)
{
	struct xapic_state s;
	int init;

	xapic_state_layout(&s, 0x00060015);
	init = index_of(&s, XAPIC_TIMER_INIT);
	CHECK(xapic_state_restore(&s, (unsigned int)init, true));
	CHECK(!xapic_state_restore(&s, (unsigned int)init, false));
	CHECK(xapic_state_restore(&s, (unsigned int)index_of(&s, XAPIC_LVT_TIMER), false));
	CHECK(!xapic_state_restore(&s, s.n, true));
}
