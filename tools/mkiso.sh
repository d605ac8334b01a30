#!/bin/sh
# tools/mkiso.sh OUT.iso HV.ELF "HV CMDLINE" [MODULE "MODULE CMDLINE"]...
# Builds a GRUB image (BIOS and UEFI, hybrid: also a USB stick image) that
# boots the hypervisor with the given command line and boot modules. GRUB
# talks on the first serial port too, so the whole boot is on the console.
set -eu
out=$1 elf=$2 cmdline=$3
shift 3
stage=$(mktemp -d "${TMPDIR:-/tmp}/hv-iso.XXXXXX")
log=$(mktemp "${TMPDIR:-/tmp}/hv-iso-log.XXXXXX")
trap 'rm -rf "$stage" "$log"' EXIT
mkdir -p "$stage/boot/grub"
# Without DWARF (a third of the size; stack traces use the image's own symbol
# table): less for firmware to read. OVMF in Bochs failed to read one sector
# of the 835 KiB file GRUB EFI asked for, and reads the 260 KiB one.
llvm-objcopy --strip-debug "$elf" "$stage/boot/hv.elf"

modules=""
n=0
while [ $# -ge 2 ]; do
	n=$((n + 1))
	cp "$1" "$stage/boot/module$n"
	modules="$modules	module2 /boot/module$n $2
"
	shift 2
done

cat > "$stage/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=${HV_GRUB_TIMEOUT:-0}
set timeout_style=hidden
# UEFI has no text mode: keep the firmware's framebuffer rather than fail to set one.
if [ "\$grub_platform" = efi ]; then set gfxpayload=keep; fi
menuentry "hv" {
	multiboot2 /boot/hv.elf $cmdline
$modules	boot
}
CFG

mkdir -p "$(dirname "$out")"
if ! grub-mkrescue -o "$out.tmp" "$stage" >"$log" 2>&1; then
	cat "$log" >&2
	echo "mkiso: grub-mkrescue failed (packages grub-pc-bin grub-efi-amd64-bin xorriso mtools)" >&2
	exit 1
fi
mv "$out.tmp" "$out"
