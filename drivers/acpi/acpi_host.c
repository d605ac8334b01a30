/* drivers/acpi/acpi_host.c - the machine's ACPI tables, read where the boot
 * memory map says they can be: RAM-like ranges through the direct map,
 * firmware-reserved ones through the device window. */
#include "drivers/acpi/acpi_host.h"
#include "mm/devmem.h"
#include "mm/malloc.h"
#include "mm/memmap.h"
#include "mm/paging.h"
#include "lib/string.h"

static bool is_ram_like(enum mem_type t)
{
	return t == MEM_ACPI_RECLAIM || t == MEM_ACPI_NVS || t == MEM_USABLE || t >= MEM_LOWMEM;
}

static bool is_reserved(enum mem_type t)
{
	return t == MEM_RESERVED;
}

int acpi_host_read(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	(void)ctx;
	if (pa + len < pa)
		return -EFAULT;
	if (memmap_range_all(mm_host_map(), pa, len, is_ram_like)) {
		memcpy(buf, hpa_to_ptr(pa), len);
		return 0;
	}
	if (!memmap_range_all(mm_host_map(), pa, len, is_reserved))
		return -EFAULT;
	return devmem_read_span(pa, buf, len) ? -EFAULT : 0;
}
