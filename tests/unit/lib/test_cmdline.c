/* tests/unit/lib/test_cmdline.c - command-line words, hypervisor options, parse_size/parse_u64. */
#include "tests/unit/check.h"
#include "lib/cmdline.h"

static struct hv_options o;

static void parse(const char *s)
{
	cmdline_defaults(&o);
	cmdline_parse(s, &o);
}

static bool all_defaults(void)
{
	return o.serial_port == 0x3f8 && o.serial_baud == 115200 && o.hv_mem == 64 * MiB &&
	       o.debug_heap;
}

TEST(defaults)
{
	memset(&o, 0xa5, sizeof(o));
	cmdline_defaults(&o);
	CHECK(all_defaults());
	CHECK_EQ(o.warning_count, 0);
}

TEST(null_and_empty_lines)
{
	static const char *lines[] = { NULL, "", " ", "\t \t", "  \n" };

	for (unsigned int i = 0; i < ARRAY_SIZE(lines); i++) {
		parse(lines[i]);
		CHECK(all_defaults());
		CHECK_EQ(o.warning_count, 0);
	}
}

TEST(all_options)
{
	parse("serial=com2 baud=9600 hvmem=256M heapdebug=off");
	CHECK_EQ(o.warning_count, 0);
	CHECK_EQ(o.serial_port, 0x2f8);
	CHECK_EQ(o.serial_baud, 9600);
	CHECK_EQ(o.hv_mem, 256 * MiB);
	CHECK(!o.debug_heap);
}

TEST(serial_values)
{
	static const struct { const char *v; uint16_t port; } good[] = {
		{ "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 }, { "com4", 0x2e8 },
		{ "COM3", 0x3e8 }, { "0x2f8", 0x2f8 }, { "760", 760 }, { "1", 1 },
		{ "0xffff", 0xffff },
	};
	static const char *bad[] = {
		"com0", "com5", "com", "com11", "ttyS0", "0", "0x10000", "65536", "", "-1",
		"0x", "3f8", "99999999999999999999999",
	};
	char line[64];

	for (unsigned int i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(line, sizeof(line), "serial=%s", good[i].v);
		parse(line);
		CHECK_EQ(o.serial_port, good[i].port);
		CHECK_EQ(o.warning_count, 0);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "serial=%s", bad[i]);
		parse(line);
		CHECK_EQ(o.serial_port, 0x3f8);
		CHECK_EQ(o.warning_count, 1);
		CHECK(strncmp(o.warnings[0], "bad value '", 11) == 0);
	}
	parse("serial=com5");
	CHECK_STR(o.warnings[0], "bad value 'com5' for serial: not com1..com4 or a port number");
	parse("serial=0");
	CHECK_STR(o.warnings[0], "bad value '0' for serial: port must be 1..0xffff");
}

TEST(baud_values)
{
	static const uint32_t good[] = { 50, 75, 150, 300, 1200, 9600, 19200, 38400,
					 57600, 115200 };
	static const char *bad[] = { "0", "49", "110", "7", "115201", "230400", "14400x",
				     "", "fast" };
	char line[64];

	for (unsigned int i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(line, sizeof(line), "baud=%u", good[i]);
		parse(line);
		CHECK_EQ(o.serial_baud, good[i]);
		CHECK_EQ(o.warning_count, 0);
	}
	parse("baud=0x4b00");
	CHECK_EQ(o.serial_baud, 19200);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "baud=%s", bad[i]);
		parse(line);
		CHECK_EQ(o.serial_baud, 115200);
		CHECK_EQ(o.warning_count, 1);
	}
	parse("baud=110");
	CHECK_STR(o.warnings[0], "bad value '110' for baud: must divide 115200");
	parse("baud=230400");
	CHECK_STR(o.warnings[0], "bad value '230400' for baud: must be 50..115200");
}

