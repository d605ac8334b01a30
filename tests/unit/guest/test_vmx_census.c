/* tests/unit/guest/test_vmx_census.c - the count behind "every CPU is in VMX
 * root operation" (the xAPIC ICR trap decision), in chain mode above all:
 * the boot CPU and a joined AP count once each. */
#include "guest/run/vmx_census.h"
#include "tests/unit/check.h"

/* Chain mode as the boot CPU starts it: n CPUs listed, itself in VMX. */
static struct vmx_census chain(unsigned int n)
{
	struct vmx_census c = { .machine = n, .in_vmx = 1 };

	vmx_census_chain_expect(&c, n);
	return c;
}

TEST(test_classic_all_and_not_all)
{
	struct vmx_census c = { .machine = 4, .in_vmx = 4 };

	CHECK(vmx_census_all_in_vmx(&c));
	c.in_vmx = 3;           /* one AP refused VMXON: parked outside VMX */
	CHECK(!vmx_census_all_in_vmx(&c));
}

TEST(test_chain_boot_cpu_counted_once)
{
	struct vmx_census c = chain(4);

	CHECK_EQ(c.pending, 3u);
	CHECK(vmx_census_all_in_vmx(&c));       /* the APs are still to come */
}

TEST(test_chain_join_counted_once)
{
	struct vmx_census c = chain(3);

	vmx_census_chain_ap(&c, true);
	vmx_census_chain_ap(&c, true);
	CHECK_EQ(c.in_vmx, 3u);
	CHECK_EQ(c.pending, 0u);
	CHECK(vmx_census_all_in_vmx(&c));
}

TEST(test_chain_vmxon_refused_is_not_counted)
{
	struct vmx_census c = chain(3);

	vmx_census_chain_ap(&c, true);
	vmx_census_chain_ap(&c, false); /* parked outside VMX */
	CHECK_EQ(c.in_vmx, 2u);
	CHECK(!vmx_census_all_in_vmx(&c));
	/* The old count (in_vmx + listed, boot CPU and joins twice) said yes. */
	CHECK(c.in_vmx + 3 >= c.machine);
}

TEST(test_chain_single_cpu)
{
	struct vmx_census c = chain(1);

	CHECK_EQ(c.pending, 0u);
	vmx_census_chain_ap(&c, false); /* not expected; never underflows */
	CHECK_EQ(c.pending, 0u);
	CHECK(vmx_census_all_in_vmx(&c));
}

TEST(test_chain_failed_join_leaves_vmx)
{
	struct vmx_census c = chain(3);

	vmx_census_chain_ap(&c, true);
	CHECK(vmx_census_all_in_vmx(&c));       /* one joined (so far), one to come */
	vmx_census_chain_ap_left(&c);           /* its join failed: VMXOFF, back to the firmware */
	CHECK_EQ(c.in_vmx, 1u);
	CHECK(!vmx_census_all_in_vmx(&c));
	vmx_census_chain_ap(&c, true);
	CHECK(!vmx_census_all_in_vmx(&c));      /* the other joined: one CPU is still outside */
	vmx_census_chain_ap_left(&c);
	vmx_census_chain_ap_left(&c);           /* never below the boot CPU */
	CHECK_EQ(c.in_vmx, 1u);
}

TEST(test_chain_done_ends_the_wait)
{
	struct vmx_census c = chain(3);

	vmx_census_chain_ap(&c, true);
	CHECK(vmx_census_all_in_vmx(&c));       /* the third is still to come */
	vmx_census_chain_done(&c);              /* ... and now lost */
	CHECK_EQ(c.pending, 0u);
	CHECK(!vmx_census_all_in_vmx(&c));
	vmx_census_chain_ap(&c, true);          /* it joins late all the same */
	CHECK_EQ(c.in_vmx, 3u);
	CHECK(vmx_census_all_in_vmx(&c));
}

TEST(test_chain_done_all_joined)
{
	struct vmx_census c = chain(2);

	vmx_census_chain_ap(&c, true);
	vmx_census_chain_done(&c);
	CHECK(vmx_census_all_in_vmx(&c));
}
