/* arch/mca_decode.c - machine-check bank decoding and the go-on decision
 * (SDM Vol. 3B, 16.3, 16.6, 16.10). Pure. */
#include "arch/mca_decode.h"
#include "lib/bit_names.h"
#include "lib/format.h"

enum mca_severity mca_bank_severity(uint64_t status, uint64_t mcg_cap)
{
	bool s = status & MCI_STATUS_S, ar = status & MCI_STATUS_AR;

	if (!(status & MCI_STATUS_VAL))
		return MCA_SEV_NONE;
	if (!(status & MCI_STATUS_UC))
		return MCA_SEV_CORRECTED;
	if (status & MCI_STATUS_PCC)
		return MCA_SEV_FATAL;
	/* S and AR are reserved without SER_P (16.3.2.2). */
	if (!(mcg_cap & MCG_CAP_SER_P))
		return MCA_SEV_UC;
	if (!s && !ar)
		return MCA_SEV_UCNA;
	if (s && !ar)
		return MCA_SEV_SRAO;
	if (s && ar)
		return MCA_SEV_SRAR;
	return MCA_SEV_UC;              /* S = 0, AR = 1: not a defined class */
}

const char *mca_severity_name(enum mca_severity s)
{
	static const char *const names[] = {
		[MCA_SEV_NONE] = "no error", [MCA_SEV_CORRECTED] = "corrected",
		[MCA_SEV_UCNA] = "UCNA (uncorrected, no action required)",
		[MCA_SEV_SRAO] = "SRAO (uncorrected, software recoverable, action optional)",
		[MCA_SEV_SRAR] = "SRAR (uncorrected, software recoverable, action required)",
		[MCA_SEV_UC] = "uncorrected", [MCA_SEV_FATAL] = "fatal (processor context corrupt)",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}

static const char *const ll_names[] = { "level 0", "L1", "L2", "generic level" };
static const char *const tt_names[] = { "instruction", "data", "generic", "reserved type" };
static const char *const rrrr_names[16] = {
	"generic error", "read", "write", "data read", "data write", "instruction fetch",
	"prefetch", "eviction", "snoop",
};
static const char *const mmm_names[8] = { "generic", "read", "write", "address/command",
					   "scrubbing" };
static const char *const pp_names[] = { "local processor originated", "local processor responded",
					"local processor observed", "generic participation" };
static const char *const ii_names[] = { "memory", "reserved", "I/O", "other" };

static const char *or_reserved(const char *s)
{
	return s ? s : "reserved";
}

int mca_error_code_describe(uint16_t code, char *buf, size_t size)
{
	/* Simple error codes, Table 16-7. */
	static const char *const simple[] = {
		"no error", "unclassified", "microcode ROM parity error", "external error (BINIT#)",
		"FRC error", "internal parity error", "SMM handler code access violation",
	};
	uint16_t c = code & ~(uint16_t)0x1000;       /* F: corrected-error filtering */
	unsigned int ll = c & 3, tt = (c >> 2) & 3;

	if (code < ARRAY_SIZE(simple))
		return fmt_snprintf(buf, size, "%s", simple[code]);
	if (code == 0x0400)
		return fmt_snprintf(buf, size, "internal timer error");
	if (code == 0x0e0b)
		return fmt_snprintf(buf, size, "I/O error");
	if ((code & 0xfc00) == 0x0400)
		return fmt_snprintf(buf, size, "internal unclassified (0x%x)", code);
	/* Compound error codes, Tables 16-8 to 16-12. */
	if ((c & 0xfffc) == 0x000c)
		return fmt_snprintf(buf, size, "generic cache hierarchy, %s", ll_names[ll]);
	if ((c & 0xfff0) == 0x0010)
		return fmt_snprintf(buf, size, "TLB, %s, %s", tt_names[tt], ll_names[ll]);
	if ((c & 0xff80) == 0x0080) {
		unsigned int ch = c & 0xf;

		if (ch == 0xf)
			return fmt_snprintf(buf, size, "memory controller %s, channel unspecified",
					    or_reserved(mmm_names[(c >> 4) & 7]));
		return fmt_snprintf(buf, size, "memory controller %s, channel %u",
				    or_reserved(mmm_names[(c >> 4) & 7]), ch);
	}
	if ((c & 0xff00) == 0x0100)
		return fmt_snprintf(buf, size, "cache hierarchy %s, %s, %s",
				    or_reserved(rrrr_names[(c >> 4) & 0xf]), tt_names[tt], ll_names[ll]);
	if ((c & 0xf800) == 0x0800)
		return fmt_snprintf(buf, size, "bus/interconnect: %s, %s %s%s, %s",
				    pp_names[(c >> 9) & 3], ii_names[(c >> 2) & 3],
				    or_reserved(rrrr_names[(c >> 4) & 0xf]),
				    c & 0x100 ? ", timeout" : "", ll_names[ll]);
	return fmt_snprintf(buf, size, "reserved error code 0x%04x", code);
}

static const struct bit_name mci_flags[] = {
	{ MCI_STATUS_VAL, "VAL" }, { MCI_STATUS_OVER, "OVER" }, { MCI_STATUS_UC, "UC" },
	{ MCI_STATUS_EN, "EN" }, { MCI_STATUS_MISCV, "MISCV" }, { MCI_STATUS_ADDRV, "ADDRV" },
	{ MCI_STATUS_PCC, "PCC" }, { MCI_STATUS_S, "S" }, { MCI_STATUS_AR, "AR" },
};

int mca_bank_describe(const struct mca_bank *b, unsigned int index, uint64_t mcg_cap,
		      char *buf, size_t size)
{
	char flags[48], what[96], addr[40] = "", misc[40] = "";
	/* S and AR are reserved without SER_P: do not name them then. */
	unsigned int nflags = mcg_cap & MCG_CAP_SER_P ? ARRAY_SIZE(mci_flags) : ARRAY_SIZE(mci_flags) - 2;

	bit_names_format(flags, sizeof(flags), b->status, mci_flags, nflags, " ");
	mca_error_code_describe((uint16_t)b->status, what, sizeof(what));
	if (b->status & MCI_STATUS_ADDRV)
		fmt_snprintf(addr, sizeof(addr), ", ADDR 0x%llx", (unsigned long long)b->addr);
	if (b->status & MCI_STATUS_MISCV)
		fmt_snprintf(misc, sizeof(misc), ", MISC 0x%llx", (unsigned long long)b->misc);
	return fmt_snprintf(buf, size, "bank %u: status 0x%016llx [%s] %s: %s, model-specific 0x%04x%s%s",
			    index, (unsigned long long)b->status, flags,
			    mca_severity_name(mca_bank_severity(b->status, mcg_cap)), what,
			    (unsigned int)((b->status >> 16) & 0xffff), addr, misc);
}

int mca_mcg_status_describe(uint64_t mcg_status, char *buf, size_t size)
{
	static const struct bit_name mcg_flags[] = {
		{ MCG_STATUS_RIPV, "RIPV" }, { MCG_STATUS_EIPV, "EIPV" },
		{ MCG_STATUS_MCIP, "MCIP" }, { MCG_STATUS_LMCES, "LMCES" },
	};
	char flags[32];

	bit_names_format(flags, sizeof(flags), mcg_status, mcg_flags, ARRAY_SIZE(mcg_flags), " ");
	return fmt_snprintf(buf, size, "0x%llx [%s]", (unsigned long long)mcg_status, flags);
}

enum mca_verdict mca_decide(const struct mca_event *e, char *why, size_t size)
{
	unsigned int n = MIN(e->bank_count, (unsigned int)MCA_BANKS_MAX);

	/* MCIP is how the CPU says it raised this #MC (16.3.1.2); without it
	 * the vector came from software (INT 18) or is spurious: nothing to
	 * acknowledge and nothing lost. */
	if (!(e->mcg_status & MCG_STATUS_MCIP)) {
		fmt_snprintf(why, size, "no machine check in progress (MCG_STATUS.MCIP = 0): spurious #MC");
		return MCA_SPURIOUS;
	}
	for (unsigned int i = 0; i < n; i++) {
		enum mca_severity s = mca_bank_severity(e->bank[i].status, e->mcg_cap);

		if (s == MCA_SEV_FATAL) {
			fmt_snprintf(why, size, "processor context corrupt (PCC) in bank %u", i);
			return MCA_FATAL;
		}
		if (s == MCA_SEV_SRAR) {
			fmt_snprintf(why, size, "SRAR in bank %u: the interrupted code consumed "
				     "corrupt data and cannot go on", i);
			return MCA_FATAL;
		}
	}
	if (!(e->mcg_status & MCG_STATUS_RIPV)) {
		fmt_snprintf(why, size, "no restart IP (MCG_STATUS.RIPV = 0): the interrupted "
			     "code cannot go on");
		return MCA_FATAL;
	}
	fmt_snprintf(why, size, "recoverable (MCG_STATUS.RIPV = 1, no PCC, no SRAR)");
	return MCA_CONTINUE;
}
