#!/bin/bash
# tests/integration/test_efi_chain.sh - chain mode (boot/efi/chain_enter.c,
# boot/info/efi_handoff.h): hv.efi gives the core a pool of EfiUnusableMemory
# with boot services running, the core enters VMX and resumes the firmware as
# its guest "uefi" where hv.efi called it, and hv.efi goes on with the next
# loader under the hypervisor.
#   efi-chain-fw   Bochs + OVMF, 1 CPU: hv.cfg's next loader does not exist,
#                  so after the return hv.efi goes on through BootOrder
#                  (the disk's option is hv.efi itself, skipped) to OVMF's
#                  shell, which runs as the guest: its output comes through
#                  the hypervisor's virtual UART.
#   efi-chain-2cpus  2 CPUs with cpus=1: hv.efi refuses chain mode (the
#                  other CPU would stay outside VMX), the boot goes on.
#   efi-chain-2cpus-grub  2 CPUs: the AP comes under VMX through
#                  EFI_MP_SERVICES after the boot CPU's return; hv.efi ends
#                  the joining phase (HC_CHAIN_APS_DONE: 1 of 1 joined, none
#                  lost); GRUB starts; the shell's `cpus` shows both vCPUs
#                  with exits. (The lost-AP path runs in efi-chain-apjoin;
#                  the view's MADT change only in unit tests: no ACPI in
#                  Bochs' OVMF.)
#   efi-chain-handback  Bochs + OVMF, 1 CPU, GRUB next, `hvtest testvmx=fclocked
#                  testx2apic`: hv.efi's own VMX check passes, the core puts
#                  the boot CPU's APIC in x2APIC mode (test hook), then refuses
#                  VMX (as on a machine whose VMXON fails), so it hands the CPU
#                  back (boot/chain_fail.c), the APIC's mode undone first:
#                  hv.efi says why and the boot goes on natively to GRUB and
#                  its Linux entry.
#   efi-chain-apjoin  Bochs + OVMF, 2 CPUs, GRUB next, `hvtest testvmx=apjoin`:
#                  the AP's join fails after its VMXON (boot/chain_ap.c):
#                  the core undoes it and gives the AP back to the
#                  firmware outside VMX, saying that isolation does not
#                  hold for it; hv.efi reports 0 of 1 APs; the firmware's
#                  MP services can still reset that AP, so GRUB boots
#                  Linux natively past ExitBootServices (a CPU parked in
#                  VMX root operation would hang it there).
#   efi-chain-linux  Bochs + OVMF, 1 CPU: tools/mkefi-img.sh's image (chain
#                  mode, next = \EFI\hvtest\grubx64.efi booting the default
#                  Linux guest): firmware -> hv.efi -> core -> (firmware as
#                  the guest) -> GRUB -> Linux, which sees the hypervisor's
#                  CPUID leaf, and the pool and the core's image as e820
#                  "unusable", not System RAM (Bochs' OVMF has no ACPI: no
#                  view, and hv.efi frees the view's EfiACPIMemoryNVS area);
#                  its shell answers a command,
#                  single keys (each echoed at once) and Ctrl-C; Ctrl-] opens
#                  the hypervisor's shell, which answers (exits, regs: the
#                  guest is Linux in 64-bit mode), 'continue' returns to the
#                  guest, whose shell answers again. About 4-5 minutes.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"
# shellcheck source=SCRIPTDIR/../lib/linux_guest.sh
. "$(dirname "$0")/../lib/linux_guest.sh"

EFI=$HV_ROOT/build/hv.efi
TEST_DIR=$HV_ROOT/build/test
HEX='0x[0-9a-f]{16}'
export MTOOLS_SKIP_CHECK=1

require_file "hv.efi" "$EFI"
mkdir -p "$TEST_DIR"

# make_img IMG CFG: the ESP with hv.efi and the hv.cfg text CFG.
make_img() {
	local img=$1 stage=$TEST_DIR/efi-chain.stage
	mkdir -p "$stage"
	printf '%s\n' "$2" >"$stage/hv.cfg"
	rm -f "$img"
	truncate -s $((20 * 516096)) "$img"     # 20 Bochs cylinders (16 heads, 63 sectors): 9.8 MiB
	mformat -i "$img" -v HV-EFI :: &&
		mmd -i "$img" ::/EFI ::/EFI/BOOT &&
		mcopy -i "$img" "$EFI" ::/EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$img" "$stage/hv.cfg" ::/EFI/BOOT/hv.cfg
}

