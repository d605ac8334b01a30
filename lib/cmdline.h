/* lib/cmdline.h - the hypervisor's command line: "key=value key ..." words. */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include "lib/compiler.h"

#define CMDLINE_MAX_WARNINGS 8
#define CMDLINE_WARNING_LEN  128

/* Deliberate faults for the integration tests (testfault=NAME), see boot/fault_test.c. */
enum test_fault {
	TEST_FAULT_NONE = 0,
	TEST_FAULT_UD,             /* ud2 */
	TEST_FAULT_NULL,           /* read from address 0 */
	TEST_FAULT_WRITE_TEXT,     /* write to the hypervisor's code (W^X) */
	TEST_FAULT_EXEC_DATA,      /* jump into the data section (NX) */
	TEST_FAULT_STACK,          /* unbounded recursion into the guard page */
	TEST_FAULT_PANIC,          /* panic() */
	TEST_FAULT_HEAP_OVERFLOW,  /* write past a heap block, then free it */
	TEST_FAULT_DOUBLE_FREE,    /* free a heap block twice */
	TEST_FAULT_NMI,            /* vector 2 in the hypervisor: kept for the guest */
	TEST_FAULT_MC,             /* INT 18 in the hypervisor: a #MC without MCIP, reported, goes on */
	TEST_FAULT_CPU_STACK,      /* recursion into a guard page of another CPU's (allocated) stack */
	TEST_FAULT_COUNT
};

/* Pretend VMX states for the detection tests (testvmx=NAME), see vmx/vmx.c. */
enum test_vmx {
	TEST_VMX_NONE = 0,
	TEST_VMX_FC_LOCKED,        /* IA32_FEATURE_CONTROL reads 1: locked with VMX off */
	TEST_VMX_NO_EPT,           /* secondary controls cannot enable EPT */
	TEST_VMX_NO_UG,            /* ... nor unrestricted guest */
	TEST_VMX_NO_WFS,           /* IA32_VMX_MISC bit 8 clear on every CPU: no wait-for-SIPI state */
	TEST_VMX_EFI_ENTRY,        /* hv.efi enters the core in chain mode without VMX (it hands back) */
	TEST_VMX_AP_JOIN,          /* chain mode: each AP's join fails after VMXON (it goes back to the firmware) */
	TEST_VMX_COUNT
};

/* How application processors get the guest's INIT and start-up IPIs
 * (apstart=, docs/architecture.md "AP start"). */
enum ap_start {
	AP_START_AUTO = 0,         /* wait-for-SIPI where IA32_VMX_MISC bit 8 allows it, else trap */
	AP_START_SIPI,             /* the wait-for-SIPI activity state (refused without the bit) */
	AP_START_TRAP,             /* trap the ICR and emulate INIT and start-up */
};

/* DMA protection with VT-d (iommu=, docs/architecture.md "DMA protection with VT-d"). */
enum iommu_mode {
	IOMMU_ON = 0,              /* translation on in every unit that allows it; guests run without too */
	IOMMU_OFF,                 /* probe and print only: devices reach all memory, the guest keeps the DMAR */
	IOMMU_REQUIRED,            /* as on, and no guest starts unless a unit protects the machine */
};

/* Options the hypervisor takes, with their defaults in cmdline_defaults(). */
struct hv_options {
	uint16_t serial_port;            /* serial=com1..com4|0xNNN   default com1 (0x3f8) */
	uint32_t serial_baud;            /* baud=N (50..115200, must divide 115200) default 115200 */
	uint64_t hv_mem;                 /* hvmem=SIZE (K/M/G suffix, multiple of 2 MiB, 16M..64G) default 64M */
	bool debug_heap;                 /* heapdebug=on|off   default on */
	bool test_hooks;                 /* hvtest[=on|off]: the test options and hypercalls exist, default off */
	enum test_fault test_fault;      /* testfault=ud|null|wtext|xdata|stack|panic|heapoverflow|doublefree|nmi|mc */
	enum test_vmx test_vmx;          /* testvmx=fclocked|noept|noug|nowfs|efientry|apjoin */
	uint64_t test_mmio;              /* testmmio=ADDR: the test MMIO device there (4 KiB aligned), 0 = none */
	uint16_t debug_exit_port;        /* debugexit[=PORT]: the debug-exit device (0xf4 if bare), 0 = none */
	bool print_ept_map;              /* eptmap=on|off: print the whole EPT after building it, default off */
	bool test_x2apic;                /* testx2apic: the boot CPU's APIC to x2APIC mode before the APs start */
	bool test_vtd_qi;                /* testvtd=qi|auto: VT-d queued invalidation where the unit has it */
	bool test_vtd_fw;                /* testvtd=fw: VT-d units made to look as firmware may leave them */
	unsigned int max_cpus;           /* cpus=N (1..256): CPUs to run, the boot CPU included; 0 = all */
	enum ap_start ap_start;          /* apstart=auto|sipi|trap   default auto */
	enum iommu_mode iommu;           /* iommu=off|on|required    default on */

	/* what was wrong with the command line; the defaults stay in force */
	char warnings[CMDLINE_MAX_WARNINGS][CMDLINE_WARNING_LEN];
	unsigned int warning_count;
};

/* The testfault= name of a fault ("ud", ...). */
const char *test_fault_name(enum test_fault f);

/* The apstart= name of a choice ("auto", "sipi", "trap"). */
const char *ap_start_name(enum ap_start a);

/* The iommu= name of a mode ("on", "off", "required"). */
const char *iommu_mode_name(enum iommu_mode m);

/* What apstart=requested means on a CPU with (wait_for_sipi) or without the
 * wait-for-SIPI state: AP_START_SIPI or AP_START_TRAP (sipi without the
 * state falls back to trap; the caller says so). */
enum ap_start ap_start_resolve(enum ap_start requested, bool wait_for_sipi);

/* Fills `o` with the defaults. */
void cmdline_defaults(struct hv_options *o);

/*
 * Parses `s` (NULL or "" allowed) into `o`, which must hold defaults first.
 * Words are separated by spaces or tabs; values may be double-quoted.
 * Unknown keys and bad values leave the default in place and add a warning
 * ("unknown option 'foo'", "bad value 'x' for baud: ...").
 */
void cmdline_parse(const char *s, struct hv_options *o);

/*
 * Finds the value of `key` in a command line: copies it (quotes removed) to
 * buf and returns its length, 0 for a bare "key" word, or -ENOENT if absent;
 * -ERANGE if it did not fit. The last occurrence wins.
 */
int cmdline_get(const char *s, const char *key, char *buf, size_t size);

/* Parses "64M", "0x1000", "2G", "512k", "4096" into bytes. Returns 0 or -EINVAL/-ERANGE. */
int __must_check parse_size(const char *s, uint64_t *out);

/* Parses a decimal or 0x-hex unsigned integer. Returns 0 or -EINVAL/-ERANGE. */
int __must_check parse_u64(const char *s, uint64_t *out);

#endif
