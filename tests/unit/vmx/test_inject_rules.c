/* tests/unit/vmx/test_inject_rules.c - event injection as SDM Vol. 3C
 * 26.2.1.3 checks it, and RF as the CPU pushes it for faults. */
#include "tests/unit/check.h"
#include "vmx/inject_rules.h"
#include "vmx/vmcs.h"
#include "vmx/exit_decode.h"

static const struct inject_ctx prot = { .protected_mode = true, .any_error_code = false };
static const struct inject_ctx real = { .protected_mode = false, .any_error_code = false };
static const struct inject_ctx cet = { .protected_mode = true, .any_error_code = true };

static uint32_t hw(unsigned int vector, bool code)
{
	return vmx_intr_info(vector, INTR_TYPE_HARDWARE_EXCEPTION, code);
}

TEST(error_code_vectors_in_protected_mode)
{
	for (unsigned int v = 0; v < 32; v++) {
		bool want = v == 8 || (v >= 10 && v <= 14) || v == 17;

		CHECK_EQ(inject_exception_has_error_code(v, &prot), want);
		CHECK_EQ(inject_exception_has_error_code(v, &real), false);
		/* With CET (IA32_VMX_BASIC[56]) #CP has its error code too. */
		CHECK_EQ(inject_exception_has_error_code(v, &cet), want || v == 21);
	}
}

/* What the hypervisor writes for every vector must pass VM entry's checks. */
TEST(what_the_rule_gives_passes_the_entry_checks)
{
	const struct inject_ctx *ctxs[] = { &prot, &real, &cet };

	for (unsigned int k = 0; k < ARRAY_SIZE(ctxs); k++)
		for (unsigned int v = 0; v < 32; v++) {
			bool code = inject_exception_has_error_code(v, ctxs[k]);

			CHECK(inject_check(hw(v, code), code ? 0xfffc : 0, 0, ctxs[k], false) == NULL);
		}
}

/* The three values the issue found failing VM entry (error 7). */
TEST(the_entry_failures_seen)
{
	/* HC_NO_ERROR_CODE as the error code of #GP. */
	CHECK_STR(inject_check(hw(13, true), 0xffffffffu, 0, &prot, false), "error code bits 31:16 not zero");
	CHECK_STR(inject_check(hw(13, true), 0x10000, 0, &prot, false), "error code bits 31:16 not zero");
	CHECK(inject_check(hw(13, true), 0xffff, 0, &prot, false) == NULL);
	/* #CP with an error code on a CPU without CET. */
	CHECK_STR(inject_check(hw(21, true), 0, 0, &prot, false), "error code for an event that has none here");
	CHECK(inject_check(hw(21, true), 0, 0, &cet, false) == NULL);
	/* #GP with an error code to a real-mode guest. */
	CHECK_STR(inject_check(hw(13, true), 0, 0, &real, false), "error code for an event that has none here");
	CHECK(inject_check(hw(13, false), 0, 0, &real, false) == NULL);
	CHECK_STR(inject_check(hw(13, true), 0, 0, &(struct inject_ctx){ false, true }, false),
		  "error code outside protected mode or for a non-exception");
}

TEST(missing_error_code_refused)
{
	CHECK_STR(inject_check(hw(14, false), 0, 0, &prot, false), "no error code for an exception that needs one");
	CHECK(inject_check(hw(14, false), 0, 0, &cet, false) == NULL);   /* CET CPUs do not check */
	CHECK_STR(inject_check(hw(6, true), 0, 0, &prot, false), "error code for an event that has none here");
}

