/* tests/unit/boot/test_hvcfg.c - hvcfg_parse: the README's examples, every command, every
 * error with its message, and the safe default after any error. */
#include "tests/unit/check.h"
#include "boot/info/hvcfg.h"

static struct hvcfg cfg;
static char err[256];

static bool parse(const char *text)
{
	memset(&cfg, 0x5a, sizeof(cfg));        /* whatever was there before */
	return hvcfg_parse(text, strlen(text), &cfg, err, sizeof(err));
}

static bool is_default(const struct hvcfg *c)
{
	static struct hvcfg d;                  /* zeroed: chain mode is 0 */

	return d.mode == HVCFG_MODE_CHAIN && !memcmp(c, &d, sizeof(d));
}

/* The parse fails with exactly this message and leaves the default. */
#define CHECK_ERR(text, msg)                                               \
	do {                                                               \
		CHECK(!parse(text));                                       \
		CHECK_STR(err, (msg));                                     \
		CHECK(is_default(&cfg));                                   \
	} while (0)

/* The examples of README.md, "hv.cfg (UEFI)": keep the two in step. */
TEST(readme_boot_example)
{
	CHECK(parse("mode boot\n"
		    "cmdline serial=com1\n"
		    "module /boot/vmlinuz guest hv.name=linux console=ttyS0,115200\n"
		    "module /boot/initrd.img initrd\n"));
	CHECK_STR(err, "");
	CHECK_EQ(cfg.mode, HVCFG_MODE_BOOT);
	CHECK(cfg.has_cmdline);
	CHECK_STR(cfg.cmdline, "serial=com1");
	CHECK_EQ(cfg.module_count, 2);
	CHECK_STR(cfg.modules[0].path, "\\boot\\vmlinuz");
	CHECK_STR(cfg.modules[0].cmdline, "guest hv.name=linux console=ttyS0,115200");
	CHECK_STR(cfg.modules[1].path, "\\boot\\initrd.img");
	CHECK_STR(cfg.modules[1].cmdline, "initrd");
	CHECK_STR(cfg.next, "");
	for (unsigned int i = 2; i < BOOT_MODULES_MAX; i++)
		CHECK(cfg.modules[i].path[0] == 0 && cfg.modules[i].cmdline[0] == 0);
}

TEST(readme_chain_example)
{
	CHECK(parse("mode chain\n"
		    "next \\EFI\\debian\\grubx64.efi\n"));
	CHECK_EQ(cfg.mode, HVCFG_MODE_CHAIN);
	CHECK_STR(cfg.next, "\\EFI\\debian\\grubx64.efi");
	CHECK(!cfg.has_cmdline);
	CHECK_STR(cfg.cmdline, "");
	CHECK_EQ(cfg.module_count, 0);
}

TEST(empty_and_comments)
{
	CHECK(hvcfg_parse(NULL, 0, &cfg, err, sizeof(err)));
	CHECK(is_default(&cfg));
	CHECK_STR(err, "");
	CHECK(parse(""));
	CHECK(is_default(&cfg));
	CHECK(parse("\n\n   \n\t\n# mode boot\n   # next /x\n\r\n"));
	CHECK(is_default(&cfg));
	CHECK(parse("\xef\xbb\xbfmode boot"));  /* a byte order mark; no newline at the end */
	CHECK_EQ(cfg.mode, HVCFG_MODE_BOOT);
}

TEST(blanks_and_line_ends)
{
	CHECK(parse("  \tmode\t boot \t\r\n"
		    "cmdline   a  b\tc   \r\n"
		    "module2\t/boot/x   one  two # not a comment \r\n"
		    "\tnext /EFI/BOOT/grubx64.efi\n"));
	CHECK_EQ(cfg.mode, HVCFG_MODE_BOOT);
	CHECK_STR(cfg.cmdline, "a  b\tc");                /* inner blanks as written */
	CHECK_STR(cfg.modules[0].path, "\\boot\\x");
	CHECK_STR(cfg.modules[0].cmdline, "one  two # not a comment");
	CHECK_STR(cfg.next, "\\EFI\\BOOT\\grubx64.efi");
}

