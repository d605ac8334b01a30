#!/bin/bash
# tests/run.sh [unit|integration|TEST...] - runs the host unit tests
# (build/host/tests/unit/**/test_*, built by `make unit`) with the include
# rules (tools/check-layers.sh), and the emulator tests
# (tests/integration/test_*.sh; they need `make all`). A TEST is a unit
# binary or integration script, by path or by name (test_format,
# test_boot.sh), or check-layers. Every test prints "PASS: ..." / "FAIL: ..." lines; the last
# line of output is "N passed, N failed", and the exit status is 1 if any
# test failed or nothing ran.
set -eu
# Paths given from elsewhere still name the same files after the cd.
args=()
for a in "$@"; do
	if [ -e "$a" ]; then args+=("$(realpath "$a")"); else args+=("$a"); fi
done
cd "$(dirname "$0")/.."
root=$PWD

UNIT_DIR=build/host/tests/unit
npass=0
nfail=0
failures=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hv-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Counts the PASS/FAIL lines of one test program's output in $1; a program
# that exited non-zero ($2) without a FAIL line crashed: that is a failure too.
tally() {
	local out=$1 status=$2 name=$3 p f how
	p=$(grep -c '^PASS: ' "$out") || true
	f=$(grep -c '^FAIL: ' "$out") || true
	npass=$((npass + p))
	nfail=$((nfail + f))
	while IFS= read -r line; do
		failures+=("$line")
	done < <(grep '^FAIL: ' "$out" || true)
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		how="exited with status $status"
		[ "$status" -le 128 ] || how="killed by SIG$(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))"
		[ "$status" -ne 124 ] || how="timed out"
		nfail=$((nfail + 1))
		failures+=("FAIL: $name: $how without a FAIL line")
		echo "FAIL: $name: $how without a FAIL line (its output is above)"
	fi
}

# A unit binary is quiet and quick: run it whole, then show its output.
# --foreground: a Ctrl-C reaches the test, not just timeout(1).
run_unit() {
	local bin=$1 status=0
	timeout --foreground -k 10 300 "$bin" </dev/null >"$tmp/out" 2>&1 || status=$?
	cat "$tmp/out"
	tally "$tmp/out" "$status" "$bin"
}

# An integration script boots emulators: stream its output as it comes.
run_integration() {
	local script=$1 status t0=$SECONDS
	echo "== $script"
	timeout --foreground -k 10 1800 bash "$script" </dev/null 2>&1 | tee "$tmp/out"
	status=${PIPESTATUS[0]}
	echo "== $script: $((SECONDS - t0)) s"
	tally "$tmp/out" "$status" "$script"
}

# The include rules: one PASS line, or a FAIL line for each violation.
run_layers() {
	local status=0
	tools/check-layers.sh --test >"$tmp/out" 2>&1 || status=$?
	cat "$tmp/out"
	tally "$tmp/out" "$status" tools/check-layers.sh
}

unit_bins() {
	[ -d "$UNIT_DIR" ] || return 0
	find "$UNIT_DIR" -type f -name 'test_*' -perm -u+x | sort
}

all_unit() {
	local src bin
	# A test source without its binary means `make unit` was not run (or failed).
	while IFS= read -r src; do
		bin=build/host/${src%.c}
		if [ ! -x "$bin" ]; then
			nfail=$((nfail + 1))
			failures+=("FAIL: $src: not built (run make unit)")
			echo "FAIL: $src: not built (run make unit)"
		fi
	done < <(find tests/unit -name 'test_*.c' | sort)
	while IFS= read -r bin; do
		run_unit "$bin"
	done < <(unit_bins)
	run_layers
}

all_integration() {
	local t
	for t in tests/integration/test_*.sh; do
		if [ -e "$t" ]; then run_integration "$t"; fi
	done
}

# Finds one test by path or name; prints "unit PATH" or "integration PATH".
resolve() {
	local a=$1 base hit
	if [ -f "$a" ]; then
		a=${a#"$root"/}
		case $a in
		*.sh) echo "integration $a" ;;
		tests/unit/*.c) echo "unit build/host/${a%.c}" ;; # its binary
		*) echo "unit $a" ;;
		esac
		return 0
	fi
	if [ "$a" = check-layers ]; then
		echo "layers -"
		return 0
	fi
	base=$(basename "$a")
	base=${base%.c}
	if [ -f "tests/integration/${base%.sh}.sh" ]; then
		echo "integration tests/integration/${base%.sh}.sh"
		return 0
	fi
	hit=$(unit_bins | grep -E "/${base}\$" | head -n 1) || true
	if [ -n "$hit" ]; then
		echo "unit $hit"
		return 0
	fi
	echo "tests/run.sh: no test named '$a' (built unit tests: $UNIT_DIR)" >&2
	return 1
}

t0=$SECONDS
if [ ${#args[@]} -eq 0 ]; then
	all_unit
	all_integration
else
	for a in "${args[@]}"; do
		case $a in
		unit) all_unit ;;
		integration) all_integration ;;
		*)
			r=$(resolve "$a") || exit 2
			case ${r%% *} in
			unit) run_unit "${r#* }" ;;
			layers) run_layers ;;
			*) run_integration "${r#* }" ;;
			esac
			;;
		esac
	done
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
[ $((npass + nfail)) -gt 0 ] || echo "no tests ran"
echo "time: $((SECONDS - t0)) s"
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ] && [ $((npass + nfail)) -gt 0 ]
