#!/bin/bash
# tests/fuzz/run.sh [SECONDS [TARGET]] - builds a libFuzzer target (build/fuzz/fuzz_TARGET,
# `make build/fuzz/fuzz_TARGET`) and runs it for SECONDS (default 20) from its seeds plus what
# earlier runs found (build/fuzz/corpus*). TARGET: insn (default), the instruction decoder and
# emulator (seeds: tests/fuzz/seeds.txt); hvcfg, the hv.cfg parser (tests/fuzz/seeds-hvcfg.txt);
# dmar, the ACPI DMAR parser (tests/fuzz/seeds-dmar.txt, hex like seeds.txt).
# Prints "PASS: fuzz: ..." with the number of runs, or "FAIL: fuzz: ..." with the crash
# input and the end of libFuzzer's log, in the form tests/run.sh counts.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-20}
target=${2:-insn}
out=build/fuzz
bin=$out/fuzz_$target

case $target in
insn)
	what=decoder+emulator
	note=" (each input in 16-, 32- and 64-bit code)"
	seeds=tests/fuzz/seeds.txt
	max_len=24
	corpus=$out/corpus
	log=$out/fuzz.log ;;
hvcfg)
	what="hv.cfg parser"
	note=""
	seeds=tests/fuzz/seeds-hvcfg.txt
	max_len=4096
	corpus=$out/corpus-hvcfg
	log=$out/fuzz-hvcfg.log ;;
dmar)
	what="DMAR parser"
	note=""
	seeds=tests/fuzz/seeds-dmar.txt
	max_len=1024
	corpus=$out/corpus-dmar
	log=$out/fuzz-dmar.log ;;
*)
	echo "usage: $0 [SECONDS [insn|hvcfg|dmar]]" >&2
	exit 2 ;;
esac

mkdir -p "$out" "$corpus"
if ! make -s "$bin" >"$out/build-$target.log" 2>&1; then
	echo "FAIL: fuzz: $what: the fuzz target does not build:"
	sed 's/^/  /' "$out/build-$target.log"
	exit 1
fi

# The seeds: one per line (insn, dmar: hex bytes, '#' starts a comment; hvcfg: printf %b
# escapes, a line starting with '#' is a comment), one file each, named by content
# so reruns do not pile up copies.
while IFS= read -r line; do
	if [ "$target" != hvcfg ]; then
		line=${line%%#*}
		[ -n "${line// /}" ] || continue
		esc=$(sed -E 's/ *([0-9a-fA-F]{2})/\\x\1/g' <<<"$line")
	else
		case $line in '#'* | '') continue ;; esac
		esc=$line
	fi
	printf '%b' "$esc" >"$out/seed.tmp"
	mv "$out/seed.tmp" "$corpus/seed-$(cksum <"$out/seed.tmp" | cut -d' ' -f1)"
done <"$seeds"

status=0
"$bin" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$out/$target-" "$corpus" >"$log" 2>&1 || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
	echo "PASS: fuzz: $what: ${runs} runs in ${secs} s${note}, corpus $(find "$corpus" -type f | wc -l) inputs"
	exit 0
fi
echo "FAIL: fuzz: $what: libFuzzer exited with status $status after ${runs:-?} runs"
crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
[ -z "$crash" ] || echo "  input ($crash): $(od -An -tx1 -v "$crash" | tr -s ' \n' ' ')"
tail -n 40 "$log" | sed 's/^/  /'
exit 1
