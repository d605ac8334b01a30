/* guest/testdev.c - the test MMIO device: registers of each width, a
 * read-only ID, a write-one-to-clear register and a scratch area, so test
 * guests can check every access path to a trapped range. */
#include "guest/testdev.h"
#include "lib/string.h"
#include "mm/malloc.h"

struct testdev {
	struct mmio_device dev;
	uint8_t regs[TESTDEV_SIZE];     /* backing bytes for the read/write parts */
	uint32_t count;
	uint32_t w1c;
	uint64_t last;
};

static uint64_t get_bytes(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

static uint64_t testdev_read(struct mmio_device *d, uint64_t off, unsigned int size)
{
	struct testdev *t = d->priv;
	uint8_t view[TESTDEV_AREA];

	t->count++;
	if (off >= TESTDEV_AREA)
		return off + size <= TESTDEV_SIZE ? get_bytes(&t->regs[off], size) : ~0ULL;
	/* Registers: assemble the read-only ones into a byte view, then read any width. */
	memcpy(view, t->regs, sizeof(view));
	*(uint32_t *)&view[TESTDEV_ID] = TESTDEV_MAGIC;
	*(uint32_t *)&view[TESTDEV_COUNT] = t->count;
	*(uint32_t *)&view[TESTDEV_W1C] = t->w1c;
	*(uint64_t *)&view[TESTDEV_LAST] = t->last;
	return off + size <= sizeof(view) ? get_bytes(&view[off], size) : ~0ULL;
}

static void testdev_write(struct mmio_device *d, uint64_t off, unsigned int size, uint64_t val)
{
	struct testdev *t = d->priv;

	t->count++;
	t->last = off << 8 | size;
	if (off == TESTDEV_W1C && size == 4)
		t->w1c &= ~(uint32_t)val;
	else if ((off >= TESTDEV_SCRATCH8 && off + size <= TESTDEV_SCRATCH8 + 8) ||
		 (off >= TESTDEV_AREA && off + size <= TESTDEV_SIZE))
		memcpy(&t->regs[off], &val, size);
	/* Writes to read-only registers are ignored, as on real devices. */
}

struct mmio_device *testdev_create(gpa_t base)
{
	struct testdev *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->w1c = 0xffffffffu;
	t->dev = (struct mmio_device){
		.name = "testdev", .base = base, .size = TESTDEV_SIZE,
		.read = testdev_read, .write = testdev_write, .priv = t,
	};
	return &t->dev;
}
