/* boot/efi/devpath.h - UEFI device paths as bytes (UEFI 2.10, 10.2 "EFI Device Path
 * Protocol", 10.3.5 media paths): sizes, file-path text, the device part, a file path
 * appended, and whether a boot option names hv.efi itself. Pure: never trusts a length. */
#ifndef BOOT_EFI_DEVPATH_H
#define BOOT_EFI_DEVPATH_H

#include "lib/compiler.h"

#define DP_TYPE_MEDIA        0x04
#define DP_SUB_HARD_DRIVE    0x01   /* HD(partition, signature): a short-form boot option starts here */
#define DP_SUB_FILE_PATH     0x04   /* UCS-2 path, NUL-terminated */
#define DP_TYPE_END          0x7f
#define DP_SUB_END_ENTIRE    0xff
#define DP_SUB_END_INSTANCE  0x01
#define DP_NODE_HEADER       4      /* Type, SubType, Length (16-bit, little endian, header included) */
#define DP_HD_NODE_SIZE      42

/* The removable-media path a firmware boots when a boot option names only a
 * device (UEFI 2.10, 3.5.1.1): hv.efi is often that file. */
#define EFI_REMOVABLE_PATH   "\\EFI\\BOOT\\BOOTX64.EFI"

/* Bytes of the first instance of the path at dp, its end node included, reading
 * at most max bytes; 0 if it is malformed (a node shorter than its header, or
 * one that runs past max, or no end node). */
size_t devpath_size(const void *dp, size_t max);

/* Bytes before the first file-path node (or before the end node: the whole
 * device part). 0 for a path that starts with a file path. dp must be well formed. */
size_t devpath_device_len(const void *dp, size_t max);

/* Writes the text of the path's file-path nodes into out, joined by '\' (a
 * firmware may split \EFI\BOOT\X.EFI into one node per name). Returns 0,
 * -ENOENT if the path has none, -EINVAL if malformed or not ASCII, -ENOSPC. */
int devpath_file_text(const void *dp, size_t max, char *out, size_t size);

/* Builds in out the device part of dev (its first dev_max bytes at most;
 * NULL or 0 for none), one file-path node for path (ASCII, '\' separated) and
 * an end node. Returns the total size in bytes or a negative error. */
int devpath_build_file(void *out, size_t size, const void *dev, size_t dev_max, const char *path);

/* A boot option's file path list (opt, opt_len bytes) and how hv.efi was
 * loaded: the device path of its volume (self_dev, self_dev_len bytes, NULL
 * if unknown) and its file path on it. True if starting that option would
 * start this same hv.efi again: the same file on the same device (full path,
 * or a short form that starts at the same HD node), or only a device that
 * holds hv.efi's volume while hv.efi is that device's removable-media file. */
bool devpath_is_self(const void *opt, size_t opt_len, const void *self_dev, size_t self_dev_len,
		     const char *self_file);

#endif
