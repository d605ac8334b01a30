#!/bin/bash
# tests/integration/test_iommu.sh - the VT-d probe at boot (QEMU TCG + SeaBIOS):
# q35 with `-device intel-iommu,aw-bits=48` reports its DMAR (one unit at
# 0xfed90000 listing six devices, interrupt remapping) and the unit's registers
# as QEMU 7.2 sets them, then turns translation on (GSTS.TES read back) with
# tables of the depth and page sizes the unit allows; aw-bits=39 with snoop
# control and caching mode shows those; the i440fx PC, which has no DMAR (as
# Bochs), says so, and with iommu=required starts no guest and keeps the
# shell. With hvtest and QEMU's edu device, the hypervisor has edu DMA into
# its own memory (blocked: one fault line with edu's source ID, the memory
# unchanged) and into guest RAM (copied); the shell's `iommu` then shows the
# unit translating and the fault. The guest's ACPI view leaves the DMAR out.
# Invalidation is register-based by default; with `hvtest testvtd=qi` the
# unit invalidates through its queue (VT-d 6.5.2) and the edu test gives the
# same result. With `hvtest testvtd=fw` the unit is first left as firmware
# may leave it (interrupt remapping on, a queue stopped by FSTS.IQE, fault
# events unmasked) and the hypervisor undoes that before protecting.
# In chain mode (hv.efi, QEMU q35 + OVMF, `hvtest
# testvmx=efientry` since QEMU has no VMX, and `testvtd=fw`) the core turns
# translation on and builds the view without the DMAR, then hands the
# firmware back with the unit as it was: interrupt remapping on again with
# its table, its queue on, fault events unmasked; Linux, booted natively by
# GRUB, finds interrupt remapping on and reads the firmware's RSDP and DMAR
# (HV_IOMMU_ONLY=efi runs that block alone).
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ISO=$HV_ROOT/build/hv.iso

require_file "hypervisor image" "$ISO"

