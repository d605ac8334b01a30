/* tests/unit/drivers/test_vtd_giveback.c - chain mode's hand-back of a
 * remapping unit: the plan run against a fake register file that keeps
 * GCMD/GSTS as VT-d rev 5.0, 11.4.4 does, from the state vtd_protect left.
 * Checked: the unit ends as the firmware had it (translation, queue,
 * interrupt remapping with its IRTA and CFI, PMEN, event masks), and the
 * order the spec asks for (one GCMD bit per command; IRTA and SIRTP, then
 * the IEC invalidation through the hypervisor's queue, before IRE; the
 * firmware's queue on before IRE; SRTP and invalidation before TE), and
 * the firmware's queue tail (review chain3 finding 3): the slots the unit
 * runs again after QI is back on were all refilled while QI was off, and
 * its head ends at the firmware's tail. */
#include "drivers/iommu/vtd_giveback.h"
#include "drivers/iommu/vtd_caps.h"
#include "tests/unit/check.h"

#define CAP   0xd2008c222f0606ULL       /* QEMU 7.2's intel-iommu, aw-bits=48: no RWBF, no PMR */
#define ECAP  0xf00f5aULL               /* ... with QI and IR */
#define OUR_IQA 0x7f000000ULL           /* the hypervisor's queue */
#define OUR_ROOT 0x7f100000ULL

/* The unit as the plan runs on it. */
struct fake {
	uint32_t gsts, fectl, iectl, pmen;
	uint64_t rtaddr, latched_root, iqa, iqt, iqh, irta, latched_irta;
	bool refilled[64];              /* the firmware's queue: descriptor slots made harmless */
	unsigned int fill_size;         /* bytes per descriptor the fill used */
	unsigned int stale_runs;        /* slots the unit ran that were not refilled */
	unsigned int settled;           /* SETTLE steps that found IQH at their tail */
	bool waits[64];                 /* ... as an invalidation wait */
	bool last_ran_wait;             /* the last descriptor the unit ran was a wait */
	unsigned int iec_inval;         /* IEC invalidations seen, with the latched IRTA then */
	uint64_t iec_irta;
	bool iec_with_our_queue;
	unsigned int tl_inval;          /* context-cache + IOTLB invalidations */
	uint64_t tl_root;               /* the root latched at the last one */
	bool ire_before_iec, ire_without_qi, te_before_srtp;
	unsigned int order;             /* steps run */
	char trace[64];                 /* one letter per step */
};

/* The state vtd_protect and vtd_quiesce left: translation on with the
 * hypervisor's tables, its own queue on if queued, IR off, events masked,
 * PMR off. */
static void fake_protected(struct fake *f, bool queued)
{
	*f = (struct fake){ 0 };
	f->gsts = VTD_GB_TE | VTD_GB_SRTP | (queued ? VTD_GB_QIE : 0);
	f->rtaddr = f->latched_root = OUR_ROOT;
	f->iqa = queued ? OUR_IQA : 0;
	f->fectl = f->iectl = VTD_GB_EVENT_IM;
}

