/* guest/dev/device.c - the device-model registry: MMIO ranges live in the guest
 * memory map (binary-searched on every EPT violation), port ranges in a
 * sorted table here (binary-searched on every I/O exit). */
#include "lib/spinlock.h"
#include "guest/dev/device.h"
#include "guest/gmap.h"
#include "guest/gmem.h"
#include "drivers/console.h"

struct port_range {
	uint16_t base;
	uint16_t count;
	unsigned int flags;             /* DEVICE_PORTS_* */
	struct device_model *dev;
};

static struct port_range port_ranges[DEVICE_MAX_PORT_RANGES];
static unsigned int port_range_count;

struct spinlock device_spinlock = SPINLOCK_INIT;

/* Registers d over [base, base + size) as kind; says why not, `taken` being
 * what was asked for and `unfit` what the range may not be. */
static int add_mmio(struct device_model *d, gpa_t base, uint64_t size, enum gmap_kind kind,
		    const char *taken, const char *unfit)
{
	int rc = gmap_register(gmem_map(), base, base + size, kind, d->name, d);

	if (rc)
		printf("device %s: cannot take %s 0x%llx-0x%llx (%s)\n", d->name, taken,
		       (unsigned long long)base, (unsigned long long)(base + size - 1),
		       rc == -EEXIST ? "another device has it" :
		       rc == -ENOSPC ? "too many registrations" :
		       unfit);
	return rc;
}

int device_add_mmio(struct device_model *d, gpa_t base, uint64_t size)
{
	return add_mmio(d, base, size, GMAP_TRAPPED, "MMIO",
			"misaligned, outside the guest space, or over RAM or hypervisor memory");
}

int device_add_mmio_writes(struct device_model *d, gpa_t base, uint64_t size)
{
	return add_mmio(d, base, size, GMAP_WRITE_TRAPPED, "the writes to",
			"misaligned, outside the guest space, or not pass-through device memory");
}

int device_remove_mmio(struct device_model *d, gpa_t base)
{
	const struct gmap_range *r = gmap_lookup(gmem_map(), base);

	if (!r || r->dev != d || r->start != base)
		return -ENOENT;
	return gmap_unregister(gmem_map(), base);
}

int device_add_ports(struct device_model *d, uint16_t base, uint16_t count)
{
	return device_add_ports_flags(d, base, count, 0);
}

int device_add_ports_flags(struct device_model *d, uint16_t base, uint16_t count, unsigned int flags)
{
	unsigned int i;

	if (!count || (uint32_t)base + count > 0x10000)
		return -EINVAL;
	if (port_range_count == DEVICE_MAX_PORT_RANGES)
		return -ENOSPC;
	/* Keep the table sorted; refuse overlaps. */
	for (i = 0; i < port_range_count && port_ranges[i].base < base; i++)
		;
	if ((i > 0 && port_ranges[i - 1].base + port_ranges[i - 1].count > base) ||
	    (i < port_range_count && base + count > port_ranges[i].base)) {
		printf("device %s: ports 0x%x-0x%x belong to another device\n", d->name, base,
		       base + count - 1);
		return -EEXIST;
	}
	for (unsigned int j = port_range_count; j > i; j--)
		port_ranges[j] = port_ranges[j - 1];
	port_ranges[i] = (struct port_range){ base, count, flags, d };
	port_range_count++;
	return 0;
}

static const struct port_range *port_range_of(uint16_t port)
{
	unsigned int lo = 0, hi = port_range_count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct port_range *r = &port_ranges[mid];

		if (port < r->base)
			hi = mid;
		else if (port >= r->base + r->count)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

struct device_model *device_port_owner(uint16_t port)
{
	const struct port_range *r = port_range_of(port);

	return r ? r->dev : NULL;
}

unsigned int device_port_flags(uint16_t port)
{
	const struct port_range *r = port_range_of(port);

	return r ? r->flags : 0;
}

void device_for_each_port_range(void (*fn)(void *ctx, uint16_t base, uint16_t count), void *ctx)
{
	for (unsigned int i = 0; i < port_range_count; i++)
		fn(ctx, port_ranges[i].base, port_ranges[i].count);
}

void device_list(void)
{
	const struct gmap *g = gmem_map();
	struct device_model *seen[DEVICE_MAX_PORT_RANGES + 64];
	unsigned int n = 0;

	for (unsigned int i = 0; i < port_range_count; i++)
		printf("  ports 0x%04x-0x%04x  %s\n", port_ranges[i].base,
		       port_ranges[i].base + port_ranges[i].count - 1, port_ranges[i].dev->name);
	for (unsigned int i = 0; i < g->flat_count; i++)
		if (g->flat[i].kind == GMAP_TRAPPED || g->flat[i].kind == GMAP_WRITE_TRAPPED)
			printf("  mmio  0x%016llx-0x%016llx  %s%s\n", (unsigned long long)g->flat[i].start,
			       (unsigned long long)(g->flat[i].end - 1), g->flat[i].owner,
			       g->flat[i].kind == GMAP_WRITE_TRAPPED ? " (writes only)" : "");
	/* Each model's own state line, once. */
	for (unsigned int i = 0; i < port_range_count + g->flat_count; i++) {
		struct device_model *d = i < port_range_count ? port_ranges[i].dev :
					 (g->flat[i - port_range_count].kind == GMAP_TRAPPED ||
					  g->flat[i - port_range_count].kind == GMAP_WRITE_TRAPPED) ?
					 g->flat[i - port_range_count].dev : NULL;
		bool dup = !d;

		for (unsigned int k = 0; k < n && !dup; k++)
			dup = seen[k] == d;
		if (dup || n == ARRAY_SIZE(seen))
			continue;
		seen[n++] = d;
		if (d->describe)
			d->describe(d);
	}
}
