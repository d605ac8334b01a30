/* vmx/caps.h - VMX capability MSRs and the controls they allow (SDM Vol. 3D, Appendix A). */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include "lib/compiler.h"
#include "guest/policy/features.h"

/* A.1-A.11 capability MSRs (IA32_FEATURE_CONTROL's number is in arch/msr.h) */
#define MSR_IA32_VMX_BASIC                0x480
#define MSR_IA32_VMX_PINBASED_CTLS        0x481
#define MSR_IA32_VMX_PROCBASED_CTLS       0x482
#define MSR_IA32_VMX_EXIT_CTLS            0x483
#define MSR_IA32_VMX_ENTRY_CTLS           0x484
#define MSR_IA32_VMX_MISC                 0x485
#define MSR_IA32_VMX_CR0_FIXED0           0x486
#define MSR_IA32_VMX_CR0_FIXED1           0x487
#define MSR_IA32_VMX_CR4_FIXED0           0x488
#define MSR_IA32_VMX_CR4_FIXED1           0x489
#define MSR_IA32_VMX_VMCS_ENUM            0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2      0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP         0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS   0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS  0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS       0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS      0x490
#define MSR_IA32_VMX_VMFUNC               0x491

#define VMX_MISC_WAIT_FOR_SIPI  (1ULL << 8)     /* IA32_VMX_MISC: activity state 3 supported (A.6) */

/* IA32_FEATURE_CONTROL (0x3a) bits */
#define FEATURE_CONTROL_LOCK            (1ULL << 0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX  (1ULL << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ULL << 2)

/* A.1 IA32_VMX_BASIC bits used as flags */
#define VMX_BASIC_PHYS_ADDR_32          (1ULL << 48)
#define VMX_BASIC_IO_EXIT_INFO          (1ULL << 54)
#define VMX_BASIC_TRUE_CONTROLS         (1ULL << 55)
#define VMX_BASIC_NO_ERROR_CODE_CHECK   (1ULL << 56)  /* VM entry may inject any exception with or without an error code */
#define VMX_MEMTYPE_WB                  6u

/* A.10 IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_EXEC_ONLY                (1ULL << 0)
#define EPT_CAP_PAGE_WALK_4              (1ULL << 6)
#define EPT_CAP_PAGE_WALK_5              (1ULL << 7)
#define EPT_CAP_MEMTYPE_UC               (1ULL << 8)
#define EPT_CAP_MEMTYPE_WB               (1ULL << 14)
#define EPT_CAP_2MB_PAGE                 (1ULL << 16)
#define EPT_CAP_1GB_PAGE                 (1ULL << 17)
#define EPT_CAP_INVEPT                   (1ULL << 20)
#define EPT_CAP_AD_BITS                  (1ULL << 21)
#define EPT_CAP_INVEPT_SINGLE_CONTEXT    (1ULL << 25)
#define EPT_CAP_INVEPT_ALL_CONTEXT       (1ULL << 26)
#define VPID_CAP_INVVPID                 (1ULL << 32)
#define VPID_CAP_INVVPID_INDIVIDUAL_ADDR (1ULL << 40)
#define VPID_CAP_INVVPID_SINGLE_CONTEXT  (1ULL << 41)
#define VPID_CAP_INVVPID_ALL_CONTEXT     (1ULL << 42)

struct vmx_cap_msrs {                 /* raw values of the capability MSRs */
	uint64_t basic;                   /* IA32_VMX_BASIC 0x480 */
	uint64_t pinbased, procbased, exit, entry;   /* 0x481..0x484 */
	uint64_t misc;                    /* 0x485 */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;  /* 0x486..0x489 */
	uint64_t procbased2;              /* 0x48b, 0 if secondary controls cannot be activated */
	uint64_t ept_vpid_cap;            /* 0x48c, 0 if neither EPT nor VPID */
	uint64_t true_pinbased, true_procbased, true_exit, true_entry;  /* 0x48d..0x490, 0 unless basic bit 55 */
};

struct vmx_controls { uint32_t pin, proc, proc2, exit, entry; };

struct vmx_control_request {
	struct vmx_controls required;     /* the hypervisor cannot work without these */
	struct vmx_controls optional;     /* used when the CPU allows them */
};