# once REGEX: exactly one serial line of this run matches.
# shellcheck disable=SC2317 # called through check
once() {
	local n
	n=$(grep -cE "$1" "$H_TXT")
	echo "  ($n lines match)"
	[ "$n" -eq 1 ]
}

# A chain-mode image whose next loader is the GRUB that boots the default
# Linux guest natively, with hv.cfg's cmdline $2, padded to whole Bochs disk
# cylinders (516096 bytes); $3 names it in the failure line. 1 if not built.
chain_grub_image() {
	local img=$1 cmdline=$2 what=$3 guest=$HV_ROOT/build/guest
	require_file "the default guest's kernel (make guest)" "$guest/vmlinuz"
	if ! HV_EFI_CFG="$(printf '%s\n' 'mode chain' 'next \EFI\hvtest\grubx64.efi' "cmdline $cmdline")" \
		"$HV_ROOT/tools/mkefi-img.sh" "$img" "$EFI" "$guest/vmlinuz" "$guest/initrd.img" "console=ttyS0,115200"; then
		H_RUN=image h_result FAIL "tools/mkefi-img.sh builds the $what image"
		return 1
	fi
	truncate -s $((($(stat -c %s "$img") + 516095) / 516096 * 516096)) "$img"
}

# --- Bochs + OVMF: a failure inside the core hands the firmware back --------
# The core's VMX check fails after the entry (hvtest testvmx=fclocked); the
# CPU goes back to the firmware as core_enter left it and GRUB starts without
# the hypervisor. Set HV_EFI_CHAIN_ONLY=handback to run this block alone.
handback_test() {
	local img=$TEST_DIR/efi-chain-handback.img
	chain_grub_image "$img" "hvtest testvmx=fclocked testx2apic" hand-back || return 0
	t0=$SECONDS
	H_BOCHS_FIRMWARE=ovmf start_bochs efi-chain-handback "$img"
	expect_line "hand-back: hv.efi enters the core" '^hv\.efi: chain mode: hypervisor core at .*entering the core with boot services running$' 180
	expect_line "hand-back: the core's banner" '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "hand-back: the test hook puts the APIC in x2APIC mode" \
		"^cpus: hvtest: the boot CPU's local APIC is in x2APIC mode$"
	expect_line "hand-back: the core says why and hands back" \
		'^hv: chain mode: VMX cannot be used \(above\): handing the CPU back to the firmware; the boot goes on without the hypervisor$'
	# x2APIC -> disabled -> xAPIC (boot/x2apic_test.c). Bochs 2.7 takes the
	# first write (0xfee00100: x2APIC mode left) and ignores every later
	# one while the APIC is globally disabled (docs: test platform), so
	# there it cannot come back; hardware gives the first line.
	expect_line "hand-back: the APIC leaves x2APIC mode, back as the firmware had it" \
		"^cpus: hvtest: the boot CPU's local APIC (is back in xAPIC mode as the firmware had it \(IA32_APIC_BASE 0xfee00900, [0-9]+ registers written back(, the timer stopped)?\)|did not come back in xAPIC mode \(IA32_APIC_BASE 0xfee00100, the firmware had 0xfee00900\))$"
	expect_line "hand-back: hv.efi says why and goes on" \
		'^hv\.efi: the hypervisor core failed and handed the firmware back: VMX cannot be used \(above\): continuing the boot without the hypervisor$'
	expect_line "hand-back: GRUB starts" '^hv\.efi: starting .*grubx64\.efi'
	expect_line "hand-back: GRUB boots Linux natively" '^hvtest-grub: booting Linux without the hypervisor' 120
	check "hand-back: hv.efi's reason is on the serial port once" once '^hv\.efi: the hypervisor core failed and handed'
	reject_line "hand-back: never resumed as a guest" '^guest uefi: starting|the firmware now runs under the hypervisor|PANIC'
	stop_emulator
	echo "  (efi-chain-handback: firmware -> hv.efi -> core -> hand-back -> GRUB in $((SECONDS - t0)) s)"
}
if [ "${HV_EFI_CHAIN_ONLY:-}" = handback ]; then
	handback_test
	finish
fi

