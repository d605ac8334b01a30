/* shell/cmd_iommu.c - the shell's `iommu`: each VT-d remapping unit (register
 * base, version and capabilities, translation as its GSTS says now, root
 * table, faults) and the last faults, after reading the fault records. */
#include "shell/cmd_iommu.h"
#include "shell/session.h"
#include "drivers/iommu/vtd.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/console.h"

void cmd_iommu(int argc, char **argv)
{
	const struct vtd_fault_log *log = vtd_faults();
	unsigned int n;
	const struct vtd_unit *u = vtd_units(&n);
	char line[200];

	if (argc != 1) {
		shell_usage("iommu");
		return;
	}
	(void)vtd_poll_faults(true);
	if (!vtd_dmar()) {
		printf("iommu: no DMAR: no DMA remapping, devices can reach all memory\n");
		return;
	}
	for (unsigned int i = 0; i < n; i++, u++) {
		uint32_t gsts = vtd_read_gsts(i);

		uint32_t fectl = vtd_read_fectl(i);

		if (!u->regs_ok) {
			printf("unit %u at 0x%llx: registers unreadable\n", i, (unsigned long long)u->dmar->reg_base);
			continue;
		}
		printf("unit %u at 0x%llx: %s\n", i, (unsigned long long)u->dmar->reg_base,
		       vtd_describe(line, sizeof(line), u->ver, u->cap, u->ecap));
		printf("  translation %s (GSTS 0x%08x), root table at 0x%llx, %llu fault%s, %llu overflow%s\n",
		       gsts != ~0u && (gsts & (1u << 31)) ? "on" : "off", gsts, (unsigned long long)u->root_pa,
		       (unsigned long long)u->faults, u->faults == 1 ? "" : "s", (unsigned long long)u->overflows,
		       u->overflows == 1 ? "" : "s");
		if (u->off[0])
			printf("  off: %s\n", u->off);
		printf("  interrupt remapping %s, queued invalidation %s\n",
		       gsts != ~0u && (gsts & (1u << 25)) ? "on" : "off", gsts != ~0u && (gsts & (1u << 26)) ? "on" : "off");
		printf("  fault events %s (FECTL 0x%08x): faults are polled; registers 0x%llx-0x%llx %s\n",
		       fectl != ~0u && (fectl & (1u << 31)) ? "masked" : "NOT masked", fectl,
		       (unsigned long long)u->dmar->reg_base,
		       (unsigned long long)(u->dmar->reg_base + (uint64_t)u->reg_pages * 4096 - 1),
		       u->hidden ? "hidden from the guest" : "not hidden (no guest map built yet, or hiding failed)");
	}
	if (!log->total) {
		printf("no DMA faults\n");
		return;
	}
	printf("DMA faults: %llu, the last %u:\n", (unsigned long long)log->total,
	       log->total < VTD_FAULT_LOG ? (unsigned int)log->total : VTD_FAULT_LOG);
	for (unsigned int i = 0; vtd_fault_log_get(log, i); i++)
		printf("  %s\n", vtd_fault_format(line, sizeof(line), vtd_fault_log_get(log, i)));
}