struct vmx_control_result {
	struct vmx_controls value;            /* what to write into the VMCS */
	struct vmx_controls missing_required; /* required bits the CPU cannot set to 1 */
	struct vmx_controls missing_optional; /* optional bits left at 0 because the CPU cannot set them */
};

/* The controls the hypervisor requires and the ones it uses when the CPU
 * allows them (vmx/vmx.c computes them; the host tests feed real CPUs' MSRs). */
extern const struct vmx_control_request vmx_hv_controls;

/*
 * Computes every control from the capability MSRs (TRUE_* when basic bit 55
 * says so): allowed-0 bits forced to 1, requested bits set where allowed-1
 * permits. proc2 counts only if procbased allows
 * CPU_ACTIVATE_SECONDARY_CONTROLS; if any proc2 bit ends up set, that bit is
 * set in proc (and if proc2 bits are required but secondary controls cannot
 * be activated, those proc2 bits are missing_required). "NMI exiting" and
 * "virtual NMIs" are kept only together. Returns true iff
 * missing_required is all zero.
 */
bool vmx_compute_controls(const struct vmx_cap_msrs *m, const struct vmx_control_request *req,
			  struct vmx_control_result *res);

/*
 * What a guest running with controls c may use (guest/policy/features.h): each
 * feature whose instruction raises #UD in VMX non-root operation unless its
 * secondary control is set (SDM Vol. 3C, 26.3 and Table 25-7): "enable
 * RDTSCP" (RDTSCP, RDPID), "enable INVPCID", "enable XSAVES/XRSTORS",
 * "enable user wait and pause" (UMONITOR, UMWAIT, TPAUSE), "enable PCONFIG".
 */
void vmx_guest_features(const struct vmx_controls *c, struct guest_features *f);

/* True if a VM entry with controls c may set "NMI-window exiting": "virtual
 * NMIs" is in c and the CPU allows the primary control bit 22 to be 1. */
bool vmx_nmi_window_available(const struct vmx_cap_msrs *m, const struct vmx_controls *c);

/* True iff no bit is set in any of the five controls. */
bool vmx_controls_empty(const struct vmx_controls *c);

/*
 * Writes the names of the bits set in c, e.g. "secondary: EPT, unrestricted
 * guest; exit: load IA32_EFER", to buf (fmt_snprintf style truncation);
 * returns the length it wanted. Groups are pin, primary, secondary, exit,
 * entry; names as the SDM words them, lower case; unknown bits as "pin bit
 * 12"; "none" if c is empty.
 */
int vmx_control_names(const struct vmx_controls *c, char *buf, size_t len);

enum vmx_fc_action {
	VMX_FC_READY,          /* locked with VMX outside SMX enabled: nothing to do */
	VMX_FC_ENABLE,         /* unlocked (as OVMF leaves it): write *new_value (lock + enable outside SMX, other bits kept) */
	VMX_FC_LOCKED_OFF,     /* locked with VMX outside SMX disabled: firmware setting; only a firmware change helps */
};

/* IA32_FEATURE_CONTROL (0x3a) bits: 0 lock, 1 VMX inside SMX, 2 VMX outside SMX.
 * Says what to do with value fc; *new_value (if not NULL) gets the value to
 * write for VMX_FC_ENABLE, fc itself otherwise. */
enum vmx_fc_action vmx_feature_control_check(uint64_t fc, uint64_t *new_value);

/* (v | fixed0) & fixed1: the bits a CR0/CR4 value must have in VMX operation (A.7, A.8). */
uint64_t vmx_apply_fixed(uint64_t v, uint64_t fixed0, uint64_t fixed1);

struct vmx_basic {
	uint32_t revision;      /* bits 30:0 */
	uint32_t region_size;   /* bits 44:32, bytes of VMXON/VMCS region */
	bool phys_addr_32;      /* bit 48: addresses limited to 32 bits */
	unsigned int memtype;   /* bits 53:50, 6 = write-back */
	bool io_exit_info;      /* bit 54: INS/OUTS exit instruction info */
	bool true_controls;     /* bit 55 */
};

/* Splits an IA32_VMX_BASIC value into its fields (A.1). */
void vmx_decode_basic(uint64_t basic, struct vmx_basic *out);

#endif
