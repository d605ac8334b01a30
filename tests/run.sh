#!/bin/bash
# tests/run.sh [unit|integration|TEST...] - runs the host unit tests
# (build/host/tests/unit/**/test_*, built by `make unit`) with the include
# rules (tools/check-layers.sh), and the emulator tests
# (tests/integration/test_*.sh; they need `make all`). A TEST is a unit
# binary or integration script, by path or by name (test_format,
# test_boot.sh), or check-layers. Every test prints "PASS: ..." / "FAIL: ..." lines; the last
# line of output is "N passed, N failed", and the exit status is 1 if any
# test failed or nothing ran.
# Integration scripts run HV_TEST_JOBS at a time (default: the number of
# CPUs, at most 2; each runs one emulator at a time), the longest first;
# each one's output is kept until it ends and then printed whole between
# its "== SCRIPT" and "== SCRIPT: N s" lines. One script alone, or
# HV_TEST_JOBS=1, streams its output as it comes. Ctrl-C or SIGTERM stops
# every running script, which stops its emulator.
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

# Integration scripts run as jobs, each in its own session (setsid: its
# pid is its process group), so that stopping one reaches everything the
# script started but its emulators, which the harness starts in sessions
# of their own and stops from the script's TERM trap. By the job's pid:
declare -A job_script=() # the script
declare -A job_t0=()     # when it started ($SECONDS)
declare -A job_out=()    # its output file
njobs=0                  # jobs started so far: names their output files
streaming=""             # the pid of the job whose output is being shown as it comes
tail_pid=""              # the tail(1) showing it

# The integration scripts that take longest (test_smp.sh about 10 minutes
# on a 2-core machine, the Linux boots 3-5 minutes each), started first so
# that the short ones fill the other slots meanwhile.
LONG_FIRST=(test_smp.sh test_linux.sh test_efi_chain.sh test_linux_efi.sh)

# start_job SCRIPT: starts it (capped at 30 minutes), its output to a file;
# sets job_pid.
start_job() {
	local script=$1
	njobs=$((njobs + 1))
	: >"$tmp/job$njobs.out" # there before tail(1) opens it
	setsid timeout -k 10 1800 bash "$script" </dev/null >"$tmp/job$njobs.out" 2>&1 &
	job_pid=$!
	job_script[$job_pid]=$script
	job_t0[$job_pid]=$SECONDS
	job_out[$job_pid]=$tmp/job$njobs.out
}

# end_job PID STATUS [WHY]: the job's output whole (unless it was streamed)
# between its == lines, then its tally.
end_job() {
	local pid=$1 status=$2 why=${3:-} script=${job_script[$1]}
	if [ "$pid" = "$streaming" ]; then
		wait "$tail_pid" 2>/dev/null || true # it prints the rest, then sees the job gone
		streaming="" tail_pid=""
	else
		echo "== $script"
		cat "${job_out[$pid]}"
	fi
	echo "== $script: ${why}$((SECONDS - job_t0[$pid])) s"
	tally "${job_out[$pid]}" "$status" "$script"
	unset "job_script[$pid]" "job_t0[$pid]" "job_out[$pid]"
}

# wait_job: waits until a job ends (or a trapped signal comes: its trap has
# run then), and ends it.
wait_job() {
	local pid="" status=0
	wait -n -p pid "${!job_script[@]}" || status=$?
	[ -z "$pid" ] || end_job "$pid" "$status"
}

