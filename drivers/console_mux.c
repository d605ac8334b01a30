/* drivers/console_mux.c - one serial line shared by the guest's console and
 * the hypervisor's shell (see console_mux.h for the rules). */
#include "drivers/console_mux.h"

static void ring_init(struct mux_ring *r, uint8_t *buf, unsigned int size)
{
	r->buf = buf;
	r->size = size;
	r->start = 0;
	r->count = 0;
}

static bool ring_push(struct mux_ring *r, uint8_t c)
{
	if (r->count == r->size)
		return false;
	r->buf[(r->start + r->count) % r->size] = c;
	r->count++;
	return true;
}

static int ring_pop(struct mux_ring *r)
{
	uint8_t c;

	if (!r->count)
		return -1;
	c = r->buf[r->start];
	r->start = (r->start + 1) % r->size;
	r->count--;
	return c;
}

void mux_init(struct console_mux *m, void (*put)(void *ctx, char c), void *ctx)
{
	m->owner = MUX_GUEST;
	m->put = put;
	m->ctx = ctx;
	m->mid_line = false;
	m->last = MUX_W_HV;
	m->echo_broken = false;
	m->last_char = '\n';
	ring_init(&m->held, m->held_buf, MUX_HOLD_SIZE);
	ring_init(&m->guest_in, m->guest_in_buf, MUX_INPUT_SIZE);
	ring_init(&m->shell_in, m->shell_in_buf, MUX_INPUT_SIZE);
	m->held_dropped = 0;
	m->guest_in_dropped = 0;
}

static void wire_put(struct console_mux *m, enum mux_writer w, char c)
{
	m->put(m->ctx, c);
	m->last = w;
	m->last_char = c;
	if (c == '\n' || c == '\r')
		m->mid_line = c != '\r' ? false : m->mid_line;
	else
		m->mid_line = true;
}

bool mux_key(struct console_mux *m, uint8_t c)
{
	if (m->owner == MUX_GUEST && c == MUX_ESCAPE) {
		mux_enter_shell(m);
		return true;
	}
	if (m->owner == MUX_SHELL) {
		/* A shell that falls this far behind loses keys, not output. */
		(void)ring_push(&m->shell_in, c);
		return false;
	}
	if (!ring_push(&m->guest_in, c))
		m->guest_in_dropped++;
	return false;
}

int mux_guest_getc(struct console_mux *m)
{
	return ring_pop(&m->guest_in);
}

int mux_shell_getc(struct console_mux *m)
{
	return ring_pop(&m->shell_in);
}

void mux_guest_putc(struct console_mux *m, char c)
{
	if (m->owner == MUX_GUEST) {
		wire_put(m, MUX_W_GUEST, c);
		return;
	}
	/* Keep the newest output: what the guest shows on return is its latest state. */
	if (m->held.count == m->held.size) {
		(void)ring_pop(&m->held);
		m->held_dropped++;
	}
	(void)ring_push(&m->held, (uint8_t)c);
}

void mux_hv_write(struct console_mux *m, enum mux_writer w, const char *s, size_t n)
{
	if (!n)
		return;
	if (m->mid_line && m->last != w) {
		/* A message never continues another writer's line (the shell's
		 * command output follows its echo, which ended with Enter). */
		if (w == MUX_W_HV && m->last == MUX_W_ECHO)
			m->echo_broken = true;
		wire_put(m, w, '\r');
		wire_put(m, w, '\n');
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && m->last_char != '\r')
			wire_put(m, w, '\r');
		wire_put(m, w, s[i]);
	}
}

void mux_enter_shell(struct console_mux *m)
{
	m->owner = MUX_SHELL;
}

bool mux_leave_shell(struct console_mux *m, uint64_t *held, uint64_t *dropped)
{
	uint8_t typed[MUX_INPUT_SIZE];
	unsigned int n = 0;
	bool again = false;
	int c;

	m->owner = MUX_GUEST;
	*held = m->held.count;
	*dropped = m->held_dropped;
	while ((c = ring_pop(&m->held)) >= 0)
		wire_put(m, MUX_W_GUEST, (char)c);
	m->held_dropped = 0;
	/* Typed ahead of the shell after its last command: the guest's now. */
	while ((c = ring_pop(&m->shell_in)) >= 0)
		typed[n++] = (uint8_t)c;
	for (unsigned int i = 0; i < n; i++)
		again |= mux_key(m, typed[i]);
	return again;
}

unsigned int mux_held_count(const struct console_mux *m)
{
	return m->held.count;
}
