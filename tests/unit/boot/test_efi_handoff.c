/* tests/unit/boot/test_efi_handoff.c - efi_handoff_check on good and hostile
 * loader hand-offs; boot/entry.asm's copies of the hand-off constants. */
#include "tests/unit/check.h"
#include "boot/info/efi_handoff.h"

static struct boot_info bi, out;
static struct efi_handoff h;
static char err[160];

/* boot_info at 48 MiB, the handoff after it, the image at 0x7a200000 (2 MiB). */
static struct efi_handoff_where where;

static void good(void)
{
	memset(&bi, 0, sizeof(bi));
	memset(&h, 0, sizeof(h));
	strcpy(bi.cmdline, "serial=0x3f8");
	strcpy(bi.loader_name, "hv.efi");
	bi.mmap[0] = (struct boot_mmap_entry){ 0, 0x9f000, BOOT_MEM_AVAILABLE };
	bi.mmap[1] = (struct boot_mmap_entry){ 0x100000, 0x7ff00000, BOOT_MEM_AVAILABLE };
	bi.mmap_count = 2;
	bi.modules[0].start = 0x1000000;
	bi.modules[0].end = 0x1800000;
	strcpy(bi.modules[0].cmdline, "guest hv.name=linux");
	bi.module_count = 1;
	bi.rsdp_len = 36;
	bi.rsdp_revision = 2;
	bi.efi.systab = 0x7f000000;
	bi.efi.mmap[0] = (struct efi_desc){ EFI_CONVENTIONAL_MEMORY, 0x100000, 0, 0x100, 0xf };
	bi.efi.mmap_count = 1;
	bi.efi.desc_size = 48;
	bi.efi.desc_version = 1;
	h.magic = EFI_HANDOFF_MAGIC;
	h.version = EFI_HANDOFF_VERSION;
	h.size = sizeof(h);
	h.boot_info_size = sizeof(bi);
	h.mode = EFI_HANDOFF_MODE_BOOT;
	h.load_offset = 0x7e000000;
	where = (struct efi_handoff_where){ .bi_pa = 0x3000000, .h_pa = 0x3100000,
					    .image_start = 0x7a200000, .image_end = 0x7a400000 };
}

static int check(void)
{
	return efi_handoff_check(&bi, &h, &where, &out, err, sizeof(err));
}

/* Expects a refusal whose message contains `what`. */
#define REFUSED(what)                                            \
	do {                                                      \
		CHECK_EQ(check(), -EINVAL);                       \
		CHECK(strstr(err, what) != NULL);                 \
		if (!strstr(err, what))                           \
			printf("  message: %s\n", err);           \
	} while (0)

TEST(good_handoff_is_copied)
{
	good();
	memset(&out, 0xee, sizeof(out));
	CHECK_EQ(check(), 0);
	CHECK_STR(err, "");
	CHECK_STR(out.cmdline, "serial=0x3f8");
	CHECK_EQ(out.mmap_count, 2);
	CHECK_EQ(out.modules[0].end, 0x1800000);
	CHECK_EQ(out.efi.mmap[0].pages, 0x100);
	CHECK_EQ(out.info_start, 0x3000000);
	CHECK_EQ(out.info_end, 0x3000000 + sizeof(bi));
}

TEST(handoff_header_is_checked)
{
	good(); h.magic ^= 1; REFUSED("handoff magic");
	good(); h.version = EFI_HANDOFF_VERSION + 1; CHECK_EQ(check(), -EINVAL); CHECK(strstr(err, "handoff version") != NULL);
	good(); h.size = 64; REFUSED("handoff of 64 bytes");
	good(); h.boot_info_size -= 8; REFUSED("different builds");
	good(); h.mode = 7; REFUSED("unknown mode 7");
	good(); h.load_offset = 0x1000; REFUSED("not 2 MiB aligned");
	good(); h.pool_start = 0x2000; h.pool_end = 0x1000; REFUSED("hypervisor pool");
	good(); h.pool_start = 0x1000; h.pool_end = 0x1800; REFUSED("hypervisor pool");
	good(); h.pool_start = 0x100000; h.pool_end = 0x200000; CHECK_EQ(check(), 0);
	CHECK_EQ(efi_handoff_check(NULL, &h, &where, &out, err, sizeof(err)), -EINVAL);
	CHECK_EQ(efi_handoff_check(&bi, &h, NULL, &out, err, sizeof(err)), -EINVAL);
}