static void run(struct fake *f, const struct vtd_gb_plan *p)
{
	for (unsigned int k = 0; k < p->n; k++) {
		const struct vtd_gb_step *s = &p->step[k];
		char c = '?';

		switch (s->op) {
		case VTD_GB_WR32:
			c = 'w';
			if (s->off == VTD_GB_FECTL_REG)
				f->fectl = (uint32_t)s->val;
			else if (s->off == VTD_GB_IECTL_REG)
				f->iectl = (uint32_t)s->val;
			break;
		case VTD_GB_WR64:
			c = 'W';
			if (s->off == VTD_GB_RTADDR_REG)
				f->rtaddr = s->val;
			else if (s->off == VTD_GB_IQA_REG) {
				CHECK(!(f->gsts & VTD_GB_QIE));         /* IQA only while QI is off */
				f->iqa = s->val;
			} else if (s->off == VTD_GB_IQT_REG) {
				f->iqt = s->val;
				if (f->gsts & VTD_GB_QIE) {     /* the unit runs IQH..IQT */
					unsigned int d = f->iqa & VTD_GB_IQA_DW ? 32 : 16;

					for (uint64_t h = f->iqh; h < f->iqt; h += d)
						if (h / d >= 64 || !f->refilled[h / d])
							f->stale_runs++;
						else
							f->last_ran_wait = f->waits[h / d];
					f->iqh = f->iqt;
				}
			}
			else if (s->off == VTD_GB_IRTA_REG)
				f->irta = s->val;
			break;
		case VTD_GB_GCMD: {
			uint32_t bit = s->set | s->clear;

			c = 'G';
			CHECK(bit && !(bit & (bit - 1)));               /* one command at a time */
			CHECK(!(s->set & s->clear));
			if (s->set == VTD_GB_SRTP)
				f->latched_root = f->rtaddr;
			else if (s->set == VTD_GB_SIRTP)
				f->latched_irta = f->irta;
			else if (s->set == VTD_GB_WBF)
				;
			else if (s->set) {
				if (s->set == VTD_GB_IRE) {
					f->ire_before_iec = !f->iec_inval;
					f->ire_without_qi = !(f->gsts & VTD_GB_QIE);
				}
				if (s->set == VTD_GB_TE && f->latched_root != f->rtaddr)
					f->te_before_srtp = true;
				if (s->set == VTD_GB_QIE)
					f->iqh = 0;             /* 11.4.10: QI on resets IQH */
				f->gsts |= s->set;
			} else
				f->gsts &= ~s->clear;
			if (s->set == VTD_GB_SRTP || s->set == VTD_GB_SIRTP)
				f->gsts |= s->set;
			CHECK_EQ(f->gsts & s->mask, s->want);
			break;
		}
		case VTD_GB_PMEN:
			c = 'P';
			f->pmen = (uint32_t)s->val | !!(s->val & VTD_GB_PMEN_EPM);
			break;
		case VTD_GB_INV_TRANSLATION:
			c = 'T';
			f->tl_inval++;
			f->tl_root = f->latched_root;
			break;
		case VTD_GB_FW_QUEUE_FILL:
			c = 'F';
			CHECK(!(f->gsts & VTD_GB_QIE));                 /* never under a running queue */
			CHECK_EQ(s->val, f->iqa & ~0xfffULL);           /* the firmware's queue, IQA back */
			CHECK_EQ(s->off, f->iqa & VTD_GB_IQA_DW ? 32 : 16);
			f->fill_size = s->off;
			for (unsigned int k = 0; k < s->slots && k < 64; k++) {
				f->refilled[k] = true;
				f->waits[k] = k == s->wait_at;
			}
			break;
		case VTD_GB_FW_QUEUE_SETTLE:
			c = 'S';
			CHECK(f->gsts & VTD_GB_QIE);
			CHECK_EQ(f->iqh, s->val);
			CHECK(f->last_ran_wait);                        /* QEMU turns QI off only after a wait */
			f->settled++;
			break;
		case VTD_GB_INV_IEC:
			c = 'I';
			f->iec_inval++;
			f->iec_irta = f->latched_irta;
			f->iec_with_our_queue = (f->gsts & VTD_GB_QIE) && f->iqa == OUR_IQA;
			break;
		}
		if (f->order < sizeof(f->trace) - 1)
			f->trace[f->order] = c;
		f->order++;
	}
}

/* The plan for fw, run on a unit as vtd_protect left it (its own queue on
 * if queued). */
static void give_back(struct fake *f, struct vtd_gb_plan *p, const struct vtd_fw_regs *fw, uint64_t cap,
		      uint64_t ecap, bool queued)
{
	vtd_giveback_plan(fw, cap, ecap, queued, p);
	fake_protected(f, queued);
	run(f, p);
}

