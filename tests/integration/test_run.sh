#!/bin/bash
# tests/integration/test_run.sh - `make run` (tools/run.sh) before anything
# boots: HV_EMU=qemu-kvm on a machine that cannot give the hypervisor VMX
# fails at once with what to do (a fake /proc/cpuinfo, /dev/kvm and kvm_intel
# nested parameter stand for the machine; and this machine itself where it
# has no VMX), and HV_MEM beyond Bochs' 2048 MiB `megs:` limit becomes
# `memory: host=2048, guest=N`. Starts no emulator when it passes.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hv-run-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae mce sse2 ht svm\n' >"$tmp/cpuinfo-novmx"
printf 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae mce sse2 ht vmx ept\n' >"$tmp/cpuinfo-vmx"
echo N >"$tmp/nested-off"
: >"$tmp/kvm" # a usable "device": the script only tests that it is there, readable and writable

# run_make NAME ENV...: `make run` with the environment ENV, bounded by a
# timeout (a run that boots would reach it); its output in $tmp/NAME.out,
# its status and wall time in R_STATUS and R_SECONDS.
run_make() {
	local name=$1 t0=$SECONDS
	shift
	R_STATUS=0
	(cd "$HV_ROOT" && env "$@" timeout -k 5 60 make -s run </dev/null >"$tmp/$name.out" 2>&1) || R_STATUS=$?
	R_SECONDS=$((SECONDS - t0))
}

# says NAME REGEX: a line of run NAME's output matches REGEX.
says() {
	grep -qE -- "$2" "$tmp/$1.out" || { echo "  no line matches $2; output:"; sed 's/^/    /' "$tmp/$1.out"; return 1; }
}

# quick: the run failed (not by the timeout) within 10 s.
quick() {
	[ "$R_STATUS" -ne 0 ] && [ "$R_STATUS" -ne 124 ] && [ "$R_SECONDS" -le 10 ] ||
		{ echo "  status $R_STATUS after $R_SECONDS s"; return 1; }
}

WHAT_TO_DO='^run: what to do: fix that, or run it in Bochs, which emulates VMX: HV_EMU=bochs make run \(or leave HV_EMU unset\)$'

H_RUN=run-novmx
run_make novmx HV_EMU=qemu-kvm HV_CPUINFO="$tmp/cpuinfo-novmx" HV_KVM_DEV="$tmp/kvm"
check "qemu-kvm without VMX: make run fails at once" quick
check "qemu-kvm without VMX: says why" says novmx \
	"^run: HV_EMU=qemu-kvm cannot give the hypervisor VMX on this machine: this CPU has no VMX \\(grep -c vmx $tmp/cpuinfo-novmx: 0\\)"
check "qemu-kvm without VMX: says what to do" says novmx "$WHAT_TO_DO"

H_RUN=run-nokvm
run_make nokvm HV_EMU=qemu-kvm HV_CPUINFO="$tmp/cpuinfo-vmx" HV_KVM_DEV="$tmp/no-such-kvm"
check "qemu-kvm without /dev/kvm: make run fails at once" quick
check "qemu-kvm without /dev/kvm: says why" says nokvm \
	"^run: HV_EMU=qemu-kvm cannot give the hypervisor VMX on this machine: $tmp/no-such-kvm does not exist: load KVM \\(sudo modprobe kvm_intel nested=1\\)\\.\$"

H_RUN=run-nonested
run_make nonested HV_EMU=qemu-kvm HV_CPUINFO="$tmp/cpuinfo-vmx" HV_KVM_DEV="$tmp/kvm" HV_KVM_NESTED="$tmp/nested-off"
check "qemu-kvm with kvm_intel nested=N: make run fails at once" quick
check "qemu-kvm with kvm_intel nested=N: says how to turn it on" says nonested \
	'^run: HV_EMU=qemu-kvm cannot give the hypervisor VMX on this machine: kvm_intel does not nest \(nested=N\): .*sudo modprobe kvm_intel nested=1\.$'

# This machine as it is, where it has no VMX (the development and CI machines).
if [ "$(grep -cw vmx /proc/cpuinfo)" = 0 ]; then
	H_RUN=run-here
	run_make here HV_EMU=qemu-kvm
	check "qemu-kvm on this machine (no VMX): make run fails at once" quick
	check "qemu-kvm on this machine: says so" says here '^run: HV_EMU=qemu-kvm cannot give the hypervisor VMX on this machine: this CPU has no VMX'
	check "qemu-kvm on this machine: says what to do" says here "$WHAT_TO_DO"
fi

# bochsrc MIB: the Bochs configuration `make run` would use with HV_MEM=MIB.
bochsrc() {
	(cd "$HV_ROOT" && HV_MEM=$1 timeout 20 tools/run.sh --print-bochsrc)
}

H_RUN=run-bochsrc
bochsrc 4096 >"$tmp/4096" 2>&1 || true
check "HV_MEM=4096: memory: host=2048, guest=4096" grep -qx 'memory: host=2048, guest=4096' "$tmp/4096"
check "HV_MEM=4096: no megs: line (Bochs stops at 2048), one memory line" \
	test "$(grep -cE '^(megs|memory):' "$tmp/4096")" -eq 1
check "HV_MEM=8G: memory: host=2048, guest=8192" grep -qx 'memory: host=2048, guest=8192' <(bochsrc 8G)
check "HV_MEM=2048: megs: 2048" grep -qx 'megs: 2048' <(bochsrc 2048)
check "HV_MEM=1G: megs: 1024" grep -qx 'megs: 1024' <(bochsrc 1G)
check "the rest of the configuration: Skylake-X with VMX, the Linux image" \
	grep -qx 'cpu: model=corei7_skylake_x, ignore_bad_msrs=1' <(bochsrc 1G)

finish
