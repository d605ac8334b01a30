#!/bin/bash
# tests/integration/test_isolation.sh - the hypervisor as users run it
# (without hvtest) against a guest that tries what a guest must not get
# (tests/guests/isolation.c: the test hypercalls, reading, writing and
# passing the hypervisor's own image, MSRs that reach physical memory or the
# hypervisor: APIC base, Intel PT, DS area, XD disable). Each attempt's answer is checked in
# the guest; then the harness opens the debug shell while the guest sits
# halted and compares the hypervisor's first bytes (xp of its hidden image)
# with the image file: the hypervisor is alive and its memory intact.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

H_END_RE=''                 # the guest halts and the shell keeps running: no last line
HEX='0x[0-9a-f]{16}'
CTRL_RBRACKET=$'\x1d'
ELF=$HV_ROOT/build/hv.elf
GUEST=$HV_ROOT/build/guests/isolation.elf
CHECKS=17                   # the guest's checks
IMAGE_LINK=0x200000         # the image's link address (linker.ld): its first LOAD segment
IMAGE_PA=""                 # where GRUB loaded it (the hypervisor's map says; the guest finds it)

require_file "hypervisor image" "$ELF"
require_file "guest isolation (make guests)" "$GUEST"

# The hex bytes of a dump line (without address, text column and note).
dump_bytes() {
	sed -E 's/^0x[0-9a-f]+  //; s/  \|.*$//; s/  / /g' <<<"$1"
}

# N bytes of the image file at physical address PA (its LOAD segment there), as dump bytes.
image_bytes() {
	local pa=$1 n=$2 off
	off=$(readelf -lW "$ELF" | awk -v pa="$(printf '0x%016x' "$pa")" '$1 == "LOAD" && $4 == pa { print $2 }')
	[ -n "$off" ] || return 0
	od -An -tx1 -v -j "$((off))" -N "$n" "$ELF" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

check "the image file has its first segment at $IMAGE_LINK" test -n "$(image_bytes "$IMAGE_LINK" 1)"

if build_iso isolation "" "$GUEST" "guest hv.name=isolation"; then
	start_bochs_interactive isolation "$HV_ROOT/build/test/isolation.iso"
	expect_line "no test options" '^command line: \(empty\)$'
	expect_line "the hypervisor's map has its image" "^  ($HEX)  $HEX +[0-9.]+ [KM]iB  hv image\$"
	IMAGE_PA=$(printf '0x%x' "$((${H_MATCH:2:18}))")
	expect_line "guest started" "^guest isolation: starting in long64 mode at RIP $HEX\$"
	first=$H_CURSOR
	expect_line "the guest finds the image where the hypervisor's map has it (and attacks it there)" \
		"^\\[isolation\\] ok: the hypervisor's image found at $IMAGE_PA: "
	H_CURSOR=$first # the guest's check lines are all tallied below
	expect_line "guest done" '^\[isolation\] done: [0-9]+ checks, [0-9]+ failed$'
	check "the guest made $CHECKS checks" test "$(sed -E 's/^.* done: ([0-9]+) checks.*/\1/' <<<"$H_MATCH")" = "$CHECKS"
	while IFS= read -r line; do
		case $line in
		"[isolation] ok: "*) h_result PASS "${line#"[isolation] ok: "}" ;;
		"[isolation] FAILED: "*) h_result FAIL "${line#"[isolation] FAILED: "}" ;;
		esac
	done < <(sed -n "$((first + 1)),$((H_CURSOR - 1))p" "$H_TXT")
	expect_line "guest halts" '^\[isolation\] halting with interrupts off$'

	send_keys "$CTRL_RBRACKET"
	expect_line "the debug shell answers" '^hv: debug shell; guest isolation keeps running'
	send_line "xp $IMAGE_PA 32"
	expect_line "xp shows the hidden image (line 1)" "^$(printf '0x%016x' "$IMAGE_PA")  .*  \\(hidden: hypervisor\\)\$"
	got=$(dump_bytes "$H_MATCH")
	expect_line "xp shows the hidden image (line 2)" "^$(printf '0x%016x' $((IMAGE_PA + 16)))  .*  \\(hidden: hypervisor\\)\$"
	got="$got $(dump_bytes "$H_MATCH")"
	check "the hypervisor's first 32 bytes are its image's, after the guest wrote there" \
		same "$got" "$(image_bytes "$IMAGE_LINK" 32)"
	send_line "mtree"
	expect_line "mtree: the image is hidden from the guest" "^  $HEX-$HEX  hidden   e820 2  hypervisor\$"
	reject_line "no hypervisor panic or exception" '^\*\*\* hv( panic|: CPU exception)'
	reject_line "the guest was not stopped" '^guest isolation: (exited|.*stopped)'
	stop_emulator
fi

finish