TEST(chain_mode_needs_a_pool)
{
	good(); h.mode = EFI_HANDOFF_MODE_CHAIN; REFUSED("chain mode: hypervisor pool");
	good(); h.mode = EFI_HANDOFF_MODE_CHAIN; h.pool_start = 0x7c000000; h.pool_end = 0x80000000;
	h.cpu_count = 1;
	CHECK_EQ(check(), 0);
	h.pool_start = 0x7c001000; REFUSED("not 2 MiB aligned");
	h.pool_start = 0x7f200000; REFUSED("at least 16 MiB");             /* 14 MiB */
	h.pool_start = 0xff000000; h.pool_end = 0x101000000; REFUSED("below 4 GiB");
	h.pool_start = 0x7c000000; h.pool_end = 0x80000000;
	CHECK_EQ(check(), 0);
}

/* Review chain2 finding 9: the ACPI view's own EfiACPIMemoryNVS area. */
TEST(chain_mode_acpi_view_area)
{
	good(); h.mode = EFI_HANDOFF_MODE_CHAIN; h.pool_start = 0x7c000000; h.pool_end = 0x80000000; h.cpu_count = 1;
	where.image_start = 0x80000000; where.image_end = 0x80200000;
	/* The map: RAM, then 64 KiB of ACPI NVS at 0x7b000000 (hv.efi's allocation). */
	bi.mmap[1] = (struct boot_mmap_entry){ 0x100000, 0x7af00000, BOOT_MEM_AVAILABLE };
	bi.mmap[2] = (struct boot_mmap_entry){ 0x7b000000, 0x10000, BOOT_MEM_ACPI_NVS };
	bi.mmap[3] = (struct boot_mmap_entry){ 0x7b010000, 0x5000000, BOOT_MEM_AVAILABLE };
	bi.mmap_count = 4;
	h.acpi_view = 0x7b000000; CHECK_EQ(check(), 0);
	h.acpi_view = 0x7b00c000; CHECK_EQ(check(), 0);         /* the last 16 KiB of the range */
	h.acpi_view = 0x7b00d000; REFUSED("is not inside one ACPI NVS range of the memory map");
	h.acpi_view = 0x7a000000; REFUSED("is not inside one ACPI NVS range");     /* RAM */
	h.acpi_view = 0x7b000800; REFUSED("not page aligned");
	h.acpi_view = 0xfffff000; REFUSED("below 4 GiB");
	h.acpi_view = 0x7c100000; REFUSED("overlaps the pool at 0x7c000000");
	bi.mmap[2].addr = 0x80000000; h.acpi_view = 0x80000000; REFUSED("overlaps the core's image at 0x80000000");
	bi.mmap[2].addr = 0x3000000; h.acpi_view = 0x3000000; REFUSED("overlaps boot_info at 0x3000000");
	bi.mmap[2].addr = 0x7b000000;
	/* None (no RSDP): the core uses its pool. */
	h.acpi_view = 0; CHECK_EQ(check(), 0);
	/* Boot mode has no area. */
	good(); h.acpi_view = 0x7b000000; REFUSED("boot mode: an ACPI view area (0x7b000000)");
}

TEST(chain_mode_cpu_list)
{
	good(); h.mode = EFI_HANDOFF_MODE_CHAIN; h.pool_start = 0x7c000000; h.pool_end = 0x80000000;
	REFUSED("0 CPUs listed");
	h.cpu_count = 3; h.cpu_apic_id[0] = 0; h.cpu_apic_id[1] = 2; h.cpu_apic_id[2] = 5;
	CHECK_EQ(check(), 0);
	h.cpu_apic_id[2] = 2; REFUSED("APIC ID 2 listed twice");
	h.cpu_count = EFI_HANDOFF_CPUS_MAX + 1; REFUSED("65 CPUs listed");
	for (unsigned int i = 0; i < EFI_HANDOFF_CPUS_MAX; i++)
		h.cpu_apic_id[i] = i * 2;
	h.cpu_count = EFI_HANDOFF_CPUS_MAX; CHECK_EQ(check(), 0);
	/* Boot mode ignores the list. */
	h.mode = EFI_HANDOFF_MODE_BOOT; h.pool_start = h.pool_end = 0; h.cpu_count = 1000;
	CHECK_EQ(check(), 0);
}

/* Review finding 7: the pool is all the memory mm_init gives out, and the
 * entry zeroes the image's bss: neither may hold what the core still reads. */