TEST(hvmem_values)
{
	static const struct { const char *v; uint64_t bytes; } good[] = {
		{ "16M", 16 * MiB }, { "16m", 16 * MiB }, { "64G", 64 * GiB }, { "1g", GiB },
		{ "32768K", 32 * MiB }, { "0x1000000", 16 * MiB }, { "18874368", 18 * MiB },
		{ "0x10M", 16 * MiB },
	};
	static const char *bad[] = {
		"15M", "14M", "17M", "65G", "64G1", "1T", "8M", "0", "", "M", "12Q", "16MiB",
		"16 M", "0x", "-64M", "16E", "99999999999999999999999M", "16777217",
	};
	char line[64];

	for (unsigned int i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(line, sizeof(line), "hvmem=%s", good[i].v);
		parse(line);
		CHECK_EQ(o.hv_mem, good[i].bytes);
		CHECK_EQ(o.warning_count, 0);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "hvmem=%s", bad[i]);
		parse(line);
		CHECK_EQ(o.hv_mem, 64 * MiB);
		CHECK(o.warning_count >= 1);
	}
	parse("hvmem=17M");
	CHECK_STR(o.warnings[0], "bad value '17M' for hvmem: must be a multiple of 2M");
	parse("hvmem=16E");
	CHECK_STR(o.warnings[0], "bad value '16E' for hvmem: too large");
	parse("hvmem=1T");
	CHECK_STR(o.warnings[0], "bad value '1T' for hvmem: must be 16M..64G");
}

TEST(heapdebug_values)
{
	static const struct { const char *w; bool on; } cases[] = {
		{ "heapdebug=off", false }, { "heapdebug=0", false }, { "heapdebug=no", false },
		{ "heapdebug=OFF", false }, { "heapdebug=on", true }, { "heapdebug=1", true },
		{ "heapdebug=yes", true }, { "heapdebug=off heapdebug", true },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		parse(cases[i].w);
		CHECK_EQ(o.debug_heap, cases[i].on);
		CHECK_EQ(o.warning_count, 0);
	}
	parse("heapdebug=off heapdebug=maybe");
	CHECK(!o.debug_heap);                  /* a refused value keeps the earlier one */
	CHECK_STR(o.warnings[0], "bad value 'maybe' for heapdebug: must be on|off|yes|no|1|0");
	parse("heapdebug=");
	CHECK(o.debug_heap);
	CHECK_EQ(o.warning_count, 1);
}

TEST(testfault_values)
{
	CHECK_EQ(o.test_fault, TEST_FAULT_NONE);
	for (unsigned int i = 0; i < TEST_FAULT_COUNT; i++) {
		char w[64];

		snprintf(w, sizeof(w), "hvtest testfault=%s", test_fault_name((enum test_fault)i));
		parse(w);
		CHECK_EQ(o.test_fault, i);
		CHECK_EQ(o.warning_count, 0);
	}
	parse("hvtest testfault=STACK");
	CHECK_EQ(o.test_fault, TEST_FAULT_STACK);
	parse("hvtest testfault=reboot");
	CHECK_EQ(o.test_fault, TEST_FAULT_NONE);
	CHECK_STR(o.warnings[0], "bad value 'reboot' for testfault: "
		  "must be ud|null|wtext|xdata|stack|panic|heapoverflow|doublefree|nmi");
	CHECK_STR(test_fault_name(TEST_FAULT_COUNT), "?");
}

TEST(testvmx_values)
{
	parse("hvtest testvmx=fclocked");
	CHECK_EQ(o.test_vmx, TEST_VMX_FC_LOCKED);
	parse("hvtest testvmx=NOEPT");
	CHECK_EQ(o.test_vmx, TEST_VMX_NO_EPT);
	parse("hvtest testvmx=noug");
	CHECK_EQ(o.test_vmx, TEST_VMX_NO_UG);
	parse("hvtest testvmx=nowfs");
	CHECK_EQ(o.test_vmx, TEST_VMX_NO_WFS);
	parse("hvtest testvmx=efientry");
	CHECK_EQ(o.test_vmx, TEST_VMX_EFI_ENTRY);
	parse("hvtest testvmx=apjoin");
	CHECK_EQ(o.test_vmx, TEST_VMX_AP_JOIN);
	CHECK_EQ(o.warning_count, 0);
	parse("hvtest testvmx=amd");
	CHECK_EQ(o.test_vmx, TEST_VMX_NONE);
	CHECK_STR(o.warnings[0], "bad value 'amd' for testvmx: must be fclocked|noept|noug|nowfs|efientry|apjoin");
}