# --- Bochs + OVMF, 2 CPUs: a failed AP join goes back to the firmware ------
# hvtest testvmx=apjoin fails the AP's join at its last step (chain_join.c
# join_vm: VMX on, vCPU made). The AP must come back to hv.efi's procedure
# outside VMX, and the firmware must still own it: ExitBootServices (GRUB's
# Linux boot) resets the APs with INIT-SIPI-SIPI, which a CPU in VMX root
# operation would never answer. Set HV_EFI_CHAIN_ONLY=apjoin to run this
# block alone.
apjoin_test() {
	local img=$TEST_DIR/efi-chain-apjoin.img H_RUN_TIMEOUT=600
	chain_grub_image "$img" "hvtest testvmx=apjoin" AP-join || return 0
	t0=$SECONDS
	H_BOCHS_CPUS=2 H_BOCHS_FIRMWARE=ovmf start_bochs efi-chain-apjoin "$img"
	expect_line "AP join fails: the AP passes hv.efi's check" \
		'^hv\.efi: chain mode: 1 APs checked: VMX usable, state resumable$' 180
	expect_line "AP join fails: hv.efi runs as the guest" '^hv\.efi: the firmware now runs under the hypervisor$'
	expect_line "AP join fails: the core gives the AP back outside VMX" \
		'^cpu: APIC ID 1: chain mode: its virtual CPU did not join the guest \(test hook testvmx=apjoin\): given back to the firmware outside VMX$'
	expect_line "AP join fails: the core says isolation does not hold" \
		'^cpu: APIC ID 1: WARNING: not under the hypervisor: the firmware.s and the OS.s code on this CPU can reach all memory, the hypervisor.s included; isolation does not hold$'
	expect_line "AP join fails: hv.efi says the AP came back outside VMX" \
		'^hv\.efi: chain mode: APIC ID 1: its join failed and the core gave it back \(the hypervisor.s console says why\): it stays the firmware.s, outside VMX; isolation does not hold for it$'
	expect_line "AP join fails: hv.efi counts 0 of 1" '^hv\.efi: chain mode: 0 of 1 APs under the hypervisor \(APIC IDs none\)$'
	expect_line "AP join fails: the joining phase ends with the AP lost" \
		'^hv: chain mode: APs done: 0 of 1 joined$'
	expect_line "AP join fails: the core warns that the lost AP is outside the hypervisor" \
		'^hv: chain mode: WARNING: APIC ID 1 did not join: it is OUTSIDE the hypervisor, and isolation does not hold while it runs \(it reaches all memory, the hypervisor.s included\)$'
	expect_line "AP join fails: the core says the firmware keeps it" \
		'^hv: chain mode: WARNING: the firmware keeps it: the guest.s INIT and start-up IPIs reach it for real '
	expect_line "AP join fails: GRUB starts" '^hv\.efi: starting .*grubx64\.efi'
	expect_line "AP join fails: GRUB boots Linux" '^hvtest-grub: booting Linux without the hypervisor' 180
	expect_line "AP join fails: Linux runs past ExitBootServices (the firmware reset its AP)" \
		'^\[ *[0-9.]+\] Linux version ' 400
	reject_line "AP join fails: no parked CPU, no panic, no firmware exception, no IPI to the lost AP dropped" \
		'parked|did not come back|PANIC|VM entry failed|exception|Exception Type|IPI to APIC ID 1 dropped'
	stop_emulator
	echo "  (efi-chain-apjoin: firmware -> hv.efi -> failed AP join -> GRUB -> Linux in $((SECONDS - t0)) s)"
}
if [ "${HV_EFI_CHAIN_ONLY:-}" = apjoin ]; then
	apjoin_test
	finish
fi

IMG=$TEST_DIR/efi-chain-fw.img
if ! make_img "$IMG" "$(printf '%s\n' '# chain mode, no next loader: on to BootOrder' \
		'mode chain' 'next \EFI\hvtest\missing.efi')"; then
	H_RUN=image h_result FAIL "mtools make the EFI image"
	finish
fi

t0=$SECONDS
H_BOCHS_FIRMWARE=ovmf start_bochs efi-chain-fw "$IMG"
expect_line "hv.efi started" '^hv\.efi: hv [^ ]+ - x86-64 hypervisor, UEFI application$' 180
expect_line "VMX available" '^hv\.efi: VMX: available'
expect_line "pool and core allocated" \
	'^hv\.efi: chain mode: hypervisor core at 0x[0-9a-f]+-0x[0-9a-f]+, pool (0x[0-9a-f]+)-(0x[0-9a-f]+) \(64 MiB, EfiUnusableMemory\), 1 CPU; entering the core with boot services running$'
expect_line "the core's banner" '^hv [^ ]+ - x86-64 hypervisor$'
expect_line "its loader" '^boot loader: hv\.efi$'
expect_line "hypervisor memory is the pool" \
	"^hypervisor memory: 64 MiB at $HEX-$HEX \\(the UEFI loader's pool\\)\$"
