#!/bin/bash
# tests/integration/test_shell.sh - the debug shell at the hv> prompt, typed
# into over the serial console after the guests stopped (Bochs, VMX): each
# command's output is checked against what the hypervisor is known to have.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

H_END_RE=''                 # the shell keeps running: no last line
HEX='0x[0-9a-f]{16}'

require_file "hypervisor image" "$HV_ROOT/build/hv.elf"
require_file "test guest" "$HV_ROOT/build/guests/cpuid.elf"

if build_iso shell "testmmio=0xfe000000" "$HV_ROOT/build/guests/cpuid.elf" "guest hv.name=cpuid"; then
	start_bochs_interactive shell "$HV_ROOT/build/test/shell.iso"
	expect_line "guest ran" '^guest cpuid: exited with status 0'
	expect_line "shell ready" '^hv: debug shell ready'
	send_line "help"
	expect_line "help lists commands" '^  mtree +the guest memory map$'
	send_line "mem"
	expect_line "mem: the hypervisor's working memory" "^  $HEX  $HEX +64 MiB  hv working\$"
	send_line "mtree"
	expect_line "mtree: the test device is trapped" '^  0x00000000fe000000-0x00000000fe000fff  trapped  e820 2  testdev$'
	send_line "devices"
	expect_line "devices: COM1 ports" '^  ports 0x03f8-0x03ff  com1$'
	expect_line "devices: test device state" '^  testdev: test device at 0xfe000000, [0-9]+ accesses'
	send_line "ept 0xfe000000"
	expect_line "ept walk header" '^EPT walk for GPA 0xfe000000:$'
	expect_line "ept walk: the trapped page is not present" '^  PTE +0x0000000000000000 \(table 0x[0-9a-f]+\): not present$'
	send_line "ept"
	expect_line "ept map summary" '^EPT: [0-9.]+ [KMGT]iB mapped \([0-9]+ x 1G, [0-9]+ x 2M, [0-9]+ x 4K\)'
	send_line "ept nonsense"
	expect_line "bad argument explained" '^usage: ept \[GPA\]'
	send_line "frobnicate"
	expect_line "unknown command explained" "^unknown command 'frobnicate' \\(try 'help'\\)\$"
	send_line "info"
	expect_line "info: version and CPU" '^hv [^ ]+; CPU GenuineIntel .*; VMX present; '
	# Line editing: Tab completes a unique command name, Up recalls the last line.
	send_line $'dev\t'
	expect_line "Tab completed 'dev' to devices" '^  ports 0x03f8-0x03ff  com1$'
	send_line $'\e[A'
	expect_line "Up arrow recalled and ran it again" '^  ports 0x03f8-0x03ff  com1$'
	stop_emulator
fi

finish
