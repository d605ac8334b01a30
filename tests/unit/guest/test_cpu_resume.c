/* tests/unit/guest/test_cpu_resume.c - resuming a captured firmware CPU: OVMF's
 * GDT and selectors (EDK II UefiCpuPkg/CpuDxe/CpuGdt.c: code64 0x38, data 0x30,
 * no TR, no LDT), a firmware with a TSS, and every refusal. */
#include "tests/unit/check.h"
#include "guest/load/cpu_resume.h"

static char err[200];
static struct cpu_resume r;

/* EDK II's X64 GDT: null, linear data, linear code (32), system data, system
 * code (32), spare, data64, code64 (L = 1), spare; then room for a TSS. */
static const uint64_t ovmf_gdt[] = {
	0,
	0x00cf92000000ffffULL, 0x00cf9a000000ffffULL,
	0x00cf92000000ffffULL, 0x00cf9a000000ffffULL,
	0,
	0x00cf92000000ffffULL, 0x00af9a000000ffffULL,
	0,
	/* 0x48: a 64-bit available TSS at 0x123456789abcdef0, limit 0x67 (16 bytes) */
	0x9a0089bcdef00067ULL, 0x0000000012345678ULL,
	/* 0x58: an LDT at 0x1000, limit 0xfff */
	0x0000820010000fffULL, 0,
	/* 0x68: data, read-only, DPL 0; 0x70: data not present; 0x78: code64 DPL 3; 0x80: code32 execute-only */
	0x00cf90000000ffffULL, 0x00cf12000000ffffULL, 0x00affa000000ffffULL, 0x00cf98000000ffffULL,
};

static struct efi_cpu_state ovmf(void)
{
	return (struct efi_cpu_state){
		.rip = 0x1e8a1234, .rsp = 0x1fe9e0f8, .rflags = 0x246,
		.rbx = 1, .rbp = 2, .rdi = 3, .rsi = 4, .r12 = 5, .r13 = 6, .r14 = 7, .r15 = 8,
		.cr0 = 0x80010033, .cr3 = 0x1fc01000, .cr4 = 0x668, .efer = 0xd00, .pat = 0x0007040600070406ULL,
		.fs_base = 0x1111, .gs_base = 0x2222, .kernel_gs_base = 0x3333,
		.gdtr_base = 0x1f5ec000, .gdtr_limit = 0x47, .idtr_base = 0x1f5ec100, .idtr_limit = 0xfff,
		.cs = 0x38, .ds = 0x30, .es = 0x30, .fs = 0x30, .gs = 0x30, .ss = 0x30, .tr = 0, .ldtr = 0,
	};
}

static int resume(const struct efi_cpu_state *fw)
{
	err[0] = 0;
	return cpu_resume_from_efi(fw, ovmf_gdt, sizeof(ovmf_gdt), &r, err, sizeof(err));
}

TEST(ovmf_resumes_as_it_was)
{
	struct efi_cpu_state fw = ovmf();

	CHECK_EQ(resume(&fw), 0);
	CHECK_STR(err, "");
	CHECK_EQ(r.seg[RS_CS].sel, 0x38);
	CHECK_EQ(r.seg[RS_CS].ar, 0xa09b);          /* G, L, P, S, DPL 0, code exec/read accessed */
	CHECK_EQ(r.seg[RS_CS].limit, 0xffffffff);
	CHECK_EQ(r.seg[RS_CS].base, 0);
	for (unsigned int i = 0; i < RS_LDTR; i++) {
		if (i == RS_CS)
			continue;
		CHECK_EQ(r.seg[i].sel, 0x30);
		CHECK_EQ(r.seg[i].ar, 0xc093);      /* G, D/B, P, S, data read/write accessed */
		CHECK_EQ(r.seg[i].limit, 0xffffffff);
	}
	CHECK_EQ(r.seg[RS_FS].base, 0x1111);        /* the MSRs, not the descriptors */
	CHECK_EQ(r.seg[RS_GS].base, 0x2222);
	CHECK_EQ(r.seg[RS_DS].base, 0);
	CHECK_EQ(r.seg[RS_LDTR].ar, RS_AR_UNUSABLE);
	CHECK(r.tr_made_up);
	CHECK_EQ(r.seg[RS_TR].sel, 0);
	CHECK_EQ(r.seg[RS_TR].ar, 0x8b);            /* present busy 64-bit TSS */
	CHECK_EQ(r.seg[RS_TR].limit, 0x67);
	CHECK_EQ(r.seg[RS_TR].base, 0);
	CHECK_EQ(r.cr0, 0x80010033);
	CHECK_EQ(r.cr3, 0x1fc01000);
	CHECK_EQ(r.cr4, 0x668);
	CHECK_EQ(r.efer, 0xd00);
	CHECK_EQ(r.pat, 0x0007040600070406ULL);
	CHECK_EQ(r.kernel_gs_base, 0x3333);
	CHECK_EQ(r.gdtr_base, 0x1f5ec000);
	CHECK_EQ(r.gdtr_limit, 0x47);
	CHECK_EQ(r.idtr_base, 0x1f5ec100);
	CHECK_EQ(r.idtr_limit, 0xfff);
	CHECK_EQ(r.rip, 0x1e8a1234);
	CHECK_EQ(r.rsp, 0x1fe9e0f8);
	CHECK_EQ(r.rflags, 0x246);
	CHECK_EQ(r.rbx, 1);
	CHECK_EQ(r.rbp, 2);
	CHECK_EQ(r.rdi, 3);
	CHECK_EQ(r.rsi, 4);
	CHECK_EQ(r.r12, 5);
	CHECK_EQ(r.r15, 8);
}

