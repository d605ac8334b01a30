#!/bin/bash
# tests/integration/test_faults.sh - commits each deliberate fault
# (testfault=, boot/fault_test.c) and checks the report that proves the
# protection works: exception vector and error code, registers, the page
# fault explained, a symbolized stack trace, and a clean stop of the CPU;
# and a spurious #MC, reported, after which the hypervisor goes on.
# QEMU TCG + SeaBIOS: these need no VMX, and QEMU enforces NX/WP like hardware.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

ELF=$HV_ROOT/build/hv.elf
OUT=$HV_ROOT/build/test
H_END_RE='^\*\*\* CPU halted\.$'
HEX='0x[0-9a-f]{16}'

require_file "hypervisor image" "$ELF"

# boot_fault FAULT: boots an image with testfault=FAULT; 1 if it could not be built.
boot_fault() {
	build_iso "fault-$1" "hvtest testfault=$1" || return 1
	start_qemu "fault-$1" seabios "$OUT/fault-$1.iso"
	expect_line "fault announced" "^fault test: $1\$"
}

# expect_registers: the register dump of an exception report.
expect_registers() {
	expect_line "RIP line" "^RIP $HEX  CS 0x0008  RFLAGS $HEX\$"
	expect_line "RSP line" "^RSP $HEX  SS 0x0010  CR2 $HEX\$"
	expect_line "general registers" "^RAX $HEX  RBX $HEX  RCX $HEX\$"
	expect_line "R13-R15" "^R13 $HEX  R14 $HEX  R15 $HEX\$"
	expect_line "control registers" "^CR0 $HEX  CR3 $HEX  CR4 $HEX\$"
}

if boot_fault ud; then
	expect_line "exception line" '^\*\*\* hv: CPU exception 6: #UD invalid opcode, error code 0x0$'
	expect_registers
	expect_line "stack trace" '^stack trace:$'
	expect_line "faulting function" "^  #0  $HEX <fault_test_run\\+0x[0-9a-f]+>\$"
	expect_line "caller" "^  #1  $HEX <hv_start\\+0x[0-9a-f]+>\$"
	expect_line "its caller, the entry's C function" "^  #2  $HEX <hv_main\\+0x[0-9a-f]+>\$"
	expect_line "CPU halted" "$H_END_RE"
	reject_line "no return after the fault" '^fault test: ud was not caught$'
	stop_emulator
fi

if boot_fault null; then
	expect_line "exception line" '^\*\*\* hv: CPU exception 14: #PF page fault, error code 0x0$'
	expect_line "CR2 is 0" "^RSP $HEX  SS 0x0010  CR2 0x0000000000000000\$"
	expect_line "explained" '^page fault: read of an unmapped page at 0x0000000000000000 \(not present\)$'
	expect_line "faulting function" "^  #0  $HEX <fault_test_run\\+0x[0-9a-f]+>\$"
	expect_line "CPU halted" "$H_END_RE"
	stop_emulator
fi

# W^X: the image's text is not writable (present + write = error code 3) ...
if boot_fault wtext; then
	expect_line "exception line" '^\*\*\* hv: CPU exception 14: #PF page fault, error code 0x3$'
	expect_line "explained" '^page fault: write denied at 0xffffffff80[0-9a-f]{6} \(protection violation\)$'
	expect_line "CPU halted" "$H_END_RE"
	stop_emulator
fi

# ... and data is not executable (present + fetch = 0x11).
if boot_fault xdata; then
	expect_line "exception line" '^\*\*\* hv: CPU exception 14: #PF page fault, error code 0x11$'
	expect_line "explained" '^page fault: instruction fetch denied at 0xffffffff80[0-9a-f]{6} \(protection violation\)$'
	expect_line "RIP outside text" "^  #0  $HEX \\(not in the hypervisor's code\\)\$"
	expect_line "CPU halted" "$H_END_RE"
	stop_emulator
fi

# A stack overflow hits the guard page; #DF on its IST stack reports it.
if boot_fault stack; then
	expect_line "double fault" '^\*\*\* hv: CPU exception 8: #DF double fault, error code 0x0$'
	expect_line "guard page named" "^stack overflow: CR2 $HEX is in the guard page of the boot stack\$"
	expect_line "recursion in trace" "^  #0  $HEX <recurse_forever\\+0x[0-9a-f]+>\$"
	expect_line "CPU halted" "$H_END_RE"
	stop_emulator
fi

if boot_fault panic; then
	expect_line "panic message" '^\*\*\* hv panic: fault test: deliberate panic \(42\)$'
	expect_line "control registers" "^CR0 $HEX  CR3 $HEX  CR4 $HEX\$"
	expect_line "panic frame" "^  #0  $HEX <panic\\+0x[0-9a-f]+>\$"
	expect_line "caller named" "^  #1  $HEX <fault_test_run\\+0x[0-9a-f]+>\$"
	expect_line "CPU halted" "$H_END_RE"
	stop_emulator
fi

if boot_fault heapoverflow; then
	expect_line "overflow caught" '^\*\*\* hv panic: heap: overflow at 0xffff888[0-9a-f]{9}$'
	expect_line "found in free" "^  #[0-9] +$HEX <heap_free\\+0x[0-9a-f]+>\$"
	expect_line "CPU halted" "$H_END_RE"
	stop_emulator
fi

# The same on another CPU's run stack (allocated by mm/percpu_alloc.c with
# hvtest, never started): its guard page is unmapped, and the report finds
# that CPU's stack by address.
if boot_fault cpustack; then
	expect_line "double fault" '^\*\*\* hv: CPU exception 8: #DF double fault, error code 0x0$'
	expect_line "guard page named" "^stack overflow: CR2 $HEX is in the guard page of the CPU 255 stack\$"
	expect_line "recursion in trace" "^  #0  $HEX <recurse_forever\\+0x[0-9a-f]+>\$"
	expect_line "CPU halted" "$H_END_RE"
	reject_line "the block's self-check passed" '^percpu: self-check'
	stop_emulator
fi

if boot_fault doublefree; then
	expect_line "double free caught" '^\*\*\* hv panic: heap: double free at 0xffff888[0-9a-f]{9}$'
	expect_line "CPU halted" "$H_END_RE"
	stop_emulator
fi

# A #MC through its IST gate without a machine check behind it (INT 18:
# QEMU's IA32_MCG_STATUS reads 0, MCIP clear): reported with the banks,
# called spurious, and the hypervisor goes on to its shell (arch/mca.c).
H_END_RE_FAULTS=$H_END_RE
H_END_RE='^hv: debug shell ready'
if boot_fault mc; then
	expect_line "#MC reported" "^\\*\\*\\* hv: machine check \\(#MC\\) at RIP $HEX\$"
	expect_line "MCG_STATUS decoded, banks counted" \
		'^machine check in the hypervisor: IA32_MCG_STATUS 0x0 \[\], IA32_MCG_CAP 0x[0-9a-f]+ \([0-9]+ banks\)$'
	expect_line "no valid bank" '^machine check: no bank holds a valid error$'
	expect_line "spurious: MCIP clear" '^machine check: no machine check in progress \(MCG_STATUS\.MCIP = 0\): spurious #MC$'
	expect_line "goes on" "^machine check: the hypervisor goes on at RIP $HEX\$"
	expect_line "back where it was" '^fault test: mc: the hypervisor went on$'
	expect_line "the boot goes on to the shell" '^hv: debug shell ready'
	reject_line "not halted" '^\*\*\* CPU halted\.$'
	stop_emulator
fi
H_END_RE=$H_END_RE_FAULTS

finish
