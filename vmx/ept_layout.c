/* vmx/ept_layout.c - the guest memory map cut into runs of uniform EPT
 * attributes: identity, read/write/execute, memory type from the MTRRs
 * (SDM Vol. 3C, 29.3.7.2: with IPAT clear the guest's PAT combines with
 * this type exactly as it would with the MTRRs on bare metal); ROM ranges
 * read/execute-only at their host address. */
#include "vmx/ept_layout.h"

static int append(struct pt_run *runs, unsigned int *n, unsigned int max,
		  gpa_t start, gpa_t end, hpa_t pa, unsigned int perm)
{
	struct pt_run *last = *n ? &runs[*n - 1] : NULL;

	if (last && last->va + last->size == start && last->pa + last->size == pa && last->perm == perm) {
		last->size += end - start;
		return 0;
	}
	if (*n >= max)
		return -ENOSPC;
	runs[(*n)++] = (struct pt_run){ .va = start, .pa = pa, .size = end - start, .perm = perm };
	return 0;
}

int ept_layout(const struct gmap *g, const struct mtrr_state *m, gpa_t start, gpa_t end,
	       struct pt_run *runs, unsigned int max)
{
	const struct gmap_range *first = gmap_lookup(g, start);
	unsigned int n = 0;

	/* The EPT is laid out a 1 GiB window at a time, up to 2^48: start at the window. */
	for (unsigned int i = first ? (unsigned int)(first - g->flat) : g->flat_count; i < g->flat_count; i++) {
		const struct gmap_range *r = &g->flat[i];
		gpa_t a = MAX(r->start, start), b = MIN(r->end, end);

		if (r->start >= end)
			break;
		if (a >= b || !gmap_kind_mapped(r->kind))
			continue;
		/* Read-only, so writes exit to the model; UC whatever the MTRRs
		 * say: it is device memory (the local APIC page, SDM Vol. 3A,
		 * 10.4.1: strong uncacheable), and not executable. */
		if (r->kind == GMAP_WRITE_TRAPPED) {
			if (append(runs, &n, max, a, b, a, EPT_LAYOUT_WRITE_TRAPPED))
				return -ENOSPC;
			continue;
		}
		while (a < b) {
			/* A ROM page is the hypervisor's RAM: its type is that of its host bytes. */
			hpa_t pa = r->kind == GMAP_ROM ? r->host + (a - r->start) : a;
			uint64_t run_end;
			uint8_t t = mtrr_type_run(m, pa, pa + (b - a), &run_end);
			unsigned int perm = ept_layout_perm(t);

			run_end = a + (run_end - pa);
			if (r->kind == GMAP_ROM)
				perm &= ~PT_WRITE;
			if (append(runs, &n, max, a, run_end, pa, perm))
				return -ENOSPC;
			a = run_end;
		}
	}
	return (int)n;
}
