/* tests/unit/arch/test_cpu_request.c - the request channel's protocol: one
 * kick NMI in flight, kicks told from guest NMIs, acknowledgements that
 * never go backwards, the entry window. */
#include "arch/cpu_request.h"
#include "tests/unit/check.h"

TEST(request_sends_one_kick_at_a_time)
{
	struct cpu_requests r = { 0 };
	bool send;
	uint32_t s1, s2;

	s1 = cpu_request_post(&r, CPU_REQ_FLUSH_STAGE2, &send);
	CHECK(send);
	s2 = cpu_request_post(&r, CPU_REQ_KICK, &send);
	CHECK(!send);                           /* the first kick covers it */
	CHECK(s2 == s1 + 1);
	CHECK_EQ(r.bits, CPU_REQ_FLUSH_STAGE2 | CPU_REQ_KICK);
	CHECK(!cpu_request_acked(&r, s1));
	/* The target, outside the guest, takes the NMI: both acknowledged. */
	CHECK(cpu_request_nmi(&r));
	CHECK(cpu_request_acked(&r, s1) && cpu_request_acked(&r, s2));
	CHECK_EQ(r.kicks, 1);
	/* The bits stay for the run loop: acknowledged means "before the next entry". */
	CHECK_EQ(r.bits, CPU_REQ_FLUSH_STAGE2 | CPU_REQ_KICK);
	s1 = cpu_request_post(&r, CPU_REQ_KICK, &send);
	CHECK(send);                            /* the last kick arrived: a new one goes */
}

TEST(guest_nmi_is_not_a_kick)
{
	struct cpu_requests r = { 0 };
	bool send;

	CHECK(!cpu_request_nmi(&r));
	(void)cpu_request_post(&r, CPU_REQ_KICK, &send);
	CHECK(cpu_request_nmi(&r));
	/* The kick has arrived: the next NMI is the guest's. */
	CHECK(!cpu_request_nmi(&r));
}

TEST(served_in_run_loop_before_the_nmi)
{
	struct cpu_requests r = { 0 };
	uint32_t s, seq, bits;
	bool send;

	s = cpu_request_post(&r, CPU_REQ_FLUSH_STAGE2, &send);
	bits = cpu_request_take(&r, &seq);
	CHECK_EQ(bits, CPU_REQ_FLUSH_STAGE2);
	cpu_request_done(&r, seq);
	CHECK(cpu_request_acked(&r, s));
	CHECK_EQ(r.flushes, 1);
	CHECK(cpu_request_nmi(&r));             /* the late kick is not the guest's */
	CHECK_EQ(cpu_request_take(&r, &seq), 0);
}

TEST(ack_never_goes_backwards)
{
	struct cpu_requests r = { 0 };
	uint32_t s1, s2, seq;
	bool send;

	s1 = cpu_request_post(&r, CPU_REQ_KICK, &send);
	(void)cpu_request_take(&r, &seq);       /* run loop read seq = s1 ... */
	s2 = cpu_request_post(&r, CPU_REQ_KICK, &send);
	CHECK(cpu_request_nmi(&r));             /* ... the NMI acknowledges s2 meanwhile */
	CHECK(cpu_request_acked(&r, s2));
	cpu_request_done(&r, seq);              /* the run loop finishes s1's work */
	CHECK(cpu_request_acked(&r, s1) && cpu_request_acked(&r, s2));
}

TEST(kick_while_entering_waits_for_the_exit)
{
	struct cpu_requests r = { 0 };
	uint32_t s, seq;
	bool send;

	CHECK(cpu_request_enter_guest(&r, false));     /* looked: nothing asked */
	s = cpu_request_post(&r, CPU_REQ_FLUSH_STAGE2, &send);
	/* The NMI lands before VMRESUME: not acknowledged, left for the run loop. */
	CHECK(cpu_request_nmi(&r));
	CHECK(!cpu_request_acked(&r, s));
	CHECK(r.bits & CPU_REQ_ACK);
	cpu_request_left_guest(&r);             /* the guest ran until its next exit */
	CHECK(!cpu_request_enter_guest(&r, false));    /* bits: not entered */
	CHECK_EQ(cpu_request_take(&r, &seq), CPU_REQ_FLUSH_STAGE2 | CPU_REQ_ACK);
	cpu_request_done(&r, seq);
	CHECK(cpu_request_acked(&r, s));
	CHECK(cpu_request_enter_guest(&r, false));
}

TEST(bits_before_entry_stop_it)
{
	struct cpu_requests r = { 0 };
	bool send;

	(void)cpu_request_post(&r, CPU_REQ_KICK, &send);
	CHECK(!cpu_request_enter_guest(&r, false));
	CHECK_EQ(r.in_guest, CPU_IN_ROOT);
}

TEST(waiting_for_sipi_counts_as_acknowledged)
{
	struct cpu_requests r = { 0 };
	uint32_t s, seq;
	bool send;

	CHECK(cpu_request_enter_guest(&r, true));
	s = cpu_request_post(&r, CPU_REQ_FLUSH_STAGE2, &send);
	CHECK(cpu_request_acked(&r, s));        /* it runs nothing until a SIPI exit */
	cpu_request_left_guest(&r);             /* the SIPI exit: now the real acknowledgement */
	CHECK(!cpu_request_acked(&r, s));
	CHECK(!cpu_request_enter_guest(&r, false));
	CHECK(cpu_request_nmi(&r));             /* the blocked kick arrives in the hypervisor */
	CHECK(cpu_request_acked(&r, s));
	CHECK_EQ(cpu_request_take(&r, &seq), CPU_REQ_FLUSH_STAGE2);
	cpu_request_done(&r, seq);
}

TEST(unsent_kick_is_sent_again)
{
	struct cpu_requests r = { 0 };
	bool send;

	(void)cpu_request_post(&r, CPU_REQ_KICK, &send);
	CHECK(send);
	cpu_request_unsent(&r);
	(void)cpu_request_post(&r, CPU_REQ_KICK, &send);
	CHECK(send);
}

TEST(sequence_wraps)
{
	CHECK(cpu_request_covers(5, 5));
	CHECK(cpu_request_covers(6, 5));
	CHECK(!cpu_request_covers(4, 5));
	CHECK(cpu_request_covers(2, 0xfffffffeu));
	CHECK(!cpu_request_covers(0xfffffffeu, 2));
}
