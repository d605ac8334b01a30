/* tests/unit/arch/test_mca_decode.c - machine-check banks in words and the
 * go-on decision, fed with the SDM's error classes (Vol. 3B, Tables 16-6,
 * 16-7 to 16-12, and the SRAO/SRAR examples of 16.10.3-16.10.4). */
#include "arch/mca_decode.h"
#include "tests/unit/check.h"

#define SER      (MCG_CAP_SER_P | 10)          /* 10 banks, software error recovery */
#define NOSER    10ULL
#define RIPV     MCG_STATUS_RIPV
#define EIPV     MCG_STATUS_EIPV
#define MCIP     MCG_STATUS_MCIP
#define VAL      MCI_STATUS_VAL
#define UC       MCI_STATUS_UC
#define EN       MCI_STATUS_EN
#define PCC      MCI_STATUS_PCC
#define S        MCI_STATUS_S
#define AR       MCI_STATUS_AR
#define ADDRV    MCI_STATUS_ADDRV
#define MISCV    MCI_STATUS_MISCV

static char why[160];

/* An event with one interesting bank (bank 1) among empty ones. */
static enum mca_verdict decide(uint64_t cap, uint64_t mcg_status, uint64_t bank1)
{
	struct mca_event e = { .mcg_cap = cap, .mcg_status = mcg_status, .bank_count = 4 };

	e.bank[1].status = bank1;
	return mca_decide(&e, why, sizeof(why));
}

static const char *code(uint16_t c)
{
	static char buf[128];

	mca_error_code_describe(c, buf, sizeof(buf));
	return buf;
}

TEST(severity_classes_of_table_16_6)
{
	CHECK_EQ(mca_bank_severity(0, SER), MCA_SEV_NONE);
	CHECK_EQ(mca_bank_severity(UC | PCC | 0x150, SER), MCA_SEV_NONE);   /* VAL clear */
	CHECK_EQ(mca_bank_severity(VAL | EN | 0x91, SER), MCA_SEV_CORRECTED);
	CHECK_EQ(mca_bank_severity(VAL | UC | ADDRV | MISCV | 0x9f, SER), MCA_SEV_UCNA);
	CHECK_EQ(mca_bank_severity(VAL | UC | EN | S | ADDRV | MISCV | 0xc0, SER), MCA_SEV_SRAO);
	CHECK_EQ(mca_bank_severity(VAL | UC | EN | S | AR | ADDRV | MISCV | 0x134, SER), MCA_SEV_SRAR);
	CHECK_EQ(mca_bank_severity(VAL | UC | EN | PCC | S | AR | 0x150, SER), MCA_SEV_FATAL);
	/* S and AR mean nothing without SER_P. */
	CHECK_EQ(mca_bank_severity(VAL | UC | EN | S | AR | 0x134, NOSER), MCA_SEV_UC);
	CHECK_EQ(mca_bank_severity(VAL | UC | EN | AR | 0x134, SER), MCA_SEV_UC);
}

TEST(spurious_without_mcip)
{
	/* Bochs and QEMU TCG read MCG_STATUS as 0: an INT 18 finds this. */
	CHECK_EQ(decide(SER, 0, 0), MCA_SPURIOUS);
	CHECK_STR(why, "no machine check in progress (MCG_STATUS.MCIP = 0): spurious #MC");
	CHECK_EQ(decide(SER, RIPV | EIPV, VAL | UC | EN | PCC), MCA_SPURIOUS);
}

TEST(corrected_and_ucna_go_on)
{
	CHECK_EQ(decide(SER, RIPV | MCIP, VAL | EN | ADDRV | 0x91), MCA_CONTINUE);
	CHECK_STR(why, "recoverable (MCG_STATUS.RIPV = 1, no PCC, no SRAR)");
	CHECK_EQ(decide(SER, RIPV | MCIP, VAL | UC | ADDRV | MISCV | 0x9f), MCA_CONTINUE);
	CHECK_EQ(decide(SER, RIPV | MCIP, 0), MCA_CONTINUE);
}

TEST(srao_memory_scrubbing_goes_on)
{
	/* 16.10.3: patrol scrub, MCACOD 0xC0-0xCF, RIPV = 1, EIPV = 0. */
	CHECK_EQ(decide(SER, RIPV | MCIP, VAL | UC | EN | S | ADDRV | MISCV | 0xc3), MCA_CONTINUE);
	/* L3 explicit writeback, MCACOD 0x17A. */
	CHECK_EQ(decide(SER, RIPV | MCIP, VAL | UC | EN | S | ADDRV | MISCV | 0x17a), MCA_CONTINUE);
}

TEST(srar_stops)
{
	/* 16.10.4: data load (0x134) and instruction fetch (0x150), RIPV = 0, EIPV = 1. */
	CHECK_EQ(decide(SER, EIPV | MCIP, VAL | UC | EN | S | AR | ADDRV | MISCV | 0x134), MCA_FATAL);
	CHECK_STR(why, "SRAR in bank 1: the interrupted code consumed corrupt data and cannot go on");
	CHECK_EQ(decide(SER, EIPV | MCIP, VAL | UC | EN | S | AR | ADDRV | MISCV | 0x150), MCA_FATAL);
	/* Even with RIPV: the hypervisor cannot take the required action. */
	CHECK_EQ(decide(SER, RIPV | MCIP, VAL | UC | EN | S | AR | 0x134), MCA_FATAL);
}