TEST(types_vectors_and_reserved_bits)
{
	CHECK(inject_check(0, 0, 0, &prot, false) == NULL);                       /* nothing to inject */
	CHECK(inject_check(vmx_intr_info(2, INTR_TYPE_NMI, false), 0, 0, &prot, false) == NULL);
	CHECK_STR(inject_check(vmx_intr_info(3, INTR_TYPE_NMI, false), 0, 0, &prot, false),
		  "NMI with a vector other than 2");
	CHECK_STR(inject_check(hw(32, false), 0, 0, &prot, false), "hardware exception vector above 31");
	CHECK_STR(inject_check(vmx_intr_info(0x20, 1, false), 0, 0, &prot, false), "reserved interruption type 1");
	CHECK(inject_check(vmx_intr_info(0x30, INTR_TYPE_EXTERNAL_INTERRUPT, false), 0, 0, &prot, false) == NULL);
	CHECK_STR(inject_check(vmx_intr_info(0x30, INTR_TYPE_EXTERNAL_INTERRUPT, true), 0, 0, &prot, false),
		  "error code for an event that has none here");
	CHECK_STR(inject_check(hw(13, true) | (1u << 12), 0, 0, &prot, false), "reserved bits 30:12 set");
	CHECK_STR(inject_check(vmx_intr_info(0x80, INTR_TYPE_SOFTWARE_INTERRUPT, false), 0, 0, &prot, false),
		  "software event with an instruction length outside 1-15");
	CHECK(inject_check(vmx_intr_info(0x80, INTR_TYPE_SOFTWARE_INTERRUPT, false), 0, 2, &prot, false) == NULL);
	CHECK_STR(inject_check(vmx_intr_info(3, INTR_TYPE_SOFTWARE_EXCEPTION, false), 0, 16, &prot, false),
		  "software event with an instruction length outside 1-15");
	CHECK_STR(inject_check(vmx_intr_info(0, INTR_TYPE_OTHER_EVENT, false), 0, 0, &prot, false),
		  "type 7 (other event) without the monitor trap flag");
	CHECK(inject_check(vmx_intr_info(0, INTR_TYPE_OTHER_EVENT, false), 0, 0, &prot, true) == NULL);
	CHECK_STR(inject_check(vmx_intr_info(1, INTR_TYPE_OTHER_EVENT, false), 0, 0, &prot, true),
		  "other event with a vector other than 0");
}

TEST(exception_classes)
{
	static const unsigned int faults[] = { 0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21 };

	for (unsigned int i = 0; i < ARRAY_SIZE(faults); i++)
		CHECK_EQ(exception_class(faults[i]), EXC_FAULT);
	CHECK_EQ(exception_class(1), EXC_FAULT_OR_TRAP);
	CHECK_EQ(exception_class(2), EXC_INTERRUPT);
	CHECK_EQ(exception_class(3), EXC_TRAP);
	CHECK_EQ(exception_class(4), EXC_TRAP);
	CHECK_EQ(exception_class(8), EXC_ABORT);
	CHECK_EQ(exception_class(18), EXC_ABORT);
	CHECK_EQ(exception_class(9), EXC_RESERVED);
	CHECK_EQ(exception_class(15), EXC_RESERVED);
	for (unsigned int v = 22; v < 40; v++)
		CHECK_EQ(exception_class(v), EXC_RESERVED);
}

TEST(rf_set_for_faults_only)
{
	const uint64_t rf = 1ULL << 16, base = 0x202;

	CHECK_EQ(inject_rflags(13, true, base), base | rf);
	CHECK_EQ(inject_rflags(14, true, base), base | rf);
	CHECK_EQ(inject_rflags(6, true, base), base | rf);
	CHECK_EQ(inject_rflags(3, true, base), base);         /* trap */
	CHECK_EQ(inject_rflags(1, true, base), base);         /* instruction breakpoints push RF = 0 */
	CHECK_EQ(inject_rflags(8, true, base), base);         /* abort */
	CHECK_EQ(inject_rflags(2, true, base), base);
	CHECK_EQ(inject_rflags(13, false, base), base);       /* real mode: FLAGS has no RF */
	CHECK_EQ(inject_rflags(13, true, base | rf), base | rf);
}

/* An NMI goes in only without NMI, MOV-SS or STI blocking and with no other
 * event queued (27.3.1.5); otherwise the NMI window, where the CPU has it. */
TEST(nmi_entry_action_rules)
{
	CHECK_EQ(nmi_entry_action(false, 0, true), NMI_INJECT);
	CHECK_EQ(nmi_entry_action(false, 0, false), NMI_INJECT);
	CHECK_EQ(nmi_entry_action(false, INTERRUPTIBILITY_SMI, true), NMI_INJECT);
	CHECK_EQ(nmi_entry_action(false, INTERRUPTIBILITY_NMI, true), NMI_OPEN_WINDOW);
	CHECK_EQ(nmi_entry_action(false, INTERRUPTIBILITY_MOV_SS, true), NMI_OPEN_WINDOW);
	CHECK_EQ(nmi_entry_action(false, INTERRUPTIBILITY_STI, true), NMI_OPEN_WINDOW);
	CHECK_EQ(nmi_entry_action(true, 0, true), NMI_OPEN_WINDOW);
	CHECK_EQ(nmi_entry_action(false, INTERRUPTIBILITY_NMI, false), NMI_WAIT);
	CHECK_EQ(nmi_entry_action(true, 0, false), NMI_WAIT);
}
