/* tests/unit/vmx/test_exit_state.c - the per-exit VMCS field cache: each
 * field read at most once per exit, written back once and only if changed. */
#include "tests/unit/check.h"
#include <stdint.h>

static uint64_t fake_vmcs[0x7000];
static unsigned int reads, writes;
static uint32_t last_write;

static uint64_t fake_read(uint32_t f)
{
	reads++;
	return fake_vmcs[f];
}

static void fake_write(uint32_t f, uint64_t v)
{
	writes++;
	last_write = f;
	fake_vmcs[f] = v;
}

#define EXS_VMREAD(f)       fake_read(f)
#define EXS_VMWRITE(f, v)   fake_write(f, v)
#include "vmx/exit_state.h"
#include "vmx/vmcs.h"

static void reset(void)
{
	memset(fake_vmcs, 0, sizeof(fake_vmcs));
	reads = writes = 0;
}

TEST(read_once_per_exit)
{
	struct exit_state s = { 0 };

	reset();
	fake_vmcs[VMCS_EXIT_QUALIFICATION] = 0x1234;
	exit_state_begin(&s);
	CHECK_EQ(exs_get(&s, EXS_EXIT_QUALIFICATION), 0x1234);
	CHECK_EQ(exs_get(&s, EXS_EXIT_QUALIFICATION), 0x1234);
	CHECK_EQ(reads, 1);
	exit_state_flush(&s);
	CHECK_EQ(writes, 0);
	/* The next exit reads it again: a new value. */
	fake_vmcs[VMCS_EXIT_QUALIFICATION] = 0x99;
	exit_state_begin(&s);
	CHECK_EQ(exs_get(&s, EXS_EXIT_QUALIFICATION), 0x99);
	CHECK_EQ(reads, 2);
}

TEST(written_back_once_only_if_changed)
{
	struct exit_state s = { 0 };

	reset();
	fake_vmcs[VMCS_GUEST_INTERRUPTIBILITY_INFO] = 3;
	exit_state_begin(&s);
	CHECK_EQ(exs_get(&s, EXS_GUEST_INTERRUPTIBILITY_INFO), 3);
	exs_set(&s, EXS_GUEST_INTERRUPTIBILITY_INFO, 3);          /* unchanged: no write */
	CHECK(!s.dirty);
	exs_set(&s, EXS_GUEST_INTERRUPTIBILITY_INFO, 1);
	exs_set(&s, EXS_GUEST_INTERRUPTIBILITY_INFO, 0);
	CHECK_EQ(exs_get(&s, EXS_GUEST_INTERRUPTIBILITY_INFO), 0); /* sees its own write */
	CHECK_EQ(writes, 0);
	CHECK_EQ(fake_vmcs[VMCS_GUEST_INTERRUPTIBILITY_INFO], 3);
	exit_state_flush(&s);
	CHECK_EQ(writes, 1);
	CHECK_EQ(last_write, VMCS_GUEST_INTERRUPTIBILITY_INFO);
	CHECK_EQ(fake_vmcs[VMCS_GUEST_INTERRUPTIBILITY_INFO], 0);
	CHECK_EQ(reads, 1);
}

TEST(set_without_read_writes_once)
{
	struct exit_state s = { 0 };

	reset();
	exit_state_begin(&s);
	exs_set(&s, EXS_GUEST_ACTIVITY_STATE, 1);
	CHECK_EQ(exs_get(&s, EXS_GUEST_ACTIVITY_STATE), 1);
	CHECK_EQ(reads, 0);
	exit_state_flush(&s);
	CHECK_EQ(writes, 1);
	CHECK_EQ(fake_vmcs[VMCS_GUEST_ACTIVITY_STATE], 1);
}

TEST(outside_an_exit_goes_straight_to_the_vmcs)
{
	struct exit_state s = { 0 };

	reset();
	fake_vmcs[VMCS_GUEST_PENDING_DBG_EXCEPTIONS] = 7;
	CHECK_EQ(exs_get(&s, EXS_GUEST_PENDING_DBG_EXCEPTIONS), 7);
	fake_vmcs[VMCS_GUEST_PENDING_DBG_EXCEPTIONS] = 8;
	CHECK_EQ(exs_get(&s, EXS_GUEST_PENDING_DBG_EXCEPTIONS), 8);   /* nothing cached */
	exs_set(&s, EXS_GUEST_PENDING_DBG_EXCEPTIONS, 9);
	CHECK_EQ(writes, 1);
	CHECK_EQ(fake_vmcs[VMCS_GUEST_PENDING_DBG_EXCEPTIONS], 9);
}

TEST(discard_drops_stale_values_and_pending_writes)
{
	struct exit_state s = { 0 };

	reset();
	exit_state_begin(&s);
	exs_set(&s, EXS_GUEST_INTERRUPTIBILITY_INFO, 8);
	fake_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);     /* a reset writing the VMCS itself */
	exit_state_discard(&s);
	CHECK_EQ(exs_get(&s, EXS_GUEST_INTERRUPTIBILITY_INFO), 0);
	exit_state_flush(&s);
	CHECK_EQ(writes, 1);
	CHECK_EQ(fake_vmcs[VMCS_GUEST_INTERRUPTIBILITY_INFO], 0);
}

TEST(every_field_has_its_encoding)
{
	for (unsigned int f = 0; f < EXS_COUNT; f++)
		CHECK(exs_encoding[f] != 0);
	CHECK_EQ(exs_encoding[EXS_GUEST_PHYSICAL_ADDRESS], VMCS_GUEST_PHYSICAL_ADDRESS);
}
