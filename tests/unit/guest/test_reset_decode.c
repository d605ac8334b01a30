/* tests/unit/guest/test_reset_decode.c - which port writes reset a PC. */
#include "guest/dev/reset_decode.h"
#include "tests/unit/check.h"

static const struct reset_fadt_io no_fadt = { false, 0, 0 };
static struct reset_kbc kbc;

/* The path of one write with no FADT register and a fresh 8042 state. */
static enum reset_path path(uint16_t port, uint8_t value, uint8_t old)
{
	kbc = (struct reset_kbc){ false };
	return reset_decode_write(&no_fadt, &kbc, port, value, old).path;
}

TEST(keyboard_controller_pulse_commands)
{
	struct reset_write w;

	/* 0xfe pulses output bit 0 (reset); 0xf0-0xfe with bit 0 clear do too. */
	CHECK_EQ(path(0x64, 0xfe, 0), RESET_KBC);
	CHECK_EQ(path(0x64, 0xf0, 0), RESET_KBC);
	CHECK_EQ(path(0x64, 0xfc, 0), RESET_KBC);
	CHECK_EQ(path(0x64, 0xff, 0), RESET_NONE);       /* pulses nothing */
	CHECK_EQ(path(0x64, 0xfd, 0), RESET_NONE);       /* bit 0 set: not the reset line */
	CHECK_EQ(path(0x64, 0xd1, 0), RESET_NONE);       /* write output port: data follows */
	CHECK_EQ(path(0x64, 0xae, 0), RESET_NONE);       /* enable keyboard */
	CHECK_EQ(path(0x60, 0xfe, 0), RESET_NONE);       /* a keyboard command, not the output port */
	kbc = (struct reset_kbc){ false };
	w = reset_decode_write(&no_fadt, &kbc, 0x64, 0xfe, 0);
	CHECK(!w.to_hw);                                  /* the pulse never reaches the 8042 */
	w = reset_decode_write(&no_fadt, &kbc, 0x64, 0xae, 0);
	CHECK(w.to_hw && w.hw_value == 0xae);
}

TEST(keyboard_controller_output_port)
{
	struct reset_write w;

	kbc = (struct reset_kbc){ false };
	w = reset_decode_write(&no_fadt, &kbc, 0x64, 0xd1, 0);
	CHECK(w.path == RESET_NONE && w.to_hw && w.hw_value == 0xd1 && kbc.output_port_next);
	/* A20 on, reset line low: a reset; the 8042 still gets its byte, line high. */
	w = reset_decode_write(&no_fadt, &kbc, 0x60, 0xfe, 0);
	CHECK_EQ(w.path, RESET_KBC_OUTPUT);
	CHECK(w.to_hw && w.hw_value == 0xff && !kbc.output_port_next);
	/* Setting A20 the usual way (0xdf) is not a reset. */
	(void)reset_decode_write(&no_fadt, &kbc, 0x64, 0xd1, 0);
	w = reset_decode_write(&no_fadt, &kbc, 0x60, 0xdf, 0);
	CHECK(w.path == RESET_NONE && w.to_hw && w.hw_value == 0xdf);
	/* Another command in between: 0x60 is data again. */
	(void)reset_decode_write(&no_fadt, &kbc, 0x64, 0xd1, 0);
	(void)reset_decode_write(&no_fadt, &kbc, 0x64, 0x20, 0);
	w = reset_decode_write(&no_fadt, &kbc, 0x60, 0xf4, 0);
	CHECK(w.path == RESET_NONE && w.hw_value == 0xf4);
	/* Only the next data byte is the output port. */
	(void)reset_decode_write(&no_fadt, &kbc, 0x64, 0xd1, 0);
	(void)reset_decode_write(&no_fadt, &kbc, 0x60, 0xdf, 0);
	CHECK_EQ(reset_decode_write(&no_fadt, &kbc, 0x60, 0xf4, 0).path, RESET_NONE);
}

TEST(port_92_fast_reset_on_a_rising_bit_0)
{
	struct reset_write w;

	CHECK_EQ(path(0x92, 0x01, 0x00), RESET_SYS_CTRL_A);
	CHECK_EQ(path(0x92, 0x03, 0x02), RESET_SYS_CTRL_A);
	CHECK_EQ(path(0x92, 0x03, 0x03), RESET_NONE);    /* already 1 */
	CHECK_EQ(path(0x92, 0x02, 0x00), RESET_NONE);    /* A20 only */
	/* The A20 bit goes to the hardware, the reset bit never does. */
	w = reset_decode_write(&no_fadt, &kbc, 0x92, 0x03, 0x02);
	CHECK(w.to_hw && w.hw_value == 0x02);
	w = reset_decode_write(&no_fadt, &kbc, 0x92, 0x02, 0x02);
	CHECK(w.to_hw && w.hw_value == 0x02);
}

