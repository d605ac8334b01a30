#!/bin/bash
# tests/integration/test_console.sh - the serial console follows serial= and
# baud=, and a port with no UART behind it is reported, not hung on.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ELF=$HV_ROOT/build/hv.elf
OUT=$HV_ROOT/build/test

require_file "hypervisor image" "$ELF"

# COM2 at 57600: the banner and everything after it appear on the second port.
if build_iso console-com2 "serial=com2 baud=57600"; then
	start_qemu console-com2 seabios "$OUT/console-com2.iso" -serial "file:$HV_ROOT/build/test/console-com2/com2.log"
	H_LOG=$H_DIR/com2.log          # watch COM2 from here on
	expect_line banner '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "console line" '^console: serial port 0x2f8 at 57600 baud; Ctrl-] switches between the guest and the hv shell$'
	expect_line "memory map" '^memory map:$'
	expect_line "shell ready" '^hv: debug shell ready'
	check "COM1 has no hypervisor output" sh -c "! grep -q 'x86-64 hypervisor' '$H_DIR/serial.log'"
	stop_emulator
fi

# COM3 does not exist on this machine: say so and stay on COM1.
if build_iso console-com3 "serial=com3"; then
	start_qemu console-com3 seabios "$OUT/console-com3.iso"
	expect_line "missing UART reported" '^warning: no UART answers at port 0x3e8; console stays on 0x3f8$'
	expect_line banner '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "console line" '^console: serial port 0x3f8 at 115200 baud; Ctrl-] switches between the guest and the hv shell$'
	expect_line "shell ready" '^hv: debug shell ready'
	stop_emulator
fi

# Bad values: a warning each, defaults in force.
if build_iso console-bad "serial=lpt1 baud=12345"; then
	start_qemu console-bad seabios "$OUT/console-bad.iso"
	expect_line "console line" '^console: serial port 0x3f8 at 115200 baud; Ctrl-] switches between the guest and the hv shell$'
	expect_line "bad serial" "^warning: command line: bad value 'lpt1' for serial: "
	expect_line "bad baud" "^warning: command line: bad value '12345' for baud: must divide 115200\$"
	expect_line "shell ready" '^hv: debug shell ready'
	stop_emulator
fi

finish