TEST(testmmio_values)
{
	parse("hvtest testmmio=0xfe000000");
	CHECK_EQ(o.test_mmio, 0xfe000000);
	CHECK_EQ(o.warning_count, 0);
	parse("hvtest testmmio=0xfe000010");
	CHECK_EQ(o.test_mmio, 0);
	CHECK_STR(o.warnings[0], "bad value '0xfe000010' for testmmio: must be a 4 KiB-aligned guest-physical address");
	parse("hvtest testmmio=0");
	CHECK_EQ(o.test_mmio, 0);
	CHECK_EQ(o.warning_count, 1);
}

/* Test options exist only with hvtest, wherever it stands on the line. */
TEST(test_options_need_hvtest)
{
	parse("testfault=ud testvmx=noept testmmio=0xfe000000");
	CHECK(!o.test_hooks);
	CHECK_EQ(o.test_fault, TEST_FAULT_NONE);
	CHECK_EQ(o.test_vmx, TEST_VMX_NONE);
	CHECK_EQ(o.test_mmio, 0);
	CHECK_EQ(o.warning_count, 3);
	CHECK_STR(o.warnings[0], "unknown option 'testfault' (test options need hvtest)");
	CHECK_STR(o.warnings[1], "unknown option 'testvmx' (test options need hvtest)");
	CHECK_STR(o.warnings[2], "unknown option 'testmmio' (test options need hvtest)");

	parse("testfault=ud hvtest");
	CHECK(o.test_hooks);
	CHECK_EQ(o.test_fault, TEST_FAULT_UD);
	CHECK_EQ(o.warning_count, 0);
	parse("hvtest=on testvmx=noug");
	CHECK(o.test_hooks);
	CHECK_EQ(o.test_vmx, TEST_VMX_NO_UG);
	parse("hvtest=off testfault=ud");
	CHECK(!o.test_hooks);
	CHECK_EQ(o.test_fault, TEST_FAULT_NONE);
	CHECK_EQ(o.warning_count, 1);
	parse("hvtest=maybe testfault=ud");
	CHECK(!o.test_hooks);
	CHECK_EQ(o.warning_count, 2);
	CHECK_STR(o.warnings[0], "bad value 'maybe' for hvtest: must be on|off|yes|no|1|0");
	CHECK_STR(o.warnings[1], "unknown option 'testfault' (test options need hvtest)");
}

TEST(eptmap_values)
{
	CHECK(!o.print_ept_map);
	parse("eptmap");
	CHECK(o.print_ept_map);
	parse("eptmap=off");
	CHECK(!o.print_ept_map);
	parse("eptmap=sometimes");
	CHECK(!o.print_ept_map);
	CHECK_EQ(o.warning_count, 1);
}

TEST(cpus_values)
{
	CHECK_EQ(o.max_cpus, 0);
	parse("cpus=1");
	CHECK_EQ(o.max_cpus, 1);
	parse("cpus=256");
	CHECK_EQ(o.max_cpus, 256);
	parse("cpus=0");
	CHECK_EQ(o.max_cpus, 0);
	CHECK_STR(o.warnings[0], "bad value '0' for cpus: must be 1..256");
	parse("cpus=257 cpus=two cpus");
	CHECK_EQ(o.max_cpus, 0);
	CHECK_EQ(o.warning_count, 3);
	CHECK_STR(o.warnings[2], "option 'cpus' needs a value");
}

