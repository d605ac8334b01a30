/* tests/unit/guest/test_vcpu_state.c - the word the shell's `cpus` shows per vCPU. */
#include "guest/vcpu_state.h"
#include "tests/unit/check.h"

static const char *text(bool stopped, bool wait_sipi, bool halted, bool paused, bool unknown)
{
	struct vcpu_looks l = { .stopped = stopped, .wait_sipi = wait_sipi, .halted = halted,
				.paused = paused, .unknown = unknown };

	return vcpu_state_text(&l);
}

TEST(test_running_states)
{
	CHECK_STR(text(false, false, false, false, false), "running");
	CHECK_STR(text(false, false, true, false, false), "halted");
	CHECK_STR(text(false, true, false, false, false), "wait-for-SIPI");
	CHECK_STR(text(false, false, false, false, true), "running? (no answer)");
}

TEST(test_paused_says_what_it_was_doing)
{
	CHECK_STR(text(false, false, false, true, false), "paused");
	CHECK_STR(text(false, false, true, true, false), "paused (halted)");
	CHECK_STR(text(false, true, false, true, false), "paused (wait-for-SIPI)");
	CHECK_STR(text(false, false, false, true, true), "paused (no answer)");
}

TEST(test_stopped_wins)
{
	CHECK_STR(text(true, true, true, true, true), "stopped");
	CHECK_STR(text(true, false, false, false, false), "stopped");
}