TEST(ranges_must_not_overlap)
{
	/* Both modes: the structures outside the image (its bss is zeroed). */
	good(); where.bi_pa = 0x7a3ff000; REFUSED("boot_info at 0x7a3ff000 lies inside the core's image");
	good(); where.bi_pa = where.image_start - sizeof(bi) + 8; REFUSED("boot_info at");
	good(); where.bi_pa = where.image_start - sizeof(bi); CHECK_EQ(check(), 0);
	good(); where.h_pa = 0x7a200000; REFUSED("the handoff at 0x7a200000 lies inside the core's image");
	/* Chain mode: the pool covers none of the image and the structures. */
	good(); h.mode = EFI_HANDOFF_MODE_CHAIN; h.pool_start = 0x7c000000; h.pool_end = 0x80000000; h.cpu_count = 1;
	CHECK_EQ(check(), 0);
	where.image_start = 0x7fe00000; where.image_end = 0x80200000;
	REFUSED("chain mode: the pool [0x7c000000, 0x80000000) overlaps the core's image [0x7fe00000, 0x80200000)");
	where.image_start = 0x80000000; where.image_end = 0x80200000; CHECK_EQ(check(), 0);
	where.bi_pa = 0x7c100000; REFUSED("chain mode: the pool [0x7c000000, 0x80000000) covers boot_info at 0x7c100000");
	where.bi_pa = 0x3000000; where.h_pa = 0x7fff0000; REFUSED("covers the handoff at 0x7fff0000");
	where.h_pa = 0x3100000; CHECK_EQ(check(), 0);
}

TEST(strings_must_end_inside_their_arrays)
{
	good(); memset(bi.cmdline, 'a', sizeof(bi.cmdline)); REFUSED("command line not terminated");
	good(); memset(bi.loader_name, 'a', sizeof(bi.loader_name)); REFUSED("loader name");
	good(); memset(bi.modules[0].cmdline, 'a', BOOT_MOD_CMDLINE_MAX); REFUSED("module 0: command line");
	good(); memset(bi.efi.note, 'a', sizeof(bi.efi.note)); REFUSED("EFI note");
	/* The last byte may be the NUL. */
	good(); memset(bi.cmdline, 'a', sizeof(bi.cmdline) - 1); CHECK_EQ(check(), 0);
}

TEST(counts_must_fit_their_arrays)
{
	good(); bi.mmap_count = BOOT_MMAP_MAX + 1; REFUSED("memory map entries");
	good(); bi.mmap_count = 0; REFUSED("no memory map");
	good(); bi.module_count = BOOT_MODULES_MAX + 1; REFUSED("modules, at most");
	good(); bi.efi.mmap_count = BOOT_EFI_MMAP_MAX + 1; REFUSED("EFI memory descriptors");
	good(); bi.rsdp_len = BOOT_RSDP_MAX + 1; REFUSED("RSDP");
	good(); bi.module_count = 0; CHECK_EQ(check(), 0);
	good(); bi.mmap_count = BOOT_MMAP_MAX;
	for (unsigned int i = 2; i < BOOT_MMAP_MAX; i++)
		bi.mmap[i] = (struct boot_mmap_entry){ 0x100000000ULL * i, 0x1000, BOOT_MEM_RESERVED };
	CHECK_EQ(check(), 0);
}

TEST(ranges_and_values_are_checked)
{
	good(); bi.mmap[1].len = 0; REFUSED("memory map entry 1");
	good(); bi.mmap[1].addr = UINT64_MAX - 0xfff; REFUSED("wraps");
	good(); bi.modules[0].end = 0x100; REFUSED("module 0: end 0x100 below");
	good(); bi.efi.desc_size = 24; REFUSED("descriptor size 24");
	good(); bi.efi.mmap[0].phys = 0x100800; REFUSED("EFI descriptor 0");
	good(); bi.efi.mmap[0].pages = 0; REFUSED("EFI descriptor 0");
	good(); bi.efi.mmap[0].pages = UINT64_MAX >> 12; REFUSED("EFI descriptor 0");
	good(); memset(&bi.mmap_truncated, 7, 1); REFUSED("truncation flag");
	good(); memset(&bi.fb.type, 9, 1); REFUSED("framebuffer type 9");
}

TEST(refusal_codes_have_messages)
{
	for (unsigned int c = EFI_HANDOFF_E_POINTER; c <= EFI_HANDOFF_E_CPU; c++)
		CHECK(strcmp(efi_handoff_strerror(c), "unknown refusal code") != 0);
	CHECK_STR(efi_handoff_strerror(0), "unknown refusal code");
	CHECK(strstr(efi_handoff_strerror(EFI_HANDOFF_E_MODE), "neither boot nor chain") != NULL);
}

/* boot/entry.asm repeats the constants it needs: they must agree with the header. */
static long long asm_define_in(const char *file, const char *name)
{
	FILE *f = fopen(file, "r");
	char line[256], want[80];
	long long v = -1;

	if (!f)
		return -2;
	snprintf(want, sizeof(want), "%%define %s ", name);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)))
			v = strtoll(line + strlen(want), NULL, 0);
	fclose(f);
	return v;
}

static long long asm_define(const char *name)
{
	return asm_define_in("boot/entry.asm", name);
}

