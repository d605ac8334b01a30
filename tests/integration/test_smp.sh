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
require_file "guest sipi (make guests)" "$GUESTS/sipi.elf"
if build_iso smp-guests "hvtest" "$GUESTS/cpuid.elf" "guest hv.name=cpuid" \
	"$GUESTS/realmode.elf" "guest hv.name=realmode hv.mode=real" \
	"$GUESTS/sipi.elf" "guest hv.name=sipi"; then
	H_BOCHS_CPUS=2 start_bochs bochs-smp2 "$OUT/smp-guests.iso"
	expect_line "NMI to the AP" '^cpus: hvtest: 1 of 1 APs took an NMI on their own NMI stack$'
	expect_line "cpu report" '^cpus: 2 in the MADT, 2 running \(APIC IDs 0 1\)$'
	expect_line "VMX on the AP too" '^cpus: VMX root operation on 2 of 2 running CPUs; one virtual CPU each$'
	# cpuid and realmode never start the AP: its vCPU waits for SIPI, is
	# woken when the guest ends and reports nothing.
	for g in cpuid realmode; do
		expect_line "$g: no check failed" "^\\[$g\\] done: [0-9]+ checks, 0 failed\$"
		expect_line "$g: exit 0" "^guest $g: exited with status 0 after [0-9]+ VM exits\$"
		expect_line "$g: boot vCPU's exits" "^guest $g: exits: "
		reject_line "$g: no AP vCPU report" "^guest $g: APIC ID"
	done
	# sipi starts the AP's vCPU with a start-up IPI (xAPIC ICR, no INIT).
	expect_line "sipi: the AP ran its code at vector << 12" '^\[sipi\] done: 2 checks, 0 failed$'
	expect_line "sipi: exit 0" '^guest sipi: exited with status 0 after [0-9]+ VM exits$'
	expect_line "sipi: boot vCPU's exits" '^guest sipi: exits: '
	expect_line "sipi: the AP's vCPU: one start-up, its CPUID exit" \
		'^guest sipi: APIC ID 1: 1 start-ups, exits: .*CPUID 1 '
	reject_line "no INIT diagnosis" 'INIT again at once'
	reject_line "every vCPU stopped" 'did not stop$'

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

# 4 CPUs: three AP vCPUs wait for SIPI; sipi starts APIC ID 1's, the others
# are woken when the guest ends (no report: never started).
if build_iso smp4-sipi "" "$GUESTS/sipi.elf" "guest hv.name=sipi"; then
	H_BOCHS_CPUS=4 start_bochs bochs-smp4-sipi "$OUT/smp4-sipi.iso"
	expect_line "VMX on every CPU" '^cpus: VMX root operation on 4 of 4 running CPUs; one virtual CPU each$'
	expect_line "sipi: the AP ran its code" '^\[sipi\] done: 2 checks, 0 failed$'
	expect_line "sipi: exit 0" '^guest sipi: exited with status 0 after [0-9]+ VM exits$'
	expect_line "sipi: APIC ID 1's vCPU started once" '^guest sipi: APIC ID 1: 1 start-ups, exits: '
	reject_line "the others never started" '^guest sipi: APIC ID [23]:'
	reject_line "every vCPU stopped" 'did not stop$'
	reject_line "no exception" '^\*\*\* hv( panic|: CPU exception)'
	expect_line "shell ready" '^hv: debug shell ready \(type .help.\)$'
	stop_emulator
fi

# The x2APIC ICR (MSR 0x830): the boot CPU's APIC switched to x2APIC mode first.
if build_iso smp-x2apic "hvtest testx2apic"; then
	H_BOCHS_CPUS=4 start_bochs bochs-smp4-x2apic "$OUT/smp-x2apic.iso"
	expect_line "x2APIC mode" "^cpus: hvtest: the boot CPU's local APIC is in x2APIC mode\$"
	check_smp '4 in the MADT, 4 running \(APIC IDs 0 1 2 3\)' vmx '3 of 3 APs took an NMI on their own NMI stack'
fi

