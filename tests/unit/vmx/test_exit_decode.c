/* tests/unit/vmx/test_exit_decode.c - exit-reason and error names, qualification decoders, interruption info. */
#include "tests/unit/check.h"
#include "vmx/exit_decode.h"
#include "vmx/vmcs.h"
#include "vmx/inject_rules.h"

/* Every reason vmx/vmcs.h names. */
static const unsigned int known_reasons[] = {
	EXIT_REASON_EXCEPTION_NMI, EXIT_REASON_EXTERNAL_INTERRUPT, EXIT_REASON_TRIPLE_FAULT,
	EXIT_REASON_INIT_SIGNAL, EXIT_REASON_SIPI, EXIT_REASON_IO_SMI, EXIT_REASON_OTHER_SMI,
	EXIT_REASON_INTERRUPT_WINDOW, EXIT_REASON_NMI_WINDOW, EXIT_REASON_TASK_SWITCH,
	EXIT_REASON_CPUID, EXIT_REASON_GETSEC, EXIT_REASON_HLT, EXIT_REASON_INVD,
	EXIT_REASON_INVLPG, EXIT_REASON_RDPMC, EXIT_REASON_RDTSC, EXIT_REASON_RSM,
	EXIT_REASON_VMCALL, EXIT_REASON_VMCLEAR, EXIT_REASON_VMLAUNCH, EXIT_REASON_VMPTRLD,
	EXIT_REASON_VMPTRST, EXIT_REASON_VMREAD, EXIT_REASON_VMRESUME, EXIT_REASON_VMWRITE,
	EXIT_REASON_VMXOFF, EXIT_REASON_VMXON, EXIT_REASON_CR_ACCESS, EXIT_REASON_DR_ACCESS,
	EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_MSR_READ, EXIT_REASON_MSR_WRITE,
	EXIT_REASON_INVALID_GUEST_STATE, EXIT_REASON_MSR_LOADING, EXIT_REASON_MWAIT_INSTRUCTION,
	EXIT_REASON_MONITOR_TRAP_FLAG, EXIT_REASON_MONITOR_INSTRUCTION,
	EXIT_REASON_PAUSE_INSTRUCTION, EXIT_REASON_MCE_DURING_VMENTRY,
	EXIT_REASON_TPR_BELOW_THRESHOLD, EXIT_REASON_APIC_ACCESS, EXIT_REASON_EOI_INDUCED,
	EXIT_REASON_GDTR_IDTR, EXIT_REASON_LDTR_TR, EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_EPT_MISCONFIG, EXIT_REASON_INVEPT, EXIT_REASON_RDTSCP,
	EXIT_REASON_PREEMPTION_TIMER, EXIT_REASON_INVVPID, EXIT_REASON_WBINVD,
	EXIT_REASON_XSETBV, EXIT_REASON_APIC_WRITE, EXIT_REASON_RDRAND, EXIT_REASON_INVPCID,
	EXIT_REASON_VMFUNC, EXIT_REASON_ENCLS, EXIT_REASON_RDSEED, EXIT_REASON_PML_FULL,
	EXIT_REASON_XSAVES, EXIT_REASON_XRSTORS, EXIT_REASON_UMWAIT, EXIT_REASON_TPAUSE,
};

