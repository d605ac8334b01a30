/* tests/unit/vmx/test_vmcs_fields.c - the VMCS field table: order, groups, widths, lookup. */
#include "tests/unit/check.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmcs.h"

TEST(table_sorted_and_unique)
{
	CHECK(vmcs_field_count > 0);
	for (unsigned int i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_desc *f = &vmcs_fields[i];

		CHECK(f->name && *f->name);
		CHECK(strncmp(f->name, "VMCS_", 5) != 0 || strcmp(f->name, "VMCS_LINK_POINTER") == 0);
		/* Full fields only: no high halves, no reserved bits 31:15. */
		CHECK_EQ(f->encoding & 1, 0);
		CHECK_EQ(f->encoding >> 15, 0);
		if (i > 0)
			CHECK(vmcs_fields[i - 1].encoding < f->encoding);  /* also: no duplicate encodings */
		for (unsigned int j = 0; j < i; j++)
			CHECK(strcmp(vmcs_fields[j].name, f->name) != 0);
	}
}

/*
 * Every "#define VMCS_<NAME> 0x..." in vmx/vmcs.h is in the table under NAME
 * with that encoding, and nothing else is: the table cannot fall behind the
 * header. The unit tests run from the repository root (tests/run.sh).
 */
TEST(table_matches_vmcs_h)
{
	FILE *f = fopen("vmx/vmcs.h", "r");
	unsigned int defined = 0;
	char line[256];

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		unsigned int enc;
		const struct vmcs_field_desc *d;

		if (sscanf(line, "#define VMCS_%127[A-Z0-9_] 0x%x", name, &enc) != 2)
			continue;
		defined++;
		d = vmcs_field_find(name);
		if (!d) {
			printf("  missing from vmcs_fields[]: VMCS_%s\n", name);
			CHECK(d != NULL);
			continue;
		}
		CHECK_STR(d->name, name);
		CHECK_EQ(d->encoding, enc);
	}
	fclose(f);
	CHECK(defined > 0);
	CHECK_EQ(vmcs_field_count, defined);
}

TEST(group_and_width_from_encoding)
{
	static const struct { uint32_t field, encoding; enum vmcs_field_group group; unsigned int width; } t[] = {
		{ VMCS_GUEST_RIP, 0x681e, VMCS_GROUP_GUEST, 64 },
		{ VMCS_EXIT_REASON, 0x4402, VMCS_GROUP_EXIT_INFO, 32 },
		{ VMCS_HOST_CR3, 0x6c02, VMCS_GROUP_HOST, 64 },
		{ VMCS_VPID, 0x0, VMCS_GROUP_CONTROL, 16 },
		{ VMCS_EPT_POINTER, 0x201a, VMCS_GROUP_CONTROL, 64 },
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_EQ(t[i].field, t[i].encoding);
		CHECK_EQ(vmcs_field_group(t[i].field), t[i].group);
		CHECK_EQ(vmcs_field_width(t[i].field), t[i].width);
	}
	CHECK_EQ(vmcs_field_width(VMCS_EPT_POINTER + 1), 32);       /* its high half */

	CHECK_EQ(vmcs_field_group(VMCS_GUEST_ES_SELECTOR), VMCS_GROUP_GUEST);
	CHECK_EQ(vmcs_field_width(VMCS_GUEST_ES_SELECTOR), 16);
	CHECK_EQ(vmcs_field_group(VMCS_GUEST_PHYSICAL_ADDRESS), VMCS_GROUP_EXIT_INFO);
	CHECK_EQ(vmcs_field_width(VMCS_GUEST_PHYSICAL_ADDRESS), 64);
	CHECK_EQ(vmcs_field_group(VMCS_EXIT_QUALIFICATION), VMCS_GROUP_EXIT_INFO);
	CHECK_EQ(vmcs_field_group(VMCS_HOST_IA32_SYSENTER_CS), VMCS_GROUP_HOST);
	CHECK_EQ(vmcs_field_width(VMCS_HOST_IA32_SYSENTER_CS), 32);
	CHECK_EQ(vmcs_field_group(VMCS_CR0_GUEST_HOST_MASK), VMCS_GROUP_CONTROL);
	CHECK_EQ(vmcs_field_width(VMCS_CR0_GUEST_HOST_MASK), 64);
}

/* Every field's group and width is the one its vmx/vmcs.h section names. */
TEST(every_field_in_its_section)
{
	for (unsigned int i = 0; i < vmcs_field_count; i++) {
		uint32_t e = vmcs_fields[i].encoding;
		const char *n = vmcs_fields[i].name;
		enum vmcs_field_group g = vmcs_field_group(e);
		unsigned int w = vmcs_field_width(e);

		CHECK(g < VMCS_GROUP_COUNT);
		CHECK(w == 16 || w == 32 || w == 64);
		/* Appendix B: B.1 16-bit below 0x2000, B.2 64-bit, B.3 32-bit, B.4 natural from 0x6000. */
		if (e < 0x2000)
			CHECK_EQ(w, 16);
		else if (e < 0x4000)
			CHECK_EQ(w, 64);
		else if (e < 0x6000)
			CHECK_EQ(w, 32);
		else
			CHECK_EQ(w, 64);
		if (strncmp(n, "GUEST_", 6) == 0 && strcmp(n, "GUEST_PHYSICAL_ADDRESS") != 0 &&
		    strcmp(n, "GUEST_LINEAR_ADDRESS") != 0)
			CHECK_EQ(g, VMCS_GROUP_GUEST);
		if (strncmp(n, "HOST_", 5) == 0)
			CHECK_EQ(g, VMCS_GROUP_HOST);
	}
}

