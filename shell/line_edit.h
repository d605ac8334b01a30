/* shell/line_edit.h - the shell's line editor: keys in, echo bytes out (no hardware). */
#ifndef SHELL_LINE_EDIT_H
#define SHELL_LINE_EDIT_H

#include "lib/compiler.h"

#define LE_LINE_MAX 128          /* bytes per line, NUL included: 127 characters */
#define LE_HISTORY  16           /* lines kept for Up/Down */
#define LE_OUT_MAX  1024         /* echo bytes one le_feed() may produce (Tab listing) */

enum le_result {
	LE_CONTINUE,             /* keep feeding */
	LE_LINE,                 /* Enter: le_line() holds the line until the next le_feed() */
};

enum le_esc {
	LE_ESC_NONE,             /* plain keys */
	LE_ESC_ESC,              /* after ESC */
	LE_ESC_CSI,              /* after ESC [ or ESC O, before the final byte */
};

/* Bytes for the terminal; le_feed() appends, the caller prints and resets. */
struct le_output {
	char buf[LE_OUT_MAX + 1];    /* NUL-terminated for convenience */
	unsigned int len;            /* bytes in buf */
	bool overflow;               /* some echo bytes did not fit and were dropped */
};

struct line_edit {
	char buf[LE_LINE_MAX];               /* the line being edited, NUL-terminated */
	unsigned int len;                    /* characters in buf */
	unsigned int cursor;                 /* insertion point, 0..len */
	char draft[LE_LINE_MAX];             /* the unfinished line while browsing history */
	char hist[LE_HISTORY][LE_LINE_MAX];  /* ring of entered lines */
	unsigned int hist_count;             /* lines in the ring, <= LE_HISTORY */
	unsigned int hist_next;              /* slot the next entered line goes to */
	unsigned int hist_pos;               /* 0 = editing the draft, k = k-th most recent line */
	enum le_esc esc;                     /* escape-sequence state */
	unsigned int esc_params;             /* parameter/intermediate bytes seen in a CSI */
	bool after_cr;                       /* last byte was \r: a \n right after belongs to it */
	bool last_tab;                       /* last key was Tab: an ambiguous Tab now lists */
	bool done;                           /* LE_LINE returned: the next byte starts a new line */
	const char *const *names;            /* Tab completion candidates */
	unsigned int name_count;             /* entries in names */
};

/* Starts an empty editor with empty history and no completions. */
void le_init(struct line_edit *le);

/* Sets the command names Tab completes; the array must outlive the editor. */
void le_set_completions(struct line_edit *le, const char *const *names, unsigned int n);

/* Empties the output buffer. */
void le_output_reset(struct le_output *out);

/*
 * Consumes one input byte and appends its echo to out. Echo conventions:
 * the cursor moves left with "\b" and right by re-echoing the character
 * under it; Enter echoes "\r\n"; a line being replaced (Ctrl-U, Up/Down) is
 * overwritten in place and its leftover tail blanked with spaces. Tab:
 * unique match -> the rest of the name and a space; ambiguous -> the rest of
 * the common prefix, and on the second Tab in a row "\r\n", the candidates
 * separated by two spaces, "\r\n", then the line again without the prompt;
 * no match -> nothing. Unknown control bytes and escape sequences are
 * ignored. Returns LE_LINE when a line was entered.
 */
enum le_result le_feed(struct line_edit *le, char c, struct le_output *out);

/* The entered line after LE_LINE (the line so far otherwise). */
const char *le_line(const struct line_edit *le);

#endif
