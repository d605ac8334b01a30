/* boot/info/efi_e820.c - the UEFI memory map (UEFI 2.10, 7.2) as an E820-style map, typed as
 * Linux's EFI stub types it (drivers/firmware/efi/libstub/x86-stub.c, setup_e820(), 6.x). */
#include "boot/info/efi_e820.h"

/*
 * The E820 type of a descriptor, 0 to leave it out. As setup_e820():
 * - EFI_MEMORY_SP on RAM types gives soft-reserved memory, as with Linux's
 *   default CONFIG_EFI_SOFT_RESERVE=y (and no efi=nosoftreserve): the
 *   firmware asks that no general allocator take it, the hypervisor included.
 * - EfiUnacceptedMemory is left out, as by a kernel without
 *   CONFIG_UNACCEPTED_MEMORY: only a confidential guest (TDX, SEV-SNP) can
 *   accept it, and memory not accepted is not usable RAM.
 * - Any other type (a later UEFI version's, OEM values 0x70000000 and up,
 *   OS values 0x80000000 and up, garbage) is left out, as Linux's
 *   "default: continue" does: a hole is never allocated either.
 */
static uint32_t e820_type(const struct efi_desc *d)
{
	switch (d->type) {
	case EFI_RESERVED_MEMORY_TYPE:
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT:
	case EFI_PAL_CODE:
		return BOOT_MEM_RESERVED;
	case EFI_UNUSABLE_MEMORY:
		return BOOT_MEM_BAD;
	case EFI_ACPI_RECLAIM_MEMORY:
		return BOOT_MEM_ACPI_RECLAIM;
	case EFI_ACPI_MEMORY_NVS:
		return BOOT_MEM_ACPI_NVS;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return d->attr & EFI_MEMORY_SP ? BOOT_MEM_SOFT_RESERVED : BOOT_MEM_AVAILABLE;
	case EFI_PERSISTENT_MEMORY:
		return BOOT_MEM_PMEM;
	default:
		return 0;
	}
}

/*
 * Restrictiveness, for overlaps: available < ACPI reclaim < ACPI NVS <
 * reserved (PMEM and soft-reserved are reserved too) < bad, the order
 * mm/memmap.c resolves overlaps in, so normalizing this map again there
 * changes nothing. Linux's e820__update_table instead takes the larger type
 * number (ACPI 3 over reserved 2); within the reserved class that rule breaks the tie.
 */
static unsigned int rank(uint32_t t)
{
	switch (t) {
	case BOOT_MEM_AVAILABLE:    return 0;
	case BOOT_MEM_ACPI_RECLAIM: return 1;
	case BOOT_MEM_ACPI_NVS:     return 2;
	case BOOT_MEM_BAD:          return 4;
	default:                    return 3;
	}
}

static bool more_restrictive(uint32_t a, uint32_t b)
{
	return rank(a) > rank(b) || (rank(a) == rank(b) && a > b);
}

/* The descriptors that take part: a known type and a representable end. */
static bool usable_desc(const struct efi_desc *d, uint32_t *type, uint64_t *end)
{
	*type = e820_type(d);
	if (!*type || !efi_desc_fits(d))
		return false;
	*end = d->phys + (d->pages << EFI_PAGE_SHIFT);
	return true;
}

/*
 * setup_e820() copies descriptors in firmware order and merges one into the
 * entry before it when types match and they touch; sorting, overlaps and the
 * rest of the merging are left to the kernel's e820__update_table. This does
 * all of it in one sweep over the address space: from each boundary pos, the
 * piece up to the next boundary (the nearest descriptor end or start above
 * pos) gets the most restrictive type covering pos. pos only grows and stops
 * at each of the 2 * count boundaries at most.
 */
unsigned int efi_mmap_to_e820(const struct efi_desc *desc, unsigned int count,
			      struct boot_mmap_entry *out, unsigned int max,
			      struct efi_e820_stats *stats)
{
	struct efi_e820_stats st = { 0 };
	unsigned int n = 0;
	uint64_t pos = 0;
	uint32_t type;
	uint64_t end;

	if (!desc)
		count = 0;
	if (!out)
		max = 0;
	for (unsigned int i = 0; i < count; i++) {
		if (!e820_type(&desc[i]))
			st.skipped_unknown++;
		else if (!efi_desc_fits(&desc[i]))
			st.dropped_bad++;
	}

	for (;;) {
		uint64_t piece_end = UINT64_MAX, next_start = UINT64_MAX;
		bool covered = false, above = false;
		uint32_t piece_type = 0;

		for (unsigned int i = 0; i < count; i++) {
			if (!usable_desc(&desc[i], &type, &end) || end <= pos)
				continue;
			if (desc[i].phys <= pos) {
				if (!covered || more_restrictive(type, piece_type))
					piece_type = type;
				covered = true;
				piece_end = MIN(piece_end, end);
			} else {
				above = true;
				next_start = MIN(next_start, desc[i].phys);
			}
		}
		if (!covered && !above)
			break;
		if (!covered) {
			pos = next_start;
			continue;
		}
		piece_end = MIN(piece_end, next_start);    /* > pos: both are */
		if (n && out[n - 1].type == piece_type && out[n - 1].addr + out[n - 1].len == pos) {
			out[n - 1].len += piece_end - pos;
		} else if (n == max) {
			st.truncated = true;
			break;
		} else {
			out[n++] = (struct boot_mmap_entry){ .addr = pos, .len = piece_end - pos,
							     .type = piece_type };
		}
		pos = piece_end;
	}
	if (stats)
		*stats = st;
	return n;
}
