#!/bin/bash
# tests/integration/test_cmdline.sh - boots images built with other
# hypervisor command lines (QEMU TCG + SeaBIOS: the fast path) and checks
# that the options take effect and that bad ones are reported clearly.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ELF=$HV_ROOT/build/hv.elf
OUT=$HV_ROOT/build/test

require_file "hypervisor image" "$ELF"

# A smaller hypervisor reservation, and an unknown word that must not stop the boot.
if build_iso cmdline-hvmem32m "hvmem=32M bogus=1"; then
	start_qemu qemu-cmdline-hvmem32m seabios "$OUT/cmdline-hvmem32m.iso"
	expect_line banner '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "command line" '^command line: hvmem=32M bogus=1$'
	expect_line "unknown option warning" "^warning: command line: unknown option 'bogus'$"
	expect_line "hv working row" '^  0x[0-9a-f]{16}  0x[0-9a-f]{16} +32 MiB  hv working$'
	expect_line "hypervisor memory" '^hypervisor memory: 32 MiB at 0x[0-9a-f]{16}-0x[0-9a-f]{16} '
	expect_line "shell ready" '^hv: debug shell ready'
	stop_emulator
fi

# Test options exist only with hvtest: without it they are unknown words and
# nothing of them happens (testfault=ud would stop the hypervisor with #UD).
if build_iso cmdline-nohvtest "testfault=ud testvmx=noept testmmio=0xfe000000"; then
	start_qemu qemu-cmdline-nohvtest seabios "$OUT/cmdline-nohvtest.iso"
	expect_line "command line" '^command line: testfault=ud testvmx=noept testmmio=0xfe000000$'
	for opt in testfault testvmx testmmio; do
		expect_line "$opt without hvtest: unknown" \
			"^warning: command line: unknown option '$opt' \\(test options need hvtest\\)\$"
	done
	expect_line "shell ready" '^hv: debug shell ready'
	reject_line "no deliberate fault" '^\*\*\* hv: CPU exception'
	stop_emulator
fi

# More than the machine has: a clear diagnosis, then a halt.
if build_iso cmdline-hvmem64g "hvmem=64G"; then
	H_MEM=512 start_qemu qemu-cmdline-hvmem64g seabios "$OUT/cmdline-hvmem64g.iso"
	expect_line banner '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "command line" '^command line: hvmem=64G$'
	expect_line "no RAM message" '^hv: no usable RAM range can hold 64 GiB'
	expect_line halted '^hv: system halted\.$'
	reject_line "no reservation" '^hypervisor memory:'
	stop_emulator
fi

finish
