/* boot/dma_test.h - with hvtest: a device's DMA against VT-d, through QEMU's
 * edu device (QEMU docs/specs/edu.rst), for tests/integration/test_iommu.sh. */
#ifndef BOOT_DMA_TEST_H
#define BOOT_DMA_TEST_H

/*
 * Where a unit translates and QEMU's edu (PCI 1234:11e8) is on bus 0:
 * enables its memory space and bus mastering, fills its DMA buffer from a
 * page of guest RAM, then has it copy the buffer (4096 bytes) into a page
 * of the hypervisor's working memory (2 KiB: see EDU_DMA_CHUNK), which must be blocked (a fault with
 * edu's source ID and that address, the page unchanged), and into a page
 * of guest RAM, which must arrive. One "hvtest: iommu: edu DMA ..." line
 * per result; silent without edu or translation (other machines).
 */
void dma_test_run(void);

#endif
