#!/bin/bash
# tests/integration/test_boot.sh - boots build/hv.iso on each firmware and
# boot medium we support and checks the boot report on the serial console,
# line by line, in order.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ISO=$HV_ROOT/build/hv.iso
# A memory map row: start, end, size right-aligned in 10 columns, then "  TYPE".
ROW='  0x[0-9a-f]{16}  0x[0-9a-f]{16}  [ 0-9.]{5}[0-9] [KMGT]iB'
HEX='0x[0-9a-f]{16}'

# The boot report of an image with an empty command line; $1 is the CPU
# vendor, $2 "vmx" where the CPU has VMX (Bochs) or "novmx" (QEMU TCG);
# $3 "efi" where GRUB EFI booted it (Multiboot2's EFI tags: the system
# table and the memory map, which a Linux guest gets).
check_boot() {
	expect_line banner '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "command line" '^command line: \(empty\)$'
	expect_line cpu "^CPU: $1 family 0x[0-9a-f]+ model 0x[0-9a-f]+ stepping [0-9]+, [^ ].*$"
	if [ "${3:-}" = efi ]; then
		expect_line "EFI system table and memory map from GRUB" \
			'^EFI: system table at 0x[0-9a-f]+, memory map of [0-9]+ descriptors from the boot loader$'
	fi
	expect_line "memory map header" '^memory map:$'
	expect_line "memory map columns" '^  start {15}end {23}size  type$'
	expect_line "usable row" "^$ROW  usable$"
	expect_line "hv working row" "^$ROW  hv working$"
	local row=$H_MATCH
	# Loaded high (relocatable Multiboot2 header), not at its 2 MiB link address.
	expect_line "hv image row" "^$ROW  hv image$"
	check "the image is loaded at or above 16 MiB" test "$((${H_MATCH:2:18}))" -ge $((16 << 20))
	expect_line "hypervisor memory" "^hypervisor memory: 64 MiB at $HEX-$HEX \(top of usable RAM\)$"
	# The reserved range must be the one the map calls "hv working"
	# (when either line is missing, its failure is already reported).
	local start end
	if [ -n "$row" ] && [ -n "$H_MATCH" ]; then
		start=$(echo "$H_MATCH" | grep -oE "$HEX" | head -n 1)
		end=$(echo "$H_MATCH" | grep -oE "$HEX" | tail -n 1)
		check "hv working row is the hypervisor memory" \
			grep -qE "^  $start  $end +64 MiB  hv working$" <<<"$row"
	fi
	expect_line paging '^paging: image W\^X \(text RX, rodata R, data RW NX\), .*; [0-9]+ page-table pages$'
	expect_line frames '^frames: [0-9.]+ [KMG]iB free in working memory; heap: [0-9]+ [KM]iB'
	# Bochs and QEMU's i440fx PC have no DMAR: no VT-d unit to protect memory from DMA.
	expect_line "no DMAR" '^iommu: machine without DMAR \(no VT-d\): no DMA remapping, devices can reach all memory$'
	if [ "$2" = vmx ]; then
		expect_line "VMX entered" '^VMX: revision 0x[0-9a-f]+, EPT with .*; VMX root operation entered$'
		expect_line "no guest" "^hv: no guest to run: add a module whose command line starts with 'guest'"
	else
		# QEMU TCG has no VMX: the diagnosis names the CPU and what to do.
		expect_line "no VMX diagnosis" '^VMX: not available: this CPU \([A-Za-z]{12}, .*\) does not report VMX in CPUID\.1:ECX\[5\]\.$'
		expect_line "what to do" '^VMX: hv needs an Intel CPU with VT-x; under QEMU use -enable-kvm -cpu host'
		expect_line "no guest can run" '^hv: no guest can run on this machine$'
	fi
	expect_line "shell ready" '^hv: debug shell ready \(type .help.\)$'
	stop_emulator
}

require_file image "$ISO"

start_bochs bochs-bios "$ISO"
check_boot GenuineIntel vmx

start_qemu qemu-seabios seabios "$ISO"
check_boot "[A-Za-z]{12}" novmx

start_qemu qemu-ovmf ovmf "$ISO"
check_boot "[A-Za-z]{12}" novmx efi

start_qemu qemu-usb usb "$ISO"
check_boot "[A-Za-z]{12}" novmx

finish