TEST(apstart_values)
{
	CHECK_EQ(o.ap_start, AP_START_AUTO);
	parse("apstart=trap");
	CHECK_EQ(o.ap_start, AP_START_TRAP);
	parse("apstart=SIPI");
	CHECK_EQ(o.ap_start, AP_START_SIPI);
	parse("apstart=auto");
	CHECK_EQ(o.ap_start, AP_START_AUTO);
	parse("apstart=never");
	CHECK_EQ(o.ap_start, AP_START_AUTO);
	CHECK_STR(o.warnings[0], "bad value 'never' for apstart: must be auto|sipi|trap");
	parse("apstart");
	CHECK_STR(o.warnings[0], "option 'apstart' needs a value");
	CHECK_STR(ap_start_name(AP_START_TRAP), "trap");
	CHECK_EQ(ap_start_resolve(AP_START_AUTO, true), AP_START_SIPI);
	CHECK_EQ(ap_start_resolve(AP_START_AUTO, false), AP_START_TRAP);
	CHECK_EQ(ap_start_resolve(AP_START_SIPI, true), AP_START_SIPI);
	CHECK_EQ(ap_start_resolve(AP_START_SIPI, false), AP_START_TRAP);
	CHECK_EQ(ap_start_resolve(AP_START_TRAP, true), AP_START_TRAP);
}

TEST(testx2apic_needs_hvtest)
{
	parse("testx2apic");
	CHECK(!o.test_x2apic);
	CHECK_STR(o.warnings[0], "unknown option 'testx2apic' (test options need hvtest)");
	parse("testx2apic hvtest");
	CHECK(o.test_x2apic);
	CHECK_EQ(o.warning_count, 0);
}

TEST(debugexit_values)
{
	CHECK_EQ(o.debug_exit_port, 0);
	parse("debugexit");
	CHECK_EQ(o.debug_exit_port, 0xf4);
	parse("debugexit=0x501");
	CHECK_EQ(o.debug_exit_port, 0x501);
	parse("debugexit=0x10000");
	CHECK_EQ(o.debug_exit_port, 0);
	CHECK_EQ(o.warning_count, 1);
}

TEST(bare_key_needs_value)
{
	parse("serial baud hvmem");
	CHECK(all_defaults());
	CHECK_EQ(o.warning_count, 3);
	CHECK_STR(o.warnings[0], "option 'serial' needs a value");
}

TEST(quotes_tabs_and_repeats)
{
	parse("\tserial=\"com2\"\t\tbaud=\"96\"00  hvmem=32M hvmem=\"128M\" ");
	CHECK_EQ(o.warning_count, 0);
	CHECK_EQ(o.serial_port, 0x2f8);
	CHECK_EQ(o.serial_baud, 9600);
	CHECK_EQ(o.hv_mem, 128 * MiB);         /* the last occurrence wins */

	parse("\"serial\"=com3");
	CHECK_EQ(o.serial_port, 0x3e8);

	parse("serial=\"com2 ");                /* unterminated quote */
	CHECK_EQ(o.serial_port, 0x3f8);
	CHECK_STR(o.warnings[0], "bad value 'com2 ' for serial: unterminated quote");

	parse("hvmem=\"12 8M\"");               /* quoted space stays part of the value */
	CHECK_EQ(o.hv_mem, 64 * MiB);
	CHECK_EQ(o.warning_count, 1);
}

TEST(unknown_options_warn)
{
	parse("console=ttyS0 quiet serial=com2 =x");
	CHECK_EQ(o.serial_port, 0x2f8);
	CHECK_EQ(o.warning_count, 3);
	CHECK_STR(o.warnings[0], "unknown option 'console'");
	CHECK_STR(o.warnings[1], "unknown option 'quiet'");
	CHECK_STR(o.warnings[2], "unknown option ''");

	parse("Serial=com2 serialx=1 seria=1");  /* keys are case-sensitive and exact */
	CHECK_EQ(o.serial_port, 0x3f8);
	CHECK_EQ(o.warning_count, 3);
}

