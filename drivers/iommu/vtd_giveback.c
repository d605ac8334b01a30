/* drivers/iommu/vtd_giveback.c - the ordered steps that give a remapping
 * unit back to the firmware as it had it (VT-d spec rev 5.0, 10.4.4,
 * 11.4.4, 6.5.2.6); see vtd_giveback.h. Pure. */
#include "drivers/iommu/vtd_giveback.h"
#include "drivers/iommu/vtd_caps.h"
#include "lib/format.h"

static void add(struct vtd_gb_plan *p, struct vtd_gb_step s)
{
	if (p->n < VTD_GB_STEPS_MAX)
		p->step[p->n++] = s;
}

static void wr32(struct vtd_gb_plan *p, unsigned int off, uint32_t val)
{
	add(p, (struct vtd_gb_step){ .op = VTD_GB_WR32, .off = off, .val = val });
}

static void wr64(struct vtd_gb_plan *p, unsigned int off, uint64_t val)
{
	add(p, (struct vtd_gb_step){ .op = VTD_GB_WR64, .off = off, .val = val });
}

/* One GCMD command: bit set (on) or cleared, waited for in GSTS as status. */
static void gcmd(struct vtd_gb_plan *p, uint32_t bit, bool on, uint32_t status, uint32_t want, const char *fail)
{
	add(p, (struct vtd_gb_step){ .op = VTD_GB_GCMD, .set = on ? bit : 0, .clear = on ? 0 : bit,
				     .mask = status, .want = want, .fail = fail });
}

/* The firmware's queue tail (IQT, bytes from the queue's start) as far as
 * it is one: inside the queue (IQA.QS), a whole descriptor (IQA.DW); else 0
 * (the queue restarts at its start). */
static uint64_t fw_tail(const struct vtd_fw_regs *fw)
{
	uint64_t bytes = 4096ULL << (fw->iqa & 7), tail = fw->iqt & 0x7fff0;
	unsigned int dsize = fw->iqa & VTD_GB_IQA_DW ? 32 : 16;

	if (fw->iqt == ~0ULL || tail >= bytes || tail % dsize)
		return 0;
	return tail;
}

void vtd_giveback_plan(const struct vtd_fw_regs *fw, uint64_t cap, uint64_t ecap, bool queued,
		       struct vtd_gb_plan *p)
{
	bool te = fw->gsts & VTD_GB_TE, qi = fw->gsts & VTD_GB_QIE, ir = fw->gsts & VTD_GB_IRE;

