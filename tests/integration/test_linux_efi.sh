#!/bin/bash
# tests/integration/test_linux_efi.sh - the default Linux guest under hv.efi
# in boot mode on Bochs with Debian's OVMF.fd (UEFI, no legacy BIOS tables;
# Bochs' OVMF installs no ACPI and no SMBIOS tables): firmware -> hv.efi
# (hv.cfg: mode boot, the kernel and initrd as modules) -> ExitBootServices
# -> the core -> Linux under VMX.
#   linux-efi   hv.efi reads both modules and hands the core the EFI system
#               table and memory map; the core gives Linux efi_info and its
#               own copy of the map; Linux reaches its shell, sees the
#               hypervisor's CPUID leaf, and its dmesg has the `efi:` lines
#               the same kernel prints when GRUB EFI boots it directly
#               (recorded below: EFI v2.70 by EDK II, the memory attributes
#               table, efivars, i.e. runtime services work), /sys/firmware/efi
#               has what it has then, the guest's EFI map (efi=debug) shows
#               the hypervisor's working memory as reserved and its
#               /proc/iomem (from the e820 table) has no System RAM there, no
#               EFI warning or failure; no RSDP (the firmware has none, and
#               the core says so).
# GRUB EFI booting the core (Multiboot2 with the EFI tags) stays covered by
# test_boot.sh's qemu-ovmf run (the boot report and the EFI line, no VMX);
# the core's EFI hand-off with guests under VMX by test_efi_core.sh's
# efi-core-bochs run, and GRUB EFI booting Linux under the hypervisor by
# test_efi_chain.sh's efi-chain-linux run (chain mode).
# HV_EFI_BASELINE=1 first boots the same kernel and initramfs through GRUB
# EFI without the hypervisor (tools/mkiso-linux.sh, about 2.5 minutes more)
# and compares the guest's EFI lines with that boot's instead of the record.
# Environment: HV_LINUX_TIMEOUT (s, default 600) for the guest's shell.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"
# shellcheck source=SCRIPTDIR/../lib/linux_guest.sh
. "$(dirname "$0")/../lib/linux_guest.sh"

EFI=$HV_ROOT/build/hv.efi
GUEST=$HV_ROOT/build/guest
TEST_DIR=$HV_ROOT/build/test
# quiet: the console stays short (every byte is an exit); the test reads dmesg.
# hvguest.mark: the guest's init writes to the unused port 0x404, which
# Bochs logs with its tick count (the emulated instructions to the banner).
LINUX_CMDLINE="console=ttyS0,115200 quiet efi=debug hvguest.mark"
SHELL_TIMEOUT=${HV_LINUX_TIMEOUT:-600}
HEX='0x[0-9a-f]{16}'
[ -n "${HV_RUN_TIMEOUT:-}" ] || H_RUN_TIMEOUT=900 # hang guards: 5-6 minutes seen on a loaded machine
export MTOOLS_SKIP_CHECK=1
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

require_file "hv.efi" "$EFI"
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

# --- under hv.efi in boot mode ----------------------------------------------
IMG=$TEST_DIR/linux-efi.img
CFG="# boot mode: hv.efi exits boot services and starts the core (test_linux_efi.sh)
mode boot
module \EFI\hvtest\vmlinuz guest hv.name=linux $LINUX_CMDLINE
module \EFI\hvtest\initrd.img initrd"
if ! HV_EFI_CFG=$CFG "$HV_ROOT/tools/mkefi-img.sh" "$IMG" "$EFI" "$GUEST/vmlinuz" "$GUEST/initrd.img" "$LINUX_CMDLINE"; then
	H_RUN=linux-efi h_result FAIL "tools/mkefi-img.sh builds the EFI image"
	finish
fi
truncate -s $((($(stat -c %s "$IMG") + 516095) / 516096 * 516096)) "$IMG" # whole Bochs cylinders

H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
hv_a="" hv_b=""
t0=$SECONDS
H_BOCHS_FIRMWARE=ovmf start_bochs_interactive linux-efi "$IMG"
expect_line "hv.cfg in boot mode" '^hv\.efi: \\EFI\\BOOT\\hv\.cfg: mode boot, .*2 modules' 180
expect_line "the kernel read" '^hv\.efi: module 1 \\EFI\\hvtest\\vmlinuz: [0-9]+ bytes at '
expect_line "the initrd read" '^hv\.efi: module 2 \\EFI\\hvtest\\initrd\.img: [0-9]+ bytes at '
expect_line "core placed, boot services exited" '^hv\.efi: hypervisor core at .*; exiting boot services$'
expect_line "the core's loader" '^boot loader: hv\.efi$'
expect_line "no RSDP: OVMF in Bochs has no ACPI tables" '^ACPI: the boot loader gave no RSDP$'
expect_line "the EFI system table and memory map from hv.efi" \
	'^EFI: system table at 0x[0-9a-f]+, memory map of [0-9]+ descriptors from the boot loader$'
expect_line "hypervisor memory" "^hypervisor memory: [0-9]+ MiB at ($HEX)-($HEX) "
if [[ $H_MATCH =~ at\ (0x[0-9a-f]+)-(0x[0-9a-f]+) ]]; then
	hv_a=${BASH_REMATCH[1]} hv_b=${BASH_REMATCH[2]}
fi
expect_line "VMX entered" '^VMX: revision 0x[0-9a-f]+, EPT with .*; VMX root operation entered$'
expect_line "the guest gets EFI" \
	'^guest linux: EFI system table 0x[0-9a-f]+, memory map of [0-9]+ descriptors at 0x[0-9a-f]+ \(hypervisor memory typed reserved\)$'
expect_line "linux guest started" "^guest linux: starting in long64 mode at RIP $HEX\$"
expect_line "init banner" '^hv-guest: init started$' "$SHELL_TIMEOUT"
[ -z "$H_MATCH" ] || init_wall=$((SECONDS - t0))
first=$H_CURSOR
expect_line "memory and CPUs listed" '^hv-guest: cpus: [0-9]+$'
check "the hypervisor's memory is not System RAM in Linux's /proc/iomem (e820)" \
	iomem_not_ram "$first" "$H_CURSOR" "${hv_a:-0}" "${hv_b:-0}"
expect_line "hypervisor flag" '^hv-guest: hypervisor flag: yes$'
expect_line "hypervisor CPUID leaf" '^hv-guest: cpuid 0x40000000: max leaf 0x[0-9a-f]+, signature "hvhvhvhvhvhv"$'
expect_line "shell ready" '^hv-guest: shell ready$'
shell_wall=$((SECONDS - t0))
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
reject_line "no refusal, no panic" 'refused the hand-off|bad hand-off|PANIC|VM entry failed'
stop_emulator
echo "  (linux-efi: firmware power-on to Linux's init in ${init_wall:-?} s of wall time ($(mark_ticks) Bochs ticks), to its shell in ${shell_wall} s)"
finish
