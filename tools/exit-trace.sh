#!/bin/bash
# tools/exit-trace.sh - where the instructions of one exit go: boots
# build/bench/exits.iso (made by `make bench`) in Bochs, stops at the bench
# guest's measurement function FUNC (tests/guests/bench.c, e.g. m_cpuid) on
# its Nth call, traces every instruction up to the next call (one guest
# measurement: the guest's own instructions, the VM exit, the hypervisor's
# handling, the VM entry) and prints the instructions per function, in the
# order first reached. Needs the Bochs debugger (Debian's bochs has it).
#
#   tools/exit-trace.sh m_cpuid [N]     (through /work/emu-run)
set -eu
cd "$(dirname "$0")/.."
. tests/lib/harness.sh
func=${1:?usage: tools/exit-trace.sh FUNC [N]}
n=${2:-40}
dir=build/bench/trace
elf=build/bench/hv.elf
guest=build/bench/bench.elf
iso=build/bench/exits.iso
for f in "$elf" "$guest" "$iso"; do
	[ -s "$f" ] || { echo "exit-trace: $f is missing: run make bench first" >&2; exit 1; }
done
mkdir -p "$dir"
addr=$(nm "$guest" | awk -v s="$func" '$3 == s { print "0x" $1; exit }')
[ -n "$addr" ] || { echo "exit-trace: no $func in $guest" >&2; exit 1; }
bochsrc_deterministic "$iso" "$dir"
{
	echo "lb $addr"
	for ((i = 0; i < n; i++)); do echo c; done
	echo "trace on"
	echo c
	echo "trace off"
	echo quit
} >"$dir/bochs.rc"
for _ in 1 2 3 4 5 6; do
	timeout -k 5 300 bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.rc" </dev/null >"$dir/bochs.out" 2>&1 || true
	grep -q 'could not bind any port' "$dir/bochs.log" "$dir/bochs.out" 2>/dev/null || break
	sleep $((1 + RANDOM % 3))
done
# Trace lines: "(0).[TICKS] [0xPHYS] SEL:LINEAR (...): insn ; bytes".
{ nm -n "$elf" | grep "^ffff"; nm -n "$guest" | sed 's/$/ (guest)/'; } | awk '$2 ~ /^[tTwW]$/' | sort >"$dir/syms"
sed -n 's/^([0-9]*)\.\[[0-9]*\] \[0x[0-9a-f]*\] [0-9a-f]*:\([0-9a-f]*\) .*/\1/p' "$dir/bochs.out" >"$dir/addrs"
awk '
	FNR == NR { a[++ns] = $1; nm[ns] = $3 ($4 ? " " $4 : ""); next }
	{
		x = $1; lo = 1; hi = ns; f = "?"
		# binary search on the hex address (same width, lower case: string order)
		while (lo <= hi) { mid = int((lo + hi) / 2); if (a[mid] <= x) { f = nm[mid]; lo = mid + 1 } else hi = mid - 1 }
		if (!(f in c)) order[++no] = f
		c[f]++; total++
	}
	END { for (i = 1; i <= no; i++) printf "%6d  %s\n", c[order[i]], order[i]; printf "%6d  total\n", total }
' <(awk '{ printf "%016s %s %s %s\n", $1, $2, $3, $4 }' "$dir/syms" | tr " " " ") <(awk '{ printf "%016s\n", $1 }' "$dir/addrs")
