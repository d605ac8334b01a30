#!/bin/bash
# tests/integration/test_vmx_entry.sh - a failed VM entry is explained in
# words with the fields it concerns, stops only that guest, and the next
# guest runs (failures made with the hv.testentry= module option); and an
# NMI that arrives while the hypervisor runs is delivered to the guest.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ELF=$HV_ROOT/build/hv.elf
GUEST=$HV_ROOT/build/guests/cpuid.elf
ISO=$HV_ROOT/build/test/vmx-entry.iso
H_END_RE='^hv: all guests have stopped$'
HEX='0x[0-9a-f]{16}'

require_file "hypervisor image" "$ELF"
require_file "test guest" "$GUEST"

if build_iso vmx-entry "hvtest" \
	"$GUEST" "guest hv.name=badctl hv.testentry=control" \
	"$GUEST" "guest hv.name=badstate hv.testentry=guest-state" \
	"$GUEST" "guest hv.name=after"; then
	start_bochs vmx-entry "$ISO"
	expect_line "bad control: error in words" '^guest badctl: VM entry failed: VMfailValid, error 7: VM entry with invalid control field\(s\)$'
	expect_line "bad control: controls dumped" '^  controls: pin 0x[0-9a-f]{8} proc 0x[0-9a-f]{8} proc2 0x[0-9a-f]{8} exit 0x[0-9a-f]{8} entry 0x[0-9a-f]{8}$'
	expect_line "bad control: guest stopped" '^guest badctl: VM entry failed: error 7 \(VM entry with invalid control field\(s\)\)$'
	expect_line "bad state: reason in words" '^guest badstate: VM entry failed: VM-entry failure due to invalid guest state \(exit reason 33\), '
	expect_line "bad state: CR0 dumped" "^  CR0 $HEX \\(shadow 0x[0-9a-f]+\\) CR3 $HEX CR4 $HEX"
	expect_line "bad state: segments dumped" "^  CS   sel 0x0010 base $HEX limit 0x[0-9a-f]{8} access 0x[0-9a-f]{5}\$"
	expect_line "bad state: guest stopped" '^guest badstate: VM entry failed: '
	expect_line "next guest starts" '^guest after: starting in long64 mode'
	expect_line "next guest runs" '^\[cpuid\] done: 20 checks, 0 failed$'
	expect_line "next guest exits" '^guest after: exited with status 0 after [0-9]+ VM exits$'
	expect_line "all stopped" "$H_END_RE"
	stop_emulator
fi

# testfault=nmi raises vector 2 in the hypervisor before the guests start.
if build_iso vmx-nmi "hvtest testfault=nmi" "$HV_ROOT/build/guests/nmi.elf" "guest hv.name=nmi"; then
	start_bochs vmx-nmi "$HV_ROOT/build/test/vmx-nmi.iso"
	expect_line "NMI kept" '^fault test: nmi kept for the guest$'
	expect_line "guest got one NMI" '^\[nmi\] ok: exactly one NMI was delivered$'
	expect_line "in its own code" '^\[nmi\] ok: it interrupted the guest.s own code$'
	expect_line "no second NMI" '^\[nmi\] ok: no second NMI after more exits$'
	# An NMI queued inside the guest's NMI handler: the NMI-window exit.
	expect_line "NMI through HC_INJECT" '^\[nmi\] ok: HC_INJECT of an NMI \(vector 2\) returns 0$'
	expect_line "both NMIs" '^\[nmi\] ok: both NMIs were delivered$'
	expect_line "second NMI right after IRET" '^\[nmi\] ok: the NMI queued inside the handler came right after its IRET'
	expect_line "no VMCALL between" '^\[nmi\] ok: no VMCALL exit between the handler.s IRET and the second NMI$'
	expect_line "one NMI-window exit" '^\[nmi\] ok: it came through one NMI-window exit$'
	expect_line "nmi: all checks pass" '^\[nmi\] done: 9 checks, 0 failed$'
	expect_line "guest exits cleanly" '^guest nmi: exited with status 0 after [0-9]+ VM exits$'
	reject_line "no hypervisor exception" '^\*\*\* hv'
	stop_emulator
fi

# debugexit: a guest's write to port 0xf4 ends it with that status.
if build_iso vmx-debugexit "debugexit" "$HV_ROOT/build/guests/debugexit.elf" "guest hv.name=debugexit"; then
	start_bochs vmx-debugexit "$HV_ROOT/build/test/vmx-debugexit.iso"
	expect_line "device announced" '^debug-exit: a guest.s write to port 0xf4 ends it with that status$'
	expect_line "guest ran" '^\[debugexit\] ok: about to write 42 to the debug-exit port$'
	expect_line "write seen" '^guest debugexit: wrote 0x2a to the debug-exit port 0xf4$'
	expect_line "status is the guest's" '^guest debugexit: exited with status 42 after [0-9]+ VM exits$'
	reject_line "guest did not go on" 'the write to the debug-exit port returned'
	stop_emulator
fi

finish
