/* boot/efi/files.c - hv.efi's own volume: LoadedImage -> DeviceHandle -> SimpleFileSystem. */
#include "boot/efi/files.h"
#include "boot/efi/console.h"
#include "boot/efi/devpath.h"
#include "boot/efi/ucs2.h"
#include "lib/format.h"
#include "lib/string.h"

#define EFI_PATH_UNITS 512
#define READ_BELOW (4 * GiB - 1)   /* modules where a Multiboot2 loader puts them: 32-bit addresses */

int efi_files_open(struct efi_fw *fw)
{
	EFI_FILE_IO_INTERFACE *fs = NULL;
	EFI_STATUS s;
	int rc;

	fw->self_path[0] = 0;
	fw->self_dir[0] = '\\';
	fw->self_dir[1] = 0;
	s = fw->bs->HandleProtocol(fw->image, &efi_loaded_image_guid, (void **)&fw->loaded);
	if (EFI_ERROR(s)) {
		efi_say("no EFI_LOADED_IMAGE_PROTOCOL on hv.efi's image (status 0x%llx)", (unsigned long long)s);
		fw->loaded = NULL;
		return -ENOENT;
	}
	rc = devpath_file_text(fw->loaded->FilePath, 4096, fw->self_path, sizeof(fw->self_path));
	if (rc < 0 || efi_path_dir(fw->self_path, fw->self_dir, sizeof(fw->self_dir)) < 0) {
		efi_say("hv.efi's own file path is unknown (%d): looking for hv.cfg in \\", rc);
		fw->self_path[0] = 0;
		fw->self_dir[0] = '\\';
		fw->self_dir[1] = 0;
	}
	s = fw->bs->HandleProtocol(fw->loaded->DeviceHandle, &efi_device_path_guid, (void **)&fw->device_path);
	if (EFI_ERROR(s))
		fw->device_path = NULL;
	s = fw->bs->HandleProtocol(fw->loaded->DeviceHandle, &efi_simple_fs_guid, (void **)&fs);
	if (EFI_ERROR(s)) {
		efi_say("hv.efi's device has no file system (status 0x%llx): no hv.cfg, no modules",
			(unsigned long long)s);
		return -ENOENT;
	}
	s = fs->OpenVolume(fs, &fw->root);
	if (EFI_ERROR(s)) {
		efi_say("cannot open hv.efi's volume (status 0x%llx): no hv.cfg, no modules", (unsigned long long)s);
		fw->root = NULL;
		return -EFAULT;
	}
	return 0;
}

/* The file's size from EFI_FILE_INFO (a fixed part, then its name). */
static EFI_STATUS file_size(EFI_FILE_HANDLE f, uint64_t *size)
{
	union {
		EFI_FILE_INFO info;
		uint8_t bytes[sizeof(EFI_FILE_INFO) + 512];   /* the name follows the fixed part */
	} u;
	UINTN n = sizeof(u);
	EFI_STATUS s = f->GetInfo(f, &efi_file_info_guid, &n, &u);

	if (EFI_ERROR(s))
		return s;
	if (u.info.Attribute & EFI_FILE_DIRECTORY)
		return EFI_NOT_FOUND;
	*size = u.info.FileSize;
	return EFI_SUCCESS;
}

int efi_read_file(struct efi_fw *fw, const char *path, enum efi_read_to to, void **buf, uint64_t *len,
		  char *err, size_t errlen)
{
	CHAR16 wpath[EFI_PATH_UNITS];
	EFI_FILE_HANDLE f;
	EFI_PHYSICAL_ADDRESS pa = READ_BELOW;
	EFI_STATUS s;
	uint64_t size = 0;
	UINTN got;
	void *p = NULL;

	*buf = NULL;
	*len = 0;
	if (!fw->root)
		return fmt_error(-ENOENT, err, errlen, "hv.efi's volume cannot be read");
	if (ascii_to_ucs2((uint16_t *)wpath, ARRAY_SIZE(wpath), path) < 0)
		return fmt_error(-EINVAL, err, errlen, "path too long");
	s = fw->root->Open(fw->root, &f, wpath, EFI_FILE_MODE_READ, 0);
	if (s == EFI_NOT_FOUND)
		return fmt_error(-ENOENT, err, errlen, "no such file");
	if (EFI_ERROR(s))
		return fmt_error(-EFAULT, err, errlen, "cannot open it (status 0x%llx)", (unsigned long long)s);
	s = file_size(f, &size);
	if (EFI_ERROR(s)) {
		f->Close(f);
		return fmt_error(s == EFI_NOT_FOUND ? -ENOENT : -EFAULT, err, errlen,
				 s == EFI_NOT_FOUND ? "a directory" : "no file information (status 0x%llx)",
				 (unsigned long long)s);
	}
	if (to == EFI_READ_POOL) {
		s = fw->bs->AllocatePool(EfiLoaderData, size ? size : 1, &p);
	} else {
		s = fw->bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, EFI_SIZE_TO_PAGES(size ? size : 1), &pa);
		p = (void *)(uintptr_t)pa;
	}
	if (EFI_ERROR(s)) {
		f->Close(f);
		return fmt_error(-ENOMEM, err, errlen, "no memory for its %llu bytes (status 0x%llx)",
				 (unsigned long long)size, (unsigned long long)s);
	}
	got = size;
	s = f->Read(f, &got, p);
	f->Close(f);
	if (EFI_ERROR(s) || got != size) {
		efi_free_file(fw, to, p, size);
		return fmt_error(-EFAULT, err, errlen, "read %llu of %llu bytes (status 0x%llx)",
				 (unsigned long long)got, (unsigned long long)size, (unsigned long long)s);
	}
	*buf = p;
	*len = size;
	return 0;
}

void efi_free_file(struct efi_fw *fw, enum efi_read_to to, void *buf, uint64_t len)
{
	if (!buf)
		return;
	if (to == EFI_READ_POOL)
		fw->bs->FreePool(buf);
	else
		fw->bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)buf, EFI_SIZE_TO_PAGES(len ? len : 1));
}
