/* tests/unit/guest/test_reset_decode.c - which port writes reset a PC. */
#include "guest/reset_decode.h"
#include "tests/unit/check.h"

static const struct reset_fadt_io no_fadt = { false, 0, 0 };

TEST(keyboard_controller_pulse_commands)
{
	/* 0xfe pulses output bit 0 (reset); 0xf0-0xfe with bit 0 clear do too. */
	CHECK_EQ(reset_decode_write(&no_fadt, 0x64, 0xfe, 0), RESET_KBC);
	CHECK_EQ(reset_decode_write(&no_fadt, 0x64, 0xf0, 0), RESET_KBC);
	CHECK_EQ(reset_decode_write(&no_fadt, 0x64, 0xfc, 0), RESET_KBC);
	CHECK_EQ(reset_decode_write(&no_fadt, 0x64, 0xff, 0), RESET_NONE);   /* pulses nothing */
	CHECK_EQ(reset_decode_write(&no_fadt, 0x64, 0xfd, 0), RESET_NONE);   /* bit 0 set: not the reset line */
	CHECK_EQ(reset_decode_write(&no_fadt, 0x64, 0xd1, 0), RESET_NONE);   /* write output port */
	CHECK_EQ(reset_decode_write(&no_fadt, 0x64, 0xae, 0), RESET_NONE);   /* enable keyboard */
	CHECK_EQ(reset_decode_write(&no_fadt, 0x60, 0xfe, 0), RESET_NONE);   /* data port */
}

TEST(port_92_fast_reset_on_a_rising_bit_0)
{
	CHECK_EQ(reset_decode_write(&no_fadt, 0x92, 0x01, 0x00), RESET_SYS_CTRL_A);
	CHECK_EQ(reset_decode_write(&no_fadt, 0x92, 0x03, 0x02), RESET_SYS_CTRL_A);
	CHECK_EQ(reset_decode_write(&no_fadt, 0x92, 0x03, 0x03), RESET_NONE);  /* already 1 */
	CHECK_EQ(reset_decode_write(&no_fadt, 0x92, 0x02, 0x00), RESET_NONE);  /* A20 only */
	/* The A20 bit goes to the hardware, the reset bit never does. */
	CHECK_EQ(reset_hw_value(0x92, 0x03), 0x02);
	CHECK_EQ(reset_hw_value(0x92, 0x02), 0x02);
	CHECK_EQ(reset_hw_value(0x64, 0xd1), 0xd1);
	CHECK_EQ(reset_hw_value(0xcf9, 0x02), 0x02);
}

TEST(reset_control_register)
{
	CHECK_EQ(reset_decode_write(&no_fadt, 0xcf9, 0x06, 0), RESET_RST_CNT);
	CHECK_EQ(reset_decode_write(&no_fadt, 0xcf9, 0x0e, 0), RESET_RST_CNT);
	CHECK_EQ(reset_decode_write(&no_fadt, 0xcf9, 0x04, 0), RESET_RST_CNT);
	CHECK_EQ(reset_decode_write(&no_fadt, 0xcf9, 0x02, 0), RESET_NONE);  /* SYS_RST: reset type only */
	CHECK_EQ(reset_decode_write(&no_fadt, 0xcf9, 0x00, 0), RESET_NONE);
	CHECK_EQ(reset_decode_write(&no_fadt, 0xcf8, 0x06, 0), RESET_NONE);
}

TEST(fadt_register_wins_on_its_value)
{
	struct reset_fadt_io cf9 = { true, 0xcf9, 0x06 }, b2 = { true, 0xb2, 0x5a };

	CHECK_EQ(reset_decode_write(&cf9, 0xcf9, 0x06, 0), RESET_FADT);
	CHECK_EQ(reset_decode_write(&cf9, 0xcf9, 0x0e, 0), RESET_RST_CNT);   /* not its value */
	CHECK_EQ(reset_decode_write(&cf9, 0xcf9, 0x02, 0), RESET_NONE);
	CHECK_EQ(reset_decode_write(&b2, 0xb2, 0x5a, 0), RESET_FADT);
	CHECK_EQ(reset_decode_write(&b2, 0xb2, 0x5b, 0), RESET_NONE);
	CHECK_EQ(reset_decode_write(&b2, 0x64, 0xfe, 0), RESET_KBC);
	CHECK_EQ(reset_decode_write(NULL, 0x64, 0xfe, 0), RESET_KBC);
}

TEST(descriptions)
{
	char b[96];

	reset_describe(RESET_KBC, 0x64, 0xfe, NULL, b, sizeof(b));
	CHECK_STR(b, "the keyboard controller (port 0x64 command 0xfe)");
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