TEST(too_many_warnings)
{
	char line[512] = "";

	parse("a b c d e f g h");                 /* exactly the maximum: all kept */
	CHECK_EQ(o.warning_count, CMDLINE_MAX_WARNINGS);
	CHECK_STR(o.warnings[CMDLINE_MAX_WARNINGS - 1], "unknown option 'h'");

	for (int i = 0; i < 20; i++)
		strcat(line, "x ");
	parse(line);
	CHECK_EQ(o.warning_count, CMDLINE_MAX_WARNINGS);
	CHECK_STR(o.warnings[CMDLINE_MAX_WARNINGS - 2], "unknown option 'x'");
	CHECK_STR(o.warnings[CMDLINE_MAX_WARNINGS - 1], "... and 13 more warnings");
}

TEST(long_words_truncated_safely)
{
	static char line[4096];

	memset(line, 'k', sizeof(line) - 1);
	parse(line);
	CHECK_EQ(o.warning_count, 1);
	CHECK(strlen(o.warnings[0]) < CMDLINE_WARNING_LEN);
	CHECK(strncmp(o.warnings[0], "unknown option 'kkk", 19) == 0);

	memcpy(line, "hvmem=", 6);
	parse(line);
	CHECK_EQ(o.hv_mem, 64 * MiB);
	CHECK_EQ(o.warning_count, 1);
	CHECK(strstr(o.warnings[0], "too long") != NULL);
}