# --- chain mode: VT-d on, then the hand-back gives the unit back -------------
# QEMU has VT-d but no VMX: with hvtest testvmx=efientry hv.efi enters the
# core in chain mode all the same. The core turns translation on and builds
# the ACPI view without the DMAR (for the configuration table), then finds no
# VMX and hands the firmware back (boot/chain_fail.c): the unit as the
# firmware had it, no view installed. The firmware here is testvtd=fw's
# (drivers/iommu/vtd_fwsim.c: interrupt remapping on over its table at IRTA
# with S 7, a queue stopped by FSTS.IQE, fault events unmasked), which the
# core undoes before it protects: the hand-back puts it back (IRTA, SIRTP,
# the interrupt entry cache invalidated, the firmware's queue with its head
# at the firmware's tail, descriptor 1, the slots before it harmless, IRE,
# FECTL; review chain3 finding 3).
# GRUB then boots Linux natively, which finds interrupt remapping on (and
# turns it off for its own) and reads the firmware's own RSDP and its DMAR.
iommu_efi_chain() {
	local img=$HV_ROOT/build/test/iommu-efi-chain.img guest=$HV_ROOT/build/guest rsdp table view
	require_file "hv.efi" "$HV_ROOT/build/hv.efi"
	require_file "the default guest's kernel (make guest)" "$guest/vmlinuz"
	if ! HV_EFI_CFG="$(printf '%s\n' 'mode chain' 'next \EFI\hvtest\grubx64.efi' 'cmdline hvtest testvmx=efientry testvtd=fw')" \
		"$HV_ROOT/tools/mkefi-img.sh" "$img" "$HV_ROOT/build/hv.efi" "$guest/vmlinuz" "$guest/initrd.img" \
		"console=ttyS0,115200"; then
		H_RUN=image h_result FAIL "tools/mkefi-img.sh builds the chain-mode image"
		return
	fi
	start_qemu iommu-efi-chain ovmf-disk "$img" -M q35 -device intel-iommu,aw-bits=48
	expect_line "chain: hv.efi finds the firmware's RSDP" '^hv\.efi: ACPI: RSDP revision 2 at (0x[0-9a-f]+) ' 120
	rsdp=${H_MATCH#*at } rsdp=${rsdp%% *}
	expect_line "chain: the core entered without VMX (test hook)" \
		'^hv\.efi: VMX is not available \(.*\); hvtest testvmx=efientry: entering the core all the same$'
	expect_line "chain: hv.efi gives the ACPI view its own EfiACPIMemoryNVS area" \
		'^hv\.efi: chain mode: ACPI view area (0x[0-9a-f]+000)-0x[0-9a-f]+fff \(16 KiB, EfiACPIMemoryNVS\) for the tables the OS will read$'
	view=${H_MATCH#*area } view=${view%%-*}
	expect_line "chain: the core finds the DMAR" '^iommu: DMAR: 1 remapping unit, host address width 48 bits'
	expect_line "chain: the firmware's state (testvtd=fw)" '^hvtest: iommu: unit 0 left as firmware may leave it: GSTS 0x[0-9a-f]+ \(interrupt remapping on, queued invalidation on\), FSTS 0x00000010, IQH at descriptor 0, IQT 1, FECTL 0x00000000$'
	expect_line "chain: the firmware's IR turned off" '^iommu: unit 0: interrupt remapping the firmware left on turned off \(its table at (0x[0-9a-f]+000) unused; '
	table=${H_MATCH#*table at } table=${table%% *}
	expect_line "chain: translation on" '^iommu: unit 0: translation on: every device in domain 1'
	expect_line "chain: the view leaves the DMAR out, in hv.efi's NVS area" \
		"^acpi: guest view: all 1 CPUs enabled, without the DMAR \\(the hypervisor owns the IOMMU\\); RSDP, XSDT, RSDT copies at $view \\(the loader's ACPI NVS area\\)\$"
	expect_line "chain: no VMX, so the core hands back" \
		'^hv: chain mode: VMX cannot be used \(above\): handing the CPU back to the firmware; the boot goes on without the hypervisor$'
	expect_line "chain: the unit given back as the firmware had it: IR on again over its table, its queue head at the firmware's tail (review chain3 finding 3)" \
		"^iommu: unit 0: given back as the firmware had it: translation off, queued invalidation on \\(queue at 0x[0-9a-f]+000, head and tail at descriptor 1\\), interrupt remapping on \\(IRTA $(printf '0x%x' "$((table | 7))")\\), fault events unmasked, invalidation events masked\$"
	expect_line "chain: hv.efi says why and goes on" \
		'^hv\.efi: the hypervisor core failed and handed the firmware back: VMX cannot be used \(above\): continuing the boot without the hypervisor$'
	expect_line "chain: GRUB boots Linux natively" '^hvtest-grub: booting Linux without the hypervisor' 120
	expect_line "chain: Linux reads the firmware's RSDP, not a view" \
		"ACPI: RSDP 0x$(printf '%016X' "$((rsdp))") " 300
	expect_line "chain: and the firmware's DMAR" 'ACPI: DMAR 0x[0-9A-F]{16} '
	expect_line "chain: Linux finds the firmware's interrupt remapping on" \
		'DMAR-IR: IRQ remapping was enabled on dmar0 but we are not in kdump mode$'
	expect_line "chain: Linux's init" '^hv-guest: init started$' 300
	reject_line "chain: never resumed, no panic" 'the firmware now runs under the hypervisor|PANIC|Kernel panic'
	stop_emulator
}
if [ "${HV_IOMMU_ONLY:-}" = efi ]; then
	iommu_efi_chain
	finish
fi

start_qemu iommu-q35 seabios "$ISO" -M q35 -device intel-iommu,aw-bits=48
expect_line "DMAR" '^iommu: DMAR: 1 remapping unit, host address width 48 bits, interrupt remapping$'
expect_line "unit 0" '^iommu: unit 0 at 0xfed90000 \(segment 0, listed devices, 6 scopes\): version 1\.0, SAGAW 39/48-bit, MGAW 48, pages 4K/2M/1G, 64K domains, walks not coherent, invalidation queued\+register, IR PT, 1 fault record at 0x220$'
expect_line "register-based invalidation" '^iommu: unit 0: register-based invalidation: global context-cache \(CCMD\) and IOTLB \(at 0xf8\) invalidation, draining reads and writes$'
# 512 MiB: everything below 512 GiB, so 3 levels; RAM less the hypervisor's 64 MiB.
expect_line "translation on" '^iommu: unit 0: translation on: every device in domain 1, 44[0-9.]+ MiB of RAM mapped identity in 3-level tables \(0 x 1G, [0-9]+ x 2M, [0-9]+ x 4K; ([0-9]+) table pages, minimum \1, \+ root and context\), flushed \(walks do not snoop\)$'
expect_line "shell ready" '^hv: debug shell ready'
reject_line "translation not left on by firmware" '^iommu: unit 0: firmware left'
reject_line "register-based invalidation by default" '^iommu: unit 0: queued invalidation'
stop_emulator

start_qemu iommu-q35-39 seabios "$ISO" -M q35 \
	-device intel-iommu,aw-bits=39,intremap=off,snoop-control=on,caching-mode=on
expect_line "DMAR, 39 bits" '^iommu: DMAR: 1 remapping unit, host address width 39 bits$'
expect_line "unit 0, 39 bits" '^iommu: unit 0 at 0xfed90000 .*: version 1\.0, SAGAW 39-bit, MGAW 39, .*, caching mode, PT SC, 1 fault record at 0x220$'
expect_line "translation on, 39 bits" '^iommu: unit 0: translation on: every device in domain 1, .* in 3-level tables .*, flushed \(walks do not snoop\)$'
expect_line "shell ready" '^hv: debug shell ready'
stop_emulator

start_qemu iommu-pc seabios "$ISO"
expect_line "no DMAR" '^iommu: machine without DMAR \(no VT-d\): no DMA remapping, devices can reach all memory$'
expect_line "shell ready" '^hv: debug shell ready'
reject_line "no unit" '^iommu: unit'
stop_emulator

# edu (PCI 1234:11e8) DMAs above 256 MiB only with a wider dma_mask.
if build_iso iommu-edu "hvtest"; then
	start_qemu_interactive iommu-edu "$HV_ROOT/build/test/iommu-edu.iso" -M q35 \
		-device intel-iommu,aw-bits=48 -device edu,dma_mask=0xffffffffffffffff
	expect_line "translation on" '^iommu: unit 0: translation on: '
	expect_line "edu's DMA fault" '^iommu: unit 0: DMA fault: source 00:0[1-9a-f]\.0, address 0x[0-9a-f]+000, reason 0x05 \(write to a page without write permission\), write$'
	fault=$H_MATCH
	src=${fault#*source } src=${src%%,*}
	addr=${fault#*address } addr=${addr%%,*}
	expect_line "edu DMA into the hypervisor blocked" "^hvtest: iommu: edu DMA into the hypervisor's memory at $addr: blocked \(fault reported, memory unchanged\)$"
	expect_line "edu DMA into guest RAM copied" '^hvtest: iommu: edu DMA into guest RAM at 0x[0-9a-f]+: copied 4096 bytes$'
	expect_line "guest view without the DMAR" '^acpi: guest view: all 1 CPUs enabled, without the DMAR \(the hypervisor owns the IOMMU\); RSDP, RSDT copies at 0x[0-9a-f]+$'
	expect_line "shell ready" '^hv: debug shell ready'
	reject_line "one fault only" '^iommu: unit 0: DMA fault: .*, read$'
	send_line "iommu"
	expect_echo "iommu: the prompt is back" "hv> "
	expect_line "iommu: the unit" '^unit 0 at 0xfed90000: version 1\.0, SAGAW 39/48-bit, MGAW 48, .*, 1 fault record at 0x220$'
	expect_line "iommu: translating, 1 fault" '^  translation on \(GSTS 0x[0-9a-f]+\), root table at 0x[0-9a-f]+, 1 fault, 0 overflows$'
	expect_line "iommu: IR and QI off" '^  interrupt remapping off, queued invalidation off$'
	expect_line "iommu: events masked, the fault polled" '^  fault events masked \(FECTL 0x[c8]0000000\): faults are polled; registers 0xfed90000-0xfed90fff '
	expect_line "iommu: the log" '^DMA faults: 1, the last 1:$'
	expect_line "iommu: the fault" "^  iommu: unit 0: DMA fault: source $src, address $addr, reason 0x05 \(write to a page without write permission\), write$"
	stop_emulator
fi

# The same DMA with queued invalidation (QEMU's unit has ECAP.QI).
if build_iso iommu-edu-qi "hvtest testvtd=qi"; then
	start_qemu iommu-edu-qi seabios "$HV_ROOT/build/test/iommu-edu-qi.iso" -M q35 \
		-device intel-iommu,aw-bits=48 -device edu,dma_mask=0xffffffffffffffff
	expect_line "QI: queued invalidation" '^iommu: unit 0: queued invalidation: testvtd=qi; 256-entry queue at 0x[0-9a-f]+000, global context-cache and IOTLB invalidation \(draining reads and writes\), each completed by an invalidation wait.s status write$'
	expect_line "QI: translation on" '^iommu: unit 0: translation on: '
	expect_line "QI: edu's DMA fault" '^iommu: unit 0: DMA fault: source 00:0[1-9a-f]\.0, address 0x[0-9a-f]+000, reason 0x05 \(write to a page without write permission\), write$'
	fault=$H_MATCH
	addr=${fault#*address } addr=${addr%%,*}
	expect_line "QI: edu DMA into the hypervisor blocked" "^hvtest: iommu: edu DMA into the hypervisor's memory at $addr: blocked \(fault reported, memory unchanged\)$"
	expect_line "QI: edu DMA into guest RAM copied" '^hvtest: iommu: edu DMA into guest RAM at 0x[0-9a-f]+: copied 4096 bytes$'
	expect_line "QI: shell ready" '^hv: debug shell ready'
	reject_line "QI: no register-based invalidation" '^iommu: unit 0: register-based invalidation'
	stop_emulator
fi

# Firmware's leftovers (hvtest testvtd=fw plays the firmware before
# vtd_protect): interrupt remapping on, queued invalidation on and stopped
# at a rejected descriptor (FSTS.IQE), fault events unmasked. The
# hypervisor must mask the events, turn IR off, get the stopped queue going
# (the rejected descriptor replaced by an invalidation wait, IQE cleared)
# and run it empty behind a wait of its own, turn QI off (QEMU allows that
# only then), clear the error bits and run its own queue; edu's fault is
# then still found by polling, with FECTL masked (its IP bit says an event
# was held back).
if build_iso iommu-edu-fw "hvtest testvtd=fw"; then
	start_qemu_interactive iommu-edu-fw "$HV_ROOT/build/test/iommu-edu-fw.iso" -M q35 \
		-device intel-iommu,aw-bits=48 -device edu,dma_mask=0xffffffffffffffff
	expect_line "fw: firmware's state" '^hvtest: iommu: unit 0 left as firmware may leave it: GSTS 0x[0-9a-f]+ \(interrupt remapping on, queued invalidation on\), FSTS 0x00000010, IQH at descriptor 0, IQT 1, FECTL 0x00000000$'
	expect_line "fw: events masked" '^iommu: unit 0: fault events were unmasked \(FECTL 0x00000000\): masked, faults are polled$'
	expect_line "fw: IR turned off" '^iommu: unit 0: interrupt remapping the firmware left on turned off \(its table at 0x[0-9a-f]+000 unused; '
	expect_line "fw: rejected descriptor replaced" '^iommu: unit 0: the invalidation queue firmware left on stopped at a rejected descriptor \(FSTS\.IQE, IQH at descriptor 0\): replaced by an invalidation wait$'
	expect_line "fw: own queue" '^iommu: unit 0: queued invalidation: firmware left it on; 256-entry queue at 0x[0-9a-f]+000, '
	expect_line "fw: translation on" '^iommu: unit 0: translation on: '
	expect_line "fw: edu's DMA fault, polled" '^iommu: unit 0: DMA fault: source 00:0[1-9a-f]\.0, address 0x[0-9a-f]+000, reason 0x05 \(write to a page without write permission\), write$'
	expect_line "fw: edu DMA into the hypervisor blocked" "^hvtest: iommu: edu DMA into the hypervisor's memory at 0x[0-9a-f]+: blocked \(fault reported, memory unchanged\)$"
	expect_line "fw: edu DMA into guest RAM copied" '^hvtest: iommu: edu DMA into guest RAM at 0x[0-9a-f]+: copied 4096 bytes$'
	expect_line "fw: shell ready" '^hv: debug shell ready'
	reject_line "fw: no unit left off" '^iommu: unit 0: .*: translation off$'
	send_line "iommu"
	expect_echo "fw: iommu: the prompt is back" "hv> "
	expect_line "fw: iommu: translating, 1 fault" '^  translation on \(GSTS 0x[0-9a-f]+\), root table at 0x[0-9a-f]+, 1 fault, 0 overflows$'
	expect_line "fw: iommu: IR off, QI on" '^  interrupt remapping off, queued invalidation on$'
	expect_line "fw: iommu: events masked, one held back" '^  fault events masked \(FECTL 0xc0000000\): faults are polled; registers 0xfed90000-0xfed90fff '
	stop_emulator
fi

# Bochs has VMX but no DMAR: with iommu=required the guest that would run
# (tests/guests/hlt.elf) does not start, and the shell stays.
if build_iso iommu-required-bochs "iommu=required" "$HV_ROOT/build/guests/hlt.elf" "guest hv.name=hlt"; then
	start_bochs iommu-required-bochs "$HV_ROOT/build/test/iommu-required-bochs.iso"
	expect_line "Bochs: no DMAR" '^iommu: machine without DMAR \(no VT-d\)'
	expect_line "Bochs: required refuses" "^hv: iommu=required, but no VT-d unit protects this machine's memory from DMA: no guest starts \(the shell stays\)$"
	expect_line "Bochs: shell ready" '^hv: debug shell ready'
	reject_line "Bochs: the guest did not start" '^guest hlt'
	stop_emulator
fi

if build_iso iommu-required "iommu=required"; then
	start_qemu iommu-required seabios "$HV_ROOT/build/test/iommu-required.iso"
	expect_line "no DMAR" '^iommu: machine without DMAR \(no VT-d\)'
	expect_line "required refuses" "^hv: iommu=required, but no VT-d unit protects this machine's memory from DMA: no guest starts \(the shell stays\)$"
	expect_line "shell ready" '^hv: debug shell ready'
	reject_line "no backend tried" '^hv: no guest can run on this machine$'
	stop_emulator
fi

iommu_efi_chain
finish