/* boot/chain_return.asm reads struct efi_cpu_state by these offsets. */
TEST(chain_return_asm_agrees_with_the_header)
{
#define FW(def, field) CHECK_EQ(asm_define_in("boot/chain_return.asm", def), offsetof(struct efi_cpu_state, field))
	FW("FW_RIP", rip); FW("FW_RSP", rsp); FW("FW_RFLAGS", rflags);
	FW("FW_RBX", rbx); FW("FW_RBP", rbp); FW("FW_RDI", rdi); FW("FW_RSI", rsi);
	FW("FW_R12", r12); FW("FW_R13", r13); FW("FW_R14", r14); FW("FW_R15", r15);
	FW("FW_CR0", cr0); FW("FW_CR3", cr3); FW("FW_CR4", cr4); FW("FW_EFER", efer); FW("FW_PAT", pat);
	FW("FW_FS_BASE", fs_base); FW("FW_GS_BASE", gs_base); FW("FW_KERNEL_GS_BASE", kernel_gs_base);
	FW("FW_GDTR_BASE", gdtr_base); FW("FW_IDTR_BASE", idtr_base);
	FW("FW_GDTR_LIMIT", gdtr_limit); FW("FW_IDTR_LIMIT", idtr_limit);
	FW("FW_CS", cs); FW("FW_DS", ds); FW("FW_ES", es); FW("FW_FS", fs); FW("FW_GS", gs); FW("FW_SS", ss);
	FW("FW_TR", tr); FW("FW_LDTR", ldtr); FW("FW_DR7", dr7); FW("FW_DEBUGCTL", debugctl);
	FW("FW_SYSENTER_CS", sysenter_cs); FW("FW_SYSENTER_ESP", sysenter_esp); FW("FW_SYSENTER_EIP", sysenter_eip);
#undef FW
}

TEST(entry_asm_agrees_with_the_header)
{
	CHECK_EQ((unsigned long long)asm_define("EFI_HANDOFF_MAGIC"), EFI_HANDOFF_MAGIC);
	CHECK_EQ(asm_define("EFI_HANDOFF_VERSION"), EFI_HANDOFF_VERSION);
	CHECK_EQ(asm_define("EFI_HANDOFF_ENTRY_MAGIC"), EFI_HANDOFF_ENTRY_MAGIC);
	CHECK_EQ(asm_define("EFI_HANDOFF_MODE_BOOT"), EFI_HANDOFF_MODE_BOOT);
	CHECK_EQ(asm_define("EFI_HANDOFF_MODE_CHAIN"), EFI_HANDOFF_MODE_CHAIN);
	CHECK_EQ(asm_define("EFI_HANDOFF_E_POINTER"), EFI_HANDOFF_E_POINTER);
	CHECK_EQ(asm_define("EFI_HANDOFF_E_HEADER"), EFI_HANDOFF_E_HEADER);
	CHECK_EQ(asm_define("EFI_HANDOFF_E_MODE"), EFI_HANDOFF_E_MODE);
	CHECK_EQ(asm_define("EFI_HANDOFF_E_OFFSET"), EFI_HANDOFF_E_OFFSET);
	CHECK_EQ(asm_define("EFI_HANDOFF_E_CPU"), EFI_HANDOFF_E_CPU);
	CHECK_EQ(asm_define("HANDOFF_OFF_MAGIC"), offsetof(struct efi_handoff, magic));
	CHECK_EQ(asm_define("HANDOFF_OFF_VERSION"), offsetof(struct efi_handoff, version));
	CHECK_EQ(asm_define("HANDOFF_OFF_MODE"), offsetof(struct efi_handoff, mode));
	CHECK_EQ(asm_define("HANDOFF_OFF_LOAD_OFFSET"), offsetof(struct efi_handoff, load_offset));
	CHECK_EQ(asm_define("HV_NOTE_EFI_ENTRY64"), HV_NOTE_EFI_ENTRY64);
	CHECK_EQ(asm_define("HV_NOTE_EFI_AP_ENTRY64"), HV_NOTE_EFI_AP_ENTRY64);
	CHECK_EQ((unsigned long long)asm_define("EFI_AP_HANDOFF_MAGIC"), EFI_AP_HANDOFF_MAGIC);
	CHECK_EQ(asm_define("AP_HANDOFF_OFF_INDEX"), offsetof(struct efi_ap_handoff, cpu_index));
	CHECK_EQ(asm_define("EFI_AP_E_POINTER"), EFI_AP_E_POINTER);
	CHECK_EQ(asm_define("EFI_AP_E_HEADER"), EFI_AP_E_HEADER);
	CHECK_EQ(asm_define("EFI_AP_E_INDEX"), EFI_AP_E_INDEX);
	CHECK_EQ(asm_define("EFI_AP_E_CPU"), EFI_AP_E_CPU);
}
