/* guest/dev/testdev.c - the test MMIO device: registers of each width, a
 * read-only ID, a write-one-to-clear register and a scratch area, so test
 * guests can check every access path to a trapped range. */
#include "guest/dev/testdev.h"
#include "lib/string.h"
#include "drivers/console.h"
#include "mm/malloc.h"

struct testdev {
	struct device_model dev;
	gpa_t base;
	uint8_t regs[TESTDEV_SIZE];     /* backing bytes for the read/write parts */
	uint32_t count;
	uint32_t w1c;
	uint64_t last;
};

static uint64_t get_bytes(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	switch (size) {     /* fixed-size moves (little-endian, as the guest's) */
	case 1: v = *p; break;
	case 2: __builtin_memcpy(&v, p, 2); break;
	case 4: __builtin_memcpy(&v, p, 4); break;
	case 8: __builtin_memcpy(&v, p, 8); break;
	default: memcpy(&v, p, size); break;
	}
	return v;
}

static void put_bytes(uint8_t *p, uint64_t v, unsigned int size)
{
	switch (size) {
	case 1: *p = (uint8_t)v; break;
	case 2: __builtin_memcpy(p, &v, 2); break;
	case 4: __builtin_memcpy(p, &v, 4); break;
	default: __builtin_memcpy(p, &v, 8); break;
	}
}

static uint64_t testdev_read(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size)
{
	struct testdev *t = d->priv;
	uint64_t off = addr - t->base;
	uint8_t view[TESTDEV_AREA];

	t->count++;
	if (off >= TESTDEV_AREA)
		return off + size <= TESTDEV_SIZE ? get_bytes(&t->regs[off], size) : ~0ULL;
	if (off == TESTDEV_ID && size == 4)
		return TESTDEV_MAGIC;           /* the common case, without the byte view */
	/* Registers: assemble the read-only ones into a byte view, then read any width. */
	memcpy(view, t->regs, sizeof(view));
	*(uint32_t *)&view[TESTDEV_ID] = TESTDEV_MAGIC;
	*(uint32_t *)&view[TESTDEV_COUNT] = t->count;
	*(uint32_t *)&view[TESTDEV_W1C] = t->w1c;
	*(uint64_t *)&view[TESTDEV_LAST] = t->last;
	return off + size <= sizeof(view) ? get_bytes(&view[off], size) : ~0ULL;
}

static void testdev_write(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size,
			  uint64_t val)
{
	struct testdev *t = d->priv;
	uint64_t off = addr - t->base;

	t->count++;
	t->last = off << 8 | size;
	if (off == TESTDEV_W1C && size == 4)
		t->w1c &= ~(uint32_t)val;
	else if ((off >= TESTDEV_SCRATCH8 && off + size <= TESTDEV_SCRATCH8 + 8) ||
		 (off >= TESTDEV_AREA && off + size <= TESTDEV_SIZE))
		put_bytes(&t->regs[off], val, size);
	/* Writes to read-only registers are ignored, as on real devices. */
}

static void testdev_describe(struct device_model *d)
{
	struct testdev *t = d->priv;

	printf("  %s: test device at 0x%llx, %u accesses, W1C 0x%08x, last write 0x%llx\n", d->name,
	       (unsigned long long)t->base, t->count, t->w1c, (unsigned long long)t->last);
}

struct device_model *testdev_create(const char *name, gpa_t base)
{
	struct testdev *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->w1c = 0xffffffffu;
	t->base = base;
	t->dev = (struct device_model){
		.name = name, .mmio_read = testdev_read, .mmio_write = testdev_write,
		.describe = testdev_describe, .priv = t,
	};
	return &t->dev;
}

void testdev_destroy(struct device_model *d)
{
	free(d->priv);
}
