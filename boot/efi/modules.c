/* boot/efi/modules.c - modules into memory.
 *
 * Memory type: EfiLoaderData, what GRUB EFI uses for the modules it loads. It
 * is the loader's until ExitBootServices and usable RAM after it, which is
 * what the core expects of a module: the hypervisor copies each module into
 * its own block and gives the original range to the guest as RAM (mm/setup.c),
 * exactly as after a Multiboot2 boot. A type that stays reserved
 * (EfiUnusableMemory, the choice for the hypervisor's own memory in chain
 * mode) would take the module's memory from the guest for good. Below 4 GiB:
 * the core sees the addresses a Multiboot2 loader would give (32-bit tags). */
#include "boot/efi/modules.h"
#include "boot/efi/console.h"
#include "boot/efi/files.h"
#include "lib/string.h"

int efi_modules_load(struct efi_fw *fw, const struct hvcfg *cfg, struct boot_info *bi)
{
	char err[120];
	unsigned int i;

	bi->module_count = 0;
	bi->modules_truncated = false;
	for (i = 0; i < cfg->module_count && i < BOOT_MODULES_MAX; i++) {
		const struct hvcfg_module *m = &cfg->modules[i];
		struct boot_module *o = &bi->modules[bi->module_count];
		uint64_t len;
		void *buf;
		int rc = efi_read_file(fw, m->path, EFI_READ_PAGES_4G, &buf, &len, err, sizeof(err));

		if (rc < 0) {
			efi_shout("module %u %s: %s", i + 1, m->path, err);
			efi_modules_free(fw, bi);
			return rc;
		}
		o->start = (hpa_t)(uintptr_t)buf;
		o->end = o->start + len;
		memcpy(o->cmdline, m->cmdline, sizeof(o->cmdline));
		o->cmdline[sizeof(o->cmdline) - 1] = 0;
		bi->module_count++;
		efi_say("module %u %s: %llu bytes at 0x%llx, command line \"%s\"", i + 1, m->path,
			(unsigned long long)len, (unsigned long long)o->start, o->cmdline);
	}
	return 0;
}

void efi_modules_free(struct efi_fw *fw, struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->module_count; i++) {
		struct boot_module *m = &bi->modules[i];

		efi_free_file(fw, EFI_READ_PAGES_4G, (void *)(uintptr_t)m->start, m->end - m->start);
	}
	bi->module_count = 0;
}
