/* tests/unit/boot/test_efi_entry.c - the real efi_entry64 of build/hv.elf, placed
 * by core_place into memory mapped at a fixed address below 4 GiB and called as
 * the loader calls it: every refusal that comes before its first privileged
 * instruction (pointers, handoff header, mode, load offset) returns the
 * documented code, with the caller's registers intact (the compiler relies on
 * the callee-saved ones across the call). Skipped without build/hv.elf or
 * without such a mapping. */
#include <sys/mman.h>
#include "tests/unit/check.h"
#include "boot/efi/core_load.h"

#define AT_ALIGNED   0x40000000UL         /* 2 MiB aligned: offset 0x3fe00000 */
#define AT_MISALIGNED 0x48100000UL        /* 1 MiB past a 2 MiB boundary */

typedef uint64_t (*entry_fn)(void *bi, void *handoff);

static uint8_t *elf;
static size_t elf_size;
static struct core_image ci;
static char err[160];
static size_t map_len;

static bool load_elf(void)
{
	FILE *f = fopen("build/hv.elf", "rb");
	long n;

	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	elf = malloc((size_t)n);
	elf_size = fread(elf, 1, (size_t)n, f);
	fclose(f);
	return elf_size == (size_t)n && !core_parse(elf, elf_size, &ci, err, sizeof(err));
}

/* Maps the image at `at` (RWX, like the firmware's identity map) with room
 * for a boot_info and a handoff after it; NULL if the host will not. */
