#!/bin/sh
# tools/mkefi-img.sh OUT.img HV.EFI VMLINUZ INITRD "KERNEL CMDLINE"
# Builds an EFI system-partition image (FAT, no partition table: a disk for
# QEMU or Bochs, or a USB stick written with dd) with
#   \EFI\BOOT\BOOTX64.EFI   hv.efi (the removable-media path firmware boots)
#   \EFI\BOOT\hv.cfg        chain mode, next loader \EFI\hvtest\grubx64.efi
#   \EFI\hvtest\grubx64.efi GRUB EFI (grub-mkimage, modules built in) reading
#   \EFI\hvtest\grub.cfg    which boots the kernel and initrd beside it
#                           directly, without the hypervisor, console on COM1.
# So the chain is firmware -> hv.efi -> GRUB -> Linux. HV_EFI_CFG (text)
# replaces the hv.cfg. mtools only: no root, no loop mounts.
set -eu
if [ $# -ne 5 ]; then
	echo "usage: $0 OUT.img HV.EFI VMLINUZ INITRD \"KERNEL CMDLINE\"" >&2
	exit 2
fi
out=$1 efi=$2 kernel=$3 initrd=$4 cmdline=$5
stage=$(mktemp -d "${TMPDIR:-/tmp}/hv-efi-img.XXXXXX")
trap 'rm -rf "$stage"' EXIT
export MTOOLS_SKIP_CHECK=1

# GRUB with what grub.cfg uses built in: the prefix is on the device GRUB was
# loaded from, so it reads \EFI\hvtest\grub.cfg from this image.
if ! grub-mkimage -O x86_64-efi -p /EFI/hvtest -o "$stage/grubx64.efi" \
	normal configfile linux boot fat part_msdos part_gpt serial terminal echo test efi_gop \
	>"$stage/grub.log" 2>&1; then
	cat "$stage/grub.log" >&2
	echo "mkefi-img: grub-mkimage failed (package grub-efi-amd64-bin)" >&2
	exit 1
fi
cat >"$stage/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=${HV_GRUB_TIMEOUT:-0}
set timeout_style=hidden
menuentry "Linux (no hypervisor)" {
	echo "hvtest-grub: booting Linux without the hypervisor"
	linux /EFI/hvtest/vmlinuz $cmdline
	initrd /EFI/hvtest/initrd.img
	boot
}
CFG
if [ -n "${HV_EFI_CFG:-}" ]; then
	printf '%s\n' "$HV_EFI_CFG" >"$stage/hv.cfg"
else
	cat >"$stage/hv.cfg" <<'CFG'
# hv.cfg - hv.efi's configuration (README, "hv.efi"). Chain mode: the
# hypervisor runs the next boot loader, here the test GRUB, as its guest.
mode chain
next \EFI\hvtest\grubx64.efi
CFG
fi

# Size: the files, 25% and 2 MiB for the FAT and slack, in whole MiB.
bytes=$(cat "$efi" "$kernel" "$initrd" "$stage/grubx64.efi" | wc -c)
mib=$(((bytes + bytes / 4) / 1048576 + 2))
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
truncate -s "${mib}M" "$out.tmp"
mformat -i "$out.tmp" -v HV-EFI ::
mmd -i "$out.tmp" ::/EFI ::/EFI/BOOT ::/EFI/hvtest
mcopy -i "$out.tmp" "$efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$out.tmp" "$stage/hv.cfg" ::/EFI/BOOT/hv.cfg
mcopy -i "$out.tmp" "$stage/grubx64.efi" "$stage/grub.cfg" ::/EFI/hvtest/
mcopy -i "$out.tmp" "$kernel" ::/EFI/hvtest/vmlinuz
mcopy -i "$out.tmp" "$initrd" ::/EFI/hvtest/initrd.img
mv "$out.tmp" "$out"