expect_line "VMX entered" '^VMX: revision 0x[0-9a-f]+, EPT with .*; VMX root operation entered$'
expect_line "the guest's COM1 as OVMF programmed it" \
	'^guest uefi: COM1 as the firmware programmed it: LCR 0x03, divisor 1 \(115200 baud\), MCR 0x[0-9a-f]{2}, IER 0x[0-9a-f]{2}, FIFOs (on|off)$'
expect_line "the firmware resumed" "^guest uefi: starting in resume mode at RIP $HEX\$"
expect_line "hv.efi runs as the guest" '^hv\.efi: the firmware now runs under the hypervisor$'
expect_line "hv.efi ends the joining phase (no AP)" \
	"^hv: chain mode: APs done: 0 of 0 joined; the guest's INIT and start-up IPIs reach its virtual CPUs only\$"
expect_line "the next loader is tried" 'missing\.efi'
expect_line "OVMF's shell runs as the guest" 'Shell>|UEFI Interactive Shell'
reject_line "no refusal, no panic" 'refused the hand-off|bad hand-off|PANIC|exception|VM entry failed'
stop_emulator
echo "  (efi-chain-fw: firmware to OVMF's shell under the hypervisor in $((SECONDS - t0)) s)"

# --- Bochs + OVMF, 2 CPUs: the firmware's AP joins through MP services -----
# (boot/chain_ap.c, boot/efi/chain_aps.c). OVMF in Bochs starts its AP and
# EFI_MP_SERVICES_PROTOCOL lists 2 enabled CPUs, but there are no ACPI
# tables: the list is all there is. hv.efi checks the AP, the boot CPU
# enters, and after its return the AP enters the core from an MP services
# procedure and returns as the guest. cpus=1 must refuse chain mode (the
# other CPU would stay outside VMX); the image boots on through GRUB with
# both CPUs under VMX, shown by the shell's `cpus`.
#   efi-chain-2cpus       cpus=1: refused, the boot goes on without the hypervisor
#   efi-chain-2cpus-grub  tools/mkefi-img.sh's image: both CPUs under VMX,
#                         the firmware goes on to GRUB (not to Linux: 2 CPUs
#                         in Bochs make that the Linux case's minutes twice)
IMG2=$TEST_DIR/efi-chain-2cpus.img
if ! make_img "$IMG2" "$(printf '%s\n' 'mode chain' 'next \EFI\hvtest\missing.efi' 'cmdline cpus=1')"; then
	H_RUN=image h_result FAIL "mtools make the cpus=1 EFI image"
	finish
fi
H_BOCHS_CPUS=2 H_BOCHS_FIRMWARE=ovmf start_bochs efi-chain-2cpus "$IMG2"
expect_line "2 CPUs: hv.efi started" '^hv\.efi: hv [^ ]+ - x86-64 hypervisor, UEFI application$' 180
expect_line "2 CPUs, cpus=1: chain mode refused" \
	'^hv\.efi: chain mode needs every CPU under the hypervisor: cpus=1, and 2 CPUs run: the others would stay outside VMX: continuing the boot without the hypervisor$'
expect_line "2 CPUs: the boot goes on without the hypervisor" 'Shell>|UEFI Interactive Shell'
# A line for the screen goes to COM1 and to ConOut's other consoles, not to
# ConOut's terminal on COM1 too (boot/efi/console.c).
check "2 CPUs: the refusal is on the serial port once" once '^hv\.efi: chain mode needs every CPU under the hypervisor'
reject_line "2 CPUs: the core never started" '^hv [^ ]+ - x86-64 hypervisor$'
stop_emulator

GIMG=$TEST_DIR/efi-chain-2cpus-grub.img
make_grub_img() {
	local g=$HV_ROOT/build/guest
	[ -f "$g/vmlinuz" ] && [ -f "$g/initrd.img" ] &&
		"$HV_ROOT/tools/mkefi-img.sh" "$GIMG" "$EFI" "$g/vmlinuz" "$g/initrd.img" "console=ttyS0,115200" &&
		truncate -s $((($(stat -c %s "$GIMG") + 516095) / 516096 * 516096)) "$GIMG"   # whole Bochs cylinders
}
if ! make_grub_img; then
	H_RUN=image h_result FAIL "tools/mkefi-img.sh builds the EFI image (make guest)"
	finish
