/* boot/efi/core_enter.c - the call from hv.efi into the hypervisor core's
 * efi_entry64, recording the firmware's CPU state at the return point for
 * chain mode (boot/info/efi_handoff.h: struct efi_cpu_state). */
#include "boot/efi/core_enter.h"
#include "arch/cpu.h"
#include "arch/msr.h"

/* SDM Vol. 4, table 2-2 (named here: arch/msr.h does not list them). */
#define MSR_IA32_SYSENTER_CS_FW  0x174
#define MSR_IA32_SYSENTER_ESP_FW 0x175
#define MSR_IA32_SYSENTER_EIP_FW 0x176
#define MSR_IA32_DEBUGCTL_FW     0x1d9

void core_capture_env(struct efi_cpu_state *fw)
{
	struct descriptor_ptr gdtr, idtr;

	sgdt(&gdtr);
	sidt(&idtr);
	fw->gdtr_base = gdtr.base;
	fw->gdtr_limit = gdtr.limit;
	fw->idtr_base = idtr.base;
	fw->idtr_limit = idtr.limit;
	fw->cr0 = read_cr0();
	fw->cr3 = read_cr3();
	fw->cr4 = read_cr4();
	fw->efer = rdmsr(MSR_IA32_EFER);
	fw->pat = rdmsr(MSR_IA32_PAT);
	fw->fs_base = rdmsr(MSR_FS_BASE);
	fw->gs_base = rdmsr(MSR_GS_BASE);
	fw->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	asm volatile("mov %%dr7, %0" : "=r"(fw->dr7));
	fw->debugctl = rdmsr(MSR_IA32_DEBUGCTL_FW);
	fw->sysenter_cs = rdmsr(MSR_IA32_SYSENTER_CS_FW);
	fw->sysenter_esp = rdmsr(MSR_IA32_SYSENTER_ESP_FW);
	fw->sysenter_eip = rdmsr(MSR_IA32_SYSENTER_EIP_FW);
	fw->cs = read_seg(cs);
	fw->ds = read_seg(ds);
	fw->es = read_seg(es);
	fw->fs = read_seg(fs);
	fw->gs = read_seg(gs);
	fw->ss = read_seg(ss);
	fw->tr = read_tr();
	fw->ldtr = read_ldtr();
}

#define FW_OFF(f) "i"(__builtin_offsetof(struct efi_cpu_state, f))

/*
 * Calls entry(rdi, rsi) after recording in fw the registers of the return
 * point: chain mode resumes the firmware there with this RSP, RFLAGS and
 * callee-saved registers (RAX = 0). Every register the System V ABI lets a
 * callee change is declared clobbered, so the compiler keeps nothing else
 * live across it.
 */
static uint64_t call_capturing(hpa_t entry, uint64_t rdi, uint64_t rsi, struct efi_cpu_state *fw)
{
	uint64_t rc;

	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, %c[rip](%[fw])\n\t"
		     "mov %%rsp, %c[rsp](%[fw])\n\t"
		     "pushfq\n\t"
		     "popq %c[rflags](%[fw])\n\t"
		     "mov %%rbx, %c[rbx](%[fw])\n\t"
		     "mov %%rbp, %c[rbp](%[fw])\n\t"
		     "mov %%rdi, %c[rdi](%[fw])\n\t"
		     "mov %%rsi, %c[rsi](%[fw])\n\t"
		     "mov %%r12, %c[r12](%[fw])\n\t"
		     "mov %%r13, %c[r13](%[fw])\n\t"
		     "mov %%r14, %c[r14](%[fw])\n\t"
		     "mov %%r15, %c[r15](%[fw])\n\t"
		     "call *%[entry]\n"
		     "1:"
		     : "=&a"(rc), "+D"(rdi), "+S"(rsi)
		     : [fw] "r"(fw), [entry] "r"(entry),
		       [rip] FW_OFF(rip), [rsp] FW_OFF(rsp), [rflags] FW_OFF(rflags),
		       [rbx] FW_OFF(rbx), [rbp] FW_OFF(rbp), [rdi] FW_OFF(rdi), [rsi] FW_OFF(rsi),
		       [r12] FW_OFF(r12), [r13] FW_OFF(r13), [r14] FW_OFF(r14), [r15] FW_OFF(r15)
		     : "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc");
	return rc;
}

uint64_t core_enter(hpa_t entry, struct boot_info *bi, struct efi_handoff *h)
{
	core_capture_env(&h->fw);
	return call_capturing(entry, (uint64_t)(uintptr_t)bi, (uint64_t)(uintptr_t)h, &h->fw);
}

uint64_t core_ap_enter(hpa_t ap_entry, struct efi_ap_handoff *a)
{
	core_capture_env(&a->fw);
	return call_capturing(ap_entry, (uint64_t)(uintptr_t)a, 0, &a->fw);
}
