/* arch/lapic_state.c - an xAPIC's state saved and put back around x2APIC
 * mode (SDM Vol. 3A, 11.12.5.1); see lapic_state.h. Pure. */
#include "arch/lapic_state.h"

void xapic_state_layout(struct xapic_state *s, uint32_t version)
{
	unsigned int max_lvt = (version >> 16) & 0xff;

	s->n = 0;
#define ADD(o) (s->off[s->n] = (o), s->val[s->n++] = 0)
	ADD(XAPIC_DFR);
	ADD(XAPIC_LDR);
	ADD(XAPIC_TPR);
	ADD(XAPIC_SVR);
	ADD(XAPIC_LVT_LINT0);
	ADD(XAPIC_LVT_LINT1);
	ADD(XAPIC_LVT_ERROR);
	if (max_lvt >= 4)
		ADD(XAPIC_LVT_PERF);
	if (max_lvt >= 5)
		ADD(XAPIC_LVT_THERM);
	if (max_lvt >= 6)
		ADD(XAPIC_LVT_CMCI);
	ADD(XAPIC_TIMER_DIV);
	ADD(XAPIC_LVT_TIMER);
	ADD(XAPIC_TIMER_INIT);
#undef ADD
}

bool xapic_state_restore(const struct xapic_state *s, unsigned int k, bool timer_counting)
{
	if (k >= s->n)
		return false;
	return s->off[k] != XAPIC_TIMER_INIT || timer_counting;
}