fi
t0=$SECONDS
H_BOCHS_CPUS=2 H_BOCHS_FIRMWARE=ovmf start_bochs_interactive efi-chain-2cpus-grub "$GIMG"
expect_line "2 CPUs: the AP passes hv.efi's check" '^hv\.efi: chain mode: 1 APs checked: VMX usable, state resumable$' 180
expect_line "2 CPUs: the core is told both" \
	'^hv\.efi: chain mode: hypervisor core at 0x[0-9a-f]+-0x[0-9a-f]+, pool .*, 2 CPUs; entering the core with boot services running$'
expect_line "2 CPUs: the core starts no AP itself" \
	'^cpus: chain mode: 2 from the UEFI loader \(APIC IDs 0 1\); the APs come under VMX after the firmware resumes$'
expect_line "2 CPUs: the firmware resumed" "^guest uefi: starting in resume mode at RIP $HEX\$"
expect_line "2 CPUs: hv.efi runs as the guest" '^hv\.efi: the firmware now runs under the hypervisor$'
expect_line "2 CPUs: the AP came under VMX through MP services" \
	'^hv\.efi: chain mode: 1 of 1 APs under the hypervisor \(APIC IDs 1\)$'
expect_line "2 CPUs: hv.efi ends the joining phase, the core counts the AP" \
	"^hv: chain mode: APs done: 1 of 1 joined; the guest's INIT and start-up IPIs reach its virtual CPUs only\$"
expect_line "2 CPUs: GRUB started" '^hv\.efi: starting .*grubx64\.efi'
check "2 CPUs: the joining phase ends once" once '^hv: chain mode: APs done:'
expect_line "2 CPUs: GRUB boots on" '^hvtest-grub: booting Linux without the hypervisor' 180
send_keys $'\x1d'
expect_line "2 CPUs: Ctrl-] opens the hypervisor's shell" '^hv: debug shell; guest uefi keeps running'
send_line "cpus"
expect_line "2 CPUs: the guest has 2 vCPUs" '^guest uefi: 2 virtual CPUs'
cpu_line() {   # vCPU N, APIC ID N, on CPU N, running or halted, with exits
	printf '^[ *] +%u +%u +%u  (running|halted) +[1-9][0-9]* *$' "$1" "$1" "$1"
}
expect_line "2 CPUs: vCPU 0 (the boot CPU) runs, with exits" "$(cpu_line 0)"
expect_line "2 CPUs: vCPU 1 (the AP) runs, with exits" "$(cpu_line 1)"
send_line "continue"
expect_line "2 CPUs: continue returns to the guest" '^hv: back to guest uefi'
reject_line "2 CPUs: no refusal, no parked or lost CPU, no panic" \
	'refused|parked|did not come back|did not join|LOST|still to join|PANIC|VM entry failed|exception'
stop_emulator
echo "  (efi-chain-2cpus-grub: firmware to GRUB with 2 CPUs under the hypervisor in $((SECONDS - t0)) s)"

handback_test
apjoin_test

# --- Bochs + OVMF: firmware -> hv.efi -> GRUB -> Linux under VMX -------------
# e820_unusable A B: Linux's boot line for the e820 entry [A, B] of type
# unusable (what its EFI stub makes of EfiUnusableMemory).
e820_unusable() {
	printf '^\\[ *[0-9.]+\\] BIOS-e820: \\[mem 0x%016x-0x%016x\\] unusable$' "$(($1))" "$(($2))"
}

GUEST=$HV_ROOT/build/guest
require_file "the default guest's kernel (make guest)" "$GUEST/vmlinuz"
require_file "the default guest's initramfs (make guest)" "$GUEST/initrd.img"
LIMG=$TEST_DIR/efi-chain-linux.img
if ! "$HV_ROOT/tools/mkefi-img.sh" "$LIMG" "$EFI" "$GUEST/vmlinuz" "$GUEST/initrd.img" "console=ttyS0,115200 hvguest.mark"; then
	H_RUN=image h_result FAIL "tools/mkefi-img.sh builds the EFI image"
	finish
fi
truncate -s $((($(stat -c %s "$LIMG") + 516095) / 516096 * 516096)) "$LIMG"   # whole Bochs cylinders

t0=$SECONDS
H_RUN_TIMEOUT=900
start_bochs_interactive_ovmf() { H_BOCHS_FIRMWARE=ovmf start_bochs_interactive "$@"; }
start_bochs_interactive_ovmf efi-chain-linux "$LIMG"
expect_line "hv.cfg: chain mode, GRUB next" \
	'^hv\.efi: \\EFI\\BOOT\\hv\.cfg: mode chain, next loader \\EFI\\hvtest\\grubx64\.efi' 180
