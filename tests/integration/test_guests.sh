#!/bin/bash
# tests/integration/test_guests.sh - boots the hypervisor with every test
# guest (tests/guests/, built by `make guests`) as Multiboot2 modules in one
# Bochs run (the only emulator here with VMX) and checks, guest by guest, the
# hypervisor's start line, the guest's own check lines ("[NAME] ok: X" becomes
# a PASS, "[NAME] FAILED: X" a FAIL), its "done" tally against the number of
# checks it must make, and the hypervisor's report of how it stopped.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ELF=$HV_ROOT/build/hv.elf
GUESTS=$HV_ROOT/build/guests
ISO=$HV_ROOT/build/test/guests.iso
H_END_RE='^hv: all guests have stopped$'
HEX='0x[0-9a-f]{16}'

# NAME MODE CHECKS END [HV ARGS]: the guests in boot order. CHECKS is how many
# checks the guest must report (one that silently skips some fails); END is
# how it stops: "exit" (HC_EXIT) or "triple" (a triple fault).
PLAN=(
	"vmcall long64 19 exit"
	"cpuid long64 18 exit"
	"msr long64 55 exit"
	"cr long64 24 exit"
	"io long64 19 exit"
	"uart long64 12 exit"
	"vmxinsn long64 13 exit"
	"exceptions long64 21 exit"
	"hlt long64 6 exit"
	"memory long64 27 exit"
	"mmio64 long64 257 exit"
	"mmio32 prot32 205 exit"
	"prot32 prot32 17 exit"
	"mbinfo prot32 14 exit mbtest=yes"
	"realmode real 10 exit hv.mode=real"
	"x2apic long64 14 exit"
	"triple long64 1 triple"
)

# expect_guest NAME MODE CHECKS END: one guest's part of the log, in order.
expect_guest() {
	local name=$1 mode=$2 want=$3 end=$4 first last line n=0 failed=0 counts status
	expect_line "$name: started" "^guest $name: starting in $mode mode at RIP $HEX\$"
	first=$H_CURSOR
	expect_line "$name: done line" "^\\[$name\\] done: [0-9]+ checks, [0-9]+ failed\$"
	counts=$H_MATCH
	last=$H_CURSOR
	# Without a done line, still report the checks that did come out.
	[ -n "$counts" ] || last=$(($(wc -l <"$H_TXT") + 1))
	while IFS= read -r line; do
		case $line in
		"[$name] ok: "*)
			n=$((n + 1))
			h_result PASS "$name: ${line#"[$name] ok: "}" ;;
		"[$name] FAILED: "*)
			n=$((n + 1)) failed=$((failed + 1))
			h_result FAIL "$name: ${line#"[$name] FAILED: "}" ;;
		esac
	done < <(sed -n "$((first + 1)),$((last - 1))p" "$H_TXT")
	if [ -n "$counts" ]; then
		counts=$(sed -E 's/^.* done: ([0-9]+) checks, ([0-9]+) failed$/\1 \2/' <<<"$counts")
		check "$name: reports $want checks" test "${counts% *}" -eq "$want"
		check "$name: one ok/FAILED line per check" test "$n" -eq "${counts% *}"
		check "$name: its failed count is its FAILED lines" test "$failed" -eq "${counts#* }"
	fi
	if [ "$end" = triple ]; then
		expect_line "$name: triple fault reported" \
			"^guest $name: triple fault at RIP $HEX; guest stopped, hypervisor continues\$"
		return 0
	fi
	# Any status matches, so a failed guest does not stall the guests after it.
	expect_line "$name: exit reported" "^guest $name: exited with status [0-9]+ after [0-9]+ VM exits\$"
	if [ -n "$H_MATCH" ]; then
		status=$(sed -E 's/^.* status ([0-9]+) after .*$/\1/' <<<"$H_MATCH")
		check "$name: exit status 0" test "$status" -eq 0
	fi
	expect_line "$name: exit counts" "^guest $name: exits: "
}

require_file "hypervisor image" "$ELF"
modules=()
for entry in "${PLAN[@]}"; do
	read -r name mode want end args <<<"$entry"
	require_file "guest $name (make guests)" "$GUESTS/$name.elf"
	modules+=("$GUESTS/$name.elf" "guest hv.name=$name${args:+ $args}")
done

# The memory and mmio guests need the test MMIO device where they expect it
# (the mmio guests after memory: they leave its scratch area dirty).
if build_iso guests "testmmio=0xfe000000 eptmap" "${modules[@]}"; then
	start_bochs guests "$ISO"
	expect_line "MTRRs read" '^MTRR: enabled, default (UC|WC|WT|WP|WB), fixed (on|off), [0-9]+ variable \([0-9]+ in use\)$'
	expect_line "test device registered" '^testdev: test MMIO device at 0xfe000000-0xfe000fff$'
	expect_line "EPT map header" '^EPT map \(identity; runs of equal attributes\):$'
	expect_line "EPT map: low memory WB" '^  0x0000000000000000-0x[0-9a-f]{16} RWX WB ( [0-9]+ x (1G|2M|4K))+$'
	expect_line "EPT map: VGA hole UC" '^  0x00000000000a0000-0x00000000000[0-9a-f]ffff RWX UC  [0-9]+ x 4K$'
	expect_line "EPT map: 1 GiB pages" '^  0x[0-9a-f]{16}-0x[0-9a-f]{16} RWX (WB|UC) .*[0-9]+ x 1G'
	expect_line "EPT summary" '^EPT: [0-9.]+ [KMGT]iB mapped \([0-9]+ x 1G, [0-9]+ x 2M, [0-9]+ x 4K\), [0-9.]+ [KMG]iB hidden, [0-9]+ table pages$'
	for entry in "${PLAN[@]}"; do
		read -r name mode want end args <<<"$entry"
		case $name in
		mbinfo) expect_line "$name: Multiboot info" \
			"^guest $name: Multiboot v1 info at 0x60000, [0-9]+ memory map entries\$" ;;
		esac
		expect_guest "$name" "$mode" "$want" "$end"
	done
	expect_line "all guests stopped" "$H_END_RE"
	# Run-time map change (memory guest): registering a device inside a 1 GiB
	# page splits it, removing it merges the EPT back to exactly what it was.
	mapfile -t ept < <(grep -aE '^EPT: [0-9]' "$H_TXT")
	check "EPT changed when a device was registered" test "${#ept[@]}" -ge 3 -a "${ept[1]:-}" != "${ept[0]}"
	check "EPT merged back to the original after removal" test "${ept[2]:-}" = "${ept[0]}"
	reject_line "no hypervisor panic or exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
fi

# A second boot for the Multiboot2 kernel: one boot holds at most 16 modules
# (BOOT_MODULES_MAX), and the PLAN has that many.
require_file "guest mb2info (make guests)" "$GUESTS/mb2info.elf"
if build_iso guests-mb2 "" "$GUESTS/mb2info.elf" "guest hv.name=mb2info mbtest=yes"; then
	start_bochs guests-mb2 "$HV_ROOT/build/test/guests-mb2.iso"
	expect_line "mb2info: Multiboot info" \
		"^guest mb2info: Multiboot v2 info at 0x60000, [0-9]+ memory map entries\$"
	expect_guest mb2info prot32 15 exit
	expect_line "all guests stopped" "$H_END_RE"
	reject_line "no hypervisor panic or exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
fi

finish