#define PERSISTENT (VTD_GB_TE | VTD_GB_QIE | VTD_GB_IRE | VTD_GB_CFI)

/* hvtest's testvtd=fw as QEMU shows it: IR on over its table, QI on with a
 * queue, fault events unmasked, translation off. */
TEST(firmware_ir_and_queue_on_translation_off)
{
	const struct vtd_fw_regs fw = { .gsts = VTD_GB_QIE | VTD_GB_IRE | VTD_GB_SIRTP, .fectl = 0,
					.iectl = VTD_GB_EVENT_IM, .rtaddr = 0, .iqa = 0x7e5f000, .iqt = 0x10,
					.irta = 0x7e60007 };
	struct vtd_gb_plan p;
	struct fake f;
	char line[300];

	vtd_giveback_plan(&fw, CAP, ECAP, true, &p);
	CHECK(p.ir);
	CHECK(!p.not_restored);
	fake_protected(&f, true);
	run(&f, &p);
	CHECK_EQ(f.gsts & PERSISTENT, fw.gsts & PERSISTENT);
	CHECK_EQ(f.iqa, fw.iqa);
	CHECK_EQ(f.iqt, fw.iqt);                /* the firmware's tail ... */
	CHECK_EQ(f.iqh, fw.iqt);                /* ... reached by the head */
	CHECK_EQ(f.stale_runs, 0);              /* slot 0 refilled before the unit ran it again */
	CHECK(f.refilled[0] && f.refilled[1]);  /* 1: where the drain's own wait sat */
	CHECK(!f.refilled[2]);
	CHECK_EQ(f.fill_size, 16);
	CHECK_EQ(f.settled, 1);
	CHECK_EQ(f.irta, fw.irta);
	CHECK_EQ(f.latched_irta, fw.irta);
	CHECK_EQ(f.iec_inval, 1);
	CHECK_EQ(f.iec_irta, fw.irta);          /* after SIRTP */
	CHECK(f.iec_with_our_queue);            /* while the hypervisor's queue still runs */
	CHECK(!f.ire_before_iec);
	CHECK(!f.ire_without_qi);               /* the firmware's queue is on again first */
	CHECK_EQ(f.tl_inval, 0);                /* the firmware did not translate */
	CHECK_EQ(f.rtaddr, 0);                  /* RTADDR reads as it had it */
	CHECK_EQ(f.fectl, 0);
	CHECK_EQ(f.iectl, VTD_GB_EVENT_IM);
	/* TE off, RTADDR, IRTA, SIRTP, IEC, QI off, IQT 0, IQA, fill, QI on,
	 * IQT back, settle, IRE, FECTL. */
	CHECK_STR(f.trace, "GWWGIGWWFGWSGw");
	CHECK_STR(vtd_giveback_format(line, sizeof(line), &fw, CAP, ECAP, &p),
		  "translation off, queued invalidation on (queue at 0x7e5f000, head and tail at descriptor 1), "
		  "interrupt remapping on (IRTA "
		  "0x7e60007), fault events unmasked, invalidation events masked");
}

/* Everything on: translation with its tables (the write buffer flushed
 * where CAP.RWBF), IR in compatibility format allowed, PMR, events. */
