/* tests/unit/fake_tables.h - table pages for the page-table builder tests (EPT, VT-d):
 * malloc-backed, at made-up addresses from FAKE_BASE, freed by free_fake().
 * Include after tests/unit/check.h, once per test file. */
#ifndef TESTS_UNIT_FAKE_TABLES_H
#define TESTS_UNIT_FAKE_TABLES_H

#define MAX_TABLES 8192
#define FAKE_BASE  0x100000000000ULL

struct fake { void *page[MAX_TABLES]; unsigned int used; };

static void *fake_alloc(void *ctx, hpa_t *pa)
{
	struct fake *f = ctx;

	if (f->used >= MAX_TABLES)
		return NULL;
	f->page[f->used] = aligned_alloc(4096, 4096);
	memset(f->page[f->used], 0, 4096);
	*pa = FAKE_BASE + (hpa_t)f->used * 4096;
	return f->page[f->used++];
}

static void *fake_ptr(void *ctx, hpa_t pa)
{
	struct fake *f = ctx;

	return f->page[(pa - FAKE_BASE) / 4096];
}

static struct fake fk;
static const struct pt_mem fake_mem = { fake_alloc, fake_ptr, NULL, &fk };

static void free_fake(void)
{
	for (unsigned int i = 0; i < fk.used; i++)
		free(fk.page[i]);
	fk.used = 0;
}

#endif
