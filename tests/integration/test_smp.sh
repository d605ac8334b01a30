#!/bin/bash
# tests/integration/test_smp.sh - every CPU of the MADT started at boot:
# Bochs with 2 and 4 CPUs (xAPIC ICR, and x2APIC with testx2apic; VMX on
# the boot CPU afterwards),
# QEMU TCG with 4, and cpus=1, which starts none; with hvtest, an NMI to each
# parked AP. Each boot must print the
# CPU report and reach the debug shell; no boot Linux here (Bochs with
# several CPUs is slow), but two small guests run after the APs are parked.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ISO=$HV_ROOT/build/hv.iso
OUT=$HV_ROOT/build/test

require_file image "$ISO"

# $1: the report line's regex (after "cpus: "); $2: vmx or novmx; $3, if
# given: the hvtest NMI check's line (after "cpus: hvtest: "), before it.
check_smp() {
	if [ -n "${3:-}" ]; then
		expect_line "NMI to each AP" "^cpus: hvtest: $3\$"
		reject_line "no AP failed the NMI check" '^cpu: APIC ID [0-9]+: NMI check'
	fi
	expect_line "cpu report" "^cpus: $1\$"
	reject_line "every CPU answered" '^cpu: APIC ID [0-9]+ did not start'
	reject_line "no exception" '^\*\*\* hv: CPU exception'
	if [ "$2" = vmx ]; then
		expect_line "VMX entered on the boot CPU" '^VMX: revision 0x[0-9a-f]+, .*VMX root operation entered$'
	fi
	expect_line "shell ready" '^hv: debug shell ready \(type .help.\)$'
	stop_emulator
}

# Two guests after the APs are parked: cpuid, and realmode, which runs in
# the low memory the start-up page was borrowed from (hvtest: their test
# hypercalls; the AP takes an NMI too).
GUESTS=$HV_ROOT/build/guests
require_file "guest cpuid (make guests)" "$GUESTS/cpuid.elf"
require_file "guest realmode (make guests)" "$GUESTS/realmode.elf"
if build_iso smp-guests "hvtest" "$GUESTS/cpuid.elf" "guest hv.name=cpuid" \
	"$GUESTS/realmode.elf" "guest hv.name=realmode hv.mode=real"; then
	H_BOCHS_CPUS=2 start_bochs bochs-smp2 "$OUT/smp-guests.iso"
	expect_line "NMI to the AP" '^cpus: hvtest: 1 of 1 APs took an NMI on their own NMI stack$'
	expect_line "cpu report" '^cpus: 2 in the MADT, 2 running \(APIC IDs 0 1\)$'
	for g in cpuid realmode; do
		expect_line "$g: no check failed" "^\\[$g\\] done: [0-9]+ checks, 0 failed\$"
		expect_line "$g: exit 0" "^guest $g: exited with status 0 after [0-9]+ VM exits\$"
	done
	reject_line "every CPU answered" '^cpu: APIC ID [0-9]+ did not start'
	reject_line "no exception" '^\*\*\* hv( panic|: CPU exception)'
	expect_line "shell ready" '^hv: debug shell ready \(type .help.\)$'
	stop_emulator
fi

# With hvtest: each parked AP also takes an NMI on its own NMI stack.
if build_iso smp-hvtest "hvtest"; then
	H_BOCHS_CPUS=4 start_bochs bochs-smp4 "$OUT/smp-hvtest.iso"
	check_smp '4 in the MADT, 4 running \(APIC IDs 0 1 2 3\)' vmx '3 of 3 APs took an NMI on their own NMI stack'
fi

# The x2APIC ICR (MSR 0x830): the boot CPU's APIC switched to x2APIC mode first.
if build_iso smp-x2apic "hvtest testx2apic"; then
	H_BOCHS_CPUS=4 start_bochs bochs-smp4-x2apic "$OUT/smp-x2apic.iso"
	expect_line "x2APIC mode" "^cpus: hvtest: the boot CPU's local APIC is in x2APIC mode\$"
	check_smp '4 in the MADT, 4 running \(APIC IDs 0 1 2 3\)' vmx '3 of 3 APs took an NMI on their own NMI stack'
fi

start_qemu qemu-smp4 seabios "$ISO" -smp 4
check_smp '4 in the MADT, 4 running \(APIC IDs 0 1 2 3\)' novmx

if build_iso smp-cpus1 "cpus=1"; then
	start_qemu qemu-smp2-cpus1 seabios "$OUT/smp-cpus1.iso" -smp 2
	check_smp '2 in the MADT, 1 running \(APIC IDs 0\); 1 not started \(cpus=1\)' novmx
