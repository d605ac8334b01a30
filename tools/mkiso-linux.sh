#!/bin/sh
# tools/mkiso-linux.sh OUT.iso VMLINUZ INITRD "KERNEL CMDLINE"
# Builds a GRUB image (BIOS and UEFI, hybrid) that boots a Linux kernel
# directly, without the hypervisor: the baseline that a guest boot under the
# hypervisor is compared with (tests/integration/test_linux.sh, make bench).
# GRUB talks on the first serial port, as in tools/mkiso.sh.
set -eu
if [ $# -ne 4 ]; then
	echo "usage: $0 OUT.iso VMLINUZ INITRD \"KERNEL CMDLINE\"" >&2
	exit 2
fi
out=$1 kernel=$2 initrd=$3 cmdline=$4
stage=$(mktemp -d "${TMPDIR:-/tmp}/hv-iso.XXXXXX")
log=$(mktemp "${TMPDIR:-/tmp}/hv-iso-log.XXXXXX")
trap 'rm -rf "$stage" "$log"' EXIT
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/vmlinuz"
cp "$initrd" "$stage/boot/initrd.img"

cat > "$stage/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=${HV_GRUB_TIMEOUT:-0}
set timeout_style=hidden
if [ "\$grub_platform" = efi ]; then set gfxpayload=keep; fi
menuentry "Linux (no hypervisor)" {
	linux /boot/vmlinuz $cmdline
	initrd /boot/initrd.img
	boot
}
CFG

mkdir -p "$(dirname "$out")"
if ! grub-mkrescue -o "$out.tmp" "$stage" >"$log" 2>&1; then
	cat "$log" >&2
	echo "mkiso-linux: grub-mkrescue failed (packages grub-pc-bin grub-efi-amd64-bin xorriso mtools)" >&2
	exit 1
fi
mv "$out.tmp" "$out"
