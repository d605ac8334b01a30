/* guest/gmem.c - reaching guest-physical memory from the hypervisor. */
#include "guest/gmem.h"
#include "mm/paging.h"
#include "mm/malloc.h"
#include "guest/gmap.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "guest/emul/gpt_walk.h"

struct gmap gmem_guest_map;

int gmem_init(const struct memmap *host, gpa_t top)
{
	int rc = gmap_init(&gmem_guest_map, host, top);

	if (rc)
		printf("hv: the guest memory map does not fit (%d)\n", rc);
	return rc;
}


bool gmem_is_ram(gpa_t gpa, uint64_t len)
{
	return gmap_is_ram(&gmem_guest_map, gpa, len);
}

void *gmem_ptr(gpa_t gpa)
{
	return hpa_to_ptr(gpa);          /* identity: the GPA is the HPA */
}

const void *gmem_rom_ptr(const struct gmap_range *r, gpa_t gpa)
{
	return hpa_to_ptr(r->host + (gpa - r->start));
}

int gmem_read(gpa_t gpa, void *buf, uint64_t len)
{
	if (!gmem_is_ram(gpa, len))
		return -EFAULT;
	memcpy(buf, gmem_ptr(gpa), len);
	return 0;
}

int gmem_write(gpa_t gpa, const void *buf, uint64_t len)
{
	if (!gmem_is_ram(gpa, len))
		return -EFAULT;
	memcpy(gmem_ptr(gpa), buf, len);
	return 0;
}

static int walk_read64(void *ctx, gpa_t pa, uint64_t *val)
{
	return gmem_read(pa, val, sizeof(*val));
}

static int walk_write64(void *ctx, gpa_t pa, uint64_t val)
{
	return gmem_write(pa, &val, sizeof(val));
}

static const struct gpt_mem walk_ops = { walk_read64, walk_write64, NULL };

const struct gpt_mem *gmem_walk_ops(void)
{
	return &walk_ops;
}

/* The quadword at pa through w's RAM range (looked up once per range, not
 * once per entry: a walk's tables usually lie in one), or NULL if pa is not
 * guest RAM. */
static uint64_t *walker_ptr(struct gmem_walker *w, gpa_t pa)
{
	const struct gmap_range *r = w->ram;

	if (!r || w->gen != gmem_guest_map.generation || pa < r->start || pa + 8 > r->end || pa + 8 < pa) {
		r = gmap_lookup(&gmem_guest_map, pa);
		if (!r || r->kind != GMAP_RAM || pa + 8 > r->end || pa + 8 < pa)
			return gmem_is_ram(pa, 8) ? gmem_ptr(pa) : NULL;   /* across two RAM ranges */
		w->ram = r;
		w->gen = gmem_guest_map.generation;
	}
	return gmem_ptr(pa);
}

static int walker_read64(void *ctx, gpa_t pa, uint64_t *val)
{
	uint64_t *p = walker_ptr(ctx, pa);

	if (!p)
		return -EFAULT;
	*val = *p;
	return 0;
}

static int walker_write64(void *ctx, gpa_t pa, uint64_t val)
{
	uint64_t *p = walker_ptr(ctx, pa);

	if (!p)
		return -EFAULT;
	*p = val;
	return 0;
}

void gmem_walker_init(struct gmem_walker *w)
{
	w->ops = (struct gpt_mem){ walker_read64, walker_write64, w };
	w->ram = NULL;
	w->gen = 0;
}
