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
	"vmcall long64 20 exit"
	"cpuid long64 20 exit"
	"msr long64 76 exit"
	"cr long64 26 exit"
	"io long64 19 exit"
	"uart long64 15 exit"
	"vmxinsn long64 13 exit"
	"exceptions long64 31 exit"
	"hlt long64 6 exit"
	"memory long64 30 exit"
	"mmio64 long64 275 exit"
	"mmio32 prot32 205 exit"
	"prot32 prot32 30 exit"
	"taskswitch prot32 48 exit"
	"mbinfo prot32 25 exit mbtest=yes"
	"realmode real 15 exit hv.mode=real"
	"x2apic long64 14 exit"
	"triple long64 1 triple"
)

# expect_mbmods NAME: the loader's lines for the two modules of a Multiboot guest.
expect_mbmods() {
	expect_line "$1: module 1 placed" "^guest $1: module 1: 5001 bytes at 0x[0-9a-f]+ \"mbmod1 size=5001 sum=0x[0-9a-f]+\"\$"
	expect_line "$1: module 2 placed" "^guest $1: module 2: 12305 bytes at 0x[0-9a-f]+ \"mbmod2 size=12305 sum=0x[0-9a-f]+\"\$"
}

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

# MBMODS: two modules for the Multiboot guests (tests/guests/mbinfo.c), random
# bytes of odd sizes, each line naming its size and checksum (the sum of
# byte * (index + 1) modulo 2^32) for the guest to check.
MBMODS=()
mkdir -p "$HV_ROOT/build/test"
for m in 1:5001 2:12305; do
	f=$HV_ROOT/build/test/mbmod${m%:*}.bin
	head -c "${m#*:}" /dev/urandom >"$f"
	sum=$(od -An -v -tu1 "$f" | awk '{ for (i = 1; i <= NF; i++) { n++; s = (s + $i * n) % 4294967296 } }
		END { printf "%.0f", s }')
	MBMODS+=("$f" "module mbmod${m%:*} size=${m#*:} sum=$(printf '0x%x' "$sum")")
done

require_file "hypervisor image" "$ELF"
modules=()
for entry in "${PLAN[@]}"; do
	read -r name mode want end args <<<"$entry"
	require_file "guest $name (make guests)" "$GUESTS/$name.elf"
	modules+=("$GUESTS/$name.elf" "guest hv.name=$name${args:+ $args}")
	[ "$name" != mbinfo ] || modules+=("${MBMODS[@]}")
done

# The memory and mmio guests need the test MMIO device where they expect it
# (the mmio guests after memory: they leave its scratch area dirty).
if build_iso guests "hvtest testmmio=0xfe000000 eptmap" "${modules[@]}"; then
	start_bochs guests "$ISO"
	expect_line "MTRRs read" '^MTRR: enabled, default (UC|WC|WT|WP|WB), fixed (on|off), [0-9]+ variable \([0-9]+ in use\)$'
	expect_line "test device registered" '^testdev: test MMIO device at 0xfe000000-0xfe000fff$'
	expect_line "EPT space: to MAXPHYADDR, MMIO above RAM in 1 GiB pages" \
		'^EPT: guest-physical space to 0x0*f+ \(MAXPHYADDR [0-9]+\): pass-through MMIO above RAM from 0x100000000 in 1 GiB pages$'
	expect_line "EPT map header" '^EPT map \(identity; runs of equal attributes\):$'
	expect_line "EPT map: low memory WB" '^  0x0000000000000000-0x[0-9a-f]{16} RWX WB ( [0-9]+ x (1G|2M|4K))+$'
	expect_line "EPT map: VGA hole UC" '^  0x00000000000a0000-0x00000000000[0-9a-f]ffff RWX UC  [0-9]+ x 4K$'
	expect_line "EPT map: 1 GiB pages" '^  0x[0-9a-f]{16}-0x[0-9a-f]{16} RWX (WB|UC) .*[0-9]+ x 1G'
	expect_line "EPT map: 4 GiB to MAXPHYADDR in 1 GiB pages" '^  0x0000000100000000-0x0*f+ RWX (WB|UC|WC) +[0-9]+ x 1G$'
	expect_line "EPT summary" '^EPT: [0-9.]+ [KMGT]iB mapped \([0-9]+ x 1G, [0-9]+ x 2M, [0-9]+ x 4K\), [0-9.]+ [KMG]iB hidden, [0-9]+ table pages$'
	for entry in "${PLAN[@]}"; do
		read -r name mode want end args <<<"$entry"
		case $name in
		mbinfo) expect_mbmods "$name"
			expect_line "$name: Multiboot info" \
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
	check "uart: the refused I/O APIC entry (delivery mode NMI) is named, once" same \
		"$(grep -ac '^guest uart: ISA IRQ 4: I/O APIC pin 4 entry 0x0000000000000434 not delivered: its delivery mode is not fixed or lowest priority$' "$H_TXT")" 1
	stop_emulator
fi

# A second boot: the Multiboot2 kernel, and passthru (a test device in the
# BIOS area, just below the ROM).
PLAN2=(
	"passthru long64 11 exit"
)
modules=("$GUESTS/mb2info.elf" "guest hv.name=mb2info mbtest=yes" "${MBMODS[@]}")
require_file "guest mb2info (make guests)" "$GUESTS/mb2info.elf"
for entry in "${PLAN2[@]}"; do
	read -r name mode want end args <<<"$entry"
	require_file "guest $name (make guests)" "$GUESTS/$name.elf"
	modules+=("$GUESTS/$name.elf" "guest hv.name=$name${args:+ $args}")