TEST(pcc_is_fatal)
{
	CHECK_EQ(decide(SER, RIPV | EIPV | MCIP, VAL | UC | EN | PCC | 0x150), MCA_FATAL);
	CHECK_STR(why, "processor context corrupt (PCC) in bank 1");
	CHECK_EQ(decide(NOSER, RIPV | MCIP, VAL | UC | EN | PCC | 0x0005), MCA_FATAL);
}

TEST(no_restart_ip_is_fatal)
{
	CHECK_EQ(decide(NOSER, EIPV | MCIP, VAL | EN | 0x91), MCA_FATAL);
	CHECK_STR(why, "no restart IP (MCG_STATUS.RIPV = 0): the interrupted code cannot go on");
	/* Without SER_P an uncorrected error without PCC can restart (16.3.2.2). */
	CHECK_EQ(decide(NOSER, RIPV | MCIP, VAL | UC | EN | 0x0005), MCA_CONTINUE);
}

TEST(banks_beyond_the_array_are_not_read)
{
	struct mca_event e = { .mcg_cap = 255, .mcg_status = RIPV | MCIP, .bank_count = 255 };

	e.bank[MCA_BANKS_MAX - 1].status = VAL | UC | EN | PCC;
	CHECK_EQ(mca_decide(&e, why, sizeof(why)), MCA_FATAL);
	CHECK_STR(why, "processor context corrupt (PCC) in bank 31");
}

TEST(simple_error_codes_table_16_7)
{
	CHECK_STR(code(0x0000), "no error");
	CHECK_STR(code(0x0001), "unclassified");
	CHECK_STR(code(0x0002), "microcode ROM parity error");
	CHECK_STR(code(0x0003), "external error (BINIT#)");
	CHECK_STR(code(0x0005), "internal parity error");
	CHECK_STR(code(0x0006), "SMM handler code access violation");
	CHECK_STR(code(0x0400), "internal timer error");
	CHECK_STR(code(0x0e0b), "I/O error");
	CHECK_STR(code(0x0406), "internal unclassified (0x406)");
	CHECK_STR(code(0x0007), "reserved error code 0x0007");
}

TEST(compound_error_codes_tables_16_8_to_16_12)
{
	CHECK_STR(code(0x000e), "generic cache hierarchy, L2");
	CHECK_STR(code(0x0014), "TLB, data, level 0");
	CHECK_STR(code(0x0011), "TLB, instruction, L1");
	CHECK_STR(code(0x0091), "memory controller read, channel 1");
	CHECK_STR(code(0x00a2), "memory controller write, channel 2");
	CHECK_STR(code(0x00cf), "memory controller scrubbing, channel unspecified");
	CHECK_STR(code(0x00f0), "memory controller reserved, channel 0");
	CHECK_STR(code(0x0134), "cache hierarchy data read, data, level 0");
	CHECK_STR(code(0x017a), "cache hierarchy eviction, generic, L2");
	CHECK_STR(code(0x0150), "cache hierarchy instruction fetch, instruction, level 0");
	/* F (bit 12, corrected-error filtering) does not change the class. */
	CHECK_STR(code(0x1134), "cache hierarchy data read, data, level 0");
	CHECK_STR(code(0x0c0f), "bus/interconnect: local processor observed, other generic error, "
				"generic level");
	CHECK_STR(code(0x0933), "bus/interconnect: local processor originated, memory data read, "
				"timeout, generic level");
}

TEST(bank_line)
{
	struct mca_bank b = { VAL | UC | EN | S | ADDRV | MISCV | (0x1ULL << 16) | 0xc3,
			      0x12345000, 0x86 };
	char buf[256];

	mca_bank_describe(&b, 3, SER, buf, sizeof(buf));
	CHECK_STR(buf, "bank 3: status 0xbd000000000100c3 [VAL UC EN MISCV ADDRV S] SRAO (uncorrected, "
		       "software recoverable, action optional): memory controller scrubbing, channel 3, "
		       "model-specific 0x0001, ADDR 0x12345000, MISC 0x86");
}

TEST(bank_line_without_ser_and_overflow)
{
	struct mca_bank b = { VAL | MCI_STATUS_OVER | UC | EN | PCC | S | AR | 0x150, 0xdead, 0 };
	char buf[256];

	/* Without SER_P, S and AR are reserved bits: not named. */
	mca_bank_describe(&b, 0, NOSER, buf, sizeof(buf));
	CHECK_STR(buf, "bank 0: status 0xf380000000000150 [VAL OVER UC EN PCC] fatal (processor "
		       "context corrupt): cache hierarchy instruction fetch, instruction, level 0, "
		       "model-specific 0x0000");
}

TEST(mcg_status_line)
{
	char buf[64];

	mca_mcg_status_describe(RIPV | MCIP, buf, sizeof(buf));
	CHECK_STR(buf, "0x5 [RIPV MCIP]");
	mca_mcg_status_describe(0, buf, sizeof(buf));
	CHECK_STR(buf, "0x0 []");
	mca_mcg_status_describe(EIPV | MCIP | MCG_STATUS_LMCES, buf, sizeof(buf));
	CHECK_STR(buf, "0xe [EIPV MCIP LMCES]");
}
