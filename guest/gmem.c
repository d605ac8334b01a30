/* guest/gmem.c - reaching guest-physical memory from the hypervisor. */
#include "guest/gmem.h"
#include "mm/paging.h"
#include "mm/malloc.h"
#include "guest/gmap.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "guest/emul/gpt_walk.h"

static struct gmap guest_map;

int gmem_init(const struct memmap *host, gpa_t top)
{
	int rc = gmap_init(&guest_map, host, top);

	if (rc)
		printf("hv: the guest memory map does not fit (%d)\n", rc);
	return rc;
}

struct gmap *gmem_map(void)
{
	return &guest_map;
}

bool gmem_is_ram(gpa_t gpa, uint64_t len)
{
	return gmap_is_ram(&guest_map, gpa, len);
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
