#!/bin/bash
# tests/integration/test_vmx_detect.sh - VMX detection says clearly why VMX
# cannot be used, and the hypervisor stays at its prompt. The CPU without VMX
# is QEMU TCG (tests/integration/test_boot.sh); the firmware that leaves
# IA32_FEATURE_CONTROL unlocked is OVMF under Bochs; the locked-off MSR and
# missing features are simulated with testvmx= (the CPU answers for real otherwise).
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ELF=$HV_ROOT/build/hv.elf
OUT=$HV_ROOT/build/test

require_file "hypervisor image" "$ELF"

# expect_no_guest: the end of a boot where VMX cannot be used.
expect_no_guest() {
	expect_line "no guest can run" '^hv: no guest can run on this machine$'
	expect_line "shell ready" '^hv: debug shell ready'
	reject_line "no VMXON" 'VMX root operation entered'
}

if build_iso vmx-fclocked "hvtest testvmx=fclocked"; then
	start_bochs vmx-fclocked "$OUT/vmx-fclocked.iso"
	expect_line "locked off" '^VMX: disabled by the firmware: IA32_FEATURE_CONTROL is locked with VMX off \(0x1\)\.$'
	expect_line "how to fix" '^VMX: enable "Intel Virtualization Technology" \(VT-x\) in the firmware setup and power-cycle the machine\.$'
	expect_no_guest
	stop_emulator
fi

if build_iso vmx-noept "hvtest testvmx=noept"; then
	start_bochs vmx-noept "$OUT/vmx-noept.iso"
	expect_line "hook announced" "^VMX: test hook: pretending the CPU cannot set 'enable EPT'\$"
	expect_line "missing feature named" '^VMX: this CPU lacks VMX features hv needs: secondary: EPT$'
	expect_no_guest
	stop_emulator
fi

if build_iso vmx-noug "hvtest testvmx=noug"; then
	start_bochs vmx-noug "$OUT/vmx-noug.iso"
	expect_line "missing feature named" '^VMX: this CPU lacks VMX features hv needs: secondary: unrestricted guest$'
	expect_no_guest
	stop_emulator
fi

# OVMF leaves IA32_FEATURE_CONTROL at 0: hv sets VMX-outside-SMX and locks it.
H_BOCHS_FIRMWARE=ovmf start_bochs vmx-ovmf-unlocked "$HV_ROOT/build/hv.iso"
expect_line "unlocked MSR enabled" '^VMX: IA32_FEATURE_CONTROL was unlocked \(0x0\); set VMX-outside-SMX and the lock bit \(0x5\)$' 180
expect_line "VMX entered" '^VMX: revision 0x[0-9a-f]+, EPT with .*; VMX root operation entered$'
expect_line "shell ready" '^hv: debug shell ready'
stop_emulator

finish