TEST(exit_reason_names)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(known_reasons); i++) {
		const char *n = vmx_exit_reason_name(known_reasons[i]);

		CHECK(n && *n && strcmp(n, "reserved") != 0);
		/* No two reasons share a name. */
		for (unsigned int j = 0; j < i; j++)
			CHECK(strcmp(n, vmx_exit_reason_name(known_reasons[j])) != 0);
	}
	CHECK_STR(vmx_exit_reason_name(EXIT_REASON_CPUID), "CPUID");
	CHECK_STR(vmx_exit_reason_name(EXIT_REASON_EPT_VIOLATION), "EPT violation");
	CHECK_STR(vmx_exit_reason_name(EXIT_REASON_INVALID_GUEST_STATE),
		  "VM-entry failure due to invalid guest state");
	CHECK_STR(vmx_exit_reason_name(EXIT_REASON_CR_ACCESS), "control-register access");
	/* Gaps in Appendix C, past its end, and the entry-failure bit left in. */
	CHECK_STR(vmx_exit_reason_name(35), "reserved");
	CHECK_STR(vmx_exit_reason_name(38), "reserved");
	CHECK_STR(vmx_exit_reason_name(42), "reserved");
	CHECK_STR(vmx_exit_reason_name(71), "reserved");
	CHECK_STR(vmx_exit_reason_name(EXIT_REASON_COUNT - 1), "reserved");
	CHECK_STR(vmx_exit_reason_name(EXIT_REASON_COUNT), "reserved");
	CHECK_STR(vmx_exit_reason_name(0x80000021u), "reserved");
	CHECK_STR(vmx_exit_reason_name(~0u), "reserved");
}

TEST(instruction_error_names)
{
	CHECK_STR(vmx_instruction_error_name(7), "VM entry with invalid control field(s)");
	CHECK_STR(vmx_instruction_error_name(8), "VM entry with invalid host-state field(s)");
	CHECK_STR(vmx_instruction_error_name(4), "VMLAUNCH with non-clear VMCS");
	CHECK_STR(vmx_instruction_error_name(12), "VMREAD/VMWRITE from/to unsupported VMCS component");
	CHECK_STR(vmx_instruction_error_name(28), "invalid operand to INVEPT/INVVPID");
	/* 0 is "no error recorded", 14/21/27 are gaps in Table 31-1. */
	static const unsigned int unknown[] = { 0, 14, 21, 27, 29, 1000, ~0u };
	for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++)
		CHECK_STR(vmx_instruction_error_name(unknown[i]), "unknown error");
	for (unsigned int e = 1; e <= 28; e++)
		if (e != 14 && e != 21 && e != 27)
			CHECK(strcmp(vmx_instruction_error_name(e), "unknown error") != 0);
}

/*
 * Table 28-3: bits 3:0 the CR, 5:4 the access type (0 MOV to CR, 1 MOV from
 * CR, 2 CLTS, 3 LMSW), 6 LMSW operand type (1 memory), 11:8 the GPR of a MOV,
 * 31:16 LMSW source data.
 *   mov %rax,%cr0   cr 0, type 0, rax 0         -> 0x000
 *   mov %cr4,%rbx   cr 4, type 1 (0x10), rbx 3  -> 0x314
 *   mov %r15,%cr3   cr 3, type 0, r15 15        -> 0xf03
 *   mov %cr8,%rsi   cr 8, type 1, rsi 6         -> 0x618
 *   clts            cr 0, type 2 (0x20)         -> 0x020
 *   lmsw (mem)=1    type 3 (0x30), memory 0x40, source 1 << 16 -> 0x10070
 */
TEST(cr_access)
{
	struct cr_access a;

	memset(&a, 0xa5, sizeof(a));
	vmx_decode_cr_access(0x0, &a);
	CHECK(a.cr == 0 && a.type == CR_ACCESS_MOV_TO && a.gpr == 0);
	CHECK(!a.lmsw_memory && a.lmsw_source == 0);

	vmx_decode_cr_access(0x314, &a);
	CHECK(a.cr == 4 && a.type == CR_ACCESS_MOV_FROM && a.gpr == 3);

	vmx_decode_cr_access(0xf03, &a);
	CHECK(a.cr == 3 && a.type == CR_ACCESS_MOV_TO && a.gpr == 15);

	vmx_decode_cr_access(0x618, &a);
	CHECK(a.cr == 8 && a.type == CR_ACCESS_MOV_FROM && a.gpr == 6);

	vmx_decode_cr_access(0x20, &a);
	CHECK(a.cr == 0 && a.type == CR_ACCESS_CLTS);

	vmx_decode_cr_access(0x10070, &a);
	CHECK(a.cr == 0 && a.type == CR_ACCESS_LMSW);
	CHECK(a.lmsw_memory);
	CHECK_EQ(a.lmsw_source, 1);

	/* lmsw %ax with AX = 0xffff: register operand. */
	vmx_decode_cr_access(0xffff0030, &a);
	CHECK(a.type == CR_ACCESS_LMSW && !a.lmsw_memory);
	CHECK_EQ(a.lmsw_source, 0xffff);

	/* The LMSW fields mean nothing for MOV: left 0 even if bits are set. */
	vmx_decode_cr_access(0x12340044, &a);
	CHECK(a.cr == 4 && a.type == CR_ACCESS_MOV_TO);
	CHECK(!a.lmsw_memory && a.lmsw_source == 0);
}

