#!/bin/bash
# tests/integration/test_linux_efi.sh - the default Linux guest under the
# hypervisor booted by GRUB EFI on Bochs with Debian's OVMF.fd (UEFI, no
# legacy BIOS tables; Bochs' OVMF installs no ACPI and no SMBIOS tables):
#   linux-efi   the hypervisor reports the EFI system table and memory map
#               GRUB handed over (Multiboot2 tags 12 and 17) and gives Linux
#               efi_info and its own copy of the map; the guest's dmesg has
#               the `efi:` lines the same kernel prints when GRUB EFI boots it
#               directly (recorded below: EFI v2.70 by EDK II, the memory
#               attributes table, boot services memory freed, efivars, i.e.
#               runtime services work), /sys/firmware/efi has what it has
#               then, the guest's EFI map (efi=debug) shows the hypervisor's
#               working memory as reserved, and no EFI warning or failure.
# HV_EFI_BASELINE=1 first boots the same kernel and initramfs through GRUB
# EFI without the hypervisor (tools/mkiso-linux.sh, about 2.5 minutes more)
# and compares the guest's EFI lines with that boot's instead of the record.
# Environment: HV_LINUX_TIMEOUT (s, default 240) for the guest's shell.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ELF=$HV_ROOT/build/hv.elf
GUEST=$HV_ROOT/build/guest
TEST_DIR=$HV_ROOT/build/test
# quiet: the console stays short (every byte is an exit); the test reads dmesg.
LINUX_CMDLINE="console=ttyS0,115200 quiet efi=debug"
SHELL_TIMEOUT=${HV_LINUX_TIMEOUT:-240}
HEX='0x[0-9a-f]{16}'
[ -n "${HV_RUN_TIMEOUT:-}" ] || H_RUN_TIMEOUT=420
H_BOCHS_FIRMWARE=ovmf

# What Debian's 6.1 cloud kernel prints booted by GRUB EFI on Bochs' OVMF
# with this command line, as "dmesg | grep efi" lines without timestamps and
# command lines, numbers as patterns (HV_EFI_BASELINE=1 prints them afresh).
# efi=debug: the memory attributes table's runtime regions are listed, and
# boot services memory is kept (no "Freeing EFI boot services memory").
MA='efi: memattr:  0x[0-9a-f]+-0x[0-9a-f]+ \[Runtime'
RD="$MA Data\\|RUN\\|  \\|  \\|  \\|  \\|  \\|XP\\|  \\|  \\|  \\|   \\|  \\|  \\|  \\|  \\]"
CX="$MA Code\\|RUN\\|  \\|  \\|  \\|  \\|  \\|XP\\|  \\|  \\|  \\|   \\|  \\|  \\|  \\|  \\]"
CR="$MA Code\\|RUN\\|  \\|  \\|  \\|  \\|  \\|  \\|  \\|  \\|RO\\|   \\|  \\|  \\|  \\|  \\]"
EFI_LINES=(
	'efi: EFI v2\.70 by EDK II'
	'efi: MEMATTR=0x[0-9a-f]+ '
	'efi: EFI runtime memory map:'
	'efi: memattr: Processing EFI Memory Attributes table:'
	"$RD" "$RD" "$CX"
	"$CR" "$CX" "$CR" "$CX" "$CR" "$CX" "$CR" "$CX" "$CR" "$CX" "$CR" "$CX" "$CR" "$CX" "$CR" "$CX" "$CR" "$CX"
	"$RD"
	'Registered efivars operations'
	'efi: More then 32 EFI boot service segments, only showing first 32 in debugfs'
)
EFI_SYSFS="config_table efivars fw_platform_size fw_vendor runtime runtime-map systab"

require_file "hypervisor image" "$ELF"
mkdir -p "$TEST_DIR"
if ! "$HV_ROOT/tools/mkguest.sh" "$GUEST" >"$TEST_DIR/mkguest-${H_FILE%.sh}.log" 2>&1; then
	H_RUN=guest h_result FAIL "tools/mkguest.sh builds the default guest"
	sed 's/^/  /' "$TEST_DIR/mkguest-${H_FILE%.sh}.log"
	finish
fi

# Asks the guest's shell for its EFI view: sysfs, the efi lines of dmesg
# without the efi=debug memory map, then that map's reserved descriptors.
ask_guest() {
	send_line "echo hv-efi-sysfs: \$(ls /sys/firmware/efi)"
	send_line "dmesg | grep -iE '[^a-z]efi' | grep -v -e 'efi: mem[0-9]' -e 'ommand line:' | sed 's/^\[[ 0-9.]*\] /hv-efi-dmesg: /'; echo hv-efi-dmesg: end"
	send_line "dmesg | grep 'efi: mem[0-9]*: .Reserved' | sed 's/^\[[ 0-9.]*\] /hv-efi-map: /'; echo hv-efi-map: end"
}

