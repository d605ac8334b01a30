/* guest/dev/pci_busmaster.c - Bus Master Enable cleared on every PCI function
 * (PCI Local Bus 3.0, 6.2.2), so no device a guest programmed keeps writing
 * into memory after that guest is gone. Pure. */
#include "guest/dev/pci_busmaster.h"

/* Clears BME of one function if it exists; true if it does. */
static bool function_off(const struct pci_cfg_ops *ops, uint8_t bus, uint8_t dev, uint8_t fn,
			 struct pci_busmaster_result *out)
{
	uint32_t id = ops->read32(ops->ctx, bus, dev, fn, PCI_VENDOR_ID);
	uint16_t cmd;

	/* No device answers with all ones; 0 is no valid vendor either. */
	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return false;
	out->functions++;
	cmd = (uint16_t)ops->read32(ops->ctx, bus, dev, fn, PCI_COMMAND);
	if (cmd & PCI_COMMAND_MASTER) {
		ops->write16(ops->ctx, bus, dev, fn, PCI_COMMAND, cmd & (uint16_t)~PCI_COMMAND_MASTER);
		/* Bridges of some chipsets (and emulators) hardwire it to 1. */
		if (ops->read32(ops->ctx, bus, dev, fn, PCI_COMMAND) & PCI_COMMAND_MASTER)
			out->stuck++;
		else
			out->cleared++;
	}
	return true;
}

void pci_busmaster_off(const struct pci_cfg_ops *ops, struct pci_busmaster_result *out)
{
	*out = (struct pci_busmaster_result){ 0, 0, 0 };
	for (unsigned int bus = 0; bus < 256; bus++)
		for (uint8_t dev = 0; dev < 32; dev++) {
			uint8_t hdr;

			if (!function_off(ops, (uint8_t)bus, dev, 0, out))
				continue;
			hdr = (uint8_t)(ops->read32(ops->ctx, (uint8_t)bus, dev, 0, PCI_HEADER_TYPE & ~3) >>
					(8 * (PCI_HEADER_TYPE & 3)));
			if (hdr & PCI_HEADER_MULTI_FN)
				for (uint8_t fn = 1; fn < 8; fn++)
					(void)function_off(ops, (uint8_t)bus, dev, fn, out);
		}
}
