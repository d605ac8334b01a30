/* drivers/iommu/vtd_fault.c - decoding a remapping unit's fault records
 * (VT-d spec rev 5.0, 11.4.14) and naming their reasons (Appendix A,
 * legacy-mode faults 1h-Dh). Pure. */
#include "drivers/iommu/vtd_fault.h"
#include "lib/format.h"

bool vtd_fault_decode(uint64_t lo, uint64_t hi, unsigned int unit, struct vtd_fault *f)
{
	if (!(hi & VTD_FRCD_HI_F))
		return false;
	*f = (struct vtd_fault){
		.sid = VTD_FRCD_HI_SID(hi), .addr = lo & ~0xfffULL, .reason = (uint8_t)VTD_FRCD_HI_FR(hi),
		.write = !(hi & VTD_FRCD_HI_T), .unit = unit,
	};
	return true;
}

const char *vtd_fault_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[0x1] = "root entry not present",
		[0x2] = "context entry not present",
		[0x3] = "context entry invalid",
		[0x4] = "address beyond the domain's width",
		[0x5] = "write to a page without write permission",
		[0x6] = "read of a page without read permission",
		[0x7] = "second-level table unreadable",
		[0x8] = "root table unreadable",
		[0x9] = "context table unreadable",
		[0xa] = "reserved bits in a root entry",
		[0xb] = "reserved bits in a context entry",
		[0xc] = "reserved bits in a second-level entry",
		[0xd] = "translation type blocked by the context entry",
	};

	if (reason >= ARRAY_SIZE(names) || !names[reason])
		return "reserved";
	return names[reason];
}

char *vtd_fault_format(char *buf, size_t size, const struct vtd_fault *f)
{
	fmt_snprintf(buf, size, "iommu: unit %u: DMA fault: source %02x:%02x.%u, address 0x%llx, reason 0x%02x (%s), %s",
		     f->unit, f->sid >> 8, (f->sid >> 3) & 0x1f, f->sid & 7, (unsigned long long)f->addr, f->reason,
		     vtd_fault_reason_name(f->reason), f->write ? "write" : "read");
	return buf;
}

void vtd_fault_log_add(struct vtd_fault_log *l, const struct vtd_fault *f)
{
	l->e[l->next] = *f;
	l->next = (l->next + 1) % VTD_FAULT_LOG;
	l->total++;
}

const struct vtd_fault *vtd_fault_log_get(const struct vtd_fault_log *l, unsigned int i)
{
	unsigned int kept = l->total < VTD_FAULT_LOG ? (unsigned int)l->total : VTD_FAULT_LOG;
	unsigned int first = l->total < VTD_FAULT_LOG ? 0 : l->next;

	if (i >= kept)
		return NULL;
	return &l->e[(first + i) % VTD_FAULT_LOG];
}