# The default Linux guest with 2 CPUs under VMX, the guest's INIT and SIPI
# going to the hardware (H_SMP_LINUX=1 runs it): the AP's vCPU waits for
# SIPI inside VMX, Linux starts it and counts both. Not in Bochs 2.7, which
# keeps an INIT pending after its exit (docs/architecture.md, "Virtual
# CPUs"): there the AP never runs and Linux waits minutes before giving up.
GUEST=$HV_ROOT/build/guest
LINUX_CMDLINE="console=ttyS0,115200"
if [ "${H_SMP_LINUX:-0}" = 1 ] && [ -f "$GUEST/vmlinuz" ] && [ -f "$GUEST/initrd.img" ] &&
	build_iso smp-linux "serial=com2" "$GUEST/vmlinuz" "guest hv.name=linux $LINUX_CMDLINE" \
		"$GUEST/initrd.img" initrd; then
	H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
	H_BOCHS_CPUS=2 H_BOCHS_CONSOLE=com2 start_bochs_interactive smp-linux "$OUT/smp-linux.iso"
	expect_line "VMX on both CPUs" '^cpus: VMX root operation on 2 of 2 running CPUs; one virtual CPU each$'
	expect_line "linux guest started" '^guest linux: starting in long64 mode at RIP 0x[0-9a-f]+$'
	expect_line "init banner" '^hv-guest: init started$' "${HV_LINUX_TIMEOUT:-600}"
	expect_line "Linux counts both CPUs" '^hv-guest: cpus: 2$'
	expect_line "shell ready" '^hv-guest: shell ready$'
	send_line 'echo hv-nproc $(nproc)'
	expect_line "nproc: 2" '^hv-nproc 2$'
	reject_line "no CPU failed to boot" 'failed to boot|do_boot_cpu failed|Not responding'
	reject_line "no exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
fi

start_qemu qemu-smp4 seabios "$ISO" -smp 4
check_smp '4 in the MADT, 4 running \(APIC IDs 0 1 2 3\)' novmx

if build_iso smp-cpus1 "cpus=1"; then
	start_qemu qemu-smp2-cpus1 seabios "$OUT/smp-cpus1.iso" -smp 2
	check_smp '2 in the MADT, 1 running \(APIC IDs 0\); 1 not started \(cpus=1\)' novmx
fi

