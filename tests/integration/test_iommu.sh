#!/bin/bash
# tests/integration/test_iommu.sh - the VT-d probe at boot (QEMU TCG + SeaBIOS):
# q35 with `-device intel-iommu,aw-bits=48` reports its DMAR (one unit at
# 0xfed90000 listing six devices, interrupt remapping) and the unit's registers
# as QEMU 7.2 sets them, then turns translation on (GSTS.TES read back) with
# tables of the depth and page sizes the unit allows; aw-bits=39 with snoop
# control and caching mode shows those; the i440fx PC, which has no DMAR (as
# Bochs), says so. No device DMAs in this test yet (the edu test will).
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ISO=$HV_ROOT/build/hv.iso

require_file "hypervisor image" "$ISO"

start_qemu iommu-q35 seabios "$ISO" -M q35 -device intel-iommu,aw-bits=48
expect_line "DMAR" '^iommu: DMAR: 1 remapping unit, host address width 48 bits, interrupt remapping$'
expect_line "unit 0" '^iommu: unit 0 at 0xfed90000 \(segment 0, listed devices, 6 scopes\): version 1\.0, SAGAW 39/48-bit, MGAW 48, pages 4K/2M/1G, 64K domains, walks not coherent, invalidation queued\+register, IR PT, 1 fault record at 0x220$'
# 512 MiB: everything below 512 GiB, so 3 levels; RAM less the hypervisor's 64 MiB.
expect_line "translation on" '^iommu: unit 0: translation on: every device in domain 1, 44[0-9.]+ MiB of RAM mapped identity in 3-level tables \(0 x 1G, [0-9]+ x 2M, [0-9]+ x 4K; ([0-9]+) table pages, minimum \1, \+ root and context\), flushed \(walks do not snoop\)$'
expect_line "shell ready" '^hv: debug shell ready'
reject_line "translation not left on by firmware" '^iommu: unit 0: firmware left'
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

finish
