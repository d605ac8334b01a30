/* vmx/exit_decode.h - names and decoders for VM-exit information (SDM Vol. 3C, 28.2.1, 26.9, 31.4). */
#ifndef VMX_EXIT_DECODE_H
#define VMX_EXIT_DECODE_H

#include "lib/compiler.h"

/* Table 28-3: exit qualification for control-register accesses */
#define CR_QUAL_CR_MASK                 0xfu
#define CR_QUAL_TYPE_SHIFT              4
#define CR_QUAL_LMSW_MEMORY             (1u << 6)
#define CR_QUAL_GPR_SHIFT               8
#define CR_QUAL_LMSW_SOURCE_SHIFT       16

/* Table 28-5: exit qualification for I/O instructions */
#define IO_QUAL_SIZE_MASK               7u
#define IO_QUAL_IN                      (1u << 3)
#define IO_QUAL_STRING                  (1u << 4)
#define IO_QUAL_REP                     (1u << 5)
#define IO_QUAL_IMM                     (1u << 6)
#define IO_QUAL_PORT_SHIFT              16

/* Table 28-7: exit qualification for EPT violations */
#define EPT_QUAL_READ                   (1u << 0)
#define EPT_QUAL_WRITE                  (1u << 1)
#define EPT_QUAL_FETCH                  (1u << 2)
#define EPT_QUAL_READABLE               (1u << 3)
#define EPT_QUAL_WRITABLE               (1u << 4)
#define EPT_QUAL_EXECUTABLE             (1u << 5)
#define EPT_QUAL_GLA_VALID              (1u << 7)
#define EPT_QUAL_GLA_TRANSLATION        (1u << 8)
#define EPT_QUAL_NMI_UNBLOCKING         (1u << 12)

/* The name of a basic exit reason (Appendix C): "CPUID", "EPT violation", ...; "reserved" if none. */
const char *vmx_exit_reason_name(unsigned int basic);

/* The text of a VM-instruction error number (31.4, Table 31-1), e.g. 7
 * "VM entry with invalid control field(s)"; "unknown error" if none. */
const char *vmx_instruction_error_name(unsigned int err);

enum cr_access_type { CR_ACCESS_MOV_TO = 0, CR_ACCESS_MOV_FROM = 1, CR_ACCESS_CLTS = 2, CR_ACCESS_LMSW = 3 };

struct cr_access {
	unsigned int cr;             /* 0, 3, 4, 8 */
	enum cr_access_type type;
	unsigned int gpr;            /* SDM Table 28-3 numbering: 0 RAX 1 RCX 2 RDX 3 RBX 4 RSP 5 RBP 6 RSI 7 RDI 8..15 R8..R15 */
	bool lmsw_memory;            /* LMSW operand was in memory */
	uint16_t lmsw_source;        /* LMSW source data */
};

/* Splits a control-register-access exit qualification (Table 28-3); the
 * lmsw_* fields are 0 unless type is CR_ACCESS_LMSW. */
void vmx_decode_cr_access(uint64_t qual, struct cr_access *out);

struct io_access {
	uint16_t port;
	uint8_t size;                /* 1, 2 or 4 (0: the qualification held an undefined size) */
	bool in;                     /* IN/INS (else OUT/OUTS) */
	bool string;                 /* INS/OUTS */
	bool rep;
	bool imm_operand;            /* port given as an immediate (else DX) */
	uint8_t addr_size;           /* string forms: 2, 4 or 8 bytes (from the instruction-information field, 26.9.4, bits 9:7) */
	uint8_t segment;             /* string forms: 0 ES 1 CS 2 SS 3 DS 4 FS 5 GS (bits 17:15; OUTS may use an override, INS always ES) */
};

/*
 * Splits an I/O-instruction exit qualification (Table 28-5) and, for INS and
 * OUTS, the VM-exit instruction-information field (26.9.4). That field is
 * filled by the CPU only when IA32_VMX_BASIC bit 54 is set: otherwise pass 0
 * and take the address size from the guest's mode instead. addr_size and
 * segment are 0 for the non-string forms and addr_size is 0 for an
 * undefined encoding.
 */
void vmx_decode_io(uint64_t qual, uint32_t insn_info, struct io_access *out);

struct ept_violation {
	bool read, write, fetch;                 /* the access that faulted (bits 0..2) */
	bool readable, writable, executable;     /* what the entry allowed (bits 3..5) */
	bool gla_valid;                          /* bit 7 */
	bool gla_translation;                    /* bit 8: access to the translated address (else to a paging structure) */
	bool nmi_unblocking;                     /* bit 12 */
};

/* Splits an EPT-violation exit qualification (Table 28-7); gla_translation
 * is false unless gla_valid, since bit 8 is defined only then. */
static inline void vmx_decode_ept_violation(uint64_t qual, struct ept_violation *out)
{
	out->read = qual & EPT_QUAL_READ;
	out->write = qual & EPT_QUAL_WRITE;
	out->fetch = qual & EPT_QUAL_FETCH;
	out->readable = qual & EPT_QUAL_READABLE;
	out->writable = qual & EPT_QUAL_WRITABLE;
	out->executable = qual & EPT_QUAL_EXECUTABLE;
	out->gla_valid = qual & EPT_QUAL_GLA_VALID;
	out->gla_translation = out->gla_valid && (qual & EPT_QUAL_GLA_TRANSLATION);
	out->nmi_unblocking = qual & EPT_QUAL_NMI_UNBLOCKING;
}

/* Interruption information for VM entry: valid, type, vector, deliver-error-code. */
uint32_t vmx_intr_info(unsigned int vector, unsigned int type, bool deliver_error_code);


/*
 * Explains the exit qualification of a failed VM entry, reason 33 (invalid
 * guest state: 0 "no detail", 2 "PDPTE load failed", 3 "NMI injection
 * blocked", 4 "invalid VMCS link pointer") or 34 (MSR loading: "MSR-load
 * entry N failed", N counting from 1 as the CPU does), into buf; returns
 * the length it wanted, as fmt_snprintf.
 */
int vmx_entry_failure_detail(unsigned int basic, uint64_t qual, char *buf, size_t len);

/* One-line description of an interruption-information value, e.g. "hardware
 * exception #PF (14) with error code", or "none" if not valid; returns as
 * fmt_snprintf. */
int vmx_describe_intr_info(uint32_t info, char *buf, size_t len);

/* Whether a VM exit with full exit reason `reason` goes to the handler of
 * its basic reason: every exit except VM-entry failures (bit 31), and of
 * those the machine check during VM entry (basic reason 41, which always
 * has bit 31 set: 26.8), whose guest can go on. */
bool vmx_exit_reason_dispatched(uint32_t reason);

#endif
