/* vmx/exit_decode.c - names and decoders for VM-exit information (SDM Vol. 3C, 28.2.1, 26.9, 31.4). */
#include "vmx/exit_decode.h"
#include "vmx/vmcs.h"
#include "lib/format.h"

/* Appendix C, Table C-1, worded as there with the first word in lower case. */
static const char *const exit_reason_names[] = {
	[0] = "exception or NMI",
	[1] = "external interrupt",
	[2] = "triple fault",
	[3] = "INIT signal",
	[4] = "start-up IPI (SIPI)",
	[5] = "I/O system-management interrupt (SMI)",
	[6] = "other SMI",
	[7] = "interrupt window",
	[8] = "NMI window",
	[9] = "task switch",
	[10] = "CPUID",
	[11] = "GETSEC",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[17] = "RSM",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMXOFF",
	[27] = "VMXON",
	[28] = "control-register access",
	[29] = "MOV DR",
	[30] = "I/O instruction",
	[31] = "RDMSR",
	[32] = "WRMSR",
	[33] = "VM-entry failure due to invalid guest state",
	[34] = "VM-entry failure due to MSR loading",
	[36] = "MWAIT",
	[37] = "monitor trap flag",
	[39] = "MONITOR",
	[40] = "PAUSE",
	[41] = "VM-entry failure due to machine-check event",
	[43] = "TPR below threshold",
	[44] = "APIC access",
	[45] = "virtualized EOI",
	[46] = "access to GDTR or IDTR",
	[47] = "access to LDTR or TR",
	[48] = "EPT violation",
	[49] = "EPT misconfiguration",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "VMX-preemption timer expired",
	[53] = "INVVPID",
	[54] = "WBINVD or WBNOINVD",
	[55] = "XSETBV",
	[56] = "APIC write",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "page-modification log full",
	[63] = "XSAVES",
	[64] = "XRSTORS",
	[65] = "PCONFIG",
	[66] = "SPP-related event",
	[67] = "UMWAIT",
	[68] = "TPAUSE",
	[69] = "LOADIWKEY",
	[70] = "ENCLV",
	[72] = "ENQCMD PASID translation failure",
	[73] = "ENQCMDS PASID translation failure",
	[74] = "bus lock",
	[75] = "instruction timeout (notify)",
	[76] = "SEAMCALL",
	[77] = "TDCALL",
	[78] = "RDMSRLIST",
	[79] = "WRMSRLIST",
};
_Static_assert(ARRAY_SIZE(exit_reason_names) <= EXIT_REASON_COUNT, "exit reason table too long");

const char *vmx_exit_reason_name(unsigned int basic)
{
	if (basic >= ARRAY_SIZE(exit_reason_names) || !exit_reason_names[basic])
		return "reserved";
	return exit_reason_names[basic];
}

