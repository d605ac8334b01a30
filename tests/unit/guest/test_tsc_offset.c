/* tests/unit/guest/test_tsc_offset.c - the guest's TSC, TSC_ADJUST and
 * TSC_DEADLINE over a TSC offset (SDM Vol. 3B 17.17.3). */
#include "tests/unit/check.h"
#include "guest/tsc_offset.h"
#include "guest/policy/msr_policy.h"

/* The guest starts on the host's timeline and sees the host's TSC_ADJUST. */
TEST(starts_with_the_hosts_adjust)
{
	struct guest_tsc t;

	guest_tsc_init(&t, 0x1234);
	CHECK_EQ(t.offset, 0);
	CHECK_EQ(guest_tsc_adjust(&t), 0x1234);
	guest_tsc_init(&t, (uint64_t)-5000);          /* firmware moved the host's TSC back */
	CHECK_EQ(guest_tsc_adjust(&t), (uint64_t)-5000);
}

/* 17.17.3: writing TSC_ADJUST adds (new - old) to the TSC; it reads back. */
TEST(adjust_write_moves_the_tsc_by_the_difference)
{
	struct guest_tsc t;
	uint64_t host = 1000000, guest_before, guest_after;

	guest_tsc_init(&t, 300);
	guest_before = host + t.offset;
	t.offset = guest_tsc_offset_after_adjust_write(&t, 300 + 5000);
	guest_after = host + t.offset;
	CHECK_EQ(guest_after - guest_before, 5000);
	CHECK_EQ(guest_tsc_adjust(&t), 5300);
	/* Backwards, and to 0 as Linux does on a firmware-moved boot CPU. */
	t.offset = guest_tsc_offset_after_adjust_write(&t, 0);
	CHECK_EQ(guest_tsc_adjust(&t), 0);
	CHECK_EQ(host + t.offset, host - 300);
}

/* 17.17.3: a write to IA32_TSC moves TSC_ADJUST by the same amount. */
TEST(tsc_write_moves_adjust_by_the_same_amount)
{
	struct guest_tsc t;
	uint64_t host = 50000, adj0;

	guest_tsc_init(&t, 7);
	t.offset = guest_tsc_offset_after_adjust_write(&t, 100);
	adj0 = guest_tsc_adjust(&t);
	/* Guest TSC is host + 93; set it to 1 << 40. */
	t.offset = guest_tsc_offset_after_tsc_write(1ULL << 40, host);
	CHECK_EQ(host + t.offset, 1ULL << 40);
	CHECK_EQ(guest_tsc_adjust(&t) - adj0, (1ULL << 40) - (host + 93));
	/* Setting it behind the host's TSC: a negative offset, adjust goes down. */
	t.offset = guest_tsc_offset_after_tsc_write(10, host);
	CHECK_EQ(host + t.offset, 10);
	CHECK_EQ(guest_tsc_adjust(&t), 7 + 10 - host);
}

TEST(deadline_in_host_terms)
{
	/* Offset 0: the same value. */
	CHECK_EQ(guest_tsc_deadline_to_host(123456, 0), 123456);
	/* Disarm stays disarm. */
	CHECK_EQ(guest_tsc_deadline_to_host(0, 1ULL << 40), 0);
	/* Guest ahead by 2^40: the host deadline is 2^40 earlier. */
	CHECK_EQ(guest_tsc_deadline_to_host((1ULL << 40) + 777, 1ULL << 40), 777);
	/* Guest behind (negative offset): later in host terms. */
	CHECK_EQ(guest_tsc_deadline_to_host(1000, (uint64_t)-500), 1500);
	/* Before host TSC 0: fire at once (1, never 0, which would disarm). */
	CHECK_EQ(guest_tsc_deadline_to_host(1ULL << 40, 1ULL << 40), 1);
	CHECK_EQ(guest_tsc_deadline_to_host(5, 1ULL << 40), 1);
	/* Past the host's range: as late as the hardware can say. */
	CHECK_EQ(guest_tsc_deadline_to_host(UINT64_MAX - 10, (uint64_t)-100), UINT64_MAX);
	CHECK_EQ(guest_tsc_deadline_to_host(UINT64_MAX, 0), UINT64_MAX);
}

/* IA32_TSC_DEADLINE: passed at the start, trapped on demand, both halves. */
TEST(deadline_bitmap_toggles)
{
	static uint8_t bm[4096];
	struct guest_features f = { 0 };

	msr_bitmap_build(bm, &f);
	CHECK_EQ(msr_policy(MSR_IA32_TSC_DEADLINE, false, &f), MSR_PASS);
	CHECK_EQ(msr_policy(MSR_IA32_TSC_DEADLINE, true, &f), MSR_PASS);
	CHECK_EQ(bm[0x6e0 / 8] & (1u << (0x6e0 % 8)), 0);
	CHECK_EQ(bm[2048 + 0x6e0 / 8] & (1u << (0x6e0 % 8)), 0);
	msr_bitmap_set_exits(bm, MSR_IA32_TSC_DEADLINE, true);
	CHECK(bm[0x6e0 / 8] & (1u << (0x6e0 % 8)));
	CHECK(bm[2048 + 0x6e0 / 8] & (1u << (0x6e0 % 8)));
	msr_bitmap_set_exits(bm, MSR_IA32_TSC_DEADLINE, false);
	/* The neighbour in the same byte (0x6e1, not on the list) still exits. */
	CHECK(bm[0x6e1 / 8] & (1u << (0x6e1 % 8)));
	CHECK(bm[2048 + 0x6e1 / 8] & (1u << (0x6e1 % 8)));
	CHECK_EQ(bm[0x6e0 / 8] & (1u << (0x6e0 % 8)), 0);
	CHECK_EQ(bm[2048 + 0x6e0 / 8] & (1u << (0x6e0 % 8)), 0);
	/* TSC_ADJUST is emulated both ways, IA32_TSC only for writes. */
	CHECK_EQ(msr_policy(MSR_IA32_TSC_ADJUST, false, &f), MSR_TSC_ADJUST);
	CHECK_EQ(msr_policy(MSR_IA32_TSC_ADJUST, true, &f), MSR_TSC_ADJUST);
	CHECK_EQ(msr_policy(MSR_IA32_TSC, true, &f), MSR_TSC_WRITE);
}