TEST(a_loaded_tss_and_ldt_keep_their_64_bit_bases)
{
	struct efi_cpu_state fw = ovmf();

	fw.gdtr_limit = sizeof(ovmf_gdt) - 1;
	fw.tr = 0x48;
	fw.ldtr = 0x58;
	CHECK_EQ(resume(&fw), 0);
	CHECK(!r.tr_made_up);
	CHECK_EQ(r.seg[RS_TR].sel, 0x48);
	CHECK_EQ(r.seg[RS_TR].base, 0x123456789abcdef0ULL);
	CHECK_EQ(r.seg[RS_TR].limit, 0x67);
	CHECK_EQ(r.seg[RS_TR].ar, 0x8b);            /* available in memory, busy as LTR leaves it */
	CHECK_EQ(r.seg[RS_LDTR].base, 0x1000);
	CHECK_EQ(r.seg[RS_LDTR].limit, 0xfff);
	CHECK_EQ(r.seg[RS_LDTR].ar, 0x82);
}

TEST(null_data_selectors_are_unusable)
{
	struct efi_cpu_state fw = ovmf();

	fw.ss = 0;
	fw.ds = 0;
	fw.fs = 0;
	CHECK_EQ(resume(&fw), 0);
	CHECK_EQ(r.seg[RS_SS].ar, RS_AR_UNUSABLE);  /* DPL 0: the CPL */
	CHECK_EQ(r.seg[RS_DS].ar, RS_AR_UNUSABLE);
	CHECK_EQ(r.seg[RS_FS].ar, RS_AR_UNUSABLE);
	CHECK_EQ(r.seg[RS_FS].base, 0x1111);        /* FS base still the MSR's */
	CHECK_EQ(r.seg[RS_ES].ar, 0xc093);
}

TEST(rflags_reserved_bits_cleared_bit_1_set)
{
	struct efi_cpu_state fw = ovmf();

	fw.rflags = 0xffffffff00008228ULL;          /* bits 3, 5, 15 and 63:32 set, bit 1 clear */
	CHECK_EQ(resume(&fw), 0);
	CHECK_EQ(r.rflags, 0x202);
}

/* Each refusal: one change to OVMF's state and the exact message. */
TEST(debug_and_sysenter_state_resumes_as_it_was)
{
	struct efi_cpu_state fw = ovmf();

	/* A debug agent's breakpoint 0 (L0, RW0 = write, LEN0 = 4), LBR on,
	 * FREEZE_LBRS_ON_PMI (bit 11), SYSENTER as a firmware left it. */
	fw.dr7 = 0x000d0401;
	fw.debugctl = 0x801;
	fw.sysenter_cs = 0x38;
	fw.sysenter_esp = 0xffff800012345000ULL;
	fw.sysenter_eip = 0x1e8a0000;
	CHECK_EQ(resume(&fw), 0);
	CHECK_EQ(r.dr7, 0x000d0401);
	CHECK_EQ(r.debugctl, 0x801);
	CHECK_EQ(r.sysenter_cs, 0x38);
	CHECK_EQ(r.sysenter_esp, 0xffff800012345000ULL);
	CHECK_EQ(r.sysenter_eip, 0x1e8a0000);
}

static void refused(struct efi_cpu_state fw, size_t gdt_size, const char *want);

