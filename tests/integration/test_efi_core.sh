#!/bin/bash
# tests/integration/test_efi_core.sh - the hypervisor core started by hv.efi in
# boot mode (boot/info/efi_handoff.h: the ELF note, efi_entry64, the handoff),
# from a small EFI system-partition image made here: hv.efi as
# \EFI\BOOT\BOOTX64.EFI, an hv.cfg in boot mode, and test guests as modules.
#   efi-core-qemu   QEMU TCG + OVMF (no VMX): hv.efi places the core and exits
#                   boot services; the core's banner names hv.efi as its loader,
#                   its command line, the modules, the RSDP and the firmware's
#                   memory map,
#                   then the same no-VMX diagnosis as after GRUB, and its shell.
#   efi-core-bochs  Bochs + OVMF (VMX): the same hand-off, VMX entered, and the
#                   guests run to their exits as under GRUB.
# The default Linux guest under hv.efi in boot mode: test_linux_efi.sh.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

EFI=$HV_ROOT/build/hv.efi
GUESTS=$HV_ROOT/build/guests
TEST_DIR=$HV_ROOT/build/test
HEX='0x[0-9a-f]{16}'
export MTOOLS_SKIP_CHECK=1

require_file "hv.efi" "$EFI"
require_file "guest hlt (make guests)" "$GUESTS/hlt.elf"
require_file "guest cpuid (make guests)" "$GUESTS/cpuid.elf"
mkdir -p "$TEST_DIR"

# make_img IMG: the ESP with hv.efi, hv.cfg (boot mode) and two guests.
make_img() {
	local img=$1 stage=$TEST_DIR/efi-core.stage
	mkdir -p "$stage"
	cat >"$stage/hv.cfg" <<'CFG'
# boot mode: hv.efi exits boot services and starts the core (test_efi_core.sh)
mode boot
cmdline hvtest
module \EFI\hvtest\hlt.elf guest hv.name=hlt
module \EFI\hvtest\cpuid.elf guest hv.name=cpuid
CFG
	rm -f "$img"
	truncate -s $((20 * 516096)) "$img"     # 20 Bochs cylinders (16 heads, 63 sectors): 9.8 MiB
	mformat -i "$img" -v HV-EFI :: &&
		mmd -i "$img" ::/EFI ::/EFI/BOOT ::/EFI/hvtest &&
		mcopy -i "$img" "$EFI" ::/EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$img" "$stage/hv.cfg" ::/EFI/BOOT/hv.cfg &&
		mcopy -i "$img" "$GUESTS/hlt.elf" "$GUESTS/cpuid.elf" ::/EFI/hvtest/
}

# expect_handoff RSDP_RE: hv.efi's part and the core's banner, the same on
# every firmware but the ACPI line (OVMF under QEMU has ACPI tables, under
# Bochs none).
expect_handoff() {
	expect_line "hv.efi started" '^hv\.efi: hv [^ ]+ - x86-64 hypervisor, UEFI application$' 180
	expect_line "hv.cfg in boot mode" '^hv\.efi: \\EFI\\BOOT\\hv\.cfg: mode boot, .*2 modules, a command line$'
	expect_line "core placed below 4 GiB, 2 MiB aligned" \
		'^hv\.efi: hypervisor core at 0x[0-9a-f]{0,3}[02468ace]00000-0x[0-9a-f]{1,8}, entry 0x[0-9a-f]{1,8}; exiting boot services$'
	expect_line "the core's banner" '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "its command line from hv.cfg" '^command line: hvtest$'
	expect_line "its loader" '^boot loader: hv\.efi$'
	expect_line "module 0" "^module 0: $HEX-$HEX guest hv\\.name=hlt\$"
	expect_line "module 1" "^module 1: $HEX-$HEX guest hv\\.name=cpuid\$"
	expect_line "the RSDP as the firmware has it" "$1"
	expect_line "the EFI memory map" \
		"^EFI: system table at 0x[0-9a-f]+, memory map of [0-9]+ descriptors from the boot loader\$"
	reject_line "no refusal" 'refused the hand-off|bad hand-off'
}

IMG=$TEST_DIR/efi-core.img
if ! make_img "$IMG"; then
	H_RUN=image h_result FAIL "mtools make the EFI image"
	finish
fi

# --- QEMU + OVMF: no VMX -----------------------------------------------------
t0=$SECONDS
start_qemu efi-core-qemu ovmf-disk "$IMG"
expect_handoff '^ACPI: RSDP revision 2 from the boot loader$'
expect_line "no VMX diagnosis" \
	'^VMX: not available: this CPU \([A-Za-z]{12}, .*\) does not report VMX in CPUID\.1:ECX\[5\]\.$'
expect_line "no guest can run" '^hv: no guest can run on this machine$'
expect_line "shell ready" '^hv: debug shell ready'
reject_line "no panic" 'PANIC|exception'
stop_emulator
echo "  (efi-core-qemu: firmware to the shell in $((SECONDS - t0)) s)"

# --- Bochs + OVMF: VMX, the guests run ------------------------------------
# expect_guest NAME CHECKS: one guest from its start to its exit.
expect_guest() {
	expect_line "$1: started" "^guest $1: starting in long64 mode at RIP $HEX\$"
	expect_line "$1: all checks passed" "^\\[$1\\] done: $2 checks, 0 failed\$"
	expect_line "$1: exited" "^guest $1: exited with status 0 after [0-9]+ VM exits\$"
}

cp "$IMG" "$TEST_DIR/efi-core-bochs.img"   # Bochs writes to its disk
t0=$SECONDS
H_BOCHS_FIRMWARE=ovmf start_bochs efi-core-bochs "$TEST_DIR/efi-core-bochs.img"
expect_handoff '^ACPI: the boot loader gave no RSDP$'
expect_line "VMX entered" '^VMX: revision 0x[0-9a-f]+, EPT with .*; VMX root operation entered$'
expect_guest hlt 6
expect_guest cpuid 20
expect_line "all guests stopped" '^hv: all guests have stopped$'
reject_line "no panic" 'PANIC|exception'
stop_emulator
echo "  (efi-core-bochs: firmware to the guests' end in $((SECONDS - t0)) s)"

finish