/*
 * Table 28-5: bits 2:0 size - 1, 3 IN, 4 string, 5 REP, 6 immediate port,
 * 31:16 port. Instruction information (26.9.4): bits 9:7 address size
 * (0 16, 1 32, 2 64 bits), 17:15 segment.
 */
TEST(io_simple)
{
	struct io_access io;

	/* out %al,$0x80: size 0, OUT, immediate (0x40), port 0x80. */
	memset(&io, 0xa5, sizeof(io));
	vmx_decode_io(0x00800040, 0, &io);
	CHECK_EQ(io.port, 0x80);
	CHECK_EQ(io.size, 1);
	CHECK(!io.in && !io.string && !io.rep && io.imm_operand);
	CHECK(io.addr_size == 0 && io.segment == 0);

	/* in (%dx),%eax with DX = 0x3f8: size 3 (4 bytes), IN (0x8), DX. */
	vmx_decode_io(0x03f8000b, 0xffffffff, &io);
	CHECK_EQ(io.port, 0x3f8);
	CHECK_EQ(io.size, 4);
	CHECK(io.in && !io.string && !io.rep && !io.imm_operand);
	/* Instruction information is not used for IN/OUT. */
	CHECK(io.addr_size == 0 && io.segment == 0);

	/* outw %ax,(%dx) to 0xcfc. */
	vmx_decode_io(0x0cfc0001, 0, &io);
	CHECK(io.port == 0xcfc && io.size == 2 && !io.in);

	/* Size encoding 2 is not defined. */
	vmx_decode_io(0x00800042, 0, &io);
	CHECK_EQ(io.size, 0);
}

TEST(io_string)
{
	struct io_access io;

	/* rep outsb to 0x3f8 with a 32-bit address size, DS:ESI:
	 * qual 0x30 (string, REP) | port; info (1 << 7) | (3 << 15). */
	vmx_decode_io(0x03f80030, 0x00018080, &io);
	CHECK_EQ(io.port, 0x3f8);
	CHECK_EQ(io.size, 1);
	CHECK(!io.in && io.string && io.rep && !io.imm_operand);
	CHECK_EQ(io.addr_size, 4);
	CHECK_EQ(io.segment, 3);

	/* outsl with an FS override and a 16-bit address size. */
	vmx_decode_io(0x01f00013, 4u << 15, &io);
	CHECK(io.size == 4 && io.string && !io.rep);
	CHECK_EQ(io.addr_size, 2);
	CHECK_EQ(io.segment, 4);

	/* rep insw from 0x1f0 with a 64-bit address size: qual 0x39, info 2 << 7.
	 * INS always uses ES, whatever bits 17:15 hold. */
	vmx_decode_io(0x01f00039, (2u << 7) | (5u << 15), &io);
	CHECK_EQ(io.port, 0x1f0);
	CHECK_EQ(io.size, 2);
	CHECK(io.in && io.string && io.rep && !io.imm_operand);
	CHECK_EQ(io.addr_size, 8);
	CHECK_EQ(io.segment, 0);

	/* Address-size encoding 3 is not defined. */
	vmx_decode_io(0x01f00039, 3u << 7, &io);
	CHECK_EQ(io.addr_size, 0);
}

