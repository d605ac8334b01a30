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

# The default Linux guest with 2 CPUs under VMX (H_SMP_LINUX=0 skips it):
# the AP's vCPU waits for SIPI inside VMX, Linux starts it and counts both.
GUEST=$HV_ROOT/build/guest
LINUX_CMDLINE="console=ttyS0,115200"
if [ "${H_SMP_LINUX:-1}" != 0 ] && [ -f "$GUEST/vmlinuz" ] && [ -f "$GUEST/initrd.img" ] &&
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

# >>> aptrap-block
# --- apstart=trap: the AP start fallback (ICR trapped, INIT/start-up emulated) ---
# The default Linux guest with 2 CPUs and apstart=trap: the xAPIC page is
# write-protected, so every write of Linux's to its local APIC exits and is
# emulated (EOI, TPR, timer, LVTs performed on the real APIC); its INIT,
# INIT de-assert and two start-up IPIs to APIC ID 1 are decoded and
# emulated (4, none sent), and the AP comes up under the hypervisor.
aptrap_guest=$HV_ROOT/build/guest
if [ -f "$aptrap_guest/vmlinuz" ] && build_iso smp-aptrap "serial=com2 apstart=trap" \
	"$aptrap_guest/vmlinuz" "guest hv.name=linux console=ttyS0,115200" \
	"$aptrap_guest/initrd.img" initrd; then
	aptrap_end=$H_END_RE aptrap_cap=$H_RUN_TIMEOUT
	H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
	H_RUN_TIMEOUT=900 # Linux with 2 CPUs in Bochs, every APIC write emulated
	H_BOCHS_CPUS=2 H_BOCHS_CONSOLE=com2 start_bochs_interactive bochs-smp2-aptrap "$OUT/smp-aptrap.iso"
	expect_line "apstart=trap: the fallback is in use" \
		'^apstart: trap: the guest.s INIT and start-up IPIs are trapped at the ICR .*\(apstart=trap\)$'
	expect_line "apstart=trap: Linux's init runs" '^hv-guest: init started$' 700
	expect_line "apstart=trap: Linux brought up both CPUs" '^hv-guest: cpus: 2$'
	expect_line "apstart=trap: the guest's shell is ready" '^hv-guest: shell ready$'
	# Linux routes COM1's IRQ to the AP (logical destination 0x02): the
	# hypervisor's COM1 interrupt must reach it there for the shell to answer.
	send_line "echo hv-guest-echo \$((6*7))"
	expect_line "apstart=trap: the guest's shell answers (COM1's IRQ on the CPU Linux chose)" '^hv-guest-echo 42$'
	send_keys $'\x1d'
	expect_line "apstart=trap: Ctrl-] opens the debug shell" '^hv: debug shell; guest linux keeps running'
	send_line devices
	expect_line "apstart=trap: the xAPIC page is write-trapped" \
		'^  mmio  0x00000000fee00000-0x00000000fee00fff  lapic \(writes only\)$'
	expect_line "apstart=trap: INIT, de-assert and two start-ups emulated at the xAPIC ICR" \
		'^  lapic: xAPIC page 0xfee00000 write-protected \(apstart=trap\): [0-9]+ writes, [0-9]+ to ICR, 4 INIT/start-up emulated$'
	reject_line "apstart=trap: no CPU failed to boot" 'failed to boot|do_boot_cpu failed|Not responding'
	reject_line "apstart=trap: no WARN" '^(\[ *[0-9]+\.[0-9]+\] )?WARNING: CPU: [0-9]+ PID: '
	reject_line "apstart=trap: no call trace" 'Call Trace:'
	reject_line "apstart=trap: no hypervisor exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
	H_END_RE=$aptrap_end H_RUN_TIMEOUT=$aptrap_cap
fi
# <<< aptrap-block

finish