TEST(optional_texts)
{
	CHECK(parse("cmdline\nmodule /boot/plain.elf\nmodule2 \\boot\\other.elf   \n"));
	CHECK(cfg.has_cmdline);
	CHECK_STR(cfg.cmdline, "");
	CHECK_EQ(cfg.module_count, 2);
	CHECK_STR(cfg.modules[0].cmdline, "");
	CHECK_STR(cfg.modules[1].path, "\\boot\\other.elf");
	CHECK_STR(cfg.modules[1].cmdline, "");
}

TEST(path_normalized)
{
	CHECK(parse("module //boot//sub\\\\dir/\\file.img x\n"));
	CHECK_STR(cfg.modules[0].path, "\\boot\\sub\\dir\\file.img");
	CHECK(parse("next \\a...b\\...\\.x\n"));            /* dots inside names are names */
	CHECK_STR(cfg.next, "\\a...b\\...\\.x");
}

TEST(utf8_in_command_lines)
{
	CHECK(parse("cmdline name=\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n"));
	CHECK_STR(cfg.cmdline, "name=\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(unknown_command)
{
	CHECK_ERR("mode boot\n\nmodul /boot/x\n",
		  "hv.cfg line 3: unknown command \"modul\" (expected mode, cmdline, module, next)");
	CHECK_ERR("Mode boot", "hv.cfg line 1: unknown command \"Mode\" (expected mode, cmdline, module, next)");
	CHECK_ERR("timeout 5", "hv.cfg line 1: unknown command \"timeout\" (expected mode, cmdline, module, next)");
	CHECK_ERR("multiboot2 /boot/hv.elf",
		  "hv.cfg line 1: unknown command \"multiboot2\" (expected mode, cmdline, module, next)");
	CHECK_ERR("\xc3\xa9t\xc3\xa9",
		  "hv.cfg line 1: unknown command \"??t??\" (expected mode, cmdline, module, next)");
}

TEST(mode_errors)
{
	CHECK_ERR("mode", "hv.cfg line 1: mode: missing boot or chain");
	CHECK_ERR("mode  \t ", "hv.cfg line 1: mode: missing boot or chain");
	CHECK_ERR("mode Boot", "hv.cfg line 1: mode: \"Boot\" is neither boot nor chain");
	CHECK_ERR("mode boot chain", "hv.cfg line 1: mode: unexpected \"chain\" at the end of the line");
	CHECK_ERR("mode boot\nmode boot", "hv.cfg line 2: mode given twice (first on line 1)");
	CHECK_ERR("mode chain\n#\nmode boot", "hv.cfg line 3: mode given twice (first on line 1)");
}

TEST(repeated_commands)
{
	CHECK_ERR("cmdline a\ncmdline b", "hv.cfg line 2: cmdline given twice (first on line 1)");
	CHECK_ERR("cmdline\ncmdline", "hv.cfg line 2: cmdline given twice (first on line 1)");
	CHECK_ERR("next /a.efi\n\n\nnext /b.efi", "hv.cfg line 4: next given twice (first on line 1)");
}

TEST(missing_arguments)
{
	CHECK_ERR("module", "hv.cfg line 1: module: missing PATH (and the module's command line after it)");
	CHECK_ERR("module2   ", "hv.cfg line 1: module2: missing PATH (and the module's command line after it)");
	CHECK_ERR("next", "hv.cfg line 1: next: missing PATH");
	CHECK_ERR("next /a.efi /b.efi", "hv.cfg line 1: next: unexpected \"/b.efi\" at the end of the line");
}

TEST(bad_paths)
{
	CHECK_ERR("module boot/vmlinuz guest",
		  "hv.cfg line 1: module: path \"boot/vmlinuz\" is not absolute (start it with / or \\)");
	CHECK_ERR("next EFI\\debian\\grubx64.efi",
		  "hv.cfg line 1: next: path \"EFI\\debian\\grubx64.efi\" is not absolute (start it with / or \\)");
	CHECK_ERR("module /boot/../etc/x",
		  "hv.cfg line 1: module: path \"/boot/../etc/x\": no . or .. components, please");
	CHECK_ERR("module /..", "hv.cfg line 1: module: path \"/..\": no . or .. components, please");
	CHECK_ERR("next /./a.efi", "hv.cfg line 1: next: path \"/./a.efi\": no . or .. components, please");
	CHECK_ERR("module /boot/ x",
		  "hv.cfg line 1: module: path \"/boot/\" ends with a separator: it names a directory, not a file");
	CHECK_ERR("next /", "hv.cfg line 1: next: path \"/\" ends with a separator: it names a directory, not a file");
	CHECK_ERR("next fs0:\\EFI\\x.efi",
		  "hv.cfg line 1: next: path \"fs0:\\EFI\\x.efi\" is not absolute (start it with / or \\)");
	CHECK_ERR("next \\EFI\\a:b.efi",
		  "hv.cfg line 1: next: path \"\\EFI\\a:b.efi\": a character FAT does not allow (one of \" * : < > ? |)");
	CHECK_ERR("module /boot/*.img", "hv.cfg line 1: module: path \"/boot/*.img\": a character FAT does not allow (one of \" * : < > ? |)");
	CHECK_ERR("module /b\xc3\xa9.img", "hv.cfg line 1: module: path \"/b??.img\": not ASCII");
}

static char big[4 << 20];

/* "KEY" + n copies of c, in big. */
static const char *line_of(const char *key, char c, size_t n)
{
	size_t k = strlen(key);

	memcpy(big, key, k);
	memset(big + k, c, n);
	big[k + n] = '\0';
	return big;
}

TEST(limits)
{
	char want[300];

	/* path: 255 characters, the first '/' included */
	CHECK(parse(line_of("module /", 'p', 254)));
	CHECK_EQ(strlen(cfg.modules[0].path), 255);
	CHECK_ERR(line_of("module /", 'p', 255), "hv.cfg line 1: module: path longer than 255 characters");
	CHECK(parse(line_of("next //////", 'p', 254)));   /* counted after normalizing */
	CHECK_ERR(line_of("next /a/", 'p', 253), "hv.cfg line 1: next: path longer than 255 characters");
	/* the hypervisor's command line: 511 */
	CHECK(parse(line_of("cmdline ", 'c', BOOT_CMDLINE_MAX - 1)));
	CHECK_EQ(strlen(cfg.cmdline), BOOT_CMDLINE_MAX - 1);
	snprintf(want, sizeof(want), "hv.cfg line 1: cmdline: command line longer than %d characters",
		 BOOT_CMDLINE_MAX - 1);
	CHECK_ERR(line_of("cmdline ", 'c', BOOT_CMDLINE_MAX), want);
	/* a module's: 255 */
	CHECK(parse(line_of("module /m ", 'c', BOOT_MOD_CMDLINE_MAX - 1)));
	CHECK_EQ(strlen(cfg.modules[0].cmdline), BOOT_MOD_CMDLINE_MAX - 1);
	snprintf(want, sizeof(want), "hv.cfg line 1: module2: command line longer than %d characters",
		 BOOT_MOD_CMDLINE_MAX - 1);
	CHECK_ERR(line_of("module2 /m ", 'c', BOOT_MOD_CMDLINE_MAX), want);
	/* trailing blanks do not count */
	line_of("module /m x", ' ', 10000);
	CHECK(parse(big));
	CHECK_STR(cfg.modules[0].cmdline, "x");
}

TEST(too_many_modules)
{
	char *p = big;
	char want[128];

	for (int i = 0; i < BOOT_MODULES_MAX; i++)
		p += sprintf(p, "module /boot/m%d guest hv.name=g%d\n", i, i);
	CHECK(parse(big));
	CHECK_EQ(cfg.module_count, BOOT_MODULES_MAX);
	CHECK_STR(cfg.modules[BOOT_MODULES_MAX - 1].path, "\\boot\\m31");
	CHECK_STR(cfg.modules[BOOT_MODULES_MAX - 1].cmdline, "guest hv.name=g31");
	sprintf(p, "mode boot\nmodule2 /boot/one-more\n");
	snprintf(want, sizeof(want), "hv.cfg line %d: module2: more than %d modules",
		 BOOT_MODULES_MAX + 2, BOOT_MODULES_MAX);
	CHECK_ERR(big, want);
}

TEST(bad_bytes)
{
	static const struct { const char *text; size_t len; const char *msg; } cases[] = {
		{ "mode boot\ncmd\0line x", 20, "hv.cfg line 2: NUL byte at column 4" },
		{ "\0", 1, "hv.cfg line 1: NUL byte at column 1" },
		{ "mode\rboot", 9, "hv.cfg line 1: carriage return at column 5 not ending the line" },
		{ "mode boot\r\r\n", 12, "hv.cfg line 1: carriage return at column 10 not ending the line" },
		{ "cmdline a\x1b[31m", 14, "hv.cfg line 1: control character 0x1b at column 10" },
		{ "cmdline \x7f", 9, "hv.cfg line 1: control character 0x7f at column 9" },
		{ "\n\ncmdline \x0c", 11, "hv.cfg line 3: control character 0x0c at column 9" },
		{ "cmdline \xff", 9, "hv.cfg line 1: byte 0xff at column 9 is not printable UTF-8" },
		{ "cmdline \x80", 9, "hv.cfg line 1: byte 0x80 at column 9 is not printable UTF-8" },
		{ "cmdline \xc3", 9, "hv.cfg line 1: byte 0xc3 at column 9 is not printable UTF-8" },    /* cut */
		{ "cmdline \xc3x", 10, "hv.cfg line 1: byte 0xc3 at column 9 is not printable UTF-8" },
		{ "cmdline \xc0\xaf", 10, "hv.cfg line 1: byte 0xc0 at column 9 is not printable UTF-8" }, /* overlong / */
		{ "cmdline \xe0\x80\xaf", 11, "hv.cfg line 1: byte 0xe0 at column 9 is not printable UTF-8" },
		{ "cmdline \xed\xa0\x80", 11, "hv.cfg line 1: byte 0xed at column 9 is not printable UTF-8" }, /* surrogate */
		{ "cmdline \xf4\x90\x80\x80", 12, "hv.cfg line 1: byte 0xf4 at column 9 is not printable UTF-8" },
		{ "cmdline \xc2\x85", 10, "hv.cfg line 1: byte 0xc2 at column 9 is not printable UTF-8" },  /* C1 NEL */
		{ "# comment \x01\n", 12, "hv.cfg line 1: control character 0x01 at column 11" },   /* even in comments */
		{ "\xef\xbb\xbf\xef\xbb\xbfmode boot", 15, "hv.cfg line 1: unknown command \"???mode\" (expected mode, cmdline, module, next)" },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&cfg, 0x5a, sizeof(cfg));
		CHECK(!hvcfg_parse(cases[i].text, cases[i].len, &cfg, err, sizeof(err)));
		CHECK_STR(err, cases[i].msg);
		CHECK(is_default(&cfg));
	}
	/* the first error wins, later lines are not looked at */
	CHECK(!hvcfg_parse("mode boot\nnext x\n\0", 18, &cfg, err, sizeof(err)));
	CHECK_STR(err, "hv.cfg line 2: next: path \"x\" is not absolute (start it with / or \\)");
}

TEST(len_is_the_only_bound)
{
	static const char text[] = "mode boot\nmodule /a x\nGARBAGE";

	/* the bytes after len are never read: cut before "GARBAGE" */
	CHECK(hvcfg_parse(text, 22, &cfg, err, sizeof(err)));
	CHECK_EQ(cfg.mode, HVCFG_MODE_BOOT);
	CHECK_STR(cfg.modules[0].cmdline, "x");
	/* cut inside a line: it ends there */
	CHECK(hvcfg_parse(text, 19, &cfg, err, sizeof(err)));
	CHECK_STR(cfg.modules[0].path, "\\a");
	CHECK_STR(cfg.modules[0].cmdline, "");
	CHECK(hvcfg_parse(text, 4, &cfg, err, sizeof(err)) == false);
	CHECK_STR(err, "hv.cfg line 1: mode: missing boot or chain");
	CHECK(!hvcfg_parse(NULL, 5, &cfg, err, sizeof(err)));
	CHECK(is_default(&cfg));
}

TEST(message_buffer)
{
	char small[16];

	memset(small, 'x', sizeof(small));
	CHECK(!hvcfg_parse("modul", 5, &cfg, small, sizeof(small)));
	CHECK_STR(small, "hv.cfg line 1: ");                  /* cut, terminated */
	CHECK(!hvcfg_parse("modul", 5, &cfg, small, 1));
	CHECK_EQ(small[0], 0);
	CHECK(!hvcfg_parse("modul", 5, &cfg, NULL, 0));
	CHECK(!hvcfg_parse("modul", 5, &cfg, NULL, 100));
	CHECK(!hvcfg_parse("modul", 5, NULL, err, sizeof(err)));
	CHECK(strstr(err, "nothing to parse into") != NULL);
	/* a long word is quoted short */
	CHECK_ERR(line_of("", 'w', 1000),
		  "hv.cfg line 1: unknown command \"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...\" "
		  "(expected mode, cmdline, module, next)");
}

TEST(huge_input)
{
	size_t n = 0;

	/* 4 MiB of comments and blank lines, then an error on the last line */
	while (n + 64 < sizeof(big)) {
		memcpy(big + n, "# a comment line of some length\n\n", 33);
		n += 33;
	}
	memcpy(big + n, "mode x", 6);
	n += 6;
	CHECK(!hvcfg_parse(big, n, &cfg, err, sizeof(err)));
	CHECK(strstr(err, ": mode: \"x\" is neither boot nor chain") != NULL);
	CHECK(!strncmp(err, "hv.cfg line 254199: ", 20));
	/* one 4 MiB line */
	memset(big, 'a', sizeof(big));
	CHECK(!hvcfg_parse(big, sizeof(big), &cfg, err, sizeof(err)));
	CHECK(strstr(err, "hv.cfg line 1: unknown command \"aaaa") == err);
	memcpy(big, "cmdline ", 8);
	CHECK(!hvcfg_parse(big, sizeof(big), &cfg, err, sizeof(err)));
	CHECK(strstr(err, "command line longer than") != NULL);
}

static uint32_t rng_state = 0x1234567;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* What any successful parse must give. */
static void check_sane(void)
{
	CHECK(cfg.mode == HVCFG_MODE_CHAIN || cfg.mode == HVCFG_MODE_BOOT);
	CHECK(memchr(cfg.cmdline, 0, sizeof(cfg.cmdline)) != NULL);
	CHECK(cfg.has_cmdline || !cfg.cmdline[0]);
	CHECK(memchr(cfg.next, 0, sizeof(cfg.next)) != NULL);
	CHECK(!cfg.next[0] || (cfg.next[0] == '\\' && !strchr(cfg.next, '/') && !strstr(cfg.next, "\\..")));
	CHECK(cfg.module_count <= BOOT_MODULES_MAX);
	for (unsigned int i = 0; i < cfg.module_count && i < BOOT_MODULES_MAX; i++) {
		const struct hvcfg_module *m = &cfg.modules[i];

		CHECK(memchr(m->path, 0, sizeof(m->path)) != NULL);
		CHECK(memchr(m->cmdline, 0, sizeof(m->cmdline)) != NULL);
		CHECK(m->path[0] == '\\' && !strchr(m->path, '/') && !strstr(m->path, "\\\\") &&
		      !strstr(m->path, "\\..") && m->path[strlen(m->path) - 1] != '\\');
	}
}

TEST(mutations)
{
	static const char good[] =
		"\xef\xbb\xbf# hv.cfg\r\nmode boot\r\ncmdline serial=com1 cpus=2\n"
		"module /boot/vmlinuz guest hv.name=linux console=ttyS0,115200\n"
		"module2 \\boot\\initrd.img initrd\nnext /EFI/debian/grubx64.efi\n";
	static char m[sizeof(good) + 8];
	unsigned int ok = 0, bad = 0;

	for (int iter = 0; iter < 50000; iter++) {
		size_t n = sizeof(good) - 1;

		memcpy(m, good, n);
		for (unsigned int f = 1 + rng() % 3; f && n; f--) {
			size_t at = rng() % n;

			switch (rng() % 4) {
			case 0: m[at] = (char)rng(); break;
			case 1: m[at] ^= (char)(1u << (rng() % 8)); break;
			case 2: m[at] = " \t\r\n/\\.#"[rng() % 8]; break;
			case 3: n = at; break;                        /* cut */
			}
		}
		memset(&cfg, 0x5a, sizeof(cfg));
		if (hvcfg_parse(m, n, &cfg, err, sizeof(err))) {
			ok++;
			CHECK_STR(err, "");
			check_sane();
		} else {
			bad++;
			CHECK(!strncmp(err, "hv.cfg line ", 12));
			CHECK(is_default(&cfg));
		}
	}
	CHECK(ok > 1000 && bad > 1000);
}
