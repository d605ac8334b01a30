/* tests/unit/boot/efi/test_cpu_list.c - chain mode's CPU list (from MP
 * services) against the MADT and cpus= (boot/efi/cpu_list.c). */
#include "tests/unit/check.h"
#include "boot/efi/cpu_list.h"
#include "boot/info/efi_handoff.h"

static struct acpi_madt_info madt;
static char err[200];

static void madt_cpu(uint32_t id, bool enabled)
{
	madt.cpu[madt.cpu_count++] = (struct madt_cpu){ .apic_id = id, .enabled = enabled };
}

#define OK(...)  CHECK_EQ(cpu_list_check(__VA_ARGS__, err, sizeof(err)), 0)
#define BAD(want, ...) do { \
		CHECK_EQ(cpu_list_check(__VA_ARGS__, err, sizeof(err)), -EINVAL); \
		CHECK(strstr(err, want) != NULL); \
	} while (0)

TEST(without_a_madt_the_list_is_all_there_is)
{
	static const uint32_t two[] = { 0, 1 }, dup[] = { 0, 1, 1 };

	OK(two, 2, 2, NULL, 0);
	OK(two, 1, 1, NULL, 0);
	BAD("no enabled CPU", two, 0, 0, NULL, 0);
	BAD("APIC ID 1 twice", dup, 3, 3, NULL, 0);
	OK(two, 2, 2, NULL, 2);
	BAD("cpus=1, and 2 CPUs run", two, 2, 2, NULL, 1);
}

TEST(too_many_for_the_vm)
{
	static uint32_t many[EFI_HANDOFF_CPUS_MAX + 1];

	for (unsigned int i = 0; i < EFI_HANDOFF_CPUS_MAX + 1; i++)
		many[i] = i;
	OK(many, EFI_HANDOFF_CPUS_MAX, EFI_HANDOFF_CPUS_MAX, NULL, 0);
	BAD("runs 65 CPUs, chain mode takes at most 64", many, EFI_HANDOFF_CPUS_MAX + 1, 70, NULL, 0);
}

TEST(every_enabled_madt_cpu_must_be_listed)
{
	static const uint32_t ids[] = { 4, 0, 2 };

	memset(&madt, 0, sizeof(madt));
	madt_cpu(0, true);
	madt_cpu(2, true);
	madt_cpu(4, true);
	madt_cpu(6, false);             /* disabled: the OS does not start it */
	OK(ids, 3, 3, &madt, 0);
	/* Listed but not in the MADT: a vCPU the OS never starts. */
	madt.cpu_count = 2;
	madt.cpu[1].apic_id = 4;
	OK(ids, 3, 3, &madt, 0);
	madt_cpu(8, true);
	BAD("lists APIC ID 8 enabled, and the firmware runs no such CPU (3 of 4 processors enabled)",
	    ids, 3, 4, &madt, 0);
	madt.cpu_count = 2;
	madt.cpus_dropped = 1;
	BAD("more than 256 CPUs", ids, 3, 3, &madt, 0);
}

TEST(find)
{
	static const uint32_t ids[] = { 4, 0, 2 };

	CHECK_EQ(cpu_list_find(ids, 3, 2), 2);
	CHECK_EQ(cpu_list_find(ids, 3, 4), 0);
	CHECK_EQ(cpu_list_find(ids, 3, 1), -1);
	CHECK_EQ(cpu_list_find(ids, 0, 4), -1);
}
