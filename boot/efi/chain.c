/* boot/efi/chain.c - the next boot loader: hv.cfg's next, BootNext, BootOrder
 * (UEFI 2.10, 3.1.1-3.1.3 and 3.3 globally defined variables; 3.1.2 short-form
 * device paths; 3.5.1.1 removable media). */
#include "boot/efi/chain.h"
#include "boot/efi/console.h"
#include "boot/efi/devpath.h"
#include "boot/efi/load_option.h"
#include "boot/efi/ucs2.h"
#include "lib/format.h"
#include "lib/string.h"

#define DP_MAX        4096       /* a device path hv.efi builds or reads */
#define OPTION_MAX    8192       /* a Boot#### variable */
#define ORDER_MAX     256        /* BootOrder entries looked at */
#define PATH_TEXT_MAX 256        /* a file path as text */

/* Set (volatile, boot services only: gone at reset and at ExitBootServices)
 * while a loader hv.efi started runs. {9c1f0b8e-5a43-4f7e-9b7d-6876686f7374} */
static EFI_GUID hv_vendor_guid = { 0x9c1f0b8e, 0x5a43, 0x4f7e, { 0x9b, 0x7d, 0x68, 0x76, 0x68, 0x6f, 0x73, 0x74 } };
static CHAR16 chain_var[] = L"HvEfiChainRunning";

bool efi_chain_nested(struct efi_fw *fw)
{
	UINT8 v;
	UINTN n = sizeof(v);

	return fw->rt->GetVariable(chain_var, &hv_vendor_guid, NULL, &n, &v) == EFI_SUCCESS;
}

static void chain_mark(struct efi_fw *fw, bool on)
{
	UINT8 v = 1;

	fw->rt->SetVariable(chain_var, &hv_vendor_guid, EFI_VARIABLE_BOOTSERVICE_ACCESS, on ? sizeof(v) : 0,
			    on ? &v : NULL);
}

/* LoadImage + StartImage; opts (the option's OptionalData) become the
 * loader's LoadOptions, as the boot manager passes them. Returns false only
 * if LoadImage failed (quiet: the caller says what it tries next). */
static bool start(struct efi_fw *fw, const char *what, EFI_DEVICE_PATH *dp, const void *opts, size_t optlen,
		  EFI_STATUS *load_status)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_HANDLE h = NULL;
	EFI_STATUS s;

	s = fw->bs->LoadImage(FALSE, fw->image, dp, NULL, 0, &h);
	if (load_status)
		*load_status = s;
	if (EFI_ERROR(s))
		return false;
	if (optlen && fw->bs->HandleProtocol(h, &efi_loaded_image_guid, (void **)&li) == EFI_SUCCESS) {
		li->LoadOptions = (void *)opts;
		li->LoadOptionsSize = (UINT32)optlen;
	}
	efi_shout("starting %s", what);
	chain_mark(fw, true);
	s = fw->bs->StartImage(h, NULL, NULL);
	chain_mark(fw, false);
	/* The firmware unloads an application that returned (EDK II does). */
	efi_shout("%s returned (status 0x%llx): trying the next", what, (unsigned long long)s);
	return true;
}

/* A file on hv.efi's volume. */
static void start_path(struct efi_fw *fw, const char *path, const char *from)
{
	static uint8_t dp[DP_MAX];
	char what[PATH_TEXT_MAX + 64];
	int n = devpath_build_file(dp, sizeof(dp), fw->device_path, fw->device_path ? DP_MAX : 0, path);

	fmt_snprintf(what, sizeof(what), "the next loader %s (%s)", path, from);
	EFI_STATUS ls;

	if (n < 0) {
		efi_say("cannot name %s as a device path (%d): trying the next", what, n);
		return;
	}
	if (!start(fw, what, (EFI_DEVICE_PATH *)dp, NULL, 0, &ls))
		efi_shout("cannot load %s (LoadImage status 0x%llx): trying the next", what, (unsigned long long)ls);
}

/* An option whose path names no file, or starts at a partition (short form):
 * the boot manager completes it from the volumes the firmware knows. Tries
 * each volume whose device path begins with the option's device part
 * (no file: its removable-media file) or holds its HD node (short form). */
