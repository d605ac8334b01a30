/* shell/cmd_memory.c - shell commands that look at guest memory: gva (the
 * guest's page walk, level by level), x and xp (hex dumps of guest-virtual
 * and guest-physical memory; xp also shows the hypervisor's own memory that
 * is hidden from the guest, to the operator). They only read: no A/D bits
 * are set, and device memory is never touched (a read could have side effects). */
#include "shell/cmd_memory.h"
#include "shell/session.h"
#include "shell/cmd_parse.h"
#include "drivers/console.h"
#include "guest/dev/emulate.h"
#include "guest/gmap.h"
#include "guest/gmem.h"
#include "guest/emul/gpt_walk.h"
#include "guest/backend.h"
#include "lib/bit_names.h"
#include "lib/hexdump.h"
#include "lib/string.h"
#include "mm/paging.h"

#define DUMP_DEFAULT 64
#define DUMP_MAX     4096

static int peek64(void *ctx, gpa_t pa, uint64_t *val)
{
	return gmem_read(pa, val, sizeof(*val));
}

static int no_write64(void *ctx, gpa_t pa, uint64_t val)
{
	return 0;                       /* looking must not set accessed/dirty bits */
}

static const struct gpt_mem peek_ops = { .read64 = peek64, .write64 = no_write64 };

static void paging_of(struct vcpu *v, struct gpt_cpu *g)
{
	struct guest_cpu c;

	vcpu_read_cpu(v, &c);
	*g = (struct gpt_cpu){
		.cr0 = c.cr0, .cr3 = c.cr3, .cr4 = c.cr4, .efer = c.efer, .rflags = c.regs.rflags,
		.cpl = 0, .maxphyaddr = c.maxphyaddr,
	};
	memcpy(g->pdpte, c.pdpte, sizeof(g->pdpte));
}

/* 4-level paging uses bits 47:0 (5-level 56:0); the rest must copy the top one. */
static bool canonical(enum gpt_mode m, uint64_t gva)
{
	unsigned int bits = m == GPT_5LEVEL ? 57 : 48;
	int64_t s = (int64_t)(gva << (64 - bits)) >> (64 - bits);

	return (m != GPT_4LEVEL && m != GPT_5LEVEL) || (uint64_t)s == gva;
}

/* Translates for a supervisor read; 0, -ENOENT (not mapped) or -EFAULT. */
static int translate(struct vcpu *v, uint64_t gva, struct gpt_result *res)
{
	struct gpt_cpu g;

	paging_of(v, &g);
	if (!canonical(gpt_mode_of(&g), gva))
		return -EINVAL;
	return gpt_translate(&g, &peek_ops, gva, 0, res);
}

size_t shell_read_gva(struct vcpu *v, uint64_t gva, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct gpt_result res;
		size_t chunk = MIN(len - done, PAGE_SIZE - ((gva + done) & (PAGE_SIZE - 1)));

		if (translate(v, gva + done, &res) || gmem_read(res.gpa, buf + done, chunk))
			break;
		done += chunk;
	}
	return done;
}

struct level_name { const char *name; unsigned int shift, bits; };

static const struct level_name levels_32[] = { { "PDE", 22, 10 }, { "PTE", 12, 10 } };
static const struct level_name levels_pae[] = { { "PDPTE", 30, 2 }, { "PDE", 21, 9 }, { "PTE", 12, 9 } };
static const struct level_name levels_4[] = {
	{ "PML4E", 39, 9 }, { "PDPTE", 30, 9 }, { "PDE", 21, 9 }, { "PTE", 12, 9 },
};
static const struct level_name levels_5[] = {
	{ "PML5E", 48, 9 }, { "PML4E", 39, 9 }, { "PDPTE", 30, 9 }, { "PDE", 21, 9 }, { "PTE", 12, 9 },
};

/* Paging-structure entry bits (SDM Vol. 3A, 4.3-4.5): " [P W A D]". */
static void print_entry_flags(uint64_t e, bool nx_exists)
{
	static const struct bit_name flags[] = {
		{ 1u << 0, "P" }, { 1u << 1, "W" }, { 1u << 2, "U" }, { 1u << 3, "PWT" }, { 1u << 4, "PCD" },
		{ 1u << 5, "A" }, { 1u << 6, "D" }, { 1u << 7, "PS" }, { 1u << 8, "G" }, { 1ULL << 63, "NX" },
	};
	char names[64];

	bit_names_format(names, sizeof(names), nx_exists ? e : e & ~(1ULL << 63), flags,
			 ARRAY_SIZE(flags), " ");
	printf(" [%s]", names);
}