/* Table 28-7 examples. */
TEST(ept_violation)
{
	struct ept_violation v;

	/* A guest write through a linear address to a page mapped read+execute:
	 * write 0x2, readable 0x8, executable 0x20, GLA valid 0x80, translation 0x100. */
	memset(&v, 0xa5, sizeof(v));
	vmx_decode_ept_violation(0x1aa, &v);
	CHECK(!v.read && v.write && !v.fetch);
	CHECK(v.readable && !v.writable && v.executable);
	CHECK(v.gla_valid && v.gla_translation && !v.nmi_unblocking);

	/* The guest's page walk reads a paging-structure entry in unmapped
	 * memory: read, nothing allowed, GLA valid, not the final translation. */
	vmx_decode_ept_violation(0x81, &v);
	CHECK(v.read && !v.write && !v.fetch);
	CHECK(!v.readable && !v.writable && !v.executable);
	CHECK(v.gla_valid && !v.gla_translation);

	/* An instruction fetch with no linear address, during an IRET that
	 * unblocked NMIs. */
	vmx_decode_ept_violation(0x1004, &v);
	CHECK(v.fetch && !v.read && !v.write);
	CHECK(!v.gla_valid && !v.gla_translation && v.nmi_unblocking);

	/* Bit 8 means nothing without bit 7. */
	vmx_decode_ept_violation(0x101, &v);
	CHECK(!v.gla_valid && !v.gla_translation);
}

TEST(intr_info)
{
	CHECK_EQ(vmx_intr_info(13, INTR_TYPE_HARDWARE_EXCEPTION, true), 0x80000b0d);
	CHECK_EQ(vmx_intr_info(14, INTR_TYPE_HARDWARE_EXCEPTION, true), 0x80000b0e);
	CHECK_EQ(vmx_intr_info(6, INTR_TYPE_HARDWARE_EXCEPTION, false), 0x80000306);
	CHECK_EQ(vmx_intr_info(2, INTR_TYPE_NMI, false), 0x80000202);
	CHECK_EQ(vmx_intr_info(0x30, INTR_TYPE_EXTERNAL_INTERRUPT, false), 0x80000030);
	CHECK_EQ(vmx_intr_info(0x80, INTR_TYPE_SOFTWARE_INTERRUPT, false), 0x80000480);
	CHECK_EQ(vmx_intr_info(3, INTR_TYPE_SOFTWARE_EXCEPTION, false), 0x80000603);
	CHECK_EQ(vmx_intr_info(0, INTR_TYPE_OTHER_EVENT, false), 0x80000700);
	/* Out-of-range arguments stay inside their fields. */
	CHECK_EQ(vmx_intr_info(0x1ff, 8 | INTR_TYPE_NMI, false), 0x800002ff);
}

/* The architectural list (protected mode, a CPU with CET); the mode and CPU
 * cases are in test_inject_rules. */
static const struct inject_ctx prot_cet = { .protected_mode = true, .any_error_code = true };

TEST(exceptions_with_error_code)
{
	for (unsigned int v = 0; v < 64; v++) {
		bool want = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;

		CHECK_EQ(inject_exception_has_error_code(v, &prot_cet), want);
	}
	CHECK(!inject_exception_has_error_code(~0u, &prot_cet));
}

