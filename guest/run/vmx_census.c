/* guest/run/vmx_census.c - the count of CPUs in VMX root operation (pure;
 * guest/run/vmx_census.h). */
#include "guest/run/vmx_census.h"

void vmx_census_chain_expect(struct vmx_census *c, unsigned int n)
{
	/* ids[0] is the boot CPU, which in_vmx already counts. */
	c->pending = n > 1 ? n - 1 : 0;
}

void vmx_census_chain_ap(struct vmx_census *c, bool on_vmx)
{
	if (c->pending)
		c->pending--;
	if (on_vmx)
		c->in_vmx++;
}

void vmx_census_chain_ap_left(struct vmx_census *c)
{
	if (c->in_vmx > 1)      /* the boot CPU's stays */
		c->in_vmx--;
}

void vmx_census_chain_done(struct vmx_census *c)
{
	c->pending = 0;
}

bool vmx_census_all_in_vmx(const struct vmx_census *c)
{
	return c->in_vmx + c->pending >= c->machine;
}
