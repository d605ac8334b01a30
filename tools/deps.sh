#!/bin/bash
# tools/deps.sh - makes sure the Debian 12 packages that the build, the tests
# and `make run` use are installed. Silent when they all are; as root it
# installs what is missing, otherwise it prints the command to do so and fails.
set -eu

# Why each package is here (Debian 12 names):
pkgs=(
	make clang lld nasm # the build: clang, ld.lld, nasm
	llvm                # llvm-nm (tools/gen-ksyms.sh, tools/check-image.sh)
	binutils            # readelf (tools/check-image.sh); ld.bfd and objcopy link hv.efi (Makefile)
	libclang-rt-14-dev  # ASan/UBSan runtime of the host unit tests (only a Recommends of clang)
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools # tools/mkiso.sh: BIOS+UEFI hybrid ISO; mtools and GRUB EFI: tools/mkefi-img.sh
	qemu-system-x86 ovmf # QEMU TCG runs; ovmf is only a Recommends of qemu
	bochs bochsbios vgabios bochs-term # Bochs: the only VMX here; bochs-term meets bochs' GUI dependency (else apt picks bochs-wx)
	gnu-efi cpio        # hv.efi: gnu-efi's crt0, linker script, libraries and UEFI headers; initramfs for test guests
	socat               # make run under Bochs: bridges the serial console's socket to the terminal
	libcapstone-dev     # reference disassembler of the instruction-decoder test
)

if ! command -v dpkg-query >/dev/null; then
	echo "deps: not a Debian system; install the equivalents of: ${pkgs[*]}" >&2
	exit 0 # the build and the tests say what is missing, if anything
fi

# One dpkg-query for all: prints "name ii " for each installed package.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	if ! grep -qx "$p ii *" <<<"$installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