void cmd_gva(int argc, char **argv)
{
	static const char *const mode_names[] = { "none", "32-bit", "PAE", "4-level", "5-level" };
	struct vcpu *v;
	struct gpt_result res;
	const struct level_name *lv;
	struct gpt_cpu g;
	uint64_t gva;
	int rc;

	if (argc != 2) {
		shell_usage("gva");
		return;
	}
	if (cmd_parse_u64(argv[1], &gva)) {
		printf("gva: '%s' is not an address (hex like 0xffffffff81000000, or decimal)\n", argv[1]);
		return;
	}
	v = shell_guest("gva");
	if (!v)
		return;
	paging_of(v, &g);
	res.mode = gpt_mode_of(&g);
	if (res.mode == GPT_NONE) {
		printf("gva: paging is off in the guest: GVA 0x%llx is GPA 0x%llx\n", (unsigned long long)gva,
		       (unsigned long long)(gva & 0xffffffffULL));
		return;
	}
	if (!canonical(res.mode, gva)) {
		printf("gva: 0x%llx is not canonical: an access would #GP, no page walk happens\n",
		       (unsigned long long)gva);
		return;
	}
	rc = gpt_translate(&g, &peek_ops, gva, 0, &res);
	lv = res.mode == GPT_32BIT ? levels_32 : res.mode == GPT_PAE ? levels_pae :
	     res.mode == GPT_4LEVEL ? levels_4 : levels_5;
	printf("GVA 0x%llx: %s paging, CR3 0x%llx\n", (unsigned long long)gva, mode_names[res.mode],
	       (unsigned long long)g.cr3);
	for (unsigned int i = 0; i < res.levels && i < 5; i++) {
		printf("  %-5s %4llu at GPA 0x%09llx: 0x%016llx", lv[i].name,
		       (unsigned long long)((gva >> lv[i].shift) & ((1u << lv[i].bits) - 1)),
		       (unsigned long long)res.entry_addrs[i], (unsigned long long)res.entries[i]);
		print_entry_flags(res.entries[i], res.mode != GPT_32BIT);
		printf("\n");
	}
	if (!rc)
		printf("  -> GPA 0x%llx (%llu KiB page)\n", (unsigned long long)res.gpa,
		       (unsigned long long)(res.page_size >> 10));
	else if (rc == -ENOENT)
		printf("  -> not mapped: a supervisor read would page-fault (error code 0x%x)\n", res.pf_error);
	else
		printf("  -> a paging structure is not in guest RAM\n");
}

static int dump_args(int argc, char **argv, const char *cmd, uint64_t *a, uint64_t *n)
{
	int rc;

	if (argc < 2 || argc > 3) {
		shell_usage(cmd);
		return -EINVAL;
	}
	rc = cmd_parse_range(argv[1], argc == 3 ? argv[2] : NULL, a, n, DUMP_DEFAULT);
	if (rc == -ERANGE)
		printf("%s: the range runs past the end of the address space\n", cmd);
	else if (rc)
		printf("%s: bad address or length (numbers in hex like 0x1000 or decimal; length > 0)\n", cmd);
	else if (*n > DUMP_MAX) {
		printf("%s: at most %u bytes at a time\n", cmd, DUMP_MAX);
		rc = -EINVAL;
	}
	return rc;
}

void cmd_x(int argc, char **argv)
{
	uint8_t line[HEXDUMP_PER_LINE];
	char text[HEXDUMP_LINE_MAX];
	struct vcpu *v;
	uint64_t a, n;

	if (dump_args(argc, argv, "x", &a, &n))
		return;
	v = shell_guest("x");
	if (!v)
		return;
	for (uint64_t off = 0; off < n; off += HEXDUMP_PER_LINE) {
		size_t want = (size_t)MIN(n - off, HEXDUMP_PER_LINE);
		size_t got = shell_read_gva(v, a + off, line, want);

		if (got) {
			hexdump_line(text, a + off, line, (unsigned int)got);
			printf("%s\n", text);
		}
		if (got < want) {
			printf("x: GVA 0x%llx is not mapped to guest RAM (see 'gva 0x%llx')\n",
			       (unsigned long long)(a + off + got), (unsigned long long)(a + off + got));
			return;
		}
	}
}

void cmd_xp(int argc, char **argv)
{
	uint8_t line[HEXDUMP_PER_LINE];
	char text[HEXDUMP_LINE_MAX];
	uint64_t a, n;

	if (dump_args(argc, argv, "xp", &a, &n))
		return;
	if (!shell_guest("xp"))
		return;
	for (uint64_t off = 0; off < n; off += HEXDUMP_PER_LINE) {
		unsigned int want = (unsigned int)MIN(n - off, HEXDUMP_PER_LINE);

		if (gmem_read(a + off, line, want)) {
			const struct gmap_range *r = gmap_lookup(gmem_map(), a + off);
			const void *hv = r && r->kind == GMAP_HIDDEN && a + off + want <= r->end ?
					 paging_ram_ptr(a + off, want) : NULL;

			if (hv) {
				/* The operator may look at what the guest cannot. */
				memcpy(line, hv, want);
				hexdump_line(text, a + off, line, want);
				printf("%s  (hidden: %s)\n", text, r->owner);
				continue;
			}
			printf("xp: GPA 0x%llx is not guest RAM (%s%s%s)\n", (unsigned long long)(a + off),
			       r ? gmap_kind_name(r->kind) : "beyond the guest's address space",
			       r ? ", " : "", r ? r->owner : "");
			return;
		}
		hexdump_line(text, a + off, line, want);
		printf("%s\n", text);
	}
}
