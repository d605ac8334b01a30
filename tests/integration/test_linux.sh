#!/bin/bash
# tests/integration/test_linux.sh - the default Linux guest (tools/mkguest.sh:
# Debian's linux-image-cloud-amd64 and a busybox-static initramfs, cached in
# build/guest) in Bochs, 512 MiB, Skylake-X, console on a socket so the test
# can type into the guest's shell:
#   linux-baseline  (HV_LINUX_BASELINE=1; off by default: `make bench`
#                   measures the boot ratio, and test_efi_app.sh already boots
#                   this kernel without the hypervisor and finds no hypervisor
#                   CPUID signature) the same kernel and initramfs booted by
#                   GRUB directly (tools/mkiso-linux.sh): the init banner, no
#                   hypervisor CPUID flag, a command typed into the shell,
#                   power-off
#   linux           under the hypervisor (module lines as in README), its
#                   console on COM2 (serial=com2; Bochs has no COM1 at all,
#                   so the guest's COM1 interrupts come only from the
#                   hypervisor's routing of ISA IRQ 4, and Linux's output
#                   itself needs its THRE interrupts): the loader's start
#                   line, the banner, the hypervisor's memory reserved
#                   in the guest's /proc/iomem and its RAM from 1 MiB
#                   one run up to it (boot modules copied away), the hypervisor flag
#                   and CPUID leaf 0x40000000 (also as /bin/hvcpus sees it
#                   on CPU 0), a command typed into the shell, hvcpus'
#                   /dev/mem reads of that reserved range (all ones,
#                   tests/lib/hvcpus.sh), keys typed one at a time (each
#                   echoed before the next: the 16550's character timeout), Ctrl-C ending a
#                   `sleep 100` (booted with no unchecked MSR access, WARN or
#                   call trace), the debug shell's reset, the guest's own
#                   reset (`reboot -f`: the hypervisor's reset line, Linux
#                   booting again), and the hypervisor's report of the
#                   guest's power-off
# Both print their wall time and Bochs ticks (emulated instructions with
# clock sync=none; idle HLT time counts too) from power-on to the banner.
# Environment: HV_LINUX_TIMEOUT (s, default 180) for the banner.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"
# shellcheck source=SCRIPTDIR/../lib/linux_guest.sh
. "$(dirname "$0")/../lib/linux_guest.sh"
# shellcheck source=SCRIPTDIR/../lib/hvcpus.sh
. "$(dirname "$0")/../lib/hvcpus.sh"

ELF=$HV_ROOT/build/hv.elf
GUEST=$HV_ROOT/build/guest
TEST_DIR=$HV_ROOT/build/test
# hvguest.mark: the guest's init writes to the unused port 0x404 (not
# trapped by the hypervisor) right after its banner; Bochs logs that with its
# tick count ("unmapped: 8-bit write to 0404 = 01").
LINUX_CMDLINE="console=ttyS0,115200 hvguest.mark"
BANNER_TIMEOUT=${HV_LINUX_TIMEOUT:-180}
HEX='0x[0-9a-f]{16}'
[ -n "${HV_RUN_TIMEOUT:-}" ] || H_RUN_TIMEOUT=720 # three slow boots under the hypervisor (start, shell reset, reboot -f), not 300 s

require_file "hypervisor image" "$ELF"
mkdir -p "$TEST_DIR"
if ! "$HV_ROOT/tools/mkguest.sh" "$GUEST" >"$TEST_DIR/mkguest-${H_FILE%.sh}.log" 2>&1; then
	H_RUN=guest h_result FAIL "tools/mkguest.sh builds the default guest"
	sed 's/^/  /' "$TEST_DIR/mkguest-${H_FILE%.sh}.log"
	finish
fi