static bool start_expanded(struct efi_fw *fw, const char *what, const struct load_option *o)
{
	static uint8_t dp[DP_MAX];
	char file[PATH_TEXT_MAX];
	EFI_HANDLE *hs = NULL;
	UINTN count = 0, i;
	size_t olen = devpath_size(o->file_path, o->file_path_len);
	size_t odev = devpath_device_len(o->file_path, olen);
	bool short_form = o->file_path[0] == DP_TYPE_MEDIA && o->file_path[1] == DP_SUB_HARD_DRIVE;
	bool loaded = false;

	if (devpath_file_text(o->file_path, olen, file, sizeof(file)) < 0)
		memcpy(file, EFI_REMOVABLE_PATH, sizeof(EFI_REMOVABLE_PATH));
	if (fw->bs->LocateHandleBuffer(ByProtocol, &efi_simple_fs_guid, NULL, &count, &hs) != EFI_SUCCESS)
		return false;
	for (i = 0; i < count; i++) {
		EFI_DEVICE_PATH *v = NULL;
		size_t vlen, vdev;
		bool match;
		int n;

		if (fw->bs->HandleProtocol(hs[i], &efi_device_path_guid, (void **)&v) != EFI_SUCCESS)
			continue;
		vlen = devpath_size(v, DP_MAX);
		vdev = vlen ? devpath_device_len(v, vlen) : 0;
		if (!vdev)
			continue;
		if (short_form)
			match = vdev >= DP_HD_NODE_SIZE &&
				memcmp((const uint8_t *)v + vdev - DP_HD_NODE_SIZE, o->file_path, DP_HD_NODE_SIZE) == 0;
		else
			match = odev && odev <= vdev && memcmp(v, o->file_path, odev) == 0;
		if (!match)
			continue;
		if (fw->device_path && vdev == devpath_device_len(fw->device_path, DP_MAX) &&
		    memcmp(v, fw->device_path, vdev) == 0 && efi_path_equal(file, fw->self_path))
			continue;
		n = devpath_build_file(dp, sizeof(dp), v, vlen, file);
		if (n > 0 && start(fw, what, (EFI_DEVICE_PATH *)dp, o->optional, o->optional_len, NULL))
			loaded = true;
	}
	fw->bs->FreePool(hs);
	return loaded;
}

/* Boot#### as the boot manager would start it; false if it does not exist. */
static bool start_option(struct efi_fw *fw, uint16_t num, const char *from)
{
	static uint8_t buf[OPTION_MAX];
	CHAR16 name[9];
	char what[128], err[96];
	struct load_option o;
	UINTN n = sizeof(buf);
	EFI_STATUS s, ls;
	bool expandable;
	size_t olen;
	int i;

	memcpy(name, L"Boot", 4 * sizeof(CHAR16));
	for (i = 0; i < 4; i++)
		name[4 + i] = (CHAR16)"0123456789ABCDEF"[(num >> (12 - 4 * i)) & 15];
	name[8] = 0;
	s = fw->rt->GetVariable(name, &efi_global_variable_guid, NULL, &n, buf);
	if (EFI_ERROR(s)) {
		efi_say("Boot%04X (%s): not readable (status 0x%llx): skipped", num, from, (unsigned long long)s);
		return false;
	}
	if (load_option_parse(buf, n, &o, err, sizeof(err)) < 0) {
		efi_say("Boot%04X (%s): malformed (%s): skipped", num, from, err);
		return true;
	}
	fmt_snprintf(what, sizeof(what), "Boot%04X \"%s\" (%s)", num, o.description, from);
	if (!load_option_bootable(&o)) {
		efi_say("%s: not active or not a boot option: skipped", what);
		return true;
	}
	if (devpath_is_self(o.file_path, o.file_path_len, fw->device_path, fw->device_path ? DP_MAX : 0,
			    fw->self_path)) {
		efi_say("%s: starts hv.efi itself: skipped", what);
		return true;
	}
	/* As the boot manager: the path as it is first (full paths, firmware
	 * volume files, LoadFile devices), then completed from the volumes. */
	if (start(fw, what, (EFI_DEVICE_PATH *)o.file_path, o.optional, o.optional_len, &ls))
		return true;
	olen = devpath_size(o.file_path, o.file_path_len);
	expandable = devpath_file_text(o.file_path, olen, err, sizeof(err)) == -ENOENT ||
		     (o.file_path[0] == DP_TYPE_MEDIA && o.file_path[1] == DP_SUB_HARD_DRIVE);
	if (!expandable || !start_expanded(fw, what, &o))
		efi_say("cannot load %s (LoadImage status 0x%llx%s): trying the next", what, (unsigned long long)ls,
			expandable ? ", and no volume completes its path" : "");
	return true;
}

EFI_STATUS efi_chain_next(struct efi_fw *fw, const char *next)
{
	static uint16_t order[ORDER_MAX];
	UINTN n = sizeof(uint16_t);
	uint16_t boot_next;

	if (next[0])
		start_path(fw, next, "hv.cfg's next");
	if (fw->rt->GetVariable(L"BootNext", &efi_global_variable_guid, NULL, &n, &boot_next) == EFI_SUCCESS &&
	    n == sizeof(boot_next)) {
		/* Used once, as the boot manager does (UEFI 2.10, 3.1.2: it
		 * deletes BootNext before it tries the option), so that a
		 * reboot goes back to BootOrder. */
		if (fw->rt->SetVariable(L"BootNext", &efi_global_variable_guid, 0, 0, NULL) == EFI_SUCCESS)
			efi_say("BootNext (Boot%04X) is used once: deleted", boot_next);
		else
			efi_say("BootNext (Boot%04X) could not be deleted: a reboot will try it again", boot_next);
		start_option(fw, boot_next, "BootNext");
	}
	n = sizeof(order);
	if (fw->rt->GetVariable(L"BootOrder", &efi_global_variable_guid, NULL, &n, order) != EFI_SUCCESS) {
		efi_say("no BootOrder variable");
		n = 0;
	}
	for (UINTN i = 0; i < n / sizeof(uint16_t); i++)
		start_option(fw, order[i], "BootOrder");
	efi_shout("no next loader could be started: returning to the firmware's boot manager");
	return EFI_NOT_FOUND;
}
