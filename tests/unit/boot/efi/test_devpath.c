/* tests/unit/boot/efi/test_devpath.c - device paths as OVMF gives them (QEMU's IDE disk), built and hostile. */
#include "tests/unit/check.h"
#include "boot/efi/devpath.h"

/* A path under construction. */
struct dp {
	uint8_t b[1024];
	size_t len;
};

static void node(struct dp *p, uint8_t type, uint8_t sub, const void *data, size_t n)
{
	p->b[p->len] = type;
	p->b[p->len + 1] = sub;
	p->b[p->len + 2] = (uint8_t)(n + 4);
	p->b[p->len + 3] = (uint8_t)((n + 4) >> 8);
	if (n)
		memcpy(p->b + p->len + 4, data, n);
	p->len += n + 4;
}

static void end(struct dp *p)
{
	node(p, DP_TYPE_END, DP_SUB_END_ENTIRE, NULL, 0);
}

static void file(struct dp *p, const char *s)
{
	uint8_t w[512];
	size_t i;

	for (i = 0; s[i]; i++) {
		w[2 * i] = (uint8_t)s[i];
		w[2 * i + 1] = 0;
	}
	w[2 * i] = w[2 * i + 1] = 0;
	node(p, DP_TYPE_MEDIA, DP_SUB_FILE_PATH, w, 2 * i + 2);
}

/* PciRoot(0x0)/Pci(0x1,0x1)/Ata(Primary or Secondary,Master,0x0): QEMU's IDE disks under OVMF. */
static void ide_disk(struct dp *p, uint8_t secondary)
{
	static const uint8_t acpi[8] = { 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0 };   /* PNP0A03, UID 0 */
	static const uint8_t pci[2] = { 1, 1 };                                  /* function, device */
	uint8_t ata[4] = { secondary, 0, 0, 0 };

	p->len = 0;
	node(p, 0x02, 0x01, acpi, sizeof(acpi));
	node(p, 0x01, 0x01, pci, sizeof(pci));
	node(p, 0x03, 0x01, ata, sizeof(ata));
}

/* HD(1,MBR,signature,start,size): partition 1 of an MBR disk. */
static void hd(struct dp *p, uint32_t sig)
{
	uint8_t h[38] = { 1 };

	memcpy(h + 20, &sig, 4);
	h[36] = 1;    /* MBR */
	h[37] = 1;    /* signature type: 32-bit */
	node(p, DP_TYPE_MEDIA, DP_SUB_HARD_DRIVE, h, sizeof(h));
}

static struct dp a, b;
static char txt[256];

TEST(size_counts_through_the_end_node)
{
	ide_disk(&a, 0);
	end(&a);
	CHECK_EQ(devpath_size(a.b, sizeof(a.b)), 12 + 6 + 8 + 4);
	CHECK_EQ(devpath_size(a.b, a.len), a.len);
	CHECK_EQ(devpath_size(a.b, a.len - 1), 0);          /* end node cut */
	CHECK_EQ(devpath_device_len(a.b, a.len), a.len - 4);
}

TEST(size_refuses_short_nodes_and_no_end)
{
	ide_disk(&a, 0);
	CHECK_EQ(devpath_size(a.b, a.len), 0);              /* no end node */
	a.b[a.len] = 0x03;
	a.b[a.len + 2] = 2;                                  /* a node shorter than its header */
	CHECK_EQ(devpath_size(a.b, sizeof(a.b)), 0);
	CHECK_EQ(devpath_size(NULL, 100), 0);
}

TEST(file_text_joins_split_nodes)
{
	ide_disk(&a, 0);
	file(&a, "\\EFI");
	file(&a, "BOOT");
	file(&a, "\\BOOTX64.EFI");
	end(&a);
	CHECK_EQ(devpath_file_text(a.b, a.len, txt, sizeof(txt)), 0);
	CHECK_STR(txt, "\\EFI\\BOOT\\BOOTX64.EFI");
	CHECK_EQ(devpath_device_len(a.b, a.len), 26);
	CHECK_EQ(devpath_file_text(a.b, a.len, txt, 8), -ENOSPC);
}

