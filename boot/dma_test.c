/* boot/dma_test.c - hvtest: QEMU's edu device DMAs into the hypervisor's
 * memory (blocked by VT-d) and into guest RAM (copied). edu's registers
 * (QEMU docs/specs/edu.rst, hw/misc/edu.c): BAR0 0x80 DMA source, 0x88
 * destination, 0x90 count, 0x98 command (bit 0 start, cleared when done;
 * bit 1 direction: 1 = from its buffer at 0x40000 to bus memory, 0 = from
 * bus memory into the buffer). PCI configuration mechanism #1 (0xcf8). */
#include "boot/dma_test.h"
#include "drivers/iommu/vtd.h"
#include "arch/cpu.h"
#include "arch/tsc.h"
#include "mm/devmem.h"
#include "mm/frame.h"
#include "mm/malloc.h"
#include "mm/memmap.h"
#include "mm/paging.h"
#include "lib/print.h"
#include "lib/string.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define EDU_ID             0x11e81234u  /* device 11e8, vendor 1234 */
#define EDU_DMA_SRC        0x80
#define EDU_DMA_DST        0x88
#define EDU_DMA_CNT        0x90
#define EDU_DMA_CMD        0x98
#define EDU_DMA_RUN        0x1
#define EDU_DMA_TO_BUS     0x2
#define EDU_DMA_BUF        0x40000      /* the buffer's address in edu's own space */
#define EDU_DMA_WAIT_MS    3000         /* its timer fires after 100 ms (virtual time) */
/* QEMU 7.2's edu stops the whole machine (hw_error) on a transfer that
 * reaches its buffer's last byte: a page goes as two halves, each through
 * the buffer's first half. */
#define EDU_DMA_CHUNK      2048

static uint32_t pci_read32(unsigned int bdf, unsigned int reg)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | bdf << 8 | (reg & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

static void pci_write32(unsigned int bdf, unsigned int reg, uint32_t v)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | bdf << 8 | (reg & 0xfc));
	outl(PCI_CONFIG_DATA, v);
}

/* edu's bus:dev.fn on bus 0 (function 0 of each slot), or -1. */
static int find_edu(void)
{
	for (unsigned int dev = 0; dev < 32; dev++)
		if (pci_read32(dev << 3, 0) == EDU_ID)
			return (int)(dev << 3);
	return -1;
}

static void edu_write64(hpa_t bar, unsigned int reg, uint64_t v)
{
	(void)devmem_write(bar + reg, &v, 8);
}

/* One DMA of EDU_DMA_CHUNK bytes; false if edu never finished it. */
static bool edu_dma(hpa_t bar, uint64_t src, uint64_t dst, bool to_bus)
{
	uint64_t end = rdtsc() + tsc_khz() * EDU_DMA_WAIT_MS, cmd = 0;

	edu_write64(bar, EDU_DMA_SRC, src);
	edu_write64(bar, EDU_DMA_DST, dst);
	edu_write64(bar, EDU_DMA_CNT, EDU_DMA_CHUNK);
	edu_write64(bar, EDU_DMA_CMD, EDU_DMA_RUN | (to_bus ? EDU_DMA_TO_BUS : 0));
	do {
		if (devmem_read(bar + EDU_DMA_CMD, &cmd, 8))
			return false;
		if (!(cmd & EDU_DMA_RUN))
			return true;
		cpu_relax();
	} while (rdtsc() < end);
	return false;
}

/* len bytes (a multiple of EDU_DMA_CHUNK) from bus address from to bus
 * address to, through edu's buffer: from (RAM) into it, out of it to to. */
static bool edu_copy(hpa_t bar, uint64_t from, uint64_t to, unsigned int len)
{
	for (unsigned int off = 0; off < len; off += EDU_DMA_CHUNK)
		if (!edu_dma(bar, from + off, EDU_DMA_BUF, false) || !edu_dma(bar, EDU_DMA_BUF, to + off, true))
			return false;
	return true;
}