TEST(get_values)
{
	char buf[16];

	CHECK_EQ(cmdline_get("a=1 b=22 a=333", "a", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "333");
	CHECK_EQ(cmdline_get("a=1 b=22 a=333", "b", buf, sizeof(buf)), 2);
	CHECK_STR(buf, "22");
	CHECK_EQ(cmdline_get("a=1 nosmp", "nosmp", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_EQ(cmdline_get("a=1 nosmp", "nosmp", NULL, 0), 0);
	CHECK_EQ(cmdline_get("x= y", "x", buf, sizeof(buf)), 0);
	CHECK_EQ(cmdline_get("x=\"hello world\"", "x", buf, sizeof(buf)), 11);
	CHECK_STR(buf, "hello world");
	CHECK_EQ(cmdline_get("x=a=b", "x", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "a=b");
	CHECK_EQ(cmdline_get("ab=1", "a", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(cmdline_get("a=1", "ab", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(cmdline_get("", "a", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(cmdline_get(NULL, "a", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(cmdline_get("a=1", "", buf, sizeof(buf)), -ENOENT);

	/* exactly fitting, one too long, and no room at all */
	CHECK_EQ(cmdline_get("k=123456789012345", "k", buf, sizeof(buf)), 15);
	CHECK_EQ(cmdline_get("k=1234567890123456", "k", buf, sizeof(buf)), -ERANGE);
	CHECK_EQ(strlen(buf), 15);
	CHECK_EQ(cmdline_get("k=1", "k", NULL, 0), -ERANGE);
	CHECK_EQ(cmdline_get("k=abc", "k", buf, 1), -ERANGE);
	CHECK_STR(buf, "");
}

TEST(u64_edge_cases)
{
	static const struct { const char *s; int rc; uint64_t v; } cases[] = {
		{ "0", 0, 0 }, { "42", 0, 42 }, { "0755", 0, 755 }, { "0x0", 0, 0 },
		{ "0xdeadBEEF", 0, 0xdeadbeef }, { "0X10", 0, 16 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "00000000000000000000000000018446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999999999", -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "", -EINVAL, 0 }, { "0x", -EINVAL, 0 }, { "x10", -EINVAL, 0 },
		{ "12Q", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 }, { "1 ", -EINVAL, 0 }, { "0xg", -EINVAL, 0 },
		{ "12M", -EINVAL, 0 }, { "99999999999999999999x", -EINVAL, 0 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0x5a5a;
		int rc = parse_u64(cases[i].s, &v);

		CHECK_EQ(rc, cases[i].rc);
		CHECK_EQ(v, rc ? 0x5a5a : cases[i].v);   /* untouched on failure */
	}
	CHECK_EQ(parse_u64(NULL, &(uint64_t){ 0 }), -EINVAL);
}

TEST(size_edge_cases)
{
	static const struct { const char *s; int rc; uint64_t v; } cases[] = {
		{ "4096", 0, 4096 }, { "512k", 0, 512 * KiB }, { "512K", 0, 512 * KiB },
		{ "64M", 0, 64 * MiB }, { "2G", 0, 2 * GiB }, { "3t", 0, 3ULL << 40 },
		{ "1P", 0, 1ULL << 50 }, { "15E", 0, 15ULL << 60 }, { "0x1000", 0, 0x1000 },
		{ "0x1E", 0, 0x1e }, { "0x10M", 0, 16 * MiB }, { "0K", 0, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "16777215T", 0, 16777215ULL << 40 },
		{ "18446744073709551616", -ERANGE, 0 }, { "16E", -ERANGE, 0 },
		{ "16777216T", -ERANGE, 0 }, { "18014398509481984K", -ERANGE, 0 },
		{ "99999999999999999999999K", -ERANGE, 0 },
		{ "", -EINVAL, 0 }, { "M", -EINVAL, 0 }, { "12Q", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 }, { "0xM", -EINVAL, 0 }, { "64MB", -EINVAL, 0 },
		{ "64MiB", -EINVAL, 0 }, { "64 M", -EINVAL, 0 }, { "-1M", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 }, { "99999999999999999999999Q", -EINVAL, 0 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0x5a5a;
		int rc = parse_size(cases[i].s, &v);

		CHECK_EQ(rc, cases[i].rc);
		CHECK_EQ(v, rc ? 0x5a5a : cases[i].v);
	}
	CHECK_EQ(parse_size(NULL, &(uint64_t){ 0 }), -EINVAL);
}

TEST(iommu_values)
{
	CHECK_EQ(o.iommu, IOMMU_ON);
	parse("iommu=off");
	CHECK_EQ(o.iommu, IOMMU_OFF);
	parse("iommu=REQUIRED");
	CHECK_EQ(o.iommu, IOMMU_REQUIRED);
	parse("iommu=on");
	CHECK_EQ(o.iommu, IOMMU_ON);
	parse("iommu=maybe");
	CHECK_EQ(o.iommu, IOMMU_ON);
	CHECK_STR(o.warnings[0], "bad value 'maybe' for iommu: must be off|on|required");
	parse("iommu");
	CHECK_STR(o.warnings[0], "option 'iommu' needs a value");
	CHECK_STR(iommu_mode_name(IOMMU_REQUIRED), "required");
	CHECK_STR(iommu_mode_name((enum iommu_mode)7), "?");
}

TEST(testvtd_qi_needs_hvtest)
{
	parse("testvtd=qi");
	CHECK(!o.test_vtd_qi);
	CHECK_STR(o.warnings[0], "unknown option 'testvtd' (test options need hvtest)");
	parse("hvtest testvtd=qi");
	CHECK(o.test_vtd_qi);
	CHECK_EQ(o.warning_count, 0);
	parse("hvtest testvtd=qi testvtd=auto");
	CHECK(!o.test_vtd_qi);
	parse("hvtest testvtd=reg");
	CHECK(!o.test_vtd_qi);
	CHECK_EQ(o.warning_count, 1);
	parse("hvtest testvtd=fw");
	CHECK(o.test_vtd_fw && !o.test_vtd_qi);
	parse("hvtest testvtd=fw testvtd=qi");
	CHECK(o.test_vtd_fw && o.test_vtd_qi);
	parse("hvtest testvtd=fw testvtd=auto");
	CHECK(!o.test_vtd_fw && !o.test_vtd_qi);
}
