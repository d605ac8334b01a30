/* vmx/inject_rules.c - what VM entry may inject (SDM Vol. 3C, 26.2.1.3) and
 * how the CPU itself delivers exceptions (Vol. 3A, 6.5, 6.15, 18.3.1.1). Pure. */
#include "vmx/inject_rules.h"
#include "vmx/vmcs.h"

#define RFLAGS_RF (1ULL << 16)

enum exception_class exception_class(unsigned int vector)
{
	switch (vector) {
	case 0: case 5: case 6: case 7: case 10: case 11: case 12: case 13: case 14:
	case 16: case 17: case 19: case 20: case 21:
		return EXC_FAULT;
	case 1:
		return EXC_FAULT_OR_TRAP;
	case 2:
		return EXC_INTERRUPT;
	case 3: case 4:
		return EXC_TRAP;
	case 8: case 18:
		return EXC_ABORT;
	default:
		return EXC_RESERVED;
	}
}

bool inject_exception_has_error_code(unsigned int vector, const struct inject_ctx *c)
{
	if (!c->protected_mode)
		return false;
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17:
		return true;
	case 21:
		return c->any_error_code;
	default:
		return false;
	}
}

const char *inject_check(uint32_t info, uint32_t error_code, uint32_t insn_len,
			 const struct inject_ctx *c, bool mtf)
{
	unsigned int vector = info & INTR_INFO_VECTOR_MASK;
	unsigned int type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	bool deliver = info & INTR_INFO_DELIVER_ERROR_CODE;

	if (!(info & INTR_INFO_VALID))
		return NULL;
	if (info & 0x7ffff000u)
		return "reserved bits 30:12 set";
	switch (type) {
	case INTR_TYPE_EXTERNAL_INTERRUPT:
		break;
	case 1:
		return "reserved interruption type 1";
	case INTR_TYPE_NMI:
		if (vector != 2)
			return "NMI with a vector other than 2";
		break;
	case INTR_TYPE_HARDWARE_EXCEPTION:
		if (vector > 31)
			return "hardware exception vector above 31";
		break;
	case INTR_TYPE_SOFTWARE_INTERRUPT:
	case INTR_TYPE_PRIV_SOFTWARE_EXCEPTION:
	case INTR_TYPE_SOFTWARE_EXCEPTION:
		if (insn_len < 1 || insn_len > 15)
			return "software event with an instruction length outside 1-15";
		break;
	case INTR_TYPE_OTHER_EVENT:
		if (!mtf)
			return "type 7 (other event) without the monitor trap flag";
		if (vector != 0)
			return "other event with a vector other than 0";
		break;
	}
	if (!c->any_error_code &&
	    deliver != (type == INTR_TYPE_HARDWARE_EXCEPTION && inject_exception_has_error_code(vector, c)))
		return deliver ? "error code for an event that has none here" :
				 "no error code for an exception that needs one";
	if (c->any_error_code && deliver && (!c->protected_mode || type != INTR_TYPE_HARDWARE_EXCEPTION))
		return "error code outside protected mode or for a non-exception";
	if (deliver && (error_code & 0xffff0000u))
		return "error code bits 31:16 not zero";
	return NULL;
}

uint64_t inject_rflags(unsigned int vector, bool protected_mode, uint64_t rflags)
{
	if (protected_mode && exception_class(vector) == EXC_FAULT)
		return rflags | RFLAGS_RF;
	return rflags;
}

enum nmi_entry_action nmi_entry_action(bool event_queued, uint32_t interruptibility, bool window)
{
	if (!event_queued && !(interruptibility & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOV_SS |
						   INTERRUPTIBILITY_STI)))
		return NMI_INJECT;
	return window ? NMI_OPEN_WINDOW : NMI_WAIT;
}