/* 26.3.1.1: what VM entry would refuse is refused here, with the value. */
TEST(debug_and_sysenter_state_vm_entry_refuses)
{
	struct efi_cpu_state fw = ovmf();

	fw.dr7 = 0x100000400ULL;
	refused(fw, sizeof(ovmf_gdt), "DR7 0x100000400 has bits 63:32 set");
	fw = ovmf(); fw.debugctl = 0x4;         /* bit 2: reserved */
	refused(fw, sizeof(ovmf_gdt), "IA32_DEBUGCTL 0x4 has bits VM entry refuses (only 0, 1, 6-14)");
	fw = ovmf(); fw.debugctl = 0x8000;      /* bit 15 */
	refused(fw, sizeof(ovmf_gdt), "IA32_DEBUGCTL 0x8000 has bits VM entry refuses (only 0, 1, 6-14)");
	fw = ovmf(); fw.sysenter_eip = 0x0000800000000000ULL;
	refused(fw, sizeof(ovmf_gdt), "IA32_SYSENTER_ESP 0x0 or _EIP 0x800000000000 is not canonical");
	fw = ovmf(); fw.sysenter_esp = 0xfff0000000000000ULL;
	refused(fw, sizeof(ovmf_gdt), "IA32_SYSENTER_ESP 0xfff0000000000000 or _EIP 0x0 is not canonical");
}

static void refused(struct efi_cpu_state fw, size_t gdt_size, const char *want)
{
	err[0] = 0;
	CHECK_EQ(cpu_resume_from_efi(&fw, ovmf_gdt, gdt_size, &r, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, want);
}

TEST(refusals_name_the_register_and_why)
{
	struct efi_cpu_state fw = ovmf(), big = ovmf();
	size_t all = sizeof(ovmf_gdt);

	big.gdtr_limit = sizeof(ovmf_gdt) - 1;

	fw = ovmf(); fw.cs = 0x10;
	refused(fw, all, "CS selector 0x10: not a present 64-bit code segment (access rights 0xc09a)");
	fw = ovmf(); fw.cs = 0x48;                  /* past gdtr_limit 0x47 */
	refused(fw, all, "CS selector 0x48: null or outside the GDT (access rights 0x0)");
	fw = ovmf(); fw.cs = 0;
	refused(fw, all, "CS selector 0x0: null or outside the GDT (access rights 0x0)");
	fw = ovmf(); fw.cs = 0x3c;
	refused(fw, all, "CS selector 0x3c: an LDT selector (access rights 0x0)");
	fw = big; fw.cs = 0x78;
	refused(fw, all, "CS selector 0x78: not privilege level 0 (access rights 0xa0fa)");
	fw = ovmf(); fw.cs = 0x3b;
	refused(fw, all, "CS selector 0x3b: not privilege level 0 (access rights 0xa09a)");
	fw = big; fw.ss = 0x68;
	refused(fw, all, "SS selector 0x68: not writable data of privilege level 0 (access rights 0xc090)");
	fw = big; fw.ds = 0x70;
	refused(fw, all, "DS selector 0x70: not a present data or readable code segment (access rights 0xc012)");
	fw = big; fw.gs = 0x80;
	refused(fw, all, "GS selector 0x80: not a present data or readable code segment (access rights 0xc098)");
	fw = ovmf(); fw.es = 0x33;
	refused(fw, all, "ES selector 0x33: its descriptor's privilege level is below the selector's RPL (access rights 0xc092)");
	fw = big; fw.tr = 0x30;
	refused(fw, all, "TR selector 0x30: not a present 64-bit TSS (access rights 0xc092)");
	fw = big; fw.ldtr = 0x48;
	refused(fw, all, "LDTR selector 0x48: not a present LDT (access rights 0x89)");
	fw = big; fw.tr = 0x80;                     /* its second 8 bytes past the GDT */
	refused(fw, all, "TR selector 0x80: outside the GDT (access rights 0x0)");
	/* A GDT copy shorter than the limit says: what is missing is outside. */
	fw = ovmf();
	refused(fw, 0x38, "CS selector 0x38: null or outside the GDT (access rights 0x0)");
	fw = ovmf(); fw.cr0 &= ~(1ULL << 31);
	refused(fw, all, "not in 64-bit mode with paging (CR0 0x10033, CR4 0x668, EFER 0xd00)");
	fw = ovmf(); fw.efer = 0x900;
	refused(fw, all, "not in 64-bit mode with paging (CR0 0x80010033, CR4 0x668, EFER 0x900)");
	fw = ovmf(); fw.cr4 |= 1ULL << 12;
	refused(fw, all, "5-level paging (CR4.LA57) is not supported");
	fw = ovmf(); fw.rflags |= 1ULL << 17;
	refused(fw, all, "RFLAGS 0x20246 has the virtual-8086 flag");
}

TEST(a_gdt_copy_never_read_past_its_size)
{
	struct efi_cpu_state fw = ovmf();

	/* Every size from 0 to the whole table: refused or accepted, never a read past it (ASan). */
	fw.gdtr_limit = 0xffff;
	fw.tr = 0x48;
	for (size_t n = 0; n <= sizeof(ovmf_gdt); n++) {
		int rc = cpu_resume_from_efi(&fw, ovmf_gdt, n, &r, err, sizeof(err));

		CHECK(rc == 0 || rc == -EINVAL);
		CHECK_EQ(rc == 0, n >= 0x58);
	}
}
