#!/bin/bash
# tests/integration/test_smp.sh - every CPU under the hypervisor (issue 14):
# the CPUs of the MADT started at boot (Bochs with 2 and 4, xAPIC and x2APIC
# ICR; QEMU TCG with 4; cpus=1), each AP in VMX with a vCPU of the guest;
# test guests that start APs (sipi, kick, kickwait, apstart: INIT/SIPI
# sequences and storms), the shell's cpus/cpu/exits all, the guest's ACPI
# view with a CPU hidden, and the default Linux guest with 2 CPUs
# (apstart=trap: Bochs 2.7 keeps a real INIT pending) with /bin/hvcpus on
# every CPU and reboot -f. Every run waits for serial lines, never sleeps.
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
	# The request channel (drivers/ipi.c): each parked AP acknowledges a
	# request from its NMI handler, its kick not counted as a guest's NMI.
	check "each AP acknowledged a request (xAPIC ICR)" \
		grep -qaE '^cpus: hvtest: 3 of 3 APs acknowledged a request$' "$H_TXT"
	reject_line "no AP failed the request check" '^cpu: APIC ID [0-9]+: request check'
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
	check "each AP acknowledged a request (x2APIC ICR)" \
		grep -qaE '^cpus: hvtest: 3 of 3 APs acknowledged a request$' "$H_TXT"
	reject_line "no AP failed the request check (x2APIC)" '^cpu: APIC ID [0-9]+: request check'
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

# The request channel with a running AP vCPU (hvtest, 2 CPUs): the kick
# guest starts the AP's vCPU with a SIPI into a counting loop, then makes
# two stage-2 changes (a test device registered and removed); each is
# acknowledged by the AP, whose vCPU serves a stage-2 flush in its run
# loop after the kick NMI's exit (its count grows from one report to the
# next), and the AP's guest code keeps running.
require_file "guest kick (make guests)" "$GUESTS/kick.elf"
if build_iso smp-kick "hvtest" "$GUESTS/kick.elf" "guest hv.name=kick"; then
	H_BOCHS_CPUS=2 start_bochs bochs-smp2-kick "$OUT/smp-kick.iso"
	expect_line "kick: the AP's vCPU runs" '^\[kick\] ok: the AP.s vCPU runs after a SIPI$'
	expect_line "kick: a stage-2 change" '^guest kick: test device registered at 0x92345000$'
	expect_line "kick: acknowledged by every CPU" \
		'^cross-CPU requests: ([0-9]+) rounds, \1 acknowledged, 0 unanswered; APIC ID 0: [0-9]+ kicks, [0-9]+ served, [0-9]+ stage-2 flushes; APIC ID 1: [1-9][0-9]* kicks, [1-9][0-9]* served, [0-9]+ stage-2 flushes$'
	flush1=$(sed -E 's/.* ([0-9]+) stage-2 flushes$/\1/' <<<"$H_MATCH")
	expect_line "kick: the second change" '^guest kick: test device removed at 0x92345000$'
	expect_line "kick: acknowledged again" \
		'^cross-CPU requests: ([0-9]+) rounds, \1 acknowledged, 0 unanswered; .*APIC ID 1: [0-9]+ kicks, [0-9]+ served, [0-9]+ stage-2 flushes$'
	flush2=$(sed -E 's/.* ([0-9]+) stage-2 flushes$/\1/' <<<"$H_MATCH")
	check "kick: the AP's running vCPU served the flush in its run loop ($flush1 -> $flush2)" \
		test "$flush2" -gt "$flush1"
	expect_line "kick: the AP still runs" '^\[kick\] ok: the AP.s vCPU still runs$'
	expect_line "kick: no check failed" '^\[kick\] done: [0-9]+ checks, 0 failed$'
	expect_line "kick: exit 0" '^guest kick: exited with status 0 after [0-9]+ VM exits$'
	reject_line "kick: no CPU left unanswered" '^cpus: no answer to'
	reject_line "kick: no exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
