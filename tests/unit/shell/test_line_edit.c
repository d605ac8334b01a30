/* tests/unit/shell/test_line_edit.c - the line editor: keys, echo bytes, history, completion. */
#include "shell/line_edit.h"
#include "tests/unit/check.h"

static struct line_edit le;
static struct le_output out;
static int lines;                       /* LE_LINE results during the last feed() */

/* Feeds every byte of s (length n, so NULs and lone bytes work) and returns the echo. */
static const char *feedn(const char *s, size_t n)
{
	le_output_reset(&out);
	lines = 0;
	for (size_t i = 0; i < n; i++)
		if (le_feed(&le, s[i], &out) == LE_LINE)
			lines++;
	return out.buf;
}

static const char *feed(const char *s)
{
	return feedn(s, strlen(s));
}

static void fresh(void)
{
	le_init(&le);
	le_output_reset(&out);
}

static const char *const names[] = { "help", "info", "mem", "mtree", "exits", "ept", "reboot", "regs" };

TEST(test_printable_insert_and_enter)
{
	fresh();
	CHECK_STR(feed("help"), "help");
	CHECK_EQ(lines, 0);
	CHECK_STR(le_line(&le), "help");
	CHECK_STR(feed("\r"), "\r\n");
	CHECK_EQ(lines, 1);
	CHECK_STR(le_line(&le), "help");
	/* the next byte starts a new line */
	CHECK_STR(feed("x"), "x");
	CHECK_STR(le_line(&le), "x");
}

TEST(test_enter_variants)
{
	fresh();
	feed("a\r\n");
	CHECK_EQ(lines, 1);
	CHECK_STR(out.buf, "a\r\n");
	CHECK_STR(feed("b\n"), "b\r\n");
	CHECK_EQ(lines, 1);
	CHECK_STR(le_line(&le), "b");
	feed("\r\r");                   /* two Enters: two empty lines */
	CHECK_EQ(lines, 2);
	feed("\n\n");                   /* the first \n belongs to the last \r */
	CHECK_EQ(lines, 1);
	feed("\n\n");
	CHECK_EQ(lines, 2);
	/* \r then \n in separate feeds is still one Enter */
	feed("c\r");
	CHECK_EQ(lines, 1);
	CHECK_STR(feed("\n"), "");
	CHECK_EQ(lines, 0);
	CHECK_STR(le_line(&le), "c");
}

TEST(test_control_and_high_bytes_ignored)
{
	fresh();
	CHECK_STR(feedn("a\x01\x02\x00\x80\xff" "b", 7), "ab");
	CHECK_STR(le_line(&le), "ab");
}

TEST(test_backspace_at_end)
{
	fresh();
	feed("abc");
	CHECK_STR(feed("\x7f"), "\b \b");
	CHECK_STR(le_line(&le), "ab");
	CHECK_STR(feed("\x08"), "\b \b");
	CHECK_STR(le_line(&le), "a");
	feed("\x7f");
	CHECK_STR(feed("\x7f"), "");    /* nothing left to delete */
	CHECK_STR(le_line(&le), "");
	CHECK_EQ(le.cursor, 0);
}

TEST(test_left_right_and_mid_edit)
{
	fresh();
	feed("abcd");
	CHECK_STR(feed("\x1b[D\x1b[D"), "\b\b");
	CHECK_EQ(le.cursor, 2);
	CHECK_STR(feed("X"), "Xcd\b\b");            /* insert re-echoes the tail */
	CHECK_STR(le_line(&le), "abXcd");
	CHECK_STR(feed("\x7f"), "\bcd \b\b\b");     /* delete shifts the tail left and blanks */
	CHECK_STR(le_line(&le), "abcd");
	CHECK_EQ(le.cursor, 2);
	CHECK_STR(feed("\x1b[C"), "c");             /* right re-echoes the character */
	CHECK_EQ(le.cursor, 3);
	CHECK_STR(feed("\x1b[C\x1b[C"), "d");       /* stops at the end */
	CHECK_STR(feed("\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D"), "\b\b\b\b");
	CHECK_EQ(le.cursor, 0);
	CHECK_STR(feed("\x7f"), "");                /* nothing before the cursor */
	feed("\r");
	CHECK_STR(le_line(&le), "abcd");            /* Enter takes the whole line */
}

