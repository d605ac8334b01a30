/* guest/dev/pci_busmaster.h - turning off bus mastering (DMA) on every PCI
 * function before a guest's memory is given to anyone else (PCI Local Bus
 * 3.0, 6.2.2 Command register bit 2, 6.2.1 Header Type bit 7). Pure: reaches
 * configuration space through an operations struct. */
#ifndef GUEST_PCI_BUSMASTER_H
#define GUEST_PCI_BUSMASTER_H

#include "lib/compiler.h"

#define PCI_VENDOR_ID       0x00
#define PCI_COMMAND         0x04
#define PCI_HEADER_TYPE     0x0e
#define PCI_COMMAND_MASTER  0x0004   /* Bus Master Enable */
#define PCI_HEADER_MULTI_FN 0x80

struct pci_cfg_ops {                 /* hypervisor: ports 0xcf8/0xcfc; tests: an array */
	/* The dword at offset (a multiple of 4) of bus:dev.fn. */
	uint32_t (*read32)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t offset);
	/* Writes the word at offset (a multiple of 2) of bus:dev.fn. */
	void (*write16)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t offset, uint16_t val);
	void *ctx;
};

struct pci_busmaster_result {
	unsigned int functions;      /* functions found */
	unsigned int cleared;        /* of them, how many had bus mastering on and now have it off */
	unsigned int stuck;          /* how many still read it on after the write (hardwired) */
};

/* Scans every bus, device and function (functions 1-7 only of multi-function
 * devices), and clears Bus Master Enable where it is set, leaving the other
 * Command bits; reads each one back. */
void pci_busmaster_off(const struct pci_cfg_ops *ops, struct pci_busmaster_result *out);

#endif
