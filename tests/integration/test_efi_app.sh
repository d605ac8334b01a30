#!/bin/bash
# tests/integration/test_efi_app.sh - hv.efi, the UEFI application, in QEMU
# with OVMF (TCG: no VMX), booting the image `make iso` makes (build/hv-efi.img;
# made afresh in build/test/ from build/hv.efi) as a disk:
#   efi-chain      hv.efi's banner and steps (where it was loaded from, hv.cfg
#                  in chain mode with its next loader, RSDP, framebuffer,
#                  memory map), the exact VMX-unavailable line, then the next
#                  loader (the image's GRUB) started, and Linux reached without
#                  the hypervisor (the guest's banner).
#   efi-malformed  the same image with a malformed hv.cfg (a copy made here
#                  with mtools): the message names the line, and the boot goes
#                  on through BootOrder, skipping the option that is hv.efi
#                  itself, to the firmware's next boot option (OVMF's shell).
#   efi-nocfg      no hv.cfg: the defaults (chain mode, BootNext/BootOrder);
#                  the shell it reaches runs a startup.nsh that starts hv.efi
#                  again, which returns at once (hv.efi's loop guard).
#   efi-boot       boot mode with the guest as two modules and a command
#                  line: both modules read into memory (their exact sizes),
#                  VMX unavailable, the hand-off to the core, which lists both
#                  modules and says why no guest can run.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

EFI=$HV_ROOT/build/hv.efi
GUEST=$HV_ROOT/build/guest
TEST_DIR=$HV_ROOT/build/test
IMG=$TEST_DIR/hv-efi.img   # made here as `make iso` makes build/hv-efi.img, from this build's hv.efi
HEX='0x[0-9a-f]{16}'
WITHOUT='continuing the boot without the hypervisor'
export MTOOLS_SKIP_CHECK=1

require_file "hv.efi" "$EFI"
mkdir -p "$TEST_DIR"
if ! "$HV_ROOT/tools/mkguest.sh" "$GUEST" >"$TEST_DIR/mkguest-${H_FILE%.sh}.log" 2>&1; then
	H_RUN=guest h_result FAIL "tools/mkguest.sh builds the default guest"
	sed 's/^/  /' "$TEST_DIR/mkguest-${H_FILE%.sh}.log"
	finish
fi
if ! "$HV_ROOT/tools/mkefi-img.sh" "$IMG" "$EFI" "$GUEST/vmlinuz" "$GUEST/initrd.img" "console=ttyS0,115200"; then
	H_RUN=image h_result FAIL "tools/mkefi-img.sh builds the EFI image"
	finish
fi

# hv.efi's first lines, the same on every run.
expect_start() {
	expect_line banner '^hv\.efi: hv [^ ]+ - x86-64 hypervisor, UEFI application$'
	expect_line "loaded from" '^hv\.efi: loaded from \\EFI\\BOOT\\BOOTX64\.EFI$'
}

# The firmware's boot manager goes on after hv.efi: the boot options that
# are not hv.efi. QEMU's OVMF lists the CD drive (empty), the disk (hv.efi's
# removable-media file) and its shell.
expect_boot_order() {
	expect_line "the disk's option is hv.efi itself" \
		'^hv\.efi: Boot[0-9A-F]{4} "UEFI QEMU HARDDISK[^"]*" \(BootOrder\): starts hv\.efi itself: skipped$'
	expect_line "the next boot option started" \
		'^hv\.efi: starting Boot[0-9A-F]{4} "EFI Internal Shell" \(BootOrder\)$'
	expect_line "the shell runs" 'UEFI Interactive Shell'
	check "hv.efi ran once (never started itself again)" \
		same "$(grep -acE '^hv\.efi: hv [^ ]+ - x86-64 hypervisor, UEFI application$' "$H_TXT")" 1
}

