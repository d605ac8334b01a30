/* guest/policy/cpuid_table.c - the guest's CPUID answers per virtual CPU
 * (guest/policy/cpuid_table.h; SDM Vol. 2A, CPUID). */
#include "guest/policy/cpuid_table.h"
#include "guest/hypercall_abi.h"
#include "lib/string.h"

/* Leaves that depend on ECX or on state that changes (XCR0) and are not
 * kept: leaf 0DH and the other subleaf-indexed ones (0FH, 10H, 12H, 14H,
 * 17H, 18H, 1BH, 1DH, 1EH, 20H and up). */
static bool leaf_kept(uint32_t leaf)
{
	if (cpuid_subleaves_kept(leaf))
		return true;
	return leaf <= 0xa || leaf == 0x15 || leaf == 0x16 || leaf == 0x19 || leaf == 0x1c;
}

static void add(struct cpuid_table *t, const struct guest_features *f, cpuid_fn cpu,
		uint32_t leaf, uint32_t sub)
{
	struct cpuid_entry *e;

	if (t->n >= CPUID_TABLE_MAX)
		return;
	e = &t->e[t->n++];
	e->leaf = leaf;
	e->subleaf = sub;
	e->r = (struct cpuid_result){ 0, 0, 0, 0 };
	if (!cpuid_is_hypervisor_leaf(leaf))
		cpu(leaf, sub, &e->r);
	cpuid_policy_apply(leaf, sub, f, 0, &e->r);
	if (cpuid_subleaves_kept(leaf) || leaf == 1)
		return;
	if (cpuid_direct_index(leaf) < CPUID_DIRECT_N)
		t->direct[cpuid_direct_index(leaf)] = e;
}

void cpuid_table_clear(struct cpuid_table *t)
{
	t->n = 0;
	memset(t->direct, 0, sizeof(t->direct));
}

void cpuid_table_build(struct cpuid_table *t, const struct guest_features *f, cpuid_fn cpu)
{
	struct cpuid_result r;
	uint32_t max;

	cpuid_table_clear(t);
	cpu(0, 0, &r);
	max = r.eax;
	for (uint32_t leaf = 0; leaf <= max && leaf <= 0x1f; leaf++) {
		unsigned int k = cpuid_subleaves_kept(leaf);

		if (!leaf_kept(leaf))
			continue;
		for (unsigned int s = 0; s < (k ? k : 1); s++)
			add(t, f, cpu, leaf, s);
	}
	cpu(0x80000000, 0, &r);
	for (uint32_t leaf = 0x80000000; leaf <= r.eax && leaf <= 0x80000008; leaf++)
		add(t, f, cpu, leaf, 0);
	add(t, f, cpu, HV_CPUID_LEAF_BASE, 0);
	add(t, f, cpu, HV_CPUID_LEAF_INFO, 0);
}