fi

# Pause with a running AP vCPU (the kickwait guest: kick, then both vCPUs
# keep running): the shell's pause stops the AP's vCPU too (its counter at
# 0x9000 stands still between two reads), resume lets it count again.
require_file "guest kickwait (make guests)" "$GUESTS/kickwait.elf"
if build_iso smp-kickwait "hvtest" "$GUESTS/kickwait.elf" "guest hv.name=kickwait"; then
	H_BOCHS_CPUS=2 start_bochs_interactive bochs-smp2-pause "$OUT/smp-kickwait.iso"
	expect_line "pause: the guest waits, its AP counting" '^\[kickwait\] waiting for the shell$'
	send_keys $'\x1d'
	expect_line "pause: the shell" '^hv: debug shell; guest kickwait keeps running'
	send_line "pause"
	expect_line "pause: paused" '^guest kickwait paused at RIP '
	send_line "xp 0x9000 2"
	expect_line "pause: the AP's counter" '^0x0000000000009000  [0-9a-f]{2} [0-9a-f]{2}'
	c1=$(cut -c1-25 <<<"$H_MATCH")
	send_line "xp 0x9000 2"
	expect_line "pause: the AP's counter again" '^0x0000000000009000  [0-9a-f]{2} [0-9a-f]{2}'
	c2=$(cut -c1-25 <<<"$H_MATCH")
	check "pause: the AP's vCPU stands still ($c1 / $c2)" test "$c1" = "$c2"
	send_line "resume"
	expect_line "pause: resumed" '^guest kickwait runs again from RIP '
	send_line "xp 0x9000 2"
	expect_line "resume: the AP's counter" '^0x0000000000009000  [0-9a-f]{2} [0-9a-f]{2}'
	c3=$(cut -c1-25 <<<"$H_MATCH")
	send_line "xp 0x9000 2"
	expect_line "resume: the AP's counter again" '^0x0000000000009000  [0-9a-f]{2} [0-9a-f]{2}'
	c4=$(cut -c1-25 <<<"$H_MATCH")
	check "resume: the AP's vCPU counts again ($c3 / $c4)" test "$c3" != "$c4"
	reject_line "pause: no CPU left unanswered" '^cpus: no answer to'
	reject_line "pause: no exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
fi