# --- chain mode, VMX unavailable: on to GRUB and Linux ----------------------
t0=$SECONDS
start_qemu efi-chain ovmf-disk "$IMG"
expect_start
expect_line "hv.cfg read" \
	'^hv\.efi: \\EFI\\BOOT\\hv\.cfg: mode chain, next loader \\EFI\\hvtest\\grubx64\.efi, 0 modules$'
expect_line "load options" '^hv\.efi: load options: (none|empty)$'
expect_line "RSDP" "^hv\\.efi: ACPI: RSDP revision 2 at $HEX \\(36 bytes\\)$"
expect_line "framebuffer" "^hv\\.efi: framebuffer: [0-9]+x[0-9]+, 32 bpp, pitch [0-9]+, at 0x[0-9a-f]+$"
expect_line "memory map" '^hv\.efi: memory map: [0-9]+ descriptors of [0-9]+ bytes \(version 1\) -> [1-9][0-9]* E820 entries$'
expect_line "VMX unavailable" \
	"^hv\\.efi: VMX is not available \\(CPUID\\.1:ECX\\[5\\] is clear: the CPU does not report VMX\\): $WITHOUT\$"
expect_line "next loader started" \
	'^hv\.efi: starting the next loader \\EFI\\hvtest\\grubx64\.efi \(hv\.cfg.s next\)$'
expect_line "GRUB runs" '^hvtest-grub: booting Linux without the hypervisor' 120
expect_line "Linux reached" '^hv-guest: init started$' 240
# The negative control of the CPUID checks under the hypervisor (test_linux.sh,
# test_smp.sh): the same initramfs without it must not see its leaf.
expect_line "Linux: its CPUID report" '^hv-guest: hypervisor flag: (yes|no)$'
if [ "$H_MATCH" = "hv-guest: hypervisor flag: yes" ]; then
	expect_line "Linux: its CPUID leaf 0x40000000 report" '^hv-guest: cpuid 0x40000000: '
	check "Linux: not the hypervisor's signature ($H_MATCH)" test -z "$(grep -F 'hvhvhvhvhvhv' <<<"$H_MATCH")"
fi
reject_line "no hypervisor under Linux" 'signature "hvhvhvhvhvhv"'
stop_emulator
echo "  (efi-chain: firmware to the guest's banner in $((SECONDS - t0)) s)"

# --- a malformed hv.cfg: its line named, the boot goes on ------------------
bad=$TEST_DIR/efi-malformed.img
cp "$IMG" "$bad"
printf '# hv.cfg with a mistake on line 3\nmode chain\nmode sideways\n' >"$TEST_DIR/efi-malformed.cfg"
if mcopy -o -i "$bad" "$TEST_DIR/efi-malformed.cfg" ::/EFI/BOOT/hv.cfg; then
	start_qemu efi-malformed ovmf-disk "$bad"
	expect_start
	expect_line "malformed hv.cfg named with its line" \
		"^hv\\.efi: \\\\EFI\\\\BOOT\\\\hv\\.cfg line 3: .*: $WITHOUT\$"
	reject_line "nothing of it used (no VMX check, no next loader)" '^hv\.efi: (VMX|starting the next loader)'
	expect_boot_order
	stop_emulator
else
	H_RUN=efi-malformed h_result FAIL "mcopy puts the malformed hv.cfg in a copy of the image"
fi
rm -f "$bad"

# --- no hv.cfg: defaults ---------------------------------------------------
none=$TEST_DIR/efi-nocfg.img
cp "$IMG" "$none"
printf 'fs0:\r\necho hvtest-shell: starting hv.efi again\r\n\\EFI\\BOOT\\BOOTX64.EFI\r\necho hvtest-shell: back\r\n' \
	>"$TEST_DIR/efi-startup.nsh"
