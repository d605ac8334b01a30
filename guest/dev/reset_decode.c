/* guest/dev/reset_decode.c - which guest port writes reset a PC (8042 pulse
 * output commands and output port, port 0x92 fast reset, the reset control
 * register 0xcf9, the FADT reset register), and the hv.onreset= words. Pure. */
#include "guest/dev/reset_decode.h"
#include "lib/format.h"
#include "lib/string.h"

static const char *const action_names[] = {
	[RESET_RESTART] = "restart",
	[RESET_STOP] = "stop",
	[RESET_MACHINE] = "machine",
};

static enum reset_path decode(const struct reset_fadt_io *f, struct reset_kbc *k, uint16_t port,
			      uint8_t value, uint8_t old)
{
	bool output_port = k->output_port_next;

	if (port == PORT_KBC_CMD)
		k->output_port_next = value == KBC_WRITE_OUTPUT;
	else if (port == PORT_KBC_DATA)
		k->output_port_next = false;
	if (f && f->fadt_io && port == f->port && value == f->value)
		return RESET_FADT;
	switch (port) {
	case PORT_KBC_CMD:
		/* 0xf0-0xff pulse output bits 0-3 low for 6 us where the
		 * command's bit is 0; output bit 0 is the CPU reset line. */
		return (value & 0xf0) == 0xf0 && !(value & 1) ? RESET_KBC : RESET_NONE;
	case PORT_KBC_DATA:
		return output_port && !(value & 1) ? RESET_KBC_OUTPUT : RESET_NONE;
	case PORT_SYS_CTRL_A:
		return (value & SYS_CTRL_A_RESET) && !(old & SYS_CTRL_A_RESET) ? RESET_SYS_CTRL_A : RESET_NONE;
	case PORT_RST_CNT:
		return value & RST_CNT_RST_CPU ? RESET_RST_CNT : RESET_NONE;
	default:
		return RESET_NONE;
	}
}

struct reset_write reset_decode_write(const struct reset_fadt_io *f, struct reset_kbc *k, uint16_t port,
				      uint8_t value, uint8_t old)
{
	bool output_port = port == PORT_KBC_DATA && k->output_port_next;
	struct reset_write w = { decode(f, k, port, value, old), true, value };

	if (w.path == RESET_FADT)
		w.to_hw = false;
	else if (port == PORT_SYS_CTRL_A)
		w.hw_value = value & (uint8_t)~SYS_CTRL_A_RESET;
	else if (output_port)
		w.hw_value = value | 1;
	else if (w.path != RESET_NONE)
		w.to_hw = false;
	return w;
}

void reset_describe(enum reset_path path, uint16_t port, uint8_t value, const char *fadt_what,
		    char *buf, size_t len)
{
	switch (path) {
	case RESET_KBC:
		fmt_snprintf(buf, len, "the keyboard controller (port 0x64 command 0x%x)", value);
		break;
	case RESET_KBC_OUTPUT:
		fmt_snprintf(buf, len, "the keyboard controller's output port (value 0x%x through port 0x60)",
			     value);
		break;
	case RESET_FADT:
		fmt_snprintf(buf, len, "the FADT reset register (%s)", fadt_what ? fadt_what : "?");
		break;
	default:
		fmt_snprintf(buf, len, "port 0x%x (value 0x%x)", port, value);
		break;
	}
}

int reset_action_parse(const char *s, enum reset_action *out)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(action_names); i++)
		if (!strcmp(s, action_names[i])) {
			*out = (enum reset_action)i;
			return 0;
		}
	return -EINVAL;
}

const char *reset_action_name(enum reset_action a)
{
	return (unsigned int)a < ARRAY_SIZE(action_names) ? action_names[a] : "?";
}