# The shell on 2 vCPUs (kickwait: the boot vCPU spins, the AP's counts in
# real mode at 0x8000): `cpus` lists both running, `cpu 1` selects the AP,
# whose registers and VMCS are read on its own CPU (RIP in its loop, CS
# base 0x8000), its exits alone and all vCPUs' summed, a step of the AP
# alone while both are paused (the boot vCPU's RIP stays), resume, `cpu 0`.
shellcpus_block() {
	local rip0 ripa ripb
	require_file "guest kickwait (make guests)" "$GUESTS/kickwait.elf"
	build_iso smp-shellcpus "hvtest" "$GUESTS/kickwait.elf" "guest hv.name=kickwait" || return 0
	H_BOCHS_CPUS=2 start_bochs_interactive bochs-smp2-shellcpus "$OUT/smp-shellcpus.iso"
	expect_line "shell cpus: the guest waits, its AP counting" '^\[kickwait\] waiting for the shell$'
	send_keys $'\x1d'
	expect_line "shell cpus: the shell" '^hv: debug shell; guest kickwait keeps running'
	send_line "cpus"
	expect_line "cpus: header" "^guest kickwait: 2 virtual CPUs \\('cpu N' selects the one marked \\*\\):\$"
	expect_line "cpus: columns" '^ +vCPU +APIC ID +CPU +state +exits$'
	expect_line "cpus: the boot vCPU runs, selected" '^\* +0 +0 +0 +running +[1-9][0-9]*$'
	expect_line "cpus: the AP's vCPU runs" '^  +1 +1 +1 +running +[1-9][0-9]*$'
	send_line "cpu"
	expect_line "cpu: the boot vCPU is selected" '^cpu: vCPU 0 selected \(APIC ID 0, CPU 0\)$'
	send_line "cpu 2"
	expect_line "cpu: no vCPU 2" "^cpu: no vCPU '2': guest kickwait has vCPUs 0-1 \\('cpus' lists them\\)\$"
	send_line "cpu one"
	expect_line "cpu: not a number" "^cpu: not a vCPU number 'one': guest kickwait has vCPUs 0-1 "
	send_line "cpu 1"
	expect_line "cpu 1" '^cpu: vCPU 1 selected \(APIC ID 1, CPU 1\)$'
	send_line "regs"
	expect_line "regs: the AP's, in its real-mode loop" '^guest kickwait: RIP 0x0000000000000[0-9a-f]{3} CPL 0, real mode$'
	expect_line "regs: the AP's CS" '^  CS   0x0800 base 0x0000000000008000 limit 0x0000ffff '
	send_line "vmcs GUEST_CS_BASE"
	expect_line "vmcs: the AP's VMCS" '^  GUEST_CS_BASE +0x[0-9a-f]{4}  0x0000000000008000$'
	send_line "cpus"
	expect_line "cpus: the AP is selected" '^\* +1 +1 +1 +running +[1-9][0-9]*$'
	send_line "exits"
	expect_line "exits: the AP's" '^exits of guest kickwait vCPU 1 \(APIC ID 1\) in the last [0-9]+ ms \(since it started\):$'
	expect_line "exits: the AP's total" '^  total +[1-9][0-9]* '
	send_line "exits all"
	expect_line "exits all: summed" '^exits of guest kickwait, 2 vCPUs summed, in the last [0-9]+ ms \(since it started\):$'
	expect_line "exits all: total" '^  total +[1-9][0-9]* '
	send_line "pause"
	expect_line "shell cpus: pause" '^guest kickwait paused at RIP 0x[0-9a-f]{16}$'
	rip0=$(sed -E 's/.* RIP (0x[0-9a-f]+)$/\1/' <<<"$H_MATCH")
	send_line "cpus"
	expect_line "cpus: the boot vCPU paused" '^  +0 +0 +0 +paused +[0-9]+$'
	expect_line "cpus: the AP's paused, selected" '^\* +1 +1 +1 +paused +[0-9]+$'
	send_line "regs"
	expect_line "regs: the paused AP" '^guest kickwait: RIP (0x[0-9a-f]{16}) CPL 0, real mode$'
	ripa=$(sed -E 's/.* RIP (0x[0-9a-f]+) .*/\1/' <<<"$H_MATCH")
	send_line "step"
	expect_line "step: the AP's vCPU" "^step: guest kickwait \\(vCPU of APIC ID 1\\) went from RIP $ripa to (0x[0-9a-f]{16}) \\(ended by: (single step|exception or NMI)\\); next bytes:( [0-9a-f]{2}){8}\$"
	ripb=$(sed -E 's/.* to (0x[0-9a-f]+) .*/\1/' <<<"$H_MATCH")
	check "step: the AP moved ($ripa -> $ripb)" test "$ripa" != "$ripb"
	send_line "cpu 0"
	expect_line "cpu 0" '^cpu: vCPU 0 selected \(APIC ID 0, CPU 0\)$'
	send_line "regs"
	expect_line "regs: the boot vCPU stayed where it paused" "^guest kickwait: RIP $rip0 CPL 0, 64-bit mode\$"
	send_line "resume"
	expect_line "shell cpus: resume" '^guest kickwait runs again from RIP '
	send_line "cpus"
	expect_line "cpus: the boot vCPU runs again" '^\* +0 +0 +0 +running +[0-9]+$'
	expect_line "cpus: the AP's (its step over) runs again" '^  +1 +1 +1 +running +[0-9]+$'
	send_line "continue"
	expect_line "shell cpus: back to the guest" '^hv: back to guest kickwait'
	reject_line "shell cpus: every CPU answered" '(did not answer|no answer)'
	reject_line "shell cpus: no exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator

	# An AP the guest never starts (wait: the boot vCPU halts with
	# interrupts off): `cpus` says halted and wait-for-SIPI, the AP's
	# registers are its INIT state (read on its CPU after a start-up IPI
	# of the hypervisor's own, which starts nothing), running or paused.
	require_file "guest wait (make guests)" "$GUESTS/wait.elf"
	build_iso smp-shellcpus-wait "" "$GUESTS/wait.elf" "guest hv.name=wait" || return 0
	H_BOCHS_CPUS=2 start_bochs_interactive bochs-smp2-shellcpus-wait "$OUT/smp-shellcpus-wait.iso"
	expect_line "shell cpus (wait): the guest halts" '^\[wait\] halting with interrupts off$'
	send_keys $'\x1d'
	expect_line "shell cpus (wait): the shell" '^hv: debug shell; guest wait keeps running'
	send_line "cpus"
	expect_line "cpus (wait): the boot vCPU halted" '^\* +0 +0 +0 +halted +[1-9][0-9]*$'
	expect_line "cpus (wait): the AP waits for SIPI" '^  +1 +1 +1 +wait-for-SIPI +[0-9]+$'
	send_line "cpu 1"
	expect_line "cpu 1 (wait)" '^cpu: vCPU 1 selected \(APIC ID 1, CPU 1\)$'
	send_line "regs"
	expect_line "regs (wait): the AP's INIT state" '^guest wait: RIP 0x000000000000fff0 CPL 0, real mode$'
	expect_line "regs (wait): waiting for SIPI" '^  activity wait-for-SIPI, '
	expect_line "regs (wait): CS after INIT" '^  CS   0xf000 base 0x00000000ffff0000 limit 0x0000ffff '
	send_line "pause"
	expect_line "shell cpus (wait): pause" '^guest wait paused at RIP '
	send_line "cpus"
	expect_line "cpus (wait): the boot vCPU paused, halted" '^  +0 +0 +0 +paused \(halted\) +[0-9]+$'
	expect_line "cpus (wait): the AP paused, waiting for SIPI" '^\* +1 +1 +1 +paused \(wait-for-SIPI\) +[0-9]+$'
	send_line "vmcs GUEST_ACTIVITY_STATE"
	expect_line "vmcs (wait): the AP's activity state, paused" '^  GUEST_ACTIVITY_STATE +0x4826  0x00000003$'
	send_line "step"
	expect_line "step (wait): nothing to step before a SIPI" '^step: the vCPU of APIC ID 1 waits for SIPI \(the guest has not started it\): nothing to step$'
	send_line "resume"
	expect_line "shell cpus (wait): resume" '^guest wait runs again from RIP '
	send_line "cpus"
	expect_line "cpus (wait): still waiting for SIPI" '^\* +1 +1 +1 +wait-for-SIPI +[0-9]+$'
	send_line "continue"
	expect_line "shell cpus (wait): back to the guest" '^hv: back to guest wait'
	reject_line "shell cpus (wait): every CPU answered" '(did not answer|no answer)'
	reject_line "shell cpus (wait): no exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
}
shellcpus_block