/* 31.4, Table 31-1 */
static const char *const insn_error_names[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_instruction_error_name(unsigned int err)
{
	if (err >= ARRAY_SIZE(insn_error_names) || !insn_error_names[err])
		return "unknown error";
	return insn_error_names[err];
}

void vmx_decode_cr_access(uint64_t qual, struct cr_access *out)
{
	out->cr = (unsigned int)(qual & CR_QUAL_CR_MASK);
	out->type = (enum cr_access_type)((qual >> CR_QUAL_TYPE_SHIFT) & 3u);
	out->gpr = (unsigned int)((qual >> CR_QUAL_GPR_SHIFT) & 0xfu);
	/* Bits 6 and 31:16 are defined for LMSW only (cleared otherwise). */
	out->lmsw_memory = out->type == CR_ACCESS_LMSW && (qual & CR_QUAL_LMSW_MEMORY);
	out->lmsw_source = out->type == CR_ACCESS_LMSW ?
			   (uint16_t)(qual >> CR_QUAL_LMSW_SOURCE_SHIFT) : 0;
}

void vmx_decode_io(uint64_t qual, uint32_t insn_info, struct io_access *out)
{
	/* Bits 2:0 hold size - 1; 2 and 4..7 are not used. */
	static const uint8_t sizes[8] = { 1, 2, 0, 4, 0, 0, 0, 0 };
	/* 26.9.4: instruction-information bits 9:7 are 0 16-bit, 1 32-bit, 2 64-bit. */
	static const uint8_t addr_sizes[8] = { 2, 4, 8, 0, 0, 0, 0, 0 };

	out->port = (uint16_t)(qual >> IO_QUAL_PORT_SHIFT);
	out->size = sizes[qual & IO_QUAL_SIZE_MASK];
	out->in = qual & IO_QUAL_IN;
	out->string = qual & IO_QUAL_STRING;
	out->rep = qual & IO_QUAL_REP;
	out->imm_operand = qual & IO_QUAL_IMM;
	out->addr_size = 0;
	out->segment = 0;
	if (out->string) {
		out->addr_size = addr_sizes[(insn_info >> 7) & 7u];
		/* INS always stores through ES:rDI (no override); bits 17:15 are
		 * undefined for it. */
		out->segment = out->in ? 0 : (uint8_t)((insn_info >> 15) & 7u);
	}
}

uint32_t vmx_intr_info(unsigned int vector, unsigned int type, bool deliver_error_code)
{
	return INTR_INFO_VALID | ((type << INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK) |
	       (vector & INTR_INFO_VECTOR_MASK) | (deliver_error_code ? INTR_INFO_DELIVER_ERROR_CODE : 0);
}

int vmx_entry_failure_detail(unsigned int basic, uint64_t qual, char *buf, size_t len)
{
	/* 27.8: what the qualification of these two entry failures holds. */
	static const char *const guest_state[] = {
		"no detail", "no detail", "PDPTE load failed", "NMI injection blocked",
		"invalid VMCS link pointer",
	};

	if (basic == EXIT_REASON_INVALID_GUEST_STATE) {
		if (qual < ARRAY_SIZE(guest_state))
			return fmt_snprintf(buf, len, "%s", guest_state[qual]);
		return fmt_snprintf(buf, len, "unknown detail %llu", (unsigned long long)qual);
	}
	if (basic == EXIT_REASON_MSR_LOADING)
		return fmt_snprintf(buf, len, "MSR-load entry %llu failed", (unsigned long long)qual);
	return fmt_snprintf(buf, len, "no detail");
}

static const char *const exception_names[32] = {
	[0] = "#DE", [1] = "#DB", [3] = "#BP", [4] = "#OF", [5] = "#BR",
	[6] = "#UD", [7] = "#NM", [8] = "#DF", [10] = "#TS", [11] = "#NP", [12] = "#SS",
	[13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC", [18] = "#MC", [19] = "#XM",
	[20] = "#VE", [21] = "#CP",
};

int vmx_describe_intr_info(uint32_t info, char *buf, size_t len)
{
	static const char *const types[8] = {
		"external interrupt", "reserved type 1", "NMI", "hardware exception",
		"software interrupt", "privileged software exception", "software exception",
		"other event",
	};
	unsigned int vector = info & INTR_INFO_VECTOR_MASK;
	unsigned int type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	const char *ec = info & INTR_INFO_DELIVER_ERROR_CODE ? " with error code" : "";
	/* Bit 12 is defined in exit interruption information only (26.9.2);
	 * the CPU leaves it 0 in the other two fields. */
	const char *nmi = info & INTR_INFO_NMI_UNBLOCKING_IRET ? ", NMI unblocking due to IRET" : "";
	bool exception = type == INTR_TYPE_HARDWARE_EXCEPTION ||
			 type == INTR_TYPE_PRIV_SOFTWARE_EXCEPTION || type == INTR_TYPE_SOFTWARE_EXCEPTION;

	if (!(info & INTR_INFO_VALID))
		return fmt_snprintf(buf, len, "none");
	if (type == INTR_TYPE_NMI)
		return fmt_snprintf(buf, len, "NMI (%u)%s%s", vector, ec, nmi);
	if (exception && vector < 32 && exception_names[vector])
		return fmt_snprintf(buf, len, "%s %s (%u)%s%s", types[type], exception_names[vector],
				    vector, ec, nmi);
	if (type == INTR_TYPE_OTHER_EVENT && vector == 0)
		/* 25.8.3: the only "other event" so far is a pending MTF VM exit. */
		return fmt_snprintf(buf, len, "other event: pending MTF VM exit%s", nmi);
	return fmt_snprintf(buf, len, "%s vector %u (%#x)%s%s", types[type], vector, vector, ec, nmi);
}

bool vmx_exit_reason_dispatched(uint32_t reason)
{
	return !(reason & (1u << 31)) || (reason & 0xffffu) == 41;
}