TEST(firmware_everything_on)
{
	const struct vtd_fw_regs fw = { .gsts = VTD_GB_TE | VTD_GB_QIE | VTD_GB_IRE | VTD_GB_CFI, .fectl = 0,
					.iectl = 0, .pmen = VTD_GB_PMEN_EPM, .rtaddr = 0x6000000,
					.iqa = 0x6100000, .irta = 0x6200000 | (1ULL << 11) | 15 };
	const uint64_t cap = CAP | VTD_CAP_RWBF | VTD_CAP_PLMR;
	struct vtd_gb_plan p;
	struct fake f;
	char line[300];

	give_back(&f, &p, &fw, cap, ECAP, true);
	CHECK_EQ(f.gsts & PERSISTENT, fw.gsts & PERSISTENT);
	CHECK_EQ(f.latched_root, fw.rtaddr);
	CHECK_EQ(f.tl_inval, 1);
	CHECK_EQ(f.tl_root, fw.rtaddr);         /* invalidated after SRTP */
	CHECK(!f.te_before_srtp);
	CHECK_EQ(f.pmen & VTD_GB_PMEN_EPM, VTD_GB_PMEN_EPM);
	CHECK_EQ(f.pmen & 1, 1);                /* PRS */
	CHECK_EQ(f.trace[0], 'P');              /* PMR on before translation goes off */
	CHECK_EQ(f.fectl, 0);
	CHECK_EQ(f.iectl, 0);
	/* P, TE off, RTADDR, SRTP, WBF, invalidation, IRTA, SIRTP, IEC,
	 * QI off, IQT, IQA, fill (slot 0: the tail is 0), QI on, IRE, CFI, TE,
	 * FECTL, IECTL. */
	CHECK_STR(f.trace, "PGWGGTWGIGWWFGGGGww");
	CHECK(f.refilled[0] && !f.refilled[1]);
	CHECK_EQ(f.iqt, 0);
	CHECK_STR(vtd_giveback_format(line, sizeof(line), &fw, cap, ECAP, &p),
		  "translation on (root table at 0x6000000), queued invalidation on (queue at 0x6100000, head and "
		  "tail at descriptor 0), "
		  "interrupt remapping on (IRTA 0x620080f, compatibility format allowed), protected memory "
		  "regions on, fault events unmasked, invalidation events unmasked");
}

/* What QEMU's OVMF leaves: nothing on. Register-based invalidation in use:
 * only translation off and RTADDR back, nothing else written. */
TEST(firmware_nothing_on_register_based)
{
	const struct vtd_fw_regs fw = { .fectl = VTD_GB_EVENT_IM, .iectl = VTD_GB_EVENT_IM };
	struct vtd_gb_plan p;
	struct fake f;
	char line[300];

	give_back(&f, &p, &fw, CAP, ECAP, false);
	CHECK_EQ(f.gsts & PERSISTENT, 0);
	CHECK_STR(f.trace, "GW");
	CHECK_EQ(f.fectl, VTD_GB_EVENT_IM);
	CHECK_STR(vtd_giveback_format(line, sizeof(line), &fw, CAP, ECAP, &p),
		  "translation off, queued invalidation off, interrupt remapping off, fault events masked, "
		  "invalidation events masked");
}

/* The hypervisor's queue (testvtd=qi) where the firmware had QI off: its
 * IQA back, QI left off. */
TEST(our_queue_firmware_qi_off)
{
	const struct vtd_fw_regs fw = { .gsts = VTD_GB_TE, .fectl = VTD_GB_EVENT_IM, .rtaddr = 0x5000000,
					.iqa = 0 };
	struct vtd_gb_plan p;
	struct fake f;

	give_back(&f, &p, &fw, CAP, ECAP & ~(uint64_t)VTD_ECAP_QI, true);
	CHECK_EQ(f.gsts & PERSISTENT, VTD_GB_TE);
	CHECK_EQ(f.iqa, 0);
	CHECK_EQ(f.tl_inval, 1);
	CHECK_EQ(f.tl_root, 0x5000000);
	CHECK_STR(f.trace, "GWGTGWWG");
}

/* IR on without any queue to invalidate its entry cache through: not put
 * back, and the line says so; the rest is. */