	*p = (struct vtd_gb_plan){ 0 };
	if ((cap & (VTD_CAP_PLMR | VTD_CAP_PHMR)) && (fw->pmen & VTD_GB_PMEN_EPM))
		add(p, (struct vtd_gb_step){ .op = VTD_GB_PMEN, .val = VTD_GB_PMEN_EPM,
					     .fail = "the firmware's protected memory regions did not turn on again" });
	gcmd(p, VTD_GB_TE, false, VTD_GB_TE, 0, "translation did not turn off");
	wr64(p, VTD_GB_RTADDR_REG, fw->rtaddr);
	if (te) {
		gcmd(p, VTD_GB_SRTP, true, VTD_GB_SRTP, VTD_GB_SRTP, "the firmware's root table pointer was not taken");
		if (cap & VTD_CAP_RWBF)
			gcmd(p, VTD_GB_WBF, true, VTD_GB_WBF, 0, "the write buffer did not flush");
		add(p, (struct vtd_gb_step){ .op = VTD_GB_INV_TRANSLATION });
	}
	if (ir && !queued) {
		p->not_restored = "interrupt remapping stays off: the firmware had it on without queued invalidation, "
				  "and the interrupt entry cache is invalidated only through a queue";
		ir = false;
	}
	if (ir) {
		wr64(p, VTD_GB_IRTA_REG, fw->irta);
		gcmd(p, VTD_GB_SIRTP, true, VTD_GB_SIRTP, VTD_GB_SIRTP,
		     "the firmware's interrupt remapping table pointer was not taken");
		add(p, (struct vtd_gb_step){ .op = VTD_GB_INV_IEC });
	}
	p->queued = queued;
	if (queued) {
		gcmd(p, VTD_GB_QIE, false, VTD_GB_QIE, 0, "queued invalidation did not turn off");
		wr64(p, VTD_GB_IQT_REG, 0);
		wr64(p, VTD_GB_IQA_REG, fw->iqa);
		if (qi) {
			uint64_t base = fw->iqa & ~0xfffULL, tail = fw_tail(fw);
			unsigned int dsize = fw->iqa & VTD_GB_IQA_DW ? 32 : 16;

			add(p, (struct vtd_gb_step){ .op = VTD_GB_FW_QUEUE_FILL, .val = base, .off = dsize,
						     .slots = (unsigned int)(tail / dsize) + 1,
						     .wait_at = tail ? (unsigned int)(tail / dsize) - 1 : ~0u });
			gcmd(p, VTD_GB_QIE, true, VTD_GB_QIE, VTD_GB_QIE,
			     "the firmware's queued invalidation did not turn on again");
			if (tail) {
				wr64(p, VTD_GB_IQT_REG, tail);
				add(p, (struct vtd_gb_step){ .op = VTD_GB_FW_QUEUE_SETTLE, .val = tail,
							     .fail = "the firmware's queue did not run up to its tail "
								     "(IQH short of IQT)" });
			}
		}
	}
	if (ir) {
		gcmd(p, VTD_GB_IRE, true, VTD_GB_IRE, VTD_GB_IRE, "the firmware's interrupt remapping did not turn on again");
		if (fw->gsts & VTD_GB_CFI)
			gcmd(p, VTD_GB_CFI, true, VTD_GB_CFI, VTD_GB_CFI,
			     "compatibility-format interrupts did not pass again (CFI)");
		p->ir = true;
	}
	if (te)
		gcmd(p, VTD_GB_TE, true, VTD_GB_TE, VTD_GB_TE, "the firmware's translation did not turn on again");
	if (!(fw->fectl & VTD_GB_EVENT_IM))
		wr32(p, VTD_GB_FECTL_REG, 0);
	if ((ecap & VTD_ECAP_QI) && !(fw->iectl & VTD_GB_EVENT_IM))
		wr32(p, VTD_GB_IECTL_REG, 0);
}

char *vtd_giveback_format(char *buf, size_t size, const struct vtd_fw_regs *fw, uint64_t cap, uint64_t ecap,
			  const struct vtd_gb_plan *p)
{
	size_t n = 0;

#define PUT(...) (n += (size_t)fmt_snprintf(buf + MIN(n, size - 1), size - MIN(n, size - 1), __VA_ARGS__))
	if (!size)
		return buf;
	if (fw->gsts & VTD_GB_TE)
		PUT("translation on (root table at 0x%llx)", (unsigned long long)(fw->rtaddr & ~0xfffULL));
	else
		PUT("translation off");
	if ((fw->gsts & VTD_GB_QIE) && p->queued)
		PUT(", queued invalidation on (queue at 0x%llx, head and tail at descriptor %u)",
		    (unsigned long long)(fw->iqa & ~0xfffULL),
		    (unsigned int)(fw_tail(fw) / (fw->iqa & VTD_GB_IQA_DW ? 32 : 16)));
	else if (fw->gsts & VTD_GB_QIE)
		PUT(", queued invalidation on (queue at 0x%llx)", (unsigned long long)(fw->iqa & ~0xfffULL));
	else
		PUT(", queued invalidation off");
	if (p->ir)
		PUT(", interrupt remapping on (IRTA 0x%llx%s)", (unsigned long long)fw->irta,
		    fw->gsts & VTD_GB_CFI ? ", compatibility format allowed" : "");
	else
		PUT(", interrupt remapping off");
	if ((cap & (VTD_CAP_PLMR | VTD_CAP_PHMR)) && (fw->pmen & VTD_GB_PMEN_EPM))
		PUT(", protected memory regions on");
	PUT(", fault events %s", fw->fectl & VTD_GB_EVENT_IM ? "masked" : "unmasked");
	if (ecap & VTD_ECAP_QI)
		PUT(", invalidation events %s", fw->iectl & VTD_GB_EVENT_IM ? "masked" : "unmasked");
	if (p->not_restored)
		PUT("; %s", p->not_restored);
#undef PUT
	return buf;
}