done
if build_iso guests-mb2 "hvtest" "${modules[@]}"; then
	start_bochs guests-mb2 "$HV_ROOT/build/test/guests-mb2.iso"
	expect_mbmods mb2info
	expect_line "mb2info: Multiboot info" \
		"^guest mb2info: Multiboot v2 info at 0x60000, [0-9]+ memory map entries\$"
	expect_guest mb2info prot32 26 exit
	for entry in "${PLAN2[@]}"; do
		read -r name mode want end args <<<"$entry"
		expect_guest "$name" "$mode" "$want" "$end"
	done
	expect_line "all guests stopped" "$H_END_RE"
	reject_line "no hypervisor panic or exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
fi

# A third boot for the reset paths (tests/guests/reset.c), counting its
# steps in CMOS RAM: an entry with the default restart (its bad hv.onreset=
# value is reported) resets five ways and is started again each time; one
# with hv.onreset=stop resets and stays stopped; the entry after it still
# runs; one with hv.onreset=machine has the hypervisor reset the machine,
# which boots again and runs all entries to their end.
RESET_OK=21 # the "[reset] ok:" lines of all starts of both boots together
require_file "guest reset (make guests)" "$GUESTS/reset.elf"
if build_iso guests-reset "hvtest" "$GUESTS/reset.elf" "guest hv.name=reset hv.onreset=bogus" \
	"$GUESTS/reset.elf" "guest hv.name=reset-stop hv.onreset=stop" \
	"$GUESTS/reset.elf" "guest hv.name=reset-end" \
	"$GUESTS/reset.elf" "guest hv.name=reset-machine hv.onreset=machine"; then
	start_bochs guests-reset "$HV_ROOT/build/test/guests-reset.iso"
	expect_line "the FADT's reset register (or its absence) reported" \
		'^acpi: FADT (has no reset register|reset register: |reset register ignored: )'
	expect_line "bad hv.onreset= value reported, default kept" \
		'^guest reset: bad hv.onreset=bogus \(restart, stop or machine\); using restart$'
	expect_line "reset: started" "^guest reset: starting in long64 mode at RIP $HEX\$"
	expect_line "reset: a PCI configuration dword through 0xcf8 reaches the hardware whole" \
		"^\\[reset\\] ok: 00:00.0 read with dwords at 0xcf8/0xcfc is Intel's 440FX host bridge\$"
	for how in "the keyboard controller \\(port 0x64 command 0xfe\\)" \
		"port 0x92 \\(value 0x[0-9a-f]*[13579bdf]\\)" "port 0xcf9 \\(value 0x6\\)" \
		"the keyboard controller \\(port 0x64 command 0xf0\\)" \
		"the keyboard controller's output port \\(value 0xfe through port 0x60\\)"; do
		expect_line "reset through ${how//\\/}" "^guest reset: reset through $how\$"
		expect_line "  then bus mastering off" \
			'^guest reset: bus mastering turned off on [0-9]+ of [0-9]+ PCI functions(; [0-9]+ more keep it on \(hardwired\))?$'
		[ -n "${bm_first:-}" ] || bm_first=$H_MATCH
		expect_line "  then the guest restarts" '^guest reset: reset: starting again from its boot module$'
		expect_line "  and starts" "^guest reset: starting in long64 mode at RIP $HEX\$"
	done
	check "bus mastering was on for the IDE function the guest set it on" \
		grep -qE ' on [1-9][0-9]* of ' <<<"${bm_first:-}"
	expect_line "reset: done after five resets" '^\[reset\] done: 2 checks, 0 failed$'
	check "the bad hv.onreset= value is reported once, not at every restart" \
		test "$(sed -n "1,${H_CURSOR}p" "$H_TXT" | grep -c '^guest reset: bad hv.onreset=')" -eq 1
	expect_line "reset: exits" '^guest reset: exited with status 0 after [0-9]+ VM exits$'
	expect_line "reset-stop: started" "^guest reset-stop: starting in long64 mode at RIP $HEX\$"
	expect_line "reset-stop: reset through port 0xcf9" '^guest reset-stop: reset through port 0xcf9 \(value 0xe\)$'
	expect_line "reset-stop: bus mastering off" '^guest reset-stop: bus mastering turned off on '
	expect_line "reset-stop: not started again" '^guest reset-stop: not started again \(hv.onreset=stop\)$'
	expect_line "the next guest runs" "^guest reset-end: starting in long64 mode at RIP $HEX\$"
	expect_line "reset-end: done" '^\[reset\] done: 1 checks, 0 failed$'
	expect_line "reset-end: exits" '^guest reset-end: exited with status 0 after [0-9]+ VM exits$'
	expect_line "reset-machine: started" "^guest reset-machine: starting in long64 mode at RIP $HEX\$"
	expect_line "reset-machine: reset through port 0xcf9" \
		'^guest reset-machine: reset through port 0xcf9 \(value 0x6\)$'
	expect_line "reset-machine: the hypervisor resets the machine" \
		'^guest reset-machine: hv.onreset=machine: resetting the machine$'
	expect_line "the machine boots again" '^hv .* - x86-64 hypervisor$'
	expect_line "after the machine reset: the first entry runs" \
		'^\[reset\] ok: the first entry runs again after the machine reset$'
	for name in reset reset-stop reset-end reset-machine; do
		expect_line "after the machine reset: $name exits" "^guest $name: exited with status 0 after [0-9]+ VM exits\$"
	done
	expect_line "all guests stopped" "$H_END_RE"
	check "reset: $RESET_OK checks over all starts" same "$(grep -ac '^\[reset\] ok: ' "$H_TXT")" "$RESET_OK"
	reject_line "reset: no check failed" '^\[reset\] FAILED: '
	check "the machine was reset once, by the hypervisor (two banners)" \
		same "$(grep -acE '^hv .* - x86-64 hypervisor$' "$H_TXT")" 2
	reject_line "no hypervisor panic or exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
fi

finish
