/* arch/mca_decode.h - machine-check architecture: decoding IA32_MCG_STATUS and
 * the IA32_MCi_STATUS banks, and whether software can go on after a #MC
 * (SDM Vol. 3B, 16.3 "MCA registers", 16.6 "error codes", 16.10 "recovery").
 * Pure: the values come in as arguments (arch/mca.c reads the MSRs). */
#ifndef ARCH_MCA_DECODE_H
#define ARCH_MCA_DECODE_H

#include "lib/compiler.h"

#define MSR_IA32_MCG_CAP     0x179
#define MSR_IA32_MCG_STATUS  0x17a
#define MSR_IA32_MC0_STATUS  0x401           /* MCi_CTL/STATUS/ADDR/MISC: 0x400 + 4i + 0..3 */

#define MCG_CAP_COUNT        0xffULL         /* [7:0] number of banks */
#define MCG_CAP_SER_P        (1ULL << 24)    /* software error recovery: S and AR are valid */

#define MCG_STATUS_RIPV      (1ULL << 0)     /* restart at the pushed RIP is possible */
#define MCG_STATUS_EIPV      (1ULL << 1)     /* the pushed RIP is where the error happened */
#define MCG_STATUS_MCIP      (1ULL << 2)     /* a #MC was generated; a second one shuts down */
#define MCG_STATUS_LMCES     (1ULL << 3)     /* local: only this CPU got it */

#define MCI_STATUS_VAL       (1ULL << 63)
#define MCI_STATUS_OVER      (1ULL << 62)
#define MCI_STATUS_UC        (1ULL << 61)
#define MCI_STATUS_EN        (1ULL << 60)
#define MCI_STATUS_MISCV     (1ULL << 59)
#define MCI_STATUS_ADDRV     (1ULL << 58)
#define MCI_STATUS_PCC       (1ULL << 57)
#define MCI_STATUS_S         (1ULL << 56)    /* with MCG_CAP.SER_P */
#define MCI_STATUS_AR        (1ULL << 55)    /* with MCG_CAP.SER_P */

#define MCA_BANKS_MAX        32

/* One bank as read; addr and misc only mean something with ADDRV/MISCV. */
struct mca_bank {
	uint64_t status, addr, misc;
};

/* Everything the #MC handler read, before it decides. */
struct mca_event {
	uint64_t mcg_cap, mcg_status;
	unsigned int bank_count;        /* banks read: MCG_CAP[7:0], at most MCA_BANKS_MAX */
	struct mca_bank bank[MCA_BANKS_MAX];
};

/* The error classes of SDM Table 16-6 (16.10.2 with SER_P; without it UC
 * errors without PCC are MCA_SEV_UC). */
enum mca_severity {
	MCA_SEV_NONE,                   /* VAL clear */
	MCA_SEV_CORRECTED,              /* UC = 0 */
	MCA_SEV_UCNA,                   /* UC, S = 0, AR = 0: no action needed */
	MCA_SEV_SRAO,                   /* UC, S = 1, AR = 0: action optional */
	MCA_SEV_SRAR,                   /* UC, S = 1, AR = 1: action required */
	MCA_SEV_UC,                     /* UC without SER_P (or S = 0, AR = 1): uncorrected */
	MCA_SEV_FATAL,                  /* UC and PCC: processor context corrupt */
};

enum mca_verdict {
	MCA_SPURIOUS,                   /* MCIP clear: no machine check in progress */
	MCA_CONTINUE,                   /* RIPV set, nothing fatal: clear and go on */
	MCA_FATAL,                      /* the interrupted code cannot go on */
};

/* The class of one bank's status. */
enum mca_severity mca_bank_severity(uint64_t status, uint64_t mcg_cap);

/* Short name of a severity ("corrected", "SRAO", ...). */
const char *mca_severity_name(enum mca_severity s);

/* The MCA error code (MCi_STATUS[15:0]) in words, SDM 16.6 Tables 16-7 to
 * 16-12: "memory controller read, channel 2". Returns the full length. */
int mca_error_code_describe(uint16_t code, char *buf, size_t size);

/* One bank as a report line (without newline): status with its flags
 * decoded, the class, the error code in words, ADDR and MISC where valid. */
int mca_bank_describe(const struct mca_bank *b, unsigned int index, uint64_t mcg_cap,
		      char *buf, size_t size);

/* IA32_MCG_STATUS with its flags named ("0x5 [RIPV MCIP]"). */
int mca_mcg_status_describe(uint64_t mcg_status, char *buf, size_t size);

/* What to do about event e (SDM 16.10.4: restart needs RIPV and no PCC;
 * SRAR needs an action this hypervisor cannot take); why gets the reason
 * in words. */
enum mca_verdict mca_decide(const struct mca_event *e, char *why, size_t size);

#endif
