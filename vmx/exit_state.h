/* vmx/exit_state.h - the VMCS fields of one VM exit that handlers read on
 * demand, each read at most once per exit and written back at the next
 * entry only if changed (SDM Vol. 3C, 25.4.2 guest non-register state,
 * 25.9 VM-exit information fields). Under nested virtualization every
 * VMREAD/VMWRITE of a field the outer hypervisor does not shadow is an exit
 * of its own, so the exit path reads what it needs once. */
#ifndef VMX_EXIT_STATE_H
#define VMX_EXIT_STATE_H

#include "lib/compiler.h"

/* The accessors below exist where the includer defines EXS_VMREAD and
 * EXS_VMWRITE: vmx/vmx_vcpu.h with the VMCS accessors of
 * vmx/vmcs_access.h, the host unit tests with fakes. Without them (pure
 * code, vmx/exit_state.c) only the fields and the struct. */

/* The fields, by their SDM names. The exit-information ones (up to
 * EXS_FIRST_GUEST) never change until the next exit; the guest-state ones
 * are read-write. */
enum exs_field {
	EXS_EXIT_QUALIFICATION,
	EXS_VM_EXIT_INSTRUCTION_LEN,
	EXS_VM_EXIT_INSTRUCTION_INFO,
	EXS_GUEST_PHYSICAL_ADDRESS,
	EXS_GUEST_LINEAR_ADDRESS,
	EXS_FIRST_GUEST,
	EXS_GUEST_INTERRUPTIBILITY_INFO = EXS_FIRST_GUEST,
	EXS_GUEST_PENDING_DBG_EXCEPTIONS,
	EXS_GUEST_ACTIVITY_STATE,
	EXS_COUNT
};

/* The VMCS encoding of each (vmx/exit_state.c). */
extern const uint32_t exs_encoding[EXS_COUNT];

struct exit_state {
	union {
		struct {
			uint16_t valid;         /* val[f] holds the field's value */
			uint16_t dirty;         /* val[f] differs from the VMCS: written at exit_state_flush */
			uint32_t live;          /* between a VM exit and exit_state_flush: caching */
		};
		uint64_t word;                  /* all three, for one store at begin and flush */
	};
	uint64_t val[EXS_COUNT];
};
_Static_assert(EXS_COUNT <= 16, "valid and dirty are 16-bit masks");

#ifdef EXS_VMREAD
/* A VM exit happened: every field is unknown, and cached from now on. */
static inline void exit_state_begin(struct exit_state *s)
{
	s->word = (uint64_t)1 << 32;    /* live, nothing valid or dirty */
}

/* The field's value for this exit: one VMREAD the first time. Outside an
 * exit (not live) a plain VMREAD. */
static inline uint64_t exs_get(struct exit_state *s, enum exs_field f)
{
	uint64_t v;

	if (s->valid & (1u << f))
		return s->val[f];
	v = EXS_VMREAD(exs_encoding[f]);
	if (s->live) {
		s->val[f] = v;
		s->valid |= 1u << f;
	}
	return v;
}

/* Sets a guest-state field: remembered, and written at exit_state_flush if
 * it differs from what the VMCS holds. Outside an exit, a plain VMWRITE. */
static inline void exs_set(struct exit_state *s, enum exs_field f, uint64_t val)
{
	uint16_t bit = 1u << f;

	if (!s->live) {
		EXS_VMWRITE(exs_encoding[f], val);
		return;
	}
	if ((s->valid & bit) && s->val[f] == val)
		return;
	/* Unknown before: the VMCS may hold val already, but finding out
	 * costs the VMREAD the write would. */
	s->val[f] = val;
	s->valid |= bit;
	s->dirty |= bit;
}

/* Code that writes the VMCS fields itself (a reset of the vCPU's state):
 * what the cache holds is stale, its pending writes are void. */
static inline void exit_state_discard(struct exit_state *s)
{
	s->valid = 0;
	s->dirty = 0;
}

/* The end of the exit's handling: changed fields go to the VMCS; from here
 * to the next exit every access is a plain VMREAD/VMWRITE. */
static inline void exit_state_flush(struct exit_state *s)
{
	uint16_t d = s->dirty;

	s->word = 0;
	while (unlikely(d)) {
		unsigned int f = (unsigned int)__builtin_ctz(d);

		d &= (uint16_t)(d - 1);
		EXS_VMWRITE(exs_encoding[f], s->val[f]);
	}
}
#endif /* EXS_VMREAD */

#endif