TEST(reset_control_register)
{
	struct reset_write w;

	CHECK_EQ(path(0xcf9, 0x06, 0), RESET_RST_CNT);
	CHECK_EQ(path(0xcf9, 0x0e, 0), RESET_RST_CNT);
	CHECK_EQ(path(0xcf9, 0x04, 0), RESET_RST_CNT);
	CHECK_EQ(path(0xcf9, 0x02, 0), RESET_NONE);      /* SYS_RST: reset type only */
	CHECK_EQ(path(0xcf9, 0x00, 0), RESET_NONE);
	CHECK_EQ(path(0xcf8, 0x06, 0), RESET_NONE);
	w = reset_decode_write(&no_fadt, &kbc, 0xcf9, 0x06, 0);
	CHECK(!w.to_hw);
	w = reset_decode_write(&no_fadt, &kbc, 0xcf9, 0x02, 0);
	CHECK(w.to_hw && w.hw_value == 0x02);
}

TEST(fadt_register_wins_on_its_value)
{
	struct reset_fadt_io cf9 = { true, 0xcf9, 0x06 }, b2 = { true, 0xb2, 0x5a };
	struct reset_write w;

	kbc = (struct reset_kbc){ false };
	w = reset_decode_write(&cf9, &kbc, 0xcf9, 0x06, 0);
	CHECK(w.path == RESET_FADT && !w.to_hw);
	CHECK_EQ(reset_decode_write(&cf9, &kbc, 0xcf9, 0x0e, 0).path, RESET_RST_CNT);  /* not its value */
	CHECK_EQ(reset_decode_write(&cf9, &kbc, 0xcf9, 0x02, 0).path, RESET_NONE);
	w = reset_decode_write(&b2, &kbc, 0xb2, 0x5a, 0);
	CHECK(w.path == RESET_FADT && !w.to_hw);
	w = reset_decode_write(&b2, &kbc, 0xb2, 0x5b, 0);
	CHECK(w.path == RESET_NONE && w.to_hw && w.hw_value == 0x5b);
	CHECK_EQ(reset_decode_write(&b2, &kbc, 0x64, 0xfe, 0).path, RESET_KBC);
	CHECK_EQ(reset_decode_write(NULL, &kbc, 0x64, 0xfe, 0).path, RESET_KBC);
}

TEST(descriptions)
{
	char b[96];

	reset_describe(RESET_KBC, 0x64, 0xfe, NULL, b, sizeof(b));
	CHECK_STR(b, "the keyboard controller (port 0x64 command 0xfe)");
	reset_describe(RESET_KBC_OUTPUT, 0x60, 0xfe, NULL, b, sizeof(b));
	CHECK_STR(b, "the keyboard controller's output port (value 0xfe through port 0x60)");
	reset_describe(RESET_RST_CNT, 0xcf9, 0x06, NULL, b, sizeof(b));
	CHECK_STR(b, "port 0xcf9 (value 0x6)");
	reset_describe(RESET_SYS_CTRL_A, 0x92, 0x01, NULL, b, sizeof(b));
	CHECK_STR(b, "port 0x92 (value 0x1)");
	reset_describe(RESET_FADT, 0xcf9, 0x06, "I/O port 0xcf9, value 0x6", b, sizeof(b));
	CHECK_STR(b, "the FADT reset register (I/O port 0xcf9, value 0x6)");
}

TEST(onreset_words)
{
	enum reset_action a = RESET_STOP;

	CHECK_EQ(reset_action_parse("restart", &a), 0);
	CHECK_EQ(a, RESET_RESTART);
	CHECK_EQ(reset_action_parse("stop", &a), 0);
	CHECK_EQ(a, RESET_STOP);
	CHECK_EQ(reset_action_parse("machine", &a), 0);
	CHECK_EQ(a, RESET_MACHINE);
	CHECK_EQ(reset_action_parse("reboot", &a), -EINVAL);
	CHECK_EQ(reset_action_parse("", &a), -EINVAL);
	CHECK_EQ(a, RESET_MACHINE);                       /* untouched on error */
	CHECK_STR(reset_action_name(RESET_STOP), "stop");
	CHECK_STR(reset_action_name((enum reset_action)7), "?");
}