# reserved_covers A B: the reserved descriptors of the guest's EFI map (the
# hv-efi-map: lines; the working memory may span several firmware
# descriptors, each split) together cover [A, B].
# shellcheck disable=SC2317 # called through check
reserved_covers() {
	local a=$1 b=$2
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "  (the hypervisor's memory range is unknown)"
		return 1
	fi
	# Ranges as decimal "lo hi", sorted; walk them from A while they touch.
	sed -nE 's/^hv-efi-map: .*range=\[0x([0-9a-f]+)-0x([0-9a-f]+)\].*/\1 \2/p' "$H_TXT" |
		while read -r lo hi; do echo "$((16#$lo)) $((16#$hi))"; done | sort -n |
		awk -v a=$((a)) -v b=$((b)) '
			$1 <= a && $2 >= a { a = $2 + 1 }
			END { if (a > b) exit 0; printf "  reserved descriptors stop at 0x%x\n", a; exit 1 }'
}

# Prints the guest's efi lines (hv-efi-dmesg: ...) of the current run's serial log, numbers as they are.
efi_lines_of() {
	sed -n 's/^hv-efi-dmesg: //p' "$H_TXT" | grep -v '^end$' || true
}

# --- optional baseline: GRUB EFI boots the kernel itself -------------------
if [ "${HV_EFI_BASELINE:-0}" = 1 ]; then
	base_iso=$TEST_DIR/linux-efi-baseline.iso
	if "$HV_ROOT/tools/mkiso-linux.sh" "$base_iso" "$GUEST/vmlinuz" "$GUEST/initrd.img" "$LINUX_CMDLINE"; then
		H_END_RE='Kernel panic - not syncing'
		start_bochs_interactive linux-efi-baseline "$base_iso"
		expect_line "shell ready" '^hv-guest: shell ready$' "$SHELL_TIMEOUT"
		ask_guest
		expect_line "sysfs" '^hv-efi-sysfs: '
		EFI_SYSFS=${H_MATCH#hv-efi-sysfs: }
		expect_line "efi lines" '^hv-efi-dmesg: end$'
		# The record becomes this boot's lines, numbers and addresses as patterns.
		mapfile -t EFI_LINES < <(efi_lines_of | sed -E 's/[][().|*+?^$\\]/\\&/g; s/0x[0-9a-f]+/0x[0-9a-f]+/g; s/: [0-9]+K$/: [0-9]+K/')
		printf '  (baseline efi line: %s)\n' "${EFI_LINES[@]}"
		stop_emulator
	else
		H_RUN=linux-efi-baseline h_result FAIL "tools/mkiso-linux.sh"
	fi
fi

# --- under the hypervisor ------------------------------------------------
H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
if build_iso linux-efi "" "$GUEST/vmlinuz" "guest hv.name=linux $LINUX_CMDLINE" "$GUEST/initrd.img" initrd; then
	t0=$SECONDS
	start_bochs_interactive linux-efi "$TEST_DIR/linux-efi.iso"
	expect_line "EFI tags from GRUB" \
		'^EFI: system table at 0x[0-9a-f]+, memory map of [0-9]+ descriptors from the boot loader$' 200
	expect_line "hypervisor memory" "^hypervisor memory: [0-9]+ MiB at ($HEX)-($HEX) "
	hv_a=$(sed -E 's/.* at (0x[0-9a-f]+)-.*/\1/' <<<"$H_MATCH")
	hv_b=$(sed -E 's/.*-(0x[0-9a-f]+) .*/\1/' <<<"$H_MATCH")
	expect_line "the guest gets EFI" \
		'^guest linux: EFI system table 0x[0-9a-f]+, memory map of [0-9]+ descriptors at 0x[0-9a-f]+ \(hypervisor memory typed reserved\)$'
	expect_line "linux guest started" "^guest linux: starting in long64 mode at RIP $HEX\$"
	expect_line "shell ready" '^hv-guest: shell ready$' "$SHELL_TIMEOUT"
	echo "  (linux-efi: shell ready after $((SECONDS - t0)) s of wall time)"
	ask_guest
	expect_line "/sys/firmware/efi as without the hypervisor" "^hv-efi-sysfs: $EFI_SYSFS\$"
	for re in "${EFI_LINES[@]}"; do
		expect_line "dmesg: $re" "^hv-efi-dmesg: $re\$"
	done
	expect_line "no other efi lines" '^hv-efi-dmesg: end$'
	n=$(efi_lines_of | wc -l)
	check "as many efi lines as without the hypervisor" same "$n" "${#EFI_LINES[@]}"
	expect_line "the guest's EFI map (efi=debug) listed" '^hv-efi-map: end$'
	check "the guest's EFI map reserves the hypervisor's working memory" reserved_covers "$hv_a" "$hv_b"
	# quiet: what reaches the console is a warning or worse.
	reject_line "no EFI warning or error on the guest's console" '^\[ *[0-9.]+\] (.*[^A-Za-z])?(efi|EFI)'
	reject_line "no EFI failure in the guest's dmesg" '^hv-efi-dmesg: .*\b([Ff]ail|[Ee]rror|[Ww]arn|[Ii]nvalid|[Cc]orrupt|[Bb]ug|[Uu]nexpected|[Uu]nable)'
	reject_line "the hypervisor gave EFI" '^guest linux: no EFI|^warning: .*EFI'
	stop_emulator
fi
finish