# iomem_covers FROM TO A B: one "Reserved" range among the guest's
# "hv-guest: iomem:" lines (serial lines FROM..TO) contains [A, B].
# shellcheck disable=SC2317 # called through check
iomem_covers() {
	local from=$1 to=$2 a=$3 b=$4 line lo hi
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "  (the hypervisor's memory range is unknown)"
		return 1
	fi
	while IFS= read -r line; do
		[[ $line =~ ^hv-guest:\ iomem:\ +([0-9a-f]+)-([0-9a-f]+)\ :\ Reserved$ ]] || continue
		lo=$((16#${BASH_REMATCH[1]})) hi=$((16#${BASH_REMATCH[2]}))
		if [ "$lo" -le "$((a))" ] && [ "$((b))" -le "$hi" ]; then
			echo "  (reserved in the guest: $line)"
			return 0
		fi
	done < <(sed -n "${from},${to}p" "$H_TXT")
	echo "  no reserved range of the guest's /proc/iomem contains $a-$b"
	return 1
}

# iomem_ram_from_1m FROM TO END: among the guest's "hv-guest: iomem:" lines
# (serial lines FROM..TO), "System RAM" runs from 1 MiB up to END (exclusive).
# shellcheck disable=SC2317 # called through check
iomem_ram_from_1m() {
	local from=$1 to=$2 end=$3 line
	[ -n "$end" ] || { echo "  (the hypervisor's block is unknown)"; return 1; }
	line=$(sed -n "${from},${to}p" "$H_TXT" | grep -m 1 -E '^hv-guest: iomem: 00100000-[0-9a-f]+ : System RAM$') || true
	echo "  (${line:-no System RAM range starts at 1 MiB}; the hypervisor's block starts at $end)"
	[[ $line =~ -([0-9a-f]+)\ : ]] && [ $((16#${BASH_REMATCH[1]} + 1)) -eq $((end)) ]
}

# The debug shell while Linux runs (Ctrl-]): its exits counted, its
# boot_params and initrd where the loader put them, its registers and page
# tables, an NMI it reports, its output held and shown on return; then a
# reset boots it again from its (intact) boot modules.
shell_session() {
	local t1 rip hdr cr3
	send_keys $'\x1d'
	expect_line "Ctrl-] opens the shell while Linux runs" \
		"^hv: debug shell; guest linux keeps running \\('continue' or Ctrl-\\] returns to it, 'help' lists commands\\)\$"
	send_line "exits"
	expect_line "exits: Linux's serial console exits" '^  I/O instruction +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$'
	expect_line "exits: total" '^  total +[0-9]+ '
	t1=$(awk '{ print $2 }' <<<"$H_MATCH")
	hdr=$(printf '0x%016x' $((boot_params + 0x200)))
	send_line "xp $(printf '0x%x' $((boot_params + 0x200))) 16"
	expect_line "xp: boot_params holds the setup header (HdrS at 0x202)" \
		"^$hdr  [0-9a-f]{2} [0-9a-f]{2} 48 64 72 53 "
	send_line "ept $initrd"
	expect_line "ept: walk for the initrd" "^EPT walk for GPA $initrd:\$"
	expect_line "ept: the initrd is RWX write-back guest RAM" \
		'^  (PDE|PTE) +0x[0-9a-f]{16} \(table 0x[0-9a-f]+\): RWX page 0x[0-9a-f]+, WB$'
	send_line "regs"
	expect_line "regs: Linux in 64-bit mode at CPL 0" "^guest linux: RIP ($HEX) CPL 0, 64-bit mode\$"
	rip=$(awk '{ print $4 }' <<<"$H_MATCH")
	expect_line "regs: control registers" "^  CR0 $HEX \\[[A-Z ]*PG\\] CR2 $HEX CR3 ($HEX)\$"
	cr3=$(awk '{ print $NF }' <<<"$H_MATCH")
	expect_line "regs: paging with PAE and long mode" "^  CR4 $HEX \\[[A-Z ]*PAE[A-Z ]*\\] EFER 0x[0-9a-f]+ \\[SCE LME LMA NXE\\]\$"
	send_line "gva $rip"
	expect_line "gva: the kernel's page walk" '^GVA 0x[0-9a-f]+: 4-level paging, CR3 0x[0-9a-f]+$'
	expect_line "gva: kernel text is mapped" '^  -> GPA 0x[0-9a-f]+ \((4|2048) KiB page\)$'
	send_line "x $rip 16"
	expect_line "x: kernel text" "^$(printf '0x%016x' "$rip")  "
	send_line "devices"
	expect_line "devices: the reset ports are trapped" '^  ports 0x0cf9-0x0cf9  reset$'
	expect_line "devices: the reset model's state" \
		'^  reset: resets trapped: 8042 pulse commands and output port, 0x92 bit 0, 0xcf9 RST_CPU; 8042 output port not pending$'
	expect_line "devices: the guest's COM1 as Linux programmed it" '^  com1: 16550A at 0x3f8: IER 0x[0-9a-f]{2} LCR 0x[0-9a-f]{2} MCR 0x0[89a-f], '
	expect_line "devices: COM1's IRQ 4 goes through Linux's I/O APIC entry, as IPIs" \
		'^  com1 interrupt: ISA IRQ 4: I/O APIC [0-9]+ pin [0-9]+ \(GSI [0-9]+\): vector 0x[0-9a-f]{2}, (fixed|lowest priority), edge, .*; [1-9][0-9]* sent as IPIs, 0 injected from the 8259, 0 refused$'
	send_line "vmcs GUEST_CR3"
	expect_line "vmcs: the guest's CR3" "^  GUEST_CR3 +0x6802  ($HEX)\$"
	check "vmcs and regs agree on CR3" same "$(awk '{ print $3 }' <<<"$H_MATCH")" "$cr3"
	send_line "help"
	expect_line "help" '^  vmcs \[FIELD\] +every VMCS field by group'
	send_line "info"
	expect_line "info: VMX features" '^VMX: VMCS revision 0x[0-9a-f]+; features in use: '
	send_line "mem"
	expect_line "mem: the hypervisor's working memory" "^  $HEX  $HEX +[0-9]+ MiB  hv working\$"
	send_line "mtree"
	expect_line "mtree: Linux's boot modules are hidden from it" '^  0x[0-9a-f]{16}-0x[0-9a-f]{16}  hidden   e820 2  boot module$'
	send_line "ept stats"
	expect_line "ept stats" '^EPT: [0-9.]+ [KMGT]iB mapped \([0-9]+ x 1G, [0-9]+ x 2M, [0-9]+ x 4K\), '
	send_line "xp 0xfee00000 16"
	expect_line "xp: the local APIC is not RAM" '^xp: GPA 0xfee00000 is not guest RAM \(mmio, '
	send_line "gva 0x12zz"
	expect_line "gva: bad address" "^gva: '0x12zz' is not an address"
	send_line "pause"
	expect_line "pause Linux" "^guest linux paused at RIP ($HEX)\$"
	send_line "step"
	expect_line "step Linux" "^step: guest linux went from RIP $(awk '{ print $6 }' <<<"$H_MATCH") to $HEX " 60
	send_line "resume"
	expect_line "resume Linux" "^guest linux runs again from RIP $HEX\$"
	send_line "log debug"
	expect_line "log debug" '^log level: debug '
	send_line "log info"
	expect_line "log info" '^log level: info$'
	send_line "inject nmi"
	expect_line "inject nmi" '^NMI queued for guest linux'
	send_line "exits"
	expect_line "exits: total again" '^  total +[0-9]+ '
	check "exits: the count grew while the shell was open" greater "$(awk '{ print $2 }' <<<"$H_MATCH")" "$t1"
	send_line "exits reset"
	expect_line "exits reset" "^exits: counting guest linux's exits from now\$"
	send_line "exits"
	expect_line "exits since the reset" "^exits of guest linux in the last [0-9]+ ms \\(since 'exits reset'\\):\$"
	send_line "continue"
	expect_line "continue shows what Linux printed meanwhile" \
		'^hv: back to guest linux \(its output while the shell was open follows: [0-9]+ bytes\)$'
	expect_line "Linux reports the injected NMI" 'Uhhuh\. NMI received for unknown reason'
	send_line "echo hv-guest-echo \$((7*7))"
	expect_line "the guest's shell still answers" '^hv-guest-echo 49$'
	send_keys $'\x1d'
	expect_line "shell again" '^hv: debug shell; guest linux keeps running'
	send_line "reset"
	expect_line "reset" '^guest linux: reset: starting again from its boot module$'
	send_line "continue"
	expect_line "Linux boots again" '^hv-guest: init started$' "$BANNER_TIMEOUT"
	expect_line "its shell is ready again" '^hv-guest: shell ready$'
	send_line "echo hv-guest-echo \$((8*8))"
	expect_line "the restarted guest's shell answers" '^hv-guest-echo 64$'
}

# The guest resets itself: `reboot -f`. Bochs' BIOS builds a revision 1 FADT
# without a reset register, so Linux's default (ACPI reset register, then the
# keyboard controller) comes down to the 8042's pulse command 0xfe. The
# hypervisor restarts the guest (hv.onreset=restart, the default).
reboot_guest() {
	send_line 'reboot -f'
	expect_line "reboot -f: Linux restarts" '^(\[ *[0-9.]+\] )?reboot: Restarting system$'
	expect_line "reboot -f: the hypervisor reports the guest's reset and its path" \
		'^guest linux: reset through the keyboard controller \(port 0x64 command 0xfe\)$'
	expect_line "reboot -f: bus mastering turned off" \
		'^guest linux: bus mastering turned off on [0-9]+ of [0-9]+ PCI functions'
	expect_line "reboot -f: the guest starts again" '^guest linux: reset: starting again from its boot module$'
	expect_line "reboot -f: Linux boots again" '^hv-guest: init started$' "$BANNER_TIMEOUT"
	expect_line "reboot -f: its shell is ready again" '^hv-guest: shell ready$'
	send_line "echo hv-guest-echo \$((9*9))"
	expect_line "reboot -f: the rebooted guest's shell answers" '^hv-guest-echo 81$'
}

# --- baseline: GRUB boots the kernel itself -------------------------------
base_iso=$TEST_DIR/linux-baseline.iso
base_wall="" base_ticks="?"
if [ "${HV_LINUX_BASELINE:-0}" != 1 ]; then
	echo "  (linux-baseline: skipped; HV_LINUX_BASELINE=1 runs it)"
elif "$HV_ROOT/tools/mkiso-linux.sh" "$base_iso" "$GUEST/vmlinuz" "$GUEST/initrd.img" "$LINUX_CMDLINE"; then
	H_END_RE='Kernel panic - not syncing'
	t0=$SECONDS
	start_bochs_interactive linux-baseline "$base_iso"
	expect_line "init banner" '^hv-guest: init started$' "$BANNER_TIMEOUT"
	[ -z "$H_MATCH" ] || base_wall=$((SECONDS - t0))
	expect_line "no hypervisor flag without the hypervisor" '^hv-guest: hypervisor flag: no$'
	expect_line "shell ready" '^hv-guest: shell ready$'
	expect_line "shell started" 'built-in shell \(ash\)'
	send_line "echo hv-guest-echo \$((6*7))"
	expect_line "shell answers a typed command" '^hv-guest-echo 42$'
	send_line 'poweroff -f'
	expect_line "powers off" '^(\[ *[0-9.]+\] )?reboot: Power down$'
	base_ticks=$(mark_ticks)
	echo "  (linux-baseline: init banner after ${base_wall:-?} s of wall time, $base_ticks Bochs ticks)"
	stop_emulator
else
	H_RUN=linux-baseline h_result FAIL "tools/mkiso-linux.sh"
fi

# --- under the hypervisor ------------------------------------------------
H_END_RE='^hv: debug shell ready|^hv: system halted\.$|Kernel panic - not syncing'
hv_wall="" hv_ticks="?" hv_a="" hv_b="" hv_block="" hv_reserved=""
if build_iso linux "serial=com2" "$GUEST/vmlinuz" "guest hv.name=linux $LINUX_CMDLINE" "$GUEST/initrd.img" initrd; then
	t0=$SECONDS
	H_BOCHS_CONSOLE=com2 start_bochs_interactive linux "$TEST_DIR/linux.iso"
	expect_line "hypervisor memory" "^hypervisor memory: [0-9]+ MiB at $HEX-$HEX "
	if [[ $H_MATCH =~ at\ (0x[0-9a-f]+)-(0x[0-9a-f]+) ]]; then
		hv_a=${BASH_REMATCH[1]} hv_b=${BASH_REMATCH[2]}
	fi
	expect_line "boot modules copied beside the hypervisor's memory" \
		"^boot modules: 2 copied to ($HEX)-$HEX \\([0-9.]+ MiB, hidden from guests\\)\$"
	[[ $H_MATCH =~ to\ (0x[0-9a-f]+)- ]] && hv_block=${BASH_REMATCH[1]}
	expect_line "Linux loader line" '^guest linux: Linux boot protocol 2\.[0-9]+: kernel at 0x[0-9a-f]+ \([0-9]+ KiB\), initrd at (0x[0-9a-f]+) \([0-9]+ KiB\), boot_params at (0x[0-9a-f]+), '
	initrd=$(sed -E 's/.*initrd at (0x[0-9a-f]+).*/\1/' <<<"$H_MATCH")
	boot_params=$(sed -E 's/.*boot_params at (0x[0-9a-f]+).*/\1/' <<<"$H_MATCH")
	expect_line "linux guest started" "^guest linux: starting in long64 mode at RIP $HEX\$"
	expect_line "init banner" '^hv-guest: init started$' "$BANNER_TIMEOUT"
	[ -z "$H_MATCH" ] || hv_wall=$((SECONDS - t0))
	first=$H_CURSOR
	expect_line "memory and CPUs listed" '^hv-guest: cpus: [0-9]+$'
	check "guest's /proc/iomem has the hypervisor's memory reserved" \
		iomem_covers "$first" "$H_CURSOR" "$hv_a" "$hv_b"
	hv_reserved=$(iomem_reserved_start "$first" "$H_CURSOR" "$hv_a" "$hv_b")
	check "guest's RAM from 1 MiB is one System RAM run up to the hypervisor's block (modules not in the way)" \
		iomem_ram_from_1m "$first" "$H_CURSOR" "$hv_block"
	expect_line "hypervisor flag" '^hv-guest: hypervisor flag: yes$'
	expect_line "hypervisor CPUID leaf" '^hv-guest: cpuid 0x40000000: max leaf 0x[0-9a-f]+, signature "hvhvhvhvhvhv"$'
	hvcpus_boot_lines 1
	expect_line "shell ready" '^hv-guest: shell ready$'
	expect_line "shell started" 'built-in shell \(ash\)'
	send_line "echo hv-guest-echo \$((6*7))"
	expect_line "shell answers a typed command" '^hv-guest-echo 42$'
	hvcpus_hidden 1 "$hv_reserved" "$hv_a" "$hv_b"
	# Deny-by-default MSRs (guest/policy/msr_policy.c) and hidden CPUID features:
	# booting, Linux meets only #GPs it expects (rdmsr_safe) and no WARN.
	# (Checked before the shell session: its TF-based step on Bochs makes
	# Linux WARN in exc_debug.)
	reject_line "Linux boots with no unchecked MSR access" 'unchecked MSR access error'
	reject_line "Linux boots with no WARN splat" '^(\[ *[0-9]+\.[0-9]+\] )?WARNING: CPU: [0-9]+ PID: '
	reject_line "Linux boots with no call trace" 'Call Trace:'
	# IA32_TSC_ADJUST is emulated (vmx/tsc_msrs.c): Linux's checks of it
	# (tsc_sync.c: "TSC ADJUST differs", "[Firmware Bug]: TSC ADJUST") stay quiet.
	reject_line "Linux finds IA32_TSC_ADJUST consistent" 'TSC ADJUST'
	grep -aE '^guest linux: (RD|WR)MSR ' "$H_TXT" | sed 's/^/  (/; s/$/)/' || true
	typing
	shell_session
	reboot_guest
	send_line 'poweroff -f'
	# Loose on purpose: how the hypervisor words a guest's end may change.
	# Any "guest linux: " line saying it powered off, exited or shut down
	# (now: "guest linux: ACPI sleep request (SLP_TYP N) on port 0xP: guest
	# powered off").
	expect_line "hypervisor reports the guest's power-off" \
		'^guest linux: .*(powered off|exited|shut ?down)'
	reject_line "no hypervisor message continues a guest's line" \
		'^(\[ *[0-9]+\.[0-9]+\]|hv-guest).*(guest linux: |hv: (debug shell|back to guest))'
	hv_ticks=$(mark_ticks)
	echo "  (linux: init banner after ${hv_wall:-?} s of wall time, $hv_ticks Bochs ticks)"
	stop_emulator
fi

if [[ $base_ticks =~ ^[0-9]+$ ]] && [[ $hv_ticks =~ ^[0-9]+$ ]]; then
	echo "  (boot to the init banner, under the hypervisor / without: $hv_ticks / $base_ticks ticks =" \
		"$(awk -v h="$hv_ticks" -v b="$base_ticks" 'BEGIN { printf "%.2f", h / b }'))"
fi
finish