TEST(file_text_none_or_not_ascii)
{
	ide_disk(&a, 0);
	end(&a);
	CHECK_EQ(devpath_file_text(a.b, a.len, txt, sizeof(txt)), -ENOENT);
	ide_disk(&a, 0);
	file(&a, "\\x.efi");
	a.b[a.len - 4] = 0xe9;                               /* 'e' with an accent: not ASCII */
	a.b[a.len - 3] = 0;
	end(&a);
	CHECK_EQ(devpath_file_text(a.b, a.len, txt, sizeof(txt)), -EINVAL);
	CHECK_EQ(devpath_file_text(a.b, a.len - 4, txt, sizeof(txt)), -EINVAL);  /* no end */
}

TEST(build_file_replaces_the_file_part)
{
	uint8_t out[256];
	int n;

	ide_disk(&a, 0);
	file(&a, "\\EFI\\BOOT\\BOOTX64.EFI");
	end(&a);
	n = devpath_build_file(out, sizeof(out), a.b, a.len, "\\EFI\\hvtest/grubx64.efi");
	CHECK(n > 0);
	CHECK_EQ(devpath_size(out, (size_t)n), (size_t)n);
	CHECK(memcmp(out, a.b, 26) == 0);
	CHECK_EQ(devpath_file_text(out, (size_t)n, txt, sizeof(txt)), 0);
	CHECK_STR(txt, "\\EFI\\hvtest\\grubx64.efi");
	CHECK_EQ(devpath_build_file(out, 40, a.b, a.len, "\\EFI\\hvtest\\grubx64.efi"), -ENOSPC);
	n = devpath_build_file(out, sizeof(out), NULL, 0, "\\a.efi");
	CHECK_EQ(n, 4 + 14 + 4);
	a.b[2] = 1;                                          /* malformed device path */
	CHECK_EQ(devpath_build_file(out, sizeof(out), a.b, a.len, "\\a.efi"), -EINVAL);
}

TEST(self_removable_media_option_of_our_disk)
{
	ide_disk(&a, 0);
	end(&a);                     /* Boot0002 "UEFI QEMU HARDDISK QM00001" */
	ide_disk(&b, 0);
	end(&b);                     /* hv.efi's volume: the whole disk (no partition table) */
	CHECK(devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\BOOT\\BOOTX64.EFI"));
	CHECK(devpath_is_self(a.b, a.len, b.b, b.len, "\\efi\\boot\\bootx64.efi"));
	/* Not the removable-media file: the firmware would start another program. */
	CHECK(!devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\hv\\hv.efi"));
	/* The other IDE disk (the CD drive). */
	ide_disk(&a, 1);
	end(&a);
	CHECK(!devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\BOOT\\BOOTX64.EFI"));
	/* Volume unknown: never claimed. */
	CHECK(!devpath_is_self(a.b, a.len, NULL, 0, "\\EFI\\BOOT\\BOOTX64.EFI"));
}

TEST(self_disk_option_and_our_partition)
{
	ide_disk(&a, 0);
	end(&a);
	ide_disk(&b, 0);
	hd(&b, 0x12345678);
	end(&b);
	CHECK(devpath_is_self(a.b, a.len, b.b, b.len, EFI_REMOVABLE_PATH));
}

TEST(self_full_and_short_form_paths)
{
	ide_disk(&b, 0);
	hd(&b, 0x12345678);
	end(&b);
	/* The full path of hv.efi itself. */
	ide_disk(&a, 0);
	hd(&a, 0x12345678);
	file(&a, "\\EFI\\hv\\HV.EFI");
	end(&a);
	CHECK(devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\hv\\hv.efi"));
	CHECK(!devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\debian\\grubx64.efi"));
	/* Short form (efibootmgr writes these): HD(...)/File. */
	a.len = 0;
	hd(&a, 0x12345678);
	file(&a, "\\EFI\\hv\\hv.efi");
	end(&a);
	CHECK(devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\hv\\hv.efi"));
	a.len = 0;
	hd(&a, 0x87654321);          /* another disk's partition */
	file(&a, "\\EFI\\hv\\hv.efi");
	end(&a);
	CHECK(!devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\hv\\hv.efi"));
	/* A bare file path is relative to the device we came from. */
	a.len = 0;
	file(&a, "\\EFI\\hv\\hv.efi");
	end(&a);
	CHECK(devpath_is_self(a.b, a.len, b.b, b.len, "\\EFI\\hv\\hv.efi"));
	/* Malformed: never self (the boot manager's own checks decide). */
	CHECK(!devpath_is_self(a.b, 3, b.b, b.len, "\\EFI\\hv\\hv.efi"));
}
