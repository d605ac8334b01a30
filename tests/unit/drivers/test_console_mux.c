/* tests/unit/drivers/test_console_mux.c - the serial line shared by the guest's console and the shell. */
#include "drivers/console_mux.h"
#include "tests/unit/check.h"

static struct console_mux m;
static char wire[65536];
static size_t wire_len;

static void put(void *ctx, char c)
{
	if (wire_len < sizeof(wire) - 1)
		wire[wire_len++] = c;
	wire[wire_len] = 0;
}

static void fresh(void)
{
	wire_len = 0;
	wire[0] = 0;
	mux_init(&m, put, NULL);
}

static void guest_says(const char *s)
{
	while (*s)
		mux_guest_putc(&m, *s++);
}

static void hv_says(enum mux_writer w, const char *s)
{
	mux_hv_write(&m, w, s, strlen(s));
}

static void type(const char *s)
{
	while (*s)
		(void)mux_key(&m, (uint8_t)*s++);
}

TEST(test_guest_owns_line_at_start)
{
	fresh();
	guest_says("login: ");
	CHECK_STR(wire, "login: ");
	type("root\r");
	CHECK_EQ(mux_guest_pending(&m), 5);
	CHECK_EQ(mux_guest_getc(&m), 'r');
	CHECK_EQ(mux_shell_getc(&m), -1);
}

TEST(test_escape_enters_shell_and_holds_output)
{
	fresh();
	CHECK(mux_key(&m, MUX_ESCAPE));
	CHECK_EQ(m.owner, MUX_SHELL);
	CHECK_EQ(mux_guest_pending(&m), 0);
	guest_says("booting\r\n");
	CHECK_STR(wire, "");
	CHECK_EQ(mux_held_count(&m), 9);
	type("help\r");
	CHECK_EQ(mux_shell_getc(&m), 'h');
	CHECK_EQ(mux_guest_pending(&m), 0);
}

TEST(test_escape_in_shell_goes_to_shell)
{
	fresh();
	(void)mux_key(&m, MUX_ESCAPE);
	CHECK(!mux_key(&m, MUX_ESCAPE));
	CHECK_EQ(m.owner, MUX_SHELL);
	CHECK_EQ(mux_shell_getc(&m), MUX_ESCAPE);
}

TEST(test_leave_replays_held_output)
{
	uint64_t held, dropped;

	fresh();
	(void)mux_key(&m, MUX_ESCAPE);
	guest_says("abc\r\n");
	CHECK(!mux_leave_shell(&m, &held, &dropped));
	CHECK_EQ(held, 5);
	CHECK_EQ(dropped, 0);
	CHECK_STR(wire, "abc\r\n");
	CHECK_EQ(m.owner, MUX_GUEST);
	guest_says("d");
	CHECK_STR(wire, "abc\r\nd");
}

TEST(test_held_output_keeps_the_newest)
{
	uint64_t held, dropped;

	fresh();
	(void)mux_key(&m, MUX_ESCAPE);
	for (unsigned int i = 0; i < MUX_HOLD_SIZE + 100; i++)
		mux_guest_putc(&m, (char)('a' + i % 26));
	CHECK_EQ(mux_held_count(&m), MUX_HOLD_SIZE);
	(void)mux_leave_shell(&m, &held, &dropped);
	CHECK_EQ(held, MUX_HOLD_SIZE);
	CHECK_EQ(dropped, 100);
	CHECK_EQ(wire_len, MUX_HOLD_SIZE);
	CHECK_EQ(wire[0], 'a' + 100 % 26);
	CHECK_EQ(wire[wire_len - 1], 'a' + (MUX_HOLD_SIZE + 99) % 26);
	/* The count starts again after being reported. */
	(void)mux_key(&m, MUX_ESCAPE);
	(void)mux_leave_shell(&m, &held, &dropped);
	CHECK_EQ(dropped, 0);
	CHECK_EQ(held, 0);
}

TEST(test_typeahead_after_leave_goes_to_guest)
{
	uint64_t held, dropped;

	fresh();
	(void)mux_key(&m, MUX_ESCAPE);
	type("continue\recho hi\r");
	for (int i = 0; i < 9; i++)
		(void)mux_shell_getc(&m);         /* the shell took "continue\r" */
	CHECK(!mux_leave_shell(&m, &held, &dropped));
	CHECK_EQ(mux_shell_getc(&m), -1);
	CHECK_EQ(mux_guest_pending(&m), 8);
	CHECK_EQ(mux_guest_getc(&m), 'e');
}

TEST(test_escape_in_typeahead_reenters_shell)
{
	uint64_t held, dropped;
	char esc[] = { 'x', MUX_ESCAPE, 'y', 0 };

	fresh();
	(void)mux_key(&m, MUX_ESCAPE);
	type(esc);
	CHECK(mux_leave_shell(&m, &held, &dropped));
	CHECK_EQ(m.owner, MUX_SHELL);
	CHECK_EQ(mux_guest_getc(&m), 'x');
	CHECK_EQ(mux_shell_getc(&m), 'y');
	CHECK_EQ(mux_shell_getc(&m), -1);
}

TEST(test_guest_input_bounded)
{
	fresh();
	for (unsigned int i = 0; i < MUX_INPUT_SIZE + 7; i++)
		(void)mux_key(&m, 'k');
	CHECK_EQ(mux_guest_pending(&m), MUX_INPUT_SIZE);
	CHECK_EQ(m.guest_in_dropped, 7);
}

TEST(test_hv_message_never_continues_guest_line)
{
	fresh();
	guest_says("hv-guest# ");
	hv_says(MUX_W_HV, "hv: note\n");
	CHECK_STR(wire, "hv-guest# \r\nhv: note\r\n");
	/* At the start of a line nothing is added. */
	guest_says("x\r\n");
	hv_says(MUX_W_HV, "hv: again\n");
	CHECK_STR(wire, "hv-guest# \r\nhv: note\r\nx\r\nhv: again\r\n");
}

TEST(test_hv_pieces_of_one_line_stay_together)
{
	fresh();
	hv_says(MUX_W_HV, "exits:");
	hv_says(MUX_W_HV, " CPUID 3,");
	hv_says(MUX_W_HV, " total 3\n");
	CHECK_STR(wire, "exits: CPUID 3, total 3\r\n");
}

TEST(test_message_splitting_shell_input_asks_redraw)
{
	fresh();
	hv_says(MUX_W_ECHO, "hv> in");
	CHECK(!m.echo_broken);
	hv_says(MUX_W_HV, "guest linux: MSR\n");
	CHECK_STR(wire, "hv> in\r\nguest linux: MSR\r\n");
	CHECK(m.echo_broken);
}

TEST(test_command_output_after_enter_is_not_split)
{
	fresh();
	hv_says(MUX_W_ECHO, "hv> info");
	hv_says(MUX_W_ECHO, "\r\n");
	hv_says(MUX_W_HV, "hv 0.1\n");
	CHECK_STR(wire, "hv> info\r\nhv 0.1\r\n");
	CHECK(!m.echo_broken);
}

TEST(test_echo_after_guest_partial_line)
{
	fresh();
	guest_says("partial");
	(void)mux_key(&m, MUX_ESCAPE);
	hv_says(MUX_W_ECHO, "hv> ");
	CHECK_STR(wire, "partial\r\nhv> ");
}
