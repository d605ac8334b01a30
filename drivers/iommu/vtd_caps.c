/* drivers/iommu/vtd_caps.c - a remapping unit's VER/CAP/ECAP registers as one
 * line of text (VT-d spec rev 5.0, 11.4.1-11.4.3). Pure. */
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_fault.h"
#include "drivers/iommu/vtd_qi.h"
#include "lib/format.h"
#include "lib/string.h"

/* Appends to buf (size bytes, NUL-terminated), truncating. */
static void __printf(3, 4) add(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

char *vtd_describe(char *buf, size_t size, uint32_t ver, uint64_t cap, uint64_t ecap)
{
	static const char *const widths[5] = { "30", "39", "48", "57", "64" };
	unsigned int sagaw = VTD_CAP_SAGAW(cap), sllps = VTD_CAP_SLLPS(cap), nd = 4 + 2 * VTD_CAP_ND(cap);
	const char *sep = "";

	if (!size)
		return buf;
	buf[0] = '\0';
	add(buf, size, "version %u.%u, SAGAW ", (ver >> 4) & 0xf, ver & 0xf);
	for (unsigned int i = 0; i < 5; i++)
		if (sagaw & (1u << i)) {
			add(buf, size, "%s%s", sep, widths[i]);
			sep = "/";
		}
	add(buf, size, "%s, MGAW %u, pages 4K%s%s, ", sagaw ? "-bit" : "none", VTD_CAP_MGAW(cap),
	    sllps & 1 ? "/2M" : "", sllps & 2 ? "/1G" : "");
	if (nd >= 20)
		add(buf, size, "%uM domains, ", 1u << (nd - 20));
	else if (nd >= 10)
		add(buf, size, "%uK domains, ", 1u << (nd - 10));
	else
		add(buf, size, "%u domains, ", 1u << nd);
	add(buf, size, "walks %s, invalidation %s%s%s", ecap & VTD_ECAP_C ? "coherent" : "not coherent",
	    ecap & VTD_ECAP_QI ? "queued+register" : "register",
	    cap & VTD_CAP_RWBF ? ", write-buffer flush" : "", cap & VTD_CAP_CM ? ", caching mode" : "");
	if (ecap & (VTD_ECAP_IR | VTD_ECAP_EIM | VTD_ECAP_DT | VTD_ECAP_PT | VTD_ECAP_SC | VTD_ECAP_SMTS))
		add(buf, size, ",%s%s%s%s%s%s", ecap & VTD_ECAP_IR ? " IR" : "", ecap & VTD_ECAP_EIM ? " EIM" : "",
		    ecap & VTD_ECAP_DT ? " ATS" : "", ecap & VTD_ECAP_PT ? " PT" : "", ecap & VTD_ECAP_SC ? " SC" : "",
		    ecap & VTD_ECAP_SMTS ? " scalable" : "");
	add(buf, size, ", %u fault record%s at 0x%x", VTD_CAP_NFR(cap), VTD_CAP_NFR(cap) == 1 ? "" : "s", VTD_CAP_FRO(cap));
	return buf;
}

unsigned int vtd_reg_pages(unsigned int drhd_pages, uint64_t cap, uint64_t ecap)
{
	uint64_t fault_end = VTD_CAP_FRO(cap) + (uint64_t)VTD_FRCD_SIZE * VTD_CAP_NFR(cap);
	uint64_t iotlb_end = VTD_ECAP_IRO(ecap) + 16ULL;        /* IVA_REG, then IOTLB_REG */
	unsigned int pages = (unsigned int)((MAX(fault_end, iotlb_end) + 4095) / 4096);

	return MAX(drhd_pages, pages);
}

const char *vtd_unusable_reason(uint32_t ver, uint64_t cap, uint64_t ecap)
{
	if (!VTD_CAP_SAGAW(cap))
		return ecap & VTD_ECAP_SMTS && !(ecap & VTD_ECAP_SLTS)
		       ? "scalable mode with first-level tables only (ECAP.SMTS set, SLTS clear, CAP.SAGAW 0): "
			 "no second-level tables for legacy mode"
		       : "no second-level table depth (CAP.SAGAW 0)";
	if (!vtd_has_register_invalidation(ver) && !(ecap & VTD_ECAP_QI))
		return "neither register-based invalidation (major version 6 on) nor queued (ECAP.QI clear)";
	return NULL;
}