# --- apstart: the guest starts the APs itself (block of branch smptools) --
# tests/guests/apstart.c with 2 and 4 CPUs: INIT/SIPI through the xAPIC and
# the x2APIC ICR with Linux's timing, one AP at a time and all at once, SIPI
# without INIT (ignored), INIT to a running AP, INIT storms; every check must
# pass, and the hypervisor's shell still answers after the guest's exit.
# With testx2apic the guest finds its APIC in x2APIC mode and tries only the
# x2APIC ICR, on APs that never had an INIT through the xAPIC.
# smp_apstart NCPUS [HV OPTION...]
smp_apstart() {
	local ncpus=$1 name=smp-apstart$1
	shift
	[ $# -eq 0 ] || name=$name-${*// /-}
	require_file "guest apstart (make guests)" "$GUESTS/apstart.elf"
	build_iso "$name" "hvtest${*:+ $*}" "$GUESTS/apstart.elf" "guest hv.name=apstart" || return 0
	# The guest's end first; then the shell, typed into after its banner.
	local H_END_RE='^hv: all guests have stopped$|^hv: system halted\.$|^\*\*\* hv panic'
	H_RUN_TIMEOUT=${HV_RUN_TIMEOUT:-600} H_BOCHS_CPUS=$ncpus start_bochs_interactive "bochs-$name" "$OUT/$name.iso"
	expect_line "apstart: the APs of the MADT" \
		"^\\[apstart\\] this CPU: APIC ID 0; APs: $(seq -s ' ' 1 $((ncpus - 1)))\$"
	expect_line "apstart: done" '^\[apstart\] done: [0-9]+ checks, [0-9]+ failed$' 400
	check "apstart: no check failed" same "${H_MATCH##*, }" "0 failed"
	grep -aE '^\[apstart\] FAILED: ' "$H_TXT" | sed 's/^/  (/; s/$/)/' || true
	expect_line "apstart: exits" '^guest apstart: exited with status [0-9]+ after [0-9]+ VM exits$'
	check "apstart: exit status 0" same "$(sed -E 's/.*status ([0-9]+) .*/\1/' <<<"$H_MATCH")" 0
	reject_line "no exception in the hypervisor" '^\*\*\* hv( panic|: CPU exception)'
	H_END_RE='^hv: system halted\.$|^\*\*\* hv panic'
	expect_line "shell ready" '^hv: debug shell ready \(type .help.\)$'
	send_line "help"
	expect_line "the shell still answers" '^  vmcs \[FIELD\] +every VMCS field by group'
	stop_emulator
}
# In Bochs 2.7 an AP whose vCPU takes a real INIT never runs again (the INIT
# stays pending: docs/architecture.md, "Bochs 2.7 and INIT"), so these runs
# use the trapped-ICR path; HV_SMP_APSTART_OPT gives another option (or none).
SMP_APSTART_OPT=${HV_SMP_APSTART_OPT-apstart=trap}
if [ "${HV_SMP_APSTART:-1}" != 0 ]; then
	# shellcheck disable=SC2086 # the option: one word or none
	{
		smp_apstart 2 $SMP_APSTART_OPT
		smp_apstart 4 $SMP_APSTART_OPT
		smp_apstart 2 $SMP_APSTART_OPT testx2apic
	}
fi

# --- the default Linux guest with 2 CPUs (block of branch smptools) ------
# Every CPU under the hypervisor, as Linux's processes see it: nproc, each
# CPU's hypervisor flag and CPUID leaf 0x40000000 (/bin/hvcpus pinned to it,
# tools/guest/hvcpus.c), and each CPU's /dev/mem reads of the hypervisor's
# reserved range (all ones); then the guest powers off. Console on COM2 as in
# test_linux.sh; the hypervisor's AP start option as above. HV_SMP_LINUX=0
# leaves it out (Bochs with 2 CPUs boots it in about 3 minutes).
# shellcheck source=SCRIPTDIR/../lib/hvcpus.sh
. "$(dirname "$0")/../lib/hvcpus.sh"
smp_linux() {
	local ncpus=$1 name=smp-linux$1 guest=$HV_ROOT/build/guest a="" b="" first res online=0
	[ "$ncpus" -eq 1 ] || online=0-$((ncpus - 1))
	build_iso "$name" "serial=com2${SMP_APSTART_OPT:+ $SMP_APSTART_OPT}" "$guest/vmlinuz" "guest hv.name=linux console=ttyS0,115200" \
		"$guest/initrd.img" initrd || return 0
	local H_END_RE='^hv: all guests have stopped$|^hv: system halted\.$|Kernel panic - not syncing'
	H_RUN_TIMEOUT=${HV_RUN_TIMEOUT:-600} H_BOCHS_CPUS=$ncpus H_BOCHS_CONSOLE=com2 \
		start_bochs_interactive "bochs-$name" "$OUT/$name.iso"
	expect_line "hypervisor memory" '^hypervisor memory: [0-9]+ MiB at 0x[0-9a-f]{16}-0x[0-9a-f]{16} '
	if [[ $H_MATCH =~ at\ (0x[0-9a-f]+)-(0x[0-9a-f]+) ]]; then
		a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]}
	fi
	expect_line "Linux: init banner" '^hv-guest: init started$' "${HV_LINUX_TIMEOUT:-400}"
	first=$H_CURSOR
	expect_line "Linux: every CPU online" "^hv-guest: nproc: $ncpus, online: $online\$"
	res=$(iomem_reserved_start "$first" "$H_CURSOR" "$a" "$b")
	check "Linux: the hypervisor's memory is a Reserved range of /proc/iomem" test -n "$res"
	hvcpus_boot_lines "$ncpus"
	expect_line "Linux: shell ready" '^hv-guest: shell ready$'
	hvcpus_hidden "$ncpus" "$res" "$a" "$b"
	reject_line "Linux: every AP booted" 'failed to boot|do_boot_cpu failed|Not responding'
	reject_line "Linux: no WARN splat" '^(\[ *[0-9]+\.[0-9]+\] )?WARNING: CPU: [0-9]+ PID: '
	reject_line "Linux: no call trace" 'Call Trace:'
	reject_line "no exception in the hypervisor" '^\*\*\* hv( panic|: CPU exception)'
	send_line 'poweroff -f'
	expect_line "Linux: the hypervisor reports the guest's power-off" '^guest linux: .*(powered off|exited|shut ?down)'
	stop_emulator
}
if [ "${HV_SMP_LINUX:-1}" != 0 ]; then
	# As test_linux.sh: the guest is built here (downloaded once).
	mkdir -p "$OUT"
	if "$HV_ROOT/tools/mkguest.sh" "$HV_ROOT/build/guest" >"$OUT/mkguest.log" 2>&1; then
		smp_linux 2
	else
		H_RUN=guest h_result FAIL "tools/mkguest.sh builds the default guest"
		sed 's/^/  /' "$OUT/mkguest.log"
	fi
fi

finish