TEST(group_names)
{
	CHECK_STR(vmcs_group_name(VMCS_GROUP_CONTROL), "control");
	CHECK_STR(vmcs_group_name(VMCS_GROUP_GUEST), "guest state");
	CHECK_STR(vmcs_group_name(VMCS_GROUP_HOST), "host state");
	CHECK_STR(vmcs_group_name(VMCS_GROUP_EXIT_INFO), "exit information");
	CHECK_STR(vmcs_group_name(VMCS_GROUP_COUNT), "unknown");
	CHECK_STR(vmcs_group_name((enum vmcs_field_group)-1), "unknown");
}

TEST(find_by_name)
{
	const struct vmcs_field_desc *f = vmcs_field_find("GUEST_RIP");

	CHECK(f != NULL);
	if (f) {
		CHECK_STR(f->name, "GUEST_RIP");
		CHECK_EQ(f->encoding, VMCS_GUEST_RIP);
	}
	CHECK(vmcs_field_find("guest_rip") == f);
	CHECK(vmcs_field_find("Guest_Rip") == f);
	CHECK(vmcs_field_find("VMCS_GUEST_RIP") == f);
	CHECK(vmcs_field_find("vmcs_guest_rip") == f);
	CHECK(vmcs_field_find("Vmcs_Guest_RIP") == f);

	f = vmcs_field_find("exit_reason");
	CHECK(f && f->encoding == VMCS_EXIT_REASON);
	f = vmcs_field_find("vpid");
	CHECK(f && f->encoding == VMCS_VPID);
	f = vmcs_field_find("EPT_POINTER");
	CHECK(f && f->encoding == VMCS_EPT_POINTER);
	f = vmcs_field_find("host_cr3");
	CHECK(f && f->encoding == VMCS_HOST_CR3);

	/* The one name that itself starts with "VMCS_", with and without the prefix. */
	f = vmcs_field_find("vmcs_link_pointer");
	CHECK(f && f->encoding == VMCS_VMCS_LINK_POINTER);
	CHECK(vmcs_field_find("VMCS_VMCS_LINK_POINTER") == f);
	CHECK(vmcs_field_find("link_pointer") == NULL);
}

TEST(find_by_encoding)
{
	const struct vmcs_field_desc *rip = vmcs_field_find("GUEST_RIP");

	CHECK(rip != NULL);
	CHECK(vmcs_field_find("0x681e") == rip);
	CHECK(vmcs_field_find("0x681E") == rip);
	CHECK(vmcs_field_find("0X0000681e") == rip);
	CHECK(vmcs_field_find("26654") == rip);            /* 0x681e */
	CHECK(vmcs_field_find("0") == vmcs_field_find("VPID"));
	CHECK(vmcs_field_find("0x0") == vmcs_field_find("VPID"));
	CHECK(vmcs_field_find("0x4402") == vmcs_field_find("EXIT_REASON"));

	/* Well-formed numbers that are no known field's encoding. */
	CHECK(vmcs_field_find("0x681f") == NULL);           /* high half of nothing */
	CHECK(vmcs_field_find("0x201b") == NULL);           /* EPT_POINTER's high half */
	CHECK(vmcs_field_find("0x1") == NULL);
	CHECK(vmcs_field_find("0xffff") == NULL);
	CHECK(vmcs_field_find("0x10000681e") == NULL);      /* not truncated to 32 bits */
	CHECK(vmcs_field_find("99999999999999999999") == NULL);
	/* Malformed numbers. */
	CHECK(vmcs_field_find("0x") == NULL);
	CHECK(vmcs_field_find("0x681eg") == NULL);
	CHECK(vmcs_field_find("681e") == NULL);
	CHECK(vmcs_field_find("12 ") == NULL);
}

TEST(find_unknown)
{
	CHECK(vmcs_field_find(NULL) == NULL);
	CHECK(vmcs_field_find("") == NULL);
	CHECK(vmcs_field_find("VMCS_") == NULL);
	CHECK(vmcs_field_find("vmcs_") == NULL);
	CHECK(vmcs_field_find("GUEST_RI") == NULL);
	CHECK(vmcs_field_find("GUEST_RIPX") == NULL);
	CHECK(vmcs_field_find(" GUEST_RIP") == NULL);
	CHECK(vmcs_field_find("guest-rip") == NULL);
	CHECK(vmcs_field_find("NO_SUCH_FIELD") == NULL);
	CHECK(vmcs_field_find("VMCS_VMCS_GUEST_RIP") == NULL);  /* one prefix only */
}