fi

# The guest's ACPI view (guest/dev/acpi_guest.c): Bochs with 2 CPUs and
# cpus=1, so the MADT lists a CPU that does not run. Two guests: acpiscan
# (tests/guests/acpiscan.c) scans the firmware area for the RSDP as
# Multiboot kernels do and must find the copy, every checksum right, one of
# the two processors enabled, its write to the RSDP dropped; then the default
# Linux guest must read the copies through boot_params.acpi_rsdp_addr (it
# prints the tables' addresses), come up with one CPU, never try to start
# the other (its "failed to boot" and "not responding" lines) and print no
# checksum warning (acpi_force_table_verification: Linux checks each table's
# checksum as it installs it, not only the AML tables).
acpi_view_linux() {
	local g=$HV_ROOT/build/guest guests=$HV_ROOT/build/guests out=$HV_ROOT/build/test view page
	require_file "default Linux guest (make guest)" "$g/vmlinuz"
	require_file "guest acpiscan (make guests)" "$guests/acpiscan.elf"
	build_iso smp-acpi-view "cpus=1" "$guests/acpiscan.elf" "guest hv.name=acpiscan" \
		"$g/vmlinuz" "guest hv.name=linux console=ttyS0,115200 acpi_force_table_verification" "$g/initrd.img" initrd || return 0
	H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
	H_BOCHS_CPUS=2 H_RUN_TIMEOUT=${HV_RUN_TIMEOUT:-900} start_bochs bochs-smp2-acpi-view "$out/smp-acpi-view.iso"
	expect_line "cpu report" '^cpus: 2 in the MADT, 1 running \(APIC IDs 0\); 1 not started \(cpus=1\)$'
	expect_line "the guest's ACPI view hides the CPU that does not run" \
		'^acpi: guest view: MADT copy with 1 of 2 CPUs enabled \(hidden: APIC IDs 1\); RSDP, RSDT copies at 0x[0-9a-f]+$'
	view=$(sed -E 's/.* at (0x[0-9a-f]+)$/\1/' <<<"$H_MATCH")
	expect_line "the firmware area's RSDP page shows the copy" \
		'^acpi: guest view: the RSDP page at 0x[0-9a-f]+ shows the copy \(read-only\)$'
	page=$(sed -E 's/.* at (0x[0-9a-f]+) .*/\1/' <<<"$H_MATCH")
	expect_line "acpiscan started" '^guest acpiscan: starting in long64 mode at RIP 0x[0-9a-f]{16}$'
	expect_line "acpiscan finds the copies in the firmware area's page, one CPU enabled" \
		"^\\[acpiscan\\] RSDP $(printf '0x%x' $((page >> 12)))[0-9a-f]{3}: RSDT $(printf '0x%x' $((view + 64))), MADT 0x[0-9a-f]+; processor entries enabled: 1 of 2\$"
	expect_line "acpiscan: checksums right, the write dropped" '^\[acpiscan\] done: 5 checks, 0 failed$'
	expect_line "acpiscan exits" '^guest acpiscan: exited with status 0 after [0-9]+ VM exits$'
	expect_line "linux guest started" '^guest linux: starting in long64 mode at RIP 0x[0-9a-f]{16}$'
	# Linux prints each table's address: %016llX (ACPICA's tbprint.c).
	expect_line "Linux reads the RSDP copy" "^(\\[ *[0-9.]+\\] )?ACPI: RSDP 0x$(printf '%016X' "$view") " 300
	expect_line "Linux reads the RSDT copy" "^(\\[ *[0-9.]+\\] )?ACPI: RSDT 0x$(printf '%016X' $((view + 64))) "
	expect_line "Linux reads the MADT copy" "^(\\[ *[0-9.]+\\] )?ACPI: APIC 0x0{8}$(printf '%05X' $((view >> 12)))[0-9A-F]{3} "
	expect_line "init banner" '^hv-guest: init started$' 600
	expect_line "Linux runs on one CPU" '^hv-guest: cpus: 1$'
	expect_line "shell ready" '^hv-guest: shell ready$'
	reject_line "Linux tried to start no CPU" \
		'failed to boot|[Nn]ot responding|failed to report alive|do_boot_cpu failed|CPU[0-9]+: stuck'
	reject_line "every ACPI table's checksum is right" '[Ii]ncorrect checksum|[Ii]nvalid checksum|[Bb]ad checksum'
	reject_line "no view error" '^acpi: guest view: (not built|cannot)'
	reject_line "no exception" '^\*\*\* hv( panic|: CPU exception)|Kernel panic'
	stop_emulator
}
acpi_view_linux

finish
