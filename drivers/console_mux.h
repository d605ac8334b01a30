/* drivers/console_mux.h - one serial line shared by the guest's console and
 * the hypervisor's shell: who gets typed bytes, what happens to guest output
 * while the shell has the line, and keeping the writers' lines apart. Pure
 * logic: bytes in, bytes out through a callback (host-tested). */
#ifndef DRIVERS_CONSOLE_MUX_H
#define DRIVERS_CONSOLE_MUX_H

#include "lib/compiler.h"

#define MUX_ESCAPE       0x1d     /* Ctrl-]: switch between guest console and shell */
#define MUX_HOLD_SIZE    16384    /* guest output kept while the shell is open (the newest) */
#define MUX_INPUT_SIZE   512      /* typed bytes waiting for the guest's UART, or the shell */

enum mux_owner { MUX_GUEST, MUX_SHELL };

/* Who put the last byte on the wire. */
enum mux_writer {
	MUX_W_GUEST,              /* the guest's console output */
	MUX_W_HV,                 /* hypervisor messages and shell command output */
	MUX_W_ECHO,               /* the shell's prompt and the echo of the line being typed */
};

struct mux_ring {
	uint8_t *buf;
	unsigned int size, start, count;
};

struct console_mux {
	enum mux_owner owner;
	void (*put)(void *ctx, char c);     /* the wire */
	void *ctx;
	bool mid_line;                      /* the wire's cursor is not at the start of a line */
	enum mux_writer last;               /* writer of the last byte on the wire */
	char last_char;                     /* that byte ("\r\n" is not doubled to "\r\r\n") */
	bool echo_broken;                   /* a message split the shell's input line: redraw it */
	struct mux_ring held;               /* guest output while the shell owns the line */
	uint64_t held_dropped;              /* oldest held bytes lost to newer ones */
	struct mux_ring guest_in;           /* typed bytes for the guest */
	uint64_t guest_in_dropped;          /* typed while the guest's buffer was full */
	struct mux_ring shell_in;           /* typed bytes for the shell, not yet processed */
	uint8_t held_buf[MUX_HOLD_SIZE];
	uint8_t guest_in_buf[MUX_INPUT_SIZE];
	uint8_t shell_in_buf[MUX_INPUT_SIZE];
};

/* Starts with the guest owning the line and empty buffers. */
void mux_init(struct console_mux *m, void (*put)(void *ctx, char c), void *ctx);

/*
 * A byte typed on the line. While the guest owns it, the escape byte hands
 * the line to the shell (returns true: the caller announces the shell) and
 * every other byte queues for the guest; while the shell owns it, every
 * byte (the escape too) queues for the shell, which decides. Returns false
 * unless the owner changed.
 */
bool mux_key(struct console_mux *m, uint8_t c);

/* The next queued byte for the guest or the shell, or -1. */
int mux_guest_getc(struct console_mux *m);
int mux_shell_getc(struct console_mux *m);

/* Bytes queued for the guest (for a UART model's "data ready"). */
static inline unsigned int mux_guest_pending(const struct console_mux *m)
{
	return __atomic_load_n(&m->guest_in.count, __ATOMIC_RELAXED);   /* read unlocked too */
}

/* A byte of guest console output: on the wire while the guest owns the line,
 * else held (keeping the newest MUX_HOLD_SIZE bytes). */
void mux_guest_putc(struct console_mux *m, char c);

/* Text from the hypervisor (writer MUX_W_HV or MUX_W_ECHO). A message that
 * would continue someone else's unfinished line starts a new line first;
 * if that line was the shell's input, echo_broken asks for a redraw. "\n"
 * goes out as "\r\n". */
void mux_hv_write(struct console_mux *m, enum mux_writer w, const char *s, size_t n);

/* Gives the line to the shell (guest output is held from now on). */
void mux_enter_shell(struct console_mux *m);

/*
 * Gives the line back to the guest: bytes typed after the shell's last
 * command go to the guest (an escape among them gives the line back to the
 * shell: returns true then), held output is written out. *held and *dropped
 * say how many bytes were written and how many were lost.
 */
bool mux_leave_shell(struct console_mux *m, uint64_t *held, uint64_t *dropped);

/* Bytes currently held and dropped (for the shell's status). */
unsigned int mux_held_count(const struct console_mux *m);

#endif