TEST(entry_failure_detail)
{
	char buf[64];

	CHECK_EQ(vmx_entry_failure_detail(33, 0, buf, sizeof(buf)), strlen("no detail"));
	CHECK_STR(buf, "no detail");
	vmx_entry_failure_detail(33, 1, buf, sizeof(buf));
	CHECK_STR(buf, "no detail");
	vmx_entry_failure_detail(33, 2, buf, sizeof(buf));
	CHECK_STR(buf, "PDPTE load failed");
	vmx_entry_failure_detail(33, 3, buf, sizeof(buf));
	CHECK_STR(buf, "NMI injection blocked");
	vmx_entry_failure_detail(33, 4, buf, sizeof(buf));
	CHECK_STR(buf, "invalid VMCS link pointer");
	vmx_entry_failure_detail(33, 9, buf, sizeof(buf));
	CHECK_STR(buf, "unknown detail 9");
	vmx_entry_failure_detail(34, 3, buf, sizeof(buf));
	CHECK_STR(buf, "MSR-load entry 3 failed");
	vmx_entry_failure_detail(EXIT_REASON_MCE_DURING_VMENTRY, 0, buf, sizeof(buf));
	CHECK_STR(buf, "no detail");

	/* Truncation as fmt_snprintf. */
	CHECK_EQ(vmx_entry_failure_detail(34, 12, buf, 8), strlen("MSR-load entry 12 failed"));
	CHECK_STR(buf, "MSR-loa");
	CHECK_EQ(vmx_entry_failure_detail(34, 12, NULL, 0), strlen("MSR-load entry 12 failed"));
}

static const char *describe(uint32_t info)
{
	static char buf[128];

	CHECK_EQ(vmx_describe_intr_info(info, buf, sizeof(buf)), strlen(buf));
	return buf;
}

TEST(describe_intr_info)
{
	CHECK_STR(describe(0x80000b0e), "hardware exception #PF (14) with error code");
	CHECK_STR(describe(0x80000b0d), "hardware exception #GP (13) with error code");
	CHECK_STR(describe(0x80000306), "hardware exception #UD (6)");
	CHECK_STR(describe(0x80000202), "NMI (2)");
	CHECK_STR(describe(0), "none");
	CHECK_STR(describe(0x00000b0e), "none");
	CHECK_STR(describe(0x80000030), "external interrupt vector 48 (0x30)");
	CHECK_STR(describe(0x80000480), "software interrupt vector 128 (0x80)");
	CHECK_STR(describe(0x80000603), "software exception #BP (3)");
	CHECK_STR(describe(0x80000501), "privileged software exception #DB (1)");
	CHECK_STR(describe(0x80000700), "other event: pending MTF VM exit");
	CHECK_STR(describe(0x8000030f), "hardware exception vector 15 (0xf)");
	CHECK_STR(describe(0x80000140), "reserved type 1 vector 64 (0x40)");
	CHECK_STR(describe(0x80001b0e),
		  "hardware exception #PF (14) with error code, NMI unblocking due to IRET");
	/* Round trip through vmx_intr_info for every exception. */
	for (unsigned int v = 0; v < 32; v++) {
		bool ec = inject_exception_has_error_code(v, &prot_cet);
		const char *d = describe(vmx_intr_info(v, INTR_TYPE_HARDWARE_EXCEPTION, ec));

		CHECK(strncmp(d, "hardware exception ", 19) == 0);
		CHECK_EQ(strstr(d, "with error code") != NULL, ec);
	}
}

/* Exit reason 41 always carries the VM-entry-failure bit (26.8); its guest
 * can go on, so it reaches its handler instead of the entry-failure stop. */
TEST(test_entry_failure_dispatch)
{
	CHECK(vmx_exit_reason_dispatched(EXIT_REASON_CPUID));
	CHECK(vmx_exit_reason_dispatched(EXIT_REASON_EXCEPTION_NMI));
	CHECK(vmx_exit_reason_dispatched(EXIT_REASON_MCE_DURING_VMENTRY | EXIT_REASON_ENTRY_FAILURE));
	CHECK(!vmx_exit_reason_dispatched(33 | EXIT_REASON_ENTRY_FAILURE));   /* invalid guest state */
	CHECK(!vmx_exit_reason_dispatched(34 | EXIT_REASON_ENTRY_FAILURE));   /* MSR loading */
}
