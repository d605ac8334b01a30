#!/bin/sh
# tools/check-image.sh ELF - refuses an image GRUB could not load or that
# breaks the layout the code relies on: Multiboot2 header within the first
# 32 KiB of the file, no writable+executable segment, loadable anywhere GRUB's
# relocatable tag allows (no relocation sections, which GRUB refuses in a
# Multiboot2 ELF; the lowest segment, the link base, 2 MiB aligned: the stub
# maps the image with 2 MiB pages at load offset = load - link).
set -eu
elf=$1
off=$(od -A d -t x4 -v -N 32768 "$elf" | awk '{ for (i = 2; i <= NF; i++) if ($i == "e85250d6") { print $1 + (i - 2) * 4; exit } }')
if [ -z "$off" ]; then
	echo "check-image: $elf: no Multiboot2 header in the first 32 KiB" >&2
	exit 1
fi
if [ $((off % 8)) -ne 0 ]; then
	echo "check-image: $elf: Multiboot2 header at offset $off is not 8-byte aligned" >&2
	exit 1
fi
if readelf -lW "$elf" | awk '$1 == "LOAD" && $(NF-1) ~ /W/ && $(NF-1) ~ /E/ { found = 1 } END { exit !found }'; then
	echo "check-image: $elf: has a writable and executable segment:" >&2
	readelf -lW "$elf" >&2
	exit 1
fi
if readelf -SW "$elf" | grep -qE '\] [^ ]+ +(REL|RELA) '; then
	echo "check-image: $elf: has relocation sections; GRUB will not load it as Multiboot2" >&2
	exit 1
fi
base=$(readelf -lW "$elf" | awk '$1 == "LOAD" { print $4 }' | sort | head -n 1)
if [ -z "$base" ] || [ $((base % 0x200000)) -ne 0 ]; then
	echo "check-image: $elf: lowest segment at physical ${base:-?}, not 2 MiB aligned" >&2
	exit 1
fi
# The embedded symbol table came from the first link pass: text must not have moved.
if [ $# -ge 2 ]; then
	syms() { llvm-nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/'; }
	if ! syms "$1" | cmp -s - "$(syms "$2" > "$elf.syms0"; echo "$elf.syms0")"; then
		echo "check-image: text symbols moved between link passes; stack traces would lie" >&2
		exit 1
	fi
	rm -f "$elf.syms0"
fi
# HOST_RSP and HOST_RIP are written once per vCPU (vmx/vcpu.c): the entry
# path must not VMWRITE (under nested KVM each one is an exit to the host).
stub=$(llvm-nm "$elf" | awk '$3 ~ /^(vmx_enter(\..*)?|vmx_exit_entry)$/ { print $3 }' | paste -sd, -)
if [ -z "$stub" ] || ! llvm-objdump -d --no-show-raw-insn --disassemble-symbols="$stub" "$elf" | grep -q vmresume; then
	echo "check-image: $elf: the VM-entry stub (vmx_enter) not found" >&2
	exit 1
fi
if llvm-objdump -d --no-show-raw-insn --disassemble-symbols="$stub" "$elf" | grep -q vmwrite; then
	echo "check-image: $elf: vmx_enter/vmx_exit_entry execute VMWRITE on every VM entry" >&2
	exit 1
fi