static uint8_t *place_at(uintptr_t at, struct core_placed *p)
{
	size_t len = ALIGN_UP(ci.span, 4096) + ALIGN_UP(sizeof(struct boot_info) + sizeof(struct efi_handoff), 4096);
	void *m;

	map_len = len;
	m = mmap((void *)at, len, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (m == MAP_FAILED || m != (void *)at)
		return NULL;
	/* core_place refuses an unaligned address: copy as a careless loader would. */
	if (core_place(elf, elf_size, &ci, m, at & ~(CORE_LOAD_ALIGN - 1), p, err, sizeof(err))) {
		munmap(m, len);
		return NULL;
	}
	p->entry = ci.entry64 + (at - ci.link_base);
	return m;
}

TEST(entry_refuses_what_it_must)
{
	struct core_placed p;
	struct boot_info *bi;
	struct efi_handoff *h, local;
	uint8_t *m;
	entry_fn entry;

	if (!load_elf()) {
		printf("  (no usable build/hv.elf: skipped)\n");
		return;
	}
	m = place_at(AT_ALIGNED, &p);
	if (!m) {
		printf("  (cannot map memory at 0x%lx: skipped)\n", AT_ALIGNED);
		return;
	}
	entry = (entry_fn)(uintptr_t)p.entry;
	bi = (struct boot_info *)(m + ALIGN_UP(ci.span, 4096));
	h = (struct efi_handoff *)(bi + 1);
	p.load_offset = AT_ALIGNED - ci.link_base;
	core_handoff_init(h, &p, EFI_HANDOFF_MODE_BOOT);

	CHECK_EQ(entry(NULL, h), EFI_HANDOFF_E_POINTER);
	CHECK_EQ(entry(bi, NULL), EFI_HANDOFF_E_POINTER);
	CHECK_EQ(entry((uint8_t *)bi + 4, h), EFI_HANDOFF_E_POINTER);     /* not 8-byte aligned */
	memcpy(&local, h, sizeof(local));
	if ((uintptr_t)&local >> 32)                                       /* the host stack: above 4 GiB */
		CHECK_EQ(entry(bi, &local), EFI_HANDOFF_E_POINTER);

	h->magic ^= 1;
	CHECK_EQ(entry(bi, h), EFI_HANDOFF_E_HEADER);
	h->magic ^= 1;
	h->version = EFI_HANDOFF_VERSION + 1;
	CHECK_EQ(entry(bi, h), EFI_HANDOFF_E_HEADER);
	h->version = EFI_HANDOFF_VERSION;
	h->mode = 0;
	CHECK_EQ(entry(bi, h), EFI_HANDOFF_E_MODE);
	h->mode = 3;
	CHECK_EQ(entry(bi, h), EFI_HANDOFF_E_MODE);
	h->mode = EFI_HANDOFF_MODE_CHAIN;                                  /* accepted: on to the offset */
	h->load_offset += CORE_LOAD_ALIGN;
	CHECK_EQ(entry(bi, h), EFI_HANDOFF_E_OFFSET);
	h->load_offset -= CORE_LOAD_ALIGN;
	h->mode = EFI_HANDOFF_MODE_BOOT;
	h->load_offset += CORE_LOAD_ALIGN;                                 /* not where it runs */
	CHECK_EQ(entry(bi, h), EFI_HANDOFF_E_OFFSET);
	h->load_offset -= CORE_LOAD_ALIGN;
	/* The refusal strings the loader prints. */
	CHECK(strstr(efi_handoff_strerror(EFI_HANDOFF_E_OFFSET), "2 MiB") != NULL);
	munmap(m, map_len);
}

TEST(entry_refuses_an_unaligned_image)
{
	struct core_placed p;
	struct boot_info *bi;
	struct efi_handoff *h;
	uint8_t *m;

	if (!elf && !load_elf()) {
		printf("  (no usable build/hv.elf: skipped)\n");
		return;
	}
	m = place_at(AT_MISALIGNED, &p);
	if (!m) {
		printf("  (cannot map memory at 0x%lx: skipped)\n", AT_MISALIGNED);
		return;
	}
	bi = (struct boot_info *)(m + ALIGN_UP(ci.span, 4096));
	h = (struct efi_handoff *)(bi + 1);
	p.load_offset = AT_MISALIGNED - ci.link_base;                      /* what it really is */
	core_handoff_init(h, &p, EFI_HANDOFF_MODE_BOOT);
	CHECK_EQ(((entry_fn)(uintptr_t)p.entry)(bi, h), EFI_HANDOFF_E_OFFSET);
	munmap(m, map_len);
}

typedef uint64_t (*ap_entry_fn)(void *ap);

/* efi_ap_entry64 refuses, changing nothing, a bad block and any AP while the
 * core has prepared none (chain_ap_count 0 in the freshly placed image). */
TEST(ap_entry_refuses_what_it_must)
{
	struct core_placed p;
	struct efi_ap_handoff *a;
	ap_entry_fn ap;
	uint8_t *m;

	if (!elf && !load_elf()) {
		printf("  (no usable build/hv.elf: skipped)\n");
		return;
	}
	CHECK(ci.ap_entry64 != 0);
	m = place_at(AT_ALIGNED, &p);
	if (!m) {
		printf("  (cannot map memory at 0x%lx: skipped)\n", AT_ALIGNED);
		return;
	}
	ap = (ap_entry_fn)(uintptr_t)(ci.ap_entry64 + (AT_ALIGNED - ci.link_base));
	a = (struct efi_ap_handoff *)(m + ALIGN_UP(ci.span, 4096));
	memset(a, 0, sizeof(*a));
	a->magic = EFI_AP_HANDOFF_MAGIC;
	a->cpu_index = 1;
	CHECK_EQ(ap(NULL), EFI_AP_E_POINTER);
	CHECK_EQ(ap((uint8_t *)a + 4), EFI_AP_E_POINTER);
	a->magic ^= 1;
	CHECK_EQ(ap(a), EFI_AP_E_HEADER);
	a->magic ^= 1;
	CHECK_EQ(ap(a), EFI_AP_E_INDEX);        /* no AP prepared */
	a->cpu_index = 0;                       /* the boot CPU's index */
	CHECK_EQ(ap(a), EFI_AP_E_INDEX);
	CHECK_EQ(a->status, EFI_AP_S_NONE);
	munmap(m, map_len);
}
