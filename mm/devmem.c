/* mm/devmem.c - reading and writing device memory for an emulated guest
 * instruction through the device window (mm/paging.c), with the access
 * widths the instruction used: device registers see what the guest did. */
#include "mm/devmem.h"
#include "mm/paging.h"
#include "lib/string.h"

/* Widest naturally aligned piece at pa that fits in n. */
static unsigned int piece(hpa_t pa, unsigned int n)
{
	for (unsigned int w = 8; w > 1; w /= 2)
		if (n >= w && !(pa & (w - 1)))
			return w;
	return 1;
}

static int access(hpa_t pa, uint8_t *buf, unsigned int n, bool write)
{
	volatile uint8_t *p;

	if (!n)
		return 0;
	if ((pa & (PAGE_SIZE - 1)) + n > PAGE_SIZE)
		return -EINVAL;
	p = paging_map_device(pa);
	if (!p)
		return -ENOMEM;
	while (n) {
		unsigned int w = (n == 2 || n == 4 || n == 8) ? n : piece(pa, n);
		uint64_t v = 0;

		if (write)
			memcpy(&v, buf, w);
		switch (w) {
		case 1: if (write) *p = (uint8_t)v; else v = *p; break;
		case 2: if (write) *(volatile uint16_t *)p = (uint16_t)v; else v = *(volatile uint16_t *)p; break;
		case 4: if (write) *(volatile uint32_t *)p = (uint32_t)v; else v = *(volatile uint32_t *)p; break;
		default: if (write) *(volatile uint64_t *)p = v; else v = *(volatile uint64_t *)p; break;
		}
		if (!write)
			memcpy(buf, &v, w);
		p += w;
		pa += w;
		buf += w;
		n -= w;
	}
	return 0;
}

int devmem_read(hpa_t pa, void *buf, unsigned int n)
{
	return access(pa, buf, n, false);
}

int devmem_write(hpa_t pa, const void *buf, unsigned int n)
{
	return access(pa, (uint8_t *)buf, n, true);
}

int devmem_read_span(hpa_t pa, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		unsigned int n = (unsigned int)MIN((uint64_t)len, PAGE_SIZE - (pa & (PAGE_SIZE - 1)));
		int rc = devmem_read(pa, out, n);

		if (rc)
			return rc;
		pa += n;
		out += n;
		len -= n;
	}
	return 0;
}