if mdel -i "$none" ::/EFI/BOOT/hv.cfg && mcopy -i "$none" "$TEST_DIR/efi-startup.nsh" ::/startup.nsh; then
	start_qemu efi-nocfg ovmf-disk "$none"
	expect_start
	expect_line "defaults without hv.cfg" \
		'^hv\.efi: no \\EFI\\BOOT\\hv\.cfg \(no such file\): defaults: mode chain, next loader from BootNext/BootOrder$'
	expect_line "VMX unavailable" "^hv\\.efi: VMX is not available \\(.*\\): $WITHOUT\$"
	expect_boot_order
	# The shell's startup.nsh starts hv.efi while the shell hv.efi started runs.
	expect_line "startup.nsh runs" '^hvtest-shell: starting hv\.efi again' 60
	expect_line "hv.efi started again" '^hv\.efi: hv [^ ]+ - x86-64 hypervisor, UEFI application$'
	expect_line "it returns at once (loop guard)" \
		'^hv\.efi: started by hv\.efi.s own next loader: returning at once, so that it tries its next one$'
	expect_line "the shell goes on" '^hvtest-shell: back'
	stop_emulator
else
	H_RUN=efi-nocfg h_result FAIL "mdel/mcopy make the image without hv.cfg"
fi
rm -f "$none"

# --- boot mode with modules ------------------------------------------------
boot=$TEST_DIR/efi-boot.img
cp "$IMG" "$boot"
cat >"$TEST_DIR/efi-boot.cfg" <<'CFG'
mode boot
cmdline hvtest
module \EFI\hvtest\vmlinuz guest hv.name=linux console=ttyS0,115200
module \EFI\hvtest\initrd.img initrd
next \EFI\hvtest\grubx64.efi
CFG
ksize=$(stat -c %s "$GUEST/vmlinuz")
isize=$(stat -c %s "$GUEST/initrd.img")
if mcopy -o -i "$boot" "$TEST_DIR/efi-boot.cfg" ::/EFI/BOOT/hv.cfg; then
	start_qemu efi-boot ovmf-disk "$boot"
	expect_start
	expect_line "hv.cfg read (boot mode)" \
		'^hv\.efi: \\EFI\\BOOT\\hv\.cfg: mode boot, next loader \\EFI\\hvtest\\grubx64\.efi, 2 modules, a command line$'
	expect_line "no load options" '^hv\.efi: load options: (none|empty)$'
	# Page-aligned, below 4 GiB: at most 8 hex digits, the last three 0 (no padding).
	expect_line "kernel module read" \
		"^hv\\.efi: module 1 \\\\EFI\\\\hvtest\\\\vmlinuz: $ksize bytes at 0x[0-9a-f]{1,5}000, command line \"guest hv\\.name=linux console=ttyS0,115200\"\$"
	expect_line "initrd module read" \
		"^hv\\.efi: module 2 \\\\EFI\\\\hvtest\\\\initrd\\.img: $isize bytes at 0x[0-9a-f]{1,5}000, command line \"initrd\"\$"
	expect_line "VMX unavailable (boot mode)" '^hv\.efi: VMX is not available \(CPUID\.1:ECX\[5\] is clear: the CPU does not report VMX\)$'
	# The hand-off (tests/integration/test_efi_core.sh has the details): the
	# core gets both modules and says why no guest can run.
	expect_line "hand-off: core placed" '^hv\.efi: hypervisor core at 0x[0-9a-f]+-0x[0-9a-f]+, entry 0x[0-9a-f]+; exiting boot services$'
	expect_line "the core's banner" '^hv [^ ]+ - x86-64 hypervisor$'
	expect_line "the core has the kernel module" '^module 0: 0x[0-9a-f]{16}-0x[0-9a-f]{16} guest hv\.name=linux console=ttyS0,115200$'
	expect_line "the core has the initrd module" '^module 1: 0x[0-9a-f]{16}-0x[0-9a-f]{16} initrd$'
	expect_line "no guest can run" '^hv: no guest can run on this machine$'
	reject_line "no next loader after ExitBootServices" '^hv\.efi: starting the next loader'
	stop_emulator
else
	H_RUN=efi-boot h_result FAIL "mcopy puts the boot-mode hv.cfg in a copy of the image"
fi
rm -f "$boot" "$IMG"

finish