# The request channel with Linux on 2 CPUs (H_SMP_KICK_LINUX=1; off by
# default: a second SMP Linux boot costs minutes, the checks belong in the
# SMP Linux run once there is one, and in Bochs 2.7 Linux starts its AP
# only once the guest's INIT is trapped, as above): a stage-2 flush from the shell on
# the boot CPU and a pause are acknowledged by the AP's running vCPU,
# which serves the flush in its run loop; its kick NMI is not the guest's
# (Linux reports no unknown NMI) and the guest runs on after resume.
GUEST=$HV_ROOT/build/guest
if [ "${H_SMP_KICK_LINUX:-0}" = 1 ] && [ -f "$GUEST/vmlinuz" ] && [ -f "$GUEST/initrd.img" ] &&
	build_iso smp-kick-linux "serial=com2" "$GUEST/vmlinuz" "guest hv.name=linux console=ttyS0,115200" \
		"$GUEST/initrd.img" initrd; then
	H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
	H_BOCHS_CPUS=2 H_BOCHS_CONSOLE=com2 start_bochs_interactive smp-kick-linux "$OUT/smp-kick-linux.iso"
	expect_line "kick: Linux shell ready" '^hv-guest: shell ready$' "${HV_LINUX_TIMEOUT:-900}"
	send_line 'echo hv-nproc $(nproc); (while :; do :; done) &'
	expect_line "kick: nproc 2" '^hv-nproc 2$'
	send_keys $'\x1d'
	expect_line "kick: the shell" '^hv: debug shell; guest linux keeps running'
	send_line "ept flush"
	expect_line "kick: every CPU acknowledged the stage-2 flush" '^ept flush: INVEPT on every CPU, each acknowledged$'
	expect_line "kick: the AP served a stage-2 flush in its run loop" \
		'^cross-CPU requests: [0-9]+ rounds, [0-9]+ acknowledged, 0 unanswered; APIC ID 0: .*; APIC ID 1: [1-9][0-9]* kicks, [1-9][0-9]* served, [1-9][0-9]* stage-2 flushes$'
	send_line "pause"
	expect_line "kick: paused" '^guest linux paused at RIP '
	send_line "ept stats"
	expect_line "kick: the pause was acknowledged too" '^cross-CPU requests: [0-9]+ rounds, [0-9]+ acknowledged, 0 unanswered;'
	send_line "resume"
	expect_line "kick: resumed" '^guest linux runs again from RIP '
	send_line "continue"
	send_line 'echo hv-kick-echo $((6*7))'
	expect_line "kick: Linux runs on after the pause" '^hv-kick-echo 42$'
	reject_line "kick: no CPU left unanswered" '^cpus: no answer to'
	reject_line "kick: the kicks were not the guest's NMIs" 'NMI received for unknown reason'
	reject_line "kick: no exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
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
	# The Linux boot is opt-in (HV_SMP_ACPI_LINUX=1): make test's time.
	local linux=()
	[ "${HV_SMP_ACPI_LINUX:-0}" != 1 ] ||
		linux=("$g/vmlinuz" "guest hv.name=linux console=ttyS0,115200 acpi_force_table_verification" "$g/initrd.img" initrd)
	build_iso smp-acpi-view "cpus=1" "$guests/acpiscan.elf" "guest hv.name=acpiscan" "${linux[@]}" || return 0
	H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
	H_BOCHS_CPUS=2 H_RUN_TIMEOUT=${HV_RUN_TIMEOUT:-900} start_bochs bochs-smp2-acpi-view "$out/smp-acpi-view.iso"
	expect_line "cpu report" '^cpus: 2 in the MADT, 1 running \(APIC IDs 0\); 1 not started \(cpus=1\)$'
	expect_line "the guest's ACPI view hides the CPU that does not run" \
		'^acpi: guest view: MADT copy with 1 of 2 CPUs enabled \(hidden: APIC IDs 1\); RSDP, RSDT copies at 0x[0-9a-f]+$'
	view=$(sed -E 's/.* at (0x[0-9a-f]+)$/\1/' <<<"$H_MATCH")
	expect_line "the firmware area's RSDP page shows the copy" \
		'^acpi: guest view: the RSDP page at 0x[0-9a-f]+ shows the copy \(read-only\)$'
	page=$(sed -E 's/.* at (0x[0-9a-f]+) .*/\1/' <<<"$H_MATCH")
	expect_line "the CPU outside VMX cannot be started through the xAPIC ICR" \
		'^apstart: a CPU of the MADT is outside VMX: the xAPIC ICR is trapped too \(INIT and start-up IPIs reach the VM.s vCPUs only\)$'
	expect_line "acpiscan started" '^guest acpiscan: starting in long64 mode at RIP 0x[0-9a-f]{16}$'
	expect_line "acpiscan finds the copies in the firmware area's page, one CPU enabled" \
		"^\\[acpiscan\\] RSDP $(printf '0x%x' $((page >> 12)))[0-9a-f]{3}: RSDT $(printf '0x%x' $((view + 64))), MADT 0x[0-9a-f]+; processor entries enabled: 1 of 2\$"
	expect_line "acpiscan: checksums right, the write dropped" '^\[acpiscan\] done: 5 checks, 0 failed$'
	expect_line "acpiscan exits" '^guest acpiscan: exited with status 0 after [0-9]+ VM exits$'
	if [ ${#linux[@]} -gt 0 ]; then
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
	fi
	reject_line "no view error" '^acpi: guest view: (not built|cannot)'
	reject_line "no exception" '^\*\*\* hv( panic|: CPU exception)|Kernel panic'
	stop_emulator
}
acpi_view_linux
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
	H_RUN_TIMEOUT=${HV_RUN_TIMEOUT:-900} H_BOCHS_CPUS=$ncpus H_BOCHS_CONSOLE=com2 \
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
	# Linux routes COM1's IRQ to an AP (with 2 CPUs: logical destination
	# 0x02): the hypervisor's COM1 interrupt must reach it there.
	send_line "echo hv-guest-echo \$((6*7))"
	expect_line "Linux: the guest's shell answers (COM1's IRQ on the CPU Linux chose)" '^hv-guest-echo 42$'
	send_keys $'\x1d'
	expect_line "Ctrl-] opens the debug shell" '^hv: debug shell; guest linux keeps running'
	send_line devices
	if [ "${SMP_APSTART_OPT:-}" = apstart=trap ] || [[ ${SMP_APSTART_OPT:-} == *testvmx=nowfs* ]]; then
		expect_line "apstart=trap: the xAPIC page is write-trapped" \
			'^  mmio  0x00000000fee00000-0x00000000fee00fff  lapic \(writes only\)$'
		expect_line "apstart=trap: INIT, de-assert and two start-ups per AP emulated at the xAPIC ICR" \
			"^  lapic: xAPIC page 0xfee00000 write-protected: [0-9]+ writes, [0-9]+ to ICR, $((4 * (ncpus - 1))) INIT/start-up emulated\$"
	fi
	# Every vCPU listed and each one's state; pause stops them all, exits
	# per vCPU and summed, resume.
	send_line cpus
	expect_line "cpus: every vCPU listed" "^guest linux: $ncpus virtual CPUs "
	for ((i = 0; i < ncpus; i++)); do
		expect_line "cpus: vCPU $i (APIC ID $i) runs" "^[* ] +$i +$i +$i +(running|halted) +[1-9][0-9]*\$"
	done
	send_line pause
	expect_line "pause" '^guest linux paused at RIP 0x[0-9a-f]{16}$'
	send_line cpus
	for ((i = 0; i < ncpus; i++)); do
		expect_line "pause: vCPU $i paused" "^[* ] +$i +$i +$i +paused( \\(halted\\))? +[1-9][0-9]*\$"
	done
	send_line "cpu $((ncpus - 1))"
	expect_line "cpu: the last AP selected" "^cpu: vCPU $((ncpus - 1)) selected \\(APIC ID $((ncpus - 1)), CPU $((ncpus - 1))\\)\$"
	send_line exits
	expect_line "exits: the last AP's own" "^exits of guest linux vCPU $((ncpus - 1)) \\(APIC ID $((ncpus - 1))\\) in the last [0-9]+ ms \\(since it started\\):\$"
	expect_line "exits: the last AP's total" '^  total +[1-9][0-9]* '
	send_line "exits all"
	expect_line "exits all: every vCPU summed" "^exits of guest linux, $ncpus vCPUs summed, in the last [0-9]+ ms \\(since it started\\):\$"
	expect_line "exits all: total" '^  total +[1-9][0-9]* '
	send_line "cpu 0"
	expect_line "cpu 0" '^cpu: vCPU 0 selected \(APIC ID 0, CPU 0\)$'
	send_line resume
	expect_line "resume" '^guest linux runs again from RIP '
	send_line continue
	expect_line "continue: back to the guest" '^hv: back to guest linux'
	send_line "echo hv-guest-echo \$((7*8))"
	expect_line "Linux: the guest's shell answers after pause and resume" '^hv-guest-echo 56$'
	# The guest resets itself: every CPU comes back (test_linux.sh has the
	# reset path's own lines).
	send_line 'reboot -f'
	expect_line "reboot -f: Linux restarts" '^(\[ *[0-9.]+\] )?reboot: Restarting system$'
	expect_line "reboot -f: the guest starts again" '^guest linux: reset: starting again from its boot module$'
	expect_line "reboot -f: Linux boots again" '^hv-guest: init started$' "${HV_LINUX_TIMEOUT:-400}"
	expect_line "reboot -f: every CPU online again" "^hv-guest: nproc: $ncpus, online: $online\$"
	expect_line "reboot -f: shell ready" '^hv-guest: shell ready$'
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
	if "$HV_ROOT/tools/mkguest.sh" "$HV_ROOT/build/guest" >"$OUT/mkguest-${H_FILE%.sh}.log" 2>&1; then
		smp_linux "${HV_SMP_LINUX_CPUS:-2}"
	else
		H_RUN=guest h_result FAIL "tools/mkguest.sh builds the default guest"
		sed 's/^/  /' "$OUT/mkguest-${H_FILE%.sh}.log"
	fi
fi


# --- apstart without the wait-for-SIPI state (block of branch nowfs) -----
# testvmx=nowfs (hvtest) clears IA32_VMX_MISC bit 8 on every CPU, as KVM's
# nested VMX before Linux 5.11 and QEMU's named CPU models do: apstart=auto
# must choose trap and every AP must still get its vCPU, held in the
# hypervisor in its INIT state (never entered) until an emulated start-up
# IPI. First the apstart guest with 2 CPUs, every check passing (smp_apstart
# above); then the wait guest, which never starts its AP: `cpus` and `regs`
# on the held AP (served on its own CPU, woken by NMI), pause, step, resume,
# and `reset` (the held AP stops and is held again in the next start).
nowfs_block() {
	smp_apstart 2 testvmx=nowfs
	check "nowfs: the test hook" grep -qaE \
		'^VMX: test hook: pretending the CPU has no wait-for-SIPI activity state \(IA32_VMX_MISC bit 8 clear\)$' "$H_TXT"
	check "nowfs: VMX on both CPUs, the AP's vCPU held in the hypervisor" grep -qaE \
		'^cpus: VMX root operation on 2 of 2 running CPUs; one virtual CPU each \(no wait-for-SIPI activity state: an AP.s waits for its start-up IPI in the hypervisor\)$' "$H_TXT"
	check "nowfs: apstart=auto chose trap" grep -qaE \
		'^apstart: trap: .* \(no wait-for-SIPI state: IA32_VMX_MISC bit 8 clear\)$' "$H_TXT"
	check "nowfs: the AP's vCPU was started by emulated start-up IPIs" grep -qaE \
		'^guest apstart: APIC ID 1: [1-9][0-9]* start-ups, exits:' "$H_TXT"
	check "nowfs: every vCPU stopped" test -z "$(grep -aE 'did not stop$' "$H_TXT")"

	require_file "guest wait (make guests)" "$GUESTS/wait.elf"
	build_iso smp-nowfs-wait "hvtest testvmx=nowfs" "$GUESTS/wait.elf" "guest hv.name=wait" || return 0
	H_BOCHS_CPUS=2 start_bochs_interactive bochs-smp2-nowfs-wait "$OUT/smp-nowfs-wait.iso"
	expect_line "nowfs (wait): apstart=auto chose trap" '^apstart: trap: .* \(no wait-for-SIPI state: IA32_VMX_MISC bit 8 clear\)$'
	expect_line "nowfs (wait): the guest halts" '^\[wait\] halting with interrupts off$'
	send_keys $'\x1d'
	expect_line "nowfs (wait): the shell" '^hv: debug shell; guest wait keeps running'
	send_line "cpus"
	expect_line "nowfs cpus: the boot vCPU halted" '^\* +0 +0 +0 +halted +[1-9][0-9]*$'
	expect_line "nowfs cpus: the AP waits for SIPI, never entered (0 exits)" '^  +1 +1 +1 +wait-for-SIPI +0$'
	send_line "cpu 1"
	expect_line "nowfs cpu 1" '^cpu: vCPU 1 selected \(APIC ID 1, CPU 1\)$'
	send_line "regs"
	expect_line "nowfs regs: the AP's INIT state, read on its CPU" '^guest wait: RIP 0x000000000000fff0 CPL 0, real mode$'
	expect_line "nowfs regs: held in the hypervisor" '^  activity wait-for-SIPI \(held in the hypervisor\), '
	expect_line "nowfs regs: CS after INIT" '^  CS   0xf000 base 0x00000000ffff0000 limit 0x0000ffff '
	send_line "pause"
	expect_line "nowfs: pause" '^guest wait paused at RIP '
	send_line "cpus"
	expect_line "nowfs cpus: the AP paused, waiting for SIPI" '^\* +1 +1 +1 +paused \(wait-for-SIPI\) +0$'
	send_line "vmcs GUEST_ACTIVITY_STATE"
	expect_line "nowfs vmcs: active (no wait-for-SIPI state to enter)" '^  GUEST_ACTIVITY_STATE +0x4826  0x00000000$'
	send_line "step"
	expect_line "nowfs step: nothing to step before a SIPI" '^step: the vCPU of APIC ID 1 waits for SIPI \(the guest has not started it\): nothing to step$'
	send_line "resume"
	expect_line "nowfs: resume" '^guest wait runs again from RIP '
	send_line "reset"
	expect_line "nowfs reset: the guest starts again" '^guest wait: reset: starting again from its boot module$'
	expect_line "nowfs reset: the guest halts again" '^\[wait\] halting with interrupts off$'
	# The shell keeps the console across its reset.
	send_line "cpus"
	expect_line "nowfs reset: the AP's new vCPU held again" '^[* ] +1 +1 +1 +wait-for-SIPI +0$'
	send_line "continue"
	expect_line "nowfs: back to the guest" '^hv: back to guest wait'
	reject_line "nowfs: every vCPU stopped" 'did not stop$'
	reject_line "nowfs: every CPU answered" '(did not answer|no answer)'
	reject_line "nowfs: no exception" '^\*\*\* hv( panic|: CPU exception)'
	stop_emulator
}
if [ "${HV_SMP_NOWFS:-1}" != 0 ]; then
	nowfs_block
fi
# The default Linux guest with 2 CPUs the same way (HV_SMP_NOWFS_LINUX=1;
# off by default: a second SMP Linux boot, about 4 minutes in Bochs):
# smp_linux above, apstart=auto choosing trap, every check of it passing.
if [ "${HV_SMP_NOWFS_LINUX:-0}" = 1 ]; then
	SMP_APSTART_OPT="hvtest testvmx=nowfs" smp_linux 2
	check "nowfs Linux: apstart=auto chose trap" grep -qaE \
		'^apstart: trap: .* \(no wait-for-SIPI state: IA32_VMX_MISC bit 8 clear\)$' "$H_TXT"
	check "nowfs Linux: the AP's vCPU was started by emulated start-up IPIs" grep -qaE \
		'^guest linux: APIC ID 1: [1-9][0-9]* start-ups, exits:' "$H_TXT"
fi

finish