TEST(test_ss3_arrows)
{
	fresh();
	feed("ab");
	CHECK_STR(feed("\x1bOD"), "\b");
	CHECK_EQ(le.cursor, 1);
}

TEST(test_ctrl_u)
{
	fresh();
	feed("abc");
	CHECK_STR(feed("\x15"), "\b\b\b   \b\b\b");
	CHECK_STR(le_line(&le), "");
	feed("abc\x1b[D\x1b[D");
	CHECK_STR(feed("\x15"), "\b   \b\b\b");    /* from the cursor back to the start first */
	CHECK_STR(le_line(&le), "");
	CHECK_EQ(le.cursor, 0);
	CHECK_STR(feed("\x15"), "");
}

TEST(test_history_walk_with_draft)
{
	fresh();
	feed("one\r");
	feed("two\r");
	feed("dr");
	CHECK_STR(feed("\x1b[A"), "\b\btwo");
	CHECK_STR(le_line(&le), "two");
	CHECK_STR(feed("\x1b[A"), "\b\b\bone");
	CHECK_STR(feed("\x1b[A"), "");               /* oldest: stays */
	CHECK_STR(le_line(&le), "one");
	CHECK_STR(feed("\x1b[B"), "\b\b\btwo");
	CHECK_STR(feed("\x1b[B"), "\b\b\bdr \b");    /* the draft comes back, tail blanked */
	CHECK_STR(le_line(&le), "dr");
	CHECK_EQ(le.cursor, 2);
	CHECK_STR(feed("\x1b[B"), "");               /* below the draft: nothing */
	feed("\x1b[A\r");
	CHECK_STR(le_line(&le), "two");
	CHECK_EQ(le.hist_count, 2);                  /* same as the last: not added again */
}

TEST(test_history_skips_empty_and_duplicates)
{
	fresh();
	feed("\r   \r");
	CHECK_EQ(le.hist_count, 0);
	feed("a\ra\rb\ra\r");
	CHECK_EQ(le.hist_count, 3);
	CHECK_STR(feed("\x1b[A"), "a");
	CHECK_STR(feed("\x1b[A"), "\bb");
	CHECK_STR(feed("\x1b[A"), "\ba");
	CHECK_STR(feed("\x1b[A"), "");
}

TEST(test_history_ring_wraps)
{
	char line[8];

	fresh();
	for (int i = 0; i < LE_HISTORY + 4; i++) {
		snprintf(line, sizeof(line), "c%d\r", i);
		feed(line);
	}
	CHECK_EQ(le.hist_count, LE_HISTORY);
	for (int i = 0; i < LE_HISTORY + 3; i++)
		feed("\x1b[A");
	CHECK_STR(le_line(&le), "c4");               /* the oldest kept */
	feed("\x15");
	CHECK_EQ(le.hist_pos, LE_HISTORY);
	for (int i = 0; i < LE_HISTORY; i++)
		feed("\x1b[B");
	CHECK_STR(le_line(&le), "");                 /* the empty draft */
}

TEST(test_escape_split_across_feeds)
{
	fresh();
	feed("ab");
	CHECK_STR(feed("\x1b"), "");
	CHECK_STR(feed("["), "");
	CHECK_STR(feed("D"), "\b");
	CHECK_EQ(le.cursor, 1);
	CHECK_STR(le_line(&le), "ab");
}

TEST(test_unknown_escapes_ignored)
{
	fresh();
	feed("ab");
	CHECK_STR(feed("\x1b[3~"), "");              /* Delete */
	CHECK_STR(feed("\x1b[1;5D"), "");            /* Ctrl-Left: has parameters */
	CHECK_STR(feed("\x1b[Z"), "");               /* Shift-Tab */
	CHECK_STR(feed("\x1bx"), "");                /* Alt-x */
	CHECK_STR(feed("\x1b[200~"), "");            /* bracketed paste start */
	CHECK_STR(le_line(&le), "ab");
	CHECK_EQ(le.cursor, 2);
	/* overlong parameter strings are abandoned, not buffered */
	feed("\x1b[11111111111111111111");
	CHECK_EQ(le.esc, LE_ESC_NONE);
	/* a control key inside a sequence ends it and still counts */
	fresh();
	feed("ab\x1b[\r");
	CHECK_EQ(lines, 1);
	CHECK_STR(le_line(&le), "ab");
	feed("xy\x1b\x7f");
	CHECK_STR(le_line(&le), "x");
}