/* Two pages of guest RAM (MEM_USABLE, which the DMA tables map): the last
 * two of the first usable range above 1 MiB that has them. */
static hpa_t guest_pages(void)
{
	const struct memmap *m = mm_host_map();

	for (unsigned int i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];
		hpa_t end = ALIGN_DOWN(r->end, PAGE_SIZE);

		if (r->type == MEM_USABLE && r->start >= MiB && end >= r->start + 2 * PAGE_SIZE)
			return end - 2 * PAGE_SIZE;
	}
	return INVALID_HPA;
}

/* Whether the fault log since `before` holds a fault of sid at addr. */
static bool fault_seen(uint64_t before, uint16_t sid, hpa_t addr)
{
	const struct vtd_fault_log *l = vtd_faults();
	uint64_t kept = MIN(l->total, (uint64_t)VTD_FAULT_LOG);

	for (unsigned int i = 0; vtd_fault_log_get(l, i); i++) {
		const struct vtd_fault *f = vtd_fault_log_get(l, i);

		if (l->total - kept + i >= before && f->sid == sid && f->addr == addr)
			return true;
	}
	return false;
}

void dma_test_run(void)
{
	int bdf = find_edu();
	hpa_t bar, hv, g = guest_pages();
	uint8_t *src, *dst, *hvp;
	uint64_t before;
	bool done, faulted, unchanged = true;

	if (bdf < 0 || !vtd_protecting())
		return;
	if (g == INVALID_HPA) {
		printf("hvtest: iommu: edu: no guest RAM page to DMA into\n");
		return;
	}
	pci_write32((unsigned int)bdf, 0x04, (pci_read32((unsigned int)bdf, 0x04) & 0xffff) |
					       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	bar = pci_read32((unsigned int)bdf, 0x10) & ~0xfULL;
	hv = frame_alloc_one(mm_frames());
	if (!bar || hv == INVALID_HPA) {
		printf("hvtest: iommu: edu at %02x:%02x.%u: %s\n", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7,
		       bar ? "no working memory for the test" : "BAR0 not assigned");
		return;
	}
	src = hpa_to_ptr(g);
	dst = hpa_to_ptr(g + PAGE_SIZE);
	hvp = hpa_to_ptr(hv);
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		src[i] = (uint8_t)(i * 7 + 0x3c);
	memset(dst, 0, PAGE_SIZE);
	memset(hvp, 0xa5, PAGE_SIZE);
	mfence();
	(void)vtd_poll_faults(true);
	before = vtd_faults()->total;
	/* One chunk (one fault line); the whole page must be as it was. */
	done = edu_copy(bar, g, hv, EDU_DMA_CHUNK);
	(void)vtd_poll_faults(true);
	faulted = fault_seen(before, (uint16_t)bdf, hv);
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		unchanged &= hvp[i] == 0xa5;
	printf("hvtest: iommu: edu DMA into the hypervisor's memory at 0x%llx: %s (%s, %s)\n",
	       (unsigned long long)hv, done && faulted && unchanged ? "blocked" : "NOT BLOCKED",
	       faulted ? "fault reported" : "no fault reported", unchanged ? "memory unchanged" : "MEMORY CHANGED");
	done = edu_copy(bar, g, g + PAGE_SIZE, PAGE_SIZE);
	if (done && !memcmp(src, dst, PAGE_SIZE))
		printf("hvtest: iommu: edu DMA into guest RAM at 0x%llx: copied %u bytes\n",
		       (unsigned long long)(g + PAGE_SIZE), (unsigned int)PAGE_SIZE);
	else
		printf("hvtest: iommu: edu DMA into guest RAM at 0x%llx: %s\n", (unsigned long long)(g + PAGE_SIZE),
		       done ? "the bytes did not arrive" : "did not finish");
	if (frame_free(mm_frames(), hv, 0))
		panic("hvtest: freeing a frame failed");
}