TEST(ir_without_queue_not_restored)
{
	const struct vtd_fw_regs fw = { .gsts = VTD_GB_IRE, .fectl = VTD_GB_EVENT_IM, .irta = 0x4000000 };
	struct vtd_gb_plan p;
	struct fake f;
	char line[300];

	vtd_giveback_plan(&fw, CAP, 0, false, &p);
	CHECK(!p.ir);
	CHECK(p.not_restored != NULL);
	fake_protected(&f, false);
	run(&f, &p);
	CHECK_EQ(f.gsts & VTD_GB_IRE, 0);
	CHECK_EQ(f.iec_inval, 0);
	CHECK_STR(vtd_giveback_format(line, sizeof(line), &fw, CAP, 0, &p),
		  "translation off, queued invalidation off, interrupt remapping off, fault events masked; "
		  "interrupt remapping stays off: the firmware had it on without queued invalidation, and the "
		  "interrupt entry cache is invalidated only through a queue");
}

/* The firmware's queue of 256-bit descriptors (IQA.DW), 2 pages (QS 1),
 * its tail at descriptor 40: slots 0..40 refilled 32 bytes each while QI
 * is off, IQT back after QI is on, the head waited for there. */
TEST(firmware_queue_tail_256_bit)
{
	const struct vtd_fw_regs fw = { .gsts = VTD_GB_QIE, .fectl = VTD_GB_EVENT_IM, .iectl = VTD_GB_EVENT_IM,
					.iqa = 0x7e50000 | VTD_GB_IQA_DW | 1, .iqt = 40 * 32 };
	struct vtd_gb_plan p;
	struct fake f;
	char line[300];

	give_back(&f, &p, &fw, CAP, ECAP, true);
	CHECK_EQ(f.gsts & PERSISTENT, VTD_GB_QIE);
	CHECK_EQ(f.fill_size, 32);
	CHECK(f.refilled[40] && !f.refilled[41]);
	CHECK_EQ(f.iqh, 40 * 32);
	CHECK_EQ(f.iqt, 40 * 32);
	CHECK_EQ(f.stale_runs, 0);
	CHECK_EQ(f.settled, 1);
	CHECK_STR(f.trace, "GWGWWFGWS");
	CHECK_STR(vtd_giveback_format(line, sizeof(line), &fw, CAP, ECAP, &p),
		  "translation off, queued invalidation on (queue at 0x7e50000, head and tail at descriptor 40), "
		  "interrupt remapping off, fault events masked, invalidation events masked");
}

/* A firmware tail that is no descriptor of its queue (unreadable, past the
 * queue's end, or inside a 256-bit descriptor): taken as 0, so only slot 0
 * is refilled and IQT stays 0 (no settle). */
TEST(firmware_queue_tail_bogus)
{
	static const uint64_t bad[] = { ~0ULL, 0x1000, 0x30 };
	const uint64_t iqa[] = { 0x7e5f000, 0x7e5f000, 0x7e5f000 | VTD_GB_IQA_DW };

	for (unsigned int k = 0; k < 3; k++) {
		const struct vtd_fw_regs fw = { .gsts = VTD_GB_QIE, .fectl = VTD_GB_EVENT_IM,
						.iectl = VTD_GB_EVENT_IM, .iqa = iqa[k], .iqt = bad[k] };
		struct vtd_gb_plan p;
		struct fake f;

		give_back(&f, &p, &fw, CAP, ECAP, true);
		CHECK_EQ(f.iqt, 0);
		CHECK_EQ(f.iqh, 0);
		CHECK(f.refilled[0] && !f.refilled[1]);
		CHECK_EQ(f.settled, 0);
		CHECK_STR(f.trace, "GWGWWFG");
	}
}

/* A short buffer is cut, never overrun. */
TEST(format_truncates)
{
	const struct vtd_fw_regs fw = { .gsts = VTD_GB_TE | VTD_GB_QIE, .rtaddr = 0x1000, .iqa = 0x2000 };
	struct vtd_gb_plan p;
	char line[16];

	vtd_giveback_plan(&fw, CAP, ECAP, true, &p);
	CHECK_STR(vtd_giveback_format(line, sizeof(line), &fw, CAP, ECAP, &p), "translation on ");
}