expect_line "the ACPI view's own area, EfiACPIMemoryNVS" \
	'^hv\.efi: chain mode: ACPI view area 0x[0-9a-f]+000-0x[0-9a-f]+fff \(16 KiB, EfiACPIMemoryNVS\) for the tables the OS will read$'
expect_line "core and pool allocated" \
	'^hv\.efi: chain mode: hypervisor core at (0x[0-9a-f]+)-(0x[0-9a-f]+), pool (0x[0-9a-f]+)-(0x[0-9a-f]+) \(64 MiB, EfiUnusableMemory\)'
pool_a=0 pool_b=0 core_a=0 core_b=0
if [[ $H_MATCH =~ core\ at\ (0x[0-9a-f]+)-(0x[0-9a-f]+),\ pool\ (0x[0-9a-f]+)-(0x[0-9a-f]+) ]]; then
	core_a=${BASH_REMATCH[1]} core_b=$(printf '0x%x' $((BASH_REMATCH[2] | 0xfff)))   # whole pages
	pool_a=${BASH_REMATCH[3]} pool_b=${BASH_REMATCH[4]}
fi
expect_line "hypervisor memory is the pool" \
	"^hypervisor memory: 64 MiB at $HEX-$HEX \\(the UEFI loader's pool\\)\$"
expect_line "no RSDP in Bochs' OVMF, so no view" '^acpi: guest view: none \(the boot loader gave no RSDP\)$'
expect_line "the firmware resumed" "^guest uefi: starting in resume mode at RIP $HEX\$"
expect_line "hv.efi runs as the guest" '^hv\.efi: the firmware now runs under the hypervisor$'
expect_line "no view: hv.efi frees its area" \
	"^hv\\.efi: chain mode: no ACPI view \\(the firmware's tables are right as they are\\): its area is freed\$"
expect_line "GRUB started" '^hv\.efi: starting .*grubx64\.efi'
expect_line "GRUB boots Linux" '^hvtest-grub: booting Linux without the hypervisor' 120
expect_line "Linux's e820: the pool unusable" "$(e820_unusable "$pool_a" "$pool_b")" 300
expect_line "Linux's e820: the core's image unusable" "$(e820_unusable "$core_a" "$core_b")"
expect_line "Linux's init" '^hv-guest: init started$' 600
[ -z "$H_MATCH" ] || linux_wall=$((SECONDS - t0))
first=$H_CURSOR
expect_line "memory and CPUs listed" '^hv-guest: cpus: [0-9]+$'
check "the pool is not System RAM in Linux's /proc/iomem" iomem_not_ram "$first" "$H_CURSOR" "$pool_a" "$pool_b"
check "the core's image is not System RAM in Linux's /proc/iomem" iomem_not_ram "$first" "$H_CURSOR" "$core_a" "$core_b"
expect_line "hypervisor flag" '^hv-guest: hypervisor flag: yes$'
expect_line "hypervisor CPUID leaf" '^hv-guest: cpuid 0x40000000: max leaf 0x[0-9a-f]+, signature "hvhvhvhvhvhv"$'
expect_line "Linux's shell" '^hv-guest: shell ready$'
shell_wall=$((SECONDS - t0))
send_line "echo hv-guest-echo \$((6*7))"
expect_line "Linux's shell answers" '^hv-guest-echo 42$'
typing
send_keys $'\x1d'
expect_line "Ctrl-] opens the hypervisor's shell" '^hv: debug shell; guest uefi keeps running'
send_line "exits"
expect_line "exits: the guest's exits counted" '^  total +[0-9]+ '
send_line "regs"
expect_line "regs: the guest is Linux in 64-bit mode" "^guest uefi: RIP $HEX CPL [03], 64-bit mode\$"
send_line "continue"
expect_line "continue returns to the guest" '^hv: back to guest uefi'
send_line "echo hv-guest-back \$((6*7))"
expect_line "Linux's shell answers after the hypervisor's shell" '^hv-guest-back 42$'
reject_line "no refusal, no panic" 'refused the hand-off|bad hand-off|PANIC|VM entry failed|Kernel panic'
stop_emulator
echo "  (efi-chain-linux: firmware power-on to Linux's init under the hypervisor in ${linux_wall:-?} s of wall time ($(mark_ticks) Bochs ticks), to its shell in ${shell_wall:-?} s)"
finish
