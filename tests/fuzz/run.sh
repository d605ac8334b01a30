#!/bin/bash
# tests/fuzz/run.sh [SECONDS] - builds the libFuzzer target of the instruction decoder and
# emulator (build/fuzz/fuzz_insn, `make build/fuzz/fuzz_insn`) and runs it for SECONDS
# (default 20) from tests/fuzz/seeds.txt plus what earlier runs found (build/fuzz/corpus).
# Prints "PASS: fuzz: ..." with the number of runs, or "FAIL: fuzz: ..." with the crash
# input and the end of libFuzzer's log, in the form tests/run.sh counts.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-20}
out=build/fuzz
bin=$out/fuzz_insn
corpus=$out/corpus
log=$out/fuzz.log

mkdir -p "$out" "$corpus"
if ! make -s "$bin" >"$out/build.log" 2>&1; then
	echo "FAIL: fuzz: decoder+emulator: the fuzz target does not build:"
	sed 's/^/  /' "$out/build.log"
	exit 1
fi

# The seeds: one file per line, named by content so reruns do not pile up copies.
while IFS= read -r line; do
	line=${line%%#*}
	[ -n "${line// /}" ] || continue
	esc=$(sed -E 's/ *([0-9a-fA-F]{2})/\\x\1/g' <<<"$line")
	printf '%b' "$esc" >"$out/seed.tmp"
	mv "$out/seed.tmp" "$corpus/seed-$(cksum <"$out/seed.tmp" | cut -d' ' -f1)"
done <tests/fuzz/seeds.txt

status=0
"$bin" -max_total_time="$secs" -max_len=24 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$out/" "$corpus" >"$log" 2>&1 || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
	echo "PASS: fuzz: decoder+emulator: ${runs} runs in ${secs} s (each input in 16-, 32- and 64-bit code), corpus $(find "$corpus" -type f | wc -l) inputs"
	exit 0
fi
echo "FAIL: fuzz: decoder+emulator: libFuzzer exited with status $status after ${runs:-?} runs"
crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
[ -z "$crash" ] || echo "  input ($crash): $(od -An -tx1 -v "$crash" | tr -s ' \n' ' ')"
tail -n 40 "$log" | sed 's/^/  /'
exit 1