# run_integration SCRIPT: one script, its output shown as it comes.
run_integration() {
	echo "== $1"
	start_job "$1"
	streaming=$job_pid
	tail -n +1 -f -s 0.5 --pid="$job_pid" "${job_out[$job_pid]}" &
	tail_pid=$!
	while [ ${#job_script[@]} -gt 0 ]; do wait_job; done
}

# run_parallel SCRIPT...: runs the scripts $jobs at a time, the known long
# ones first, the rest in the order given; each one's output once it ends.
run_parallel() {
	local queue=() long t
	for long in "${LONG_FIRST[@]}"; do
		for t in "$@"; do [ "$(basename "$t")" != "$long" ] || queue+=("$t"); done
	done
	for t in "$@"; do
		case " ${LONG_FIRST[*]} " in *" $(basename "$t") "*) ;; *) queue+=("$t") ;; esac
	done
	while [ ${#queue[@]} -gt 0 ] || [ ${#job_script[@]} -gt 0 ]; do
		while [ ${#queue[@]} -gt 0 ] && [ ${#job_script[@]} -lt "$jobs" ]; do
			start_job "${queue[0]}"
			echo "-- started ${queue[0]}"
			queue=("${queue[@]:1}")
		done
		wait_job
	done
}

# run_scripts SCRIPT...: one at a time, shown as they run, with one job
# slot or one script; else in parallel.
run_scripts() {
	local t
	if [ "$jobs" -gt 1 ] && [ $# -gt 1 ]; then
		run_parallel "$@"
	else
		for t in "$@"; do run_integration "$t"; done
	fi
}

# Ctrl-C or SIGTERM (make's, when CI's timeout stops make test): stops
# every running job (the script's trap stops its emulator; whatever is
# left of the job gets KILL 10 s later from its timeout), shows what each
# had printed, and exits with the signal's status after the summary.
stop_jobs() {
	local sig=$1 pid status
	trap - INT TERM
	for pid in "${!job_script[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
	for pid in "${!job_script[@]}"; do
		status=0
		wait "$pid" 2>/dev/null || status=$?
		end_job "$pid" "$status" "stopped by SIG$sig after "
	done
	echo "tests/run.sh: stopped by SIG$sig"
	summary
	exit $((128 + $(kill -l "$sig")))
}
trap 'stop_jobs INT' INT
trap 'stop_jobs TERM' TERM

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

# The integration scripts, in name order.
all_integration() {
	local t
	for t in tests/integration/test_*.sh; do
		if [ -e "$t" ]; then batch+=("$t"); fi
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

# How many integration scripts at a time: HV_TEST_JOBS, or the CPUs, at most 2.
jobs=${HV_TEST_JOBS:-}
if [ -z "$jobs" ]; then
	jobs=$(nproc 2>/dev/null) || jobs=1
	[ "$jobs" -le 2 ] || jobs=2
fi
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
	echo "tests/run.sh: HV_TEST_JOBS must be a number of scripts at a time (1 or more), not '$jobs'" >&2
	exit 2
fi

# What to run, in order: each test resolved first (a bad name stops before
# anything runs); consecutive integration scripts form one batch, which
# runs in parallel.
todo=()
if [ ${#args[@]} -eq 0 ]; then
	todo=(unit integration)
else
	for a in "${args[@]}"; do
		case $a in
		unit | integration) todo+=("$a") ;;
		*) r=$(resolve "$a") || exit 2; todo+=("$r") ;;
		esac
	done
fi

batch=()
flush_batch() {
	[ ${#batch[@]} -eq 0 ] || run_scripts "${batch[@]}"
	batch=()
}

summary() {
	echo
	if [ ${#failures[@]} -gt 0 ]; then
		echo "failures:"
		printf '  %s\n' "${failures[@]}"
	fi
	[ $((npass + nfail)) -gt 0 ] || echo "no tests ran"
	echo "time: $((SECONDS - t0)) s"
	echo "$npass passed, $nfail failed"
}

t0=$SECONDS
for r in "${todo[@]}"; do
	case $r in
	integration) all_integration ;;
	"integration "*) batch+=("${r#* }") ;;
	*)
		flush_batch
		case $r in
		unit) all_unit ;;
		"layers "*) run_layers ;;
		"unit "*) run_unit "${r#* }" ;;
		esac ;;
	esac
done
flush_batch

summary
[ "$nfail" -eq 0 ] && [ $((npass + nfail)) -gt 0 ]
