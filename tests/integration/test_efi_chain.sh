#!/bin/bash
# tests/integration/test_efi_chain.sh - chain mode (boot/efi/chain_enter.c,
# boot/info/efi_handoff.h): hv.efi gives the core a pool of EfiUnusableMemory
# with boot services running, the core enters VMX and resumes the firmware as
# its guest "uefi" where hv.efi called it, and hv.efi goes on with the next
# loader under the hypervisor.
#   efi-chain-fw   Bochs + OVMF, 1 CPU: hv.cfg's next loader does not exist,
#                  so after the return hv.efi goes on through BootOrder
#                  (the disk's option is hv.efi itself, skipped) to OVMF's
#                  shell, which runs as the guest: its output comes through
#                  the hypervisor's virtual UART.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

EFI=$HV_ROOT/build/hv.efi
TEST_DIR=$HV_ROOT/build/test
HEX='0x[0-9a-f]{16}'
export MTOOLS_SKIP_CHECK=1

require_file "hv.efi" "$EFI"
mkdir -p "$TEST_DIR"

# make_img IMG CFG: the ESP with hv.efi and the hv.cfg text CFG.
make_img() {
	local img=$1 stage=$TEST_DIR/efi-chain.stage
	mkdir -p "$stage"
	printf '%s\n' "$2" >"$stage/hv.cfg"
	rm -f "$img"
	truncate -s $((20 * 516096)) "$img"     # 20 Bochs cylinders (16 heads, 63 sectors): 9.8 MiB
	mformat -i "$img" -v HV-EFI :: &&
		mmd -i "$img" ::/EFI ::/EFI/BOOT &&
		mcopy -i "$img" "$EFI" ::/EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$img" "$stage/hv.cfg" ::/EFI/BOOT/hv.cfg
}

IMG=$TEST_DIR/efi-chain-fw.img
if ! make_img "$IMG" "$(printf '%s\n' '# chain mode, no next loader: on to BootOrder' \
		'mode chain' 'next \EFI\hvtest\missing.efi')"; then
	H_RUN=image h_result FAIL "mtools make the EFI image"
	finish
fi

t0=$SECONDS
H_BOCHS_FIRMWARE=ovmf start_bochs efi-chain-fw "$IMG"
expect_line "hv.efi started" '^hv\.efi: hv [^ ]+ - x86-64 hypervisor, UEFI application$' 180
expect_line "VMX available" '^hv\.efi: VMX: available'
expect_line "pool and core allocated" \
	'^hv\.efi: chain mode: hypervisor core at 0x[0-9a-f]+-0x[0-9a-f]+, pool (0x[0-9a-f]+)-(0x[0-9a-f]+) \(64 MiB, EfiUnusableMemory\), AP start-up page 0x[0-9a-f]+; entering the core with boot services running$'
expect_line "the core's banner" '^hv [^ ]+ - x86-64 hypervisor$'
expect_line "its loader" '^boot loader: hv\.efi$'
expect_line "hypervisor memory is the pool" \
	"^hypervisor memory: 64 MiB at $HEX-$HEX \\(the UEFI loader's pool\\)\$"
expect_line "VMX entered" '^VMX: revision 0x[0-9a-f]+, EPT with .*; VMX root operation entered$'
expect_line "the firmware resumed" "^guest uefi: starting in resume mode at RIP $HEX\$"
expect_line "hv.efi runs as the guest" '^hv\.efi: the firmware now runs under the hypervisor$'
expect_line "the next loader is tried" 'missing\.efi'
expect_line "OVMF's shell runs as the guest" 'Shell>|UEFI Interactive Shell'
reject_line "no refusal, no panic" 'refused the hand-off|bad hand-off|PANIC|exception|VM entry failed'
stop_emulator
echo "  (efi-chain-fw: firmware to OVMF's shell under the hypervisor in $((SECONDS - t0)) s)"
finish