TEST(test_long_line_truncated)
{
	char big[300];

	fresh();
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	feed(big);
	CHECK_EQ(le.len, LE_LINE_MAX - 1);
	CHECK_EQ(out.len, LE_LINE_MAX - 1);          /* only what fit was echoed */
	CHECK_EQ(strlen(le_line(&le)), LE_LINE_MAX - 1);
	feed("\x1b[D\x1b[DZ");                       /* mid-line insert when full: ignored */
	CHECK_STR(out.buf, "\b\b");
	feed("\x7f" "Z");
	CHECK_EQ(le.len, LE_LINE_MAX - 1);
	CHECK_EQ(le.buf[LE_LINE_MAX - 4], 'Z');
	feed("\r");
	CHECK_EQ(lines, 1);
	CHECK_EQ(le.hist_count, 1);
	feed("\x1b[A");
	CHECK_EQ(le.len, LE_LINE_MAX - 1);
}

TEST(test_complete_unique)
{
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("he\t"), "help ");
	CHECK_STR(le_line(&le), "help ");
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("  mt\t"), "  mtree ");       /* leading blanks allowed */
	CHECK_STR(feed("\t"), "");                   /* second word: no completion */
}

TEST(test_complete_ambiguous)
{
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("r\t"), "re");                /* reboot, regs: common prefix */
	CHECK_STR(feed("\t"), "\r\nreboot  regs\r\nre");
	CHECK_STR(le_line(&le), "re");
	CHECK_STR(feed("\t"), "\r\nreboot  regs\r\nre");
	CHECK_STR(feed("g\t"), "gs ");
	CHECK_STR(le_line(&le), "regs ");
	/* a key between the Tabs starts over */
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("e\t"), "e");                 /* exits, ept: nothing to add */
	CHECK_STR(feed("\x1b[D\x1b[C\t"), "\be");   /* first Tab again */
	CHECK_STR(feed("\t"), "\r\nexits  ept\r\ne");
	/* an empty line lists everything on the second Tab */
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("\t\t"), "\r\nhelp  info  mem  mtree  exits  ept  reboot  regs\r\n");
}

TEST(test_complete_none_and_cursor)
{
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("zz\t\t"), "zz");
	CHECK_STR(le_line(&le), "zz");
	fresh();
	CHECK_STR(feed("he\t\t"), "he");             /* no completions set */
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("he\x1b[D\t"), "he\b");       /* cursor not at the end */
	CHECK_STR(le_line(&le), "he");
}

TEST(test_complete_exact_name_adds_space)
{
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("mem\t"), "mem ");            /* unique: mtree does not start with "mem" */
	fresh();
	le_set_completions(&le, names, ARRAY_SIZE(names));
	CHECK_STR(feed("info\t"), "info ");
	CHECK_STR(feed("\t"), "");                   /* past the first word */
}

TEST(test_complete_full_line)
{
	static const char *const longname[] = { "abcdefghijklmnopqrstuvwxyz" };
	char big[LE_LINE_MAX];

	fresh();
	le_set_completions(&le, longname, 1);
	/* blanks, then "ab" with room for 4 more: the completion is cut to fit */
	memset(big, ' ', LE_LINE_MAX - 7);
	strcpy(big + LE_LINE_MAX - 7, "ab");
	feed(big);
	CHECK_STR(feed("\t"), "cdef");
	CHECK_EQ(le.len, LE_LINE_MAX - 1);
}

TEST(test_output_overflow_flagged)
{
	static const char *many[200];

	fresh();
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = "abcdefgh";
	le_set_completions(&le, many, ARRAY_SIZE(many));
	feed("\t\t");
	CHECK(out.overflow);
	CHECK_EQ(out.len, LE_OUT_MAX);
	CHECK_EQ(strlen(out.buf), LE_OUT_MAX);
}
