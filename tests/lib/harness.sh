# tests/lib/harness.sh - boots images in emulators and checks their serial
# console. Sourced by tests/integration/test_*.sh (bash, set -eu).
#
#   build_iso NAME "HV CMDLINE" [MODULE "CMDLINE"]...  build/test/NAME.iso
#   start_qemu NAME seabios|ovmf|usb|ovmf-disk ISO [QEMU ARGS...]
#   start_qemu_interactive NAME ISO [QEMU ARGS...]  SeaBIOS, COM1 on a socket: input too
#   start_bochs NAME ISO
#   start_bochs_interactive NAME ISO  the same, COM1 on a socket: input too
#   send_line TEXT                    types TEXT + Enter into that console
#   send_keys TEXT                    types TEXT as is (one key: a person typing)
#   expect_echo DESC TEXT [TIMEOUT]   the console sent TEXT since the last typing
#   expect_line DESC REGEX [TIMEOUT]  a later serial line matches REGEX (ERE)
#   reject_line DESC REGEX            no serial line so far matches REGEX
#   check DESC COMMAND...             COMMAND succeeds
#   stop_emulator                     kills the run's whole process group
#   finish                            prints the tally, exits 1 on failure
#
# One run at a time. Each run keeps its files in build/test/NAME/: serial.log
# (the console, raw), serial.txt (what the checks matched: no CRs, no ANSI
# escapes), emu.out (the emulator's own output), bochsrc and bochs.log.
# Every check prints one "PASS: integration: NAME: DESC" or "FAIL: ..." line;
# expectations of a run match in order, each after the line the previous
# one matched, and only whole lines (ended by a newline) while the emulator
# runs. Failures never stop the script: later checks still report.
# Environment: HV_MEM (MiB, default 512), HV_BOOT_TIMEOUT (s, default 120,
# for the first line of a run), HV_LINE_TIMEOUT (s, default 30, for others),
# HV_RUN_TIMEOUT (s, default 300, hard cap on any emulator run).
# H_END_RE (variable): the last line an image prints; once it is out, an
# expectation that does not match fails at once instead of waiting.
# shellcheck shell=bash disable=SC2034 # H_MATCH is for the test scripts

HV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
H_SUITE=integration
H_FILE=$(basename "$0")
H_PASS=0
H_FAIL=0
H_MEM=${HV_MEM:-512}
H_BOOT_TIMEOUT=${HV_BOOT_TIMEOUT:-120}
H_LINE_TIMEOUT=${HV_LINE_TIMEOUT:-30}
H_RUN_TIMEOUT=${HV_RUN_TIMEOUT:-300}
H_END_RE='^hv: debug shell ready|^hv: system halted\.$'
OVMF_FD=/usr/share/ovmf/OVMF.fd
BOCHS_BIOS=/usr/share/bochs/BIOS-bochs-latest      # package bochsbios
BOCHS_VGABIOS=/usr/share/bochs/VGABIOS-lgpl-latest # bochs' link into package vgabios

# The current run.
H_RUN=""         # its name
H_DIR=""         # build/test/NAME
H_LOG=""         # serial log, as the emulator writes it
H_TXT=""         # the same, cleaned up by h_snapshot
H_PID=""         # pid of the `timeout` leading the run's process group
H_CURSOR=0       # serial line the last expectation matched; later ones search after it
H_LAST=""        # what that expectation was, for messages
H_MATCH=""       # the line it matched, for checks across lines; empty if it failed
H_STALLED=0      # 1 once a wait timed out: the rest of the run only looks, never waits
H_SHOWN=0        # 1 once the serial tail was printed for this run
H_GONE=""        # how the emulator ended, once it has

# Records a result line; the details of a failure follow on indented lines.
h_result() {
	local verdict=$1 desc=$2
	if [ "$verdict" = PASS ]; then
		H_PASS=$((H_PASS + 1))
	else
		H_FAIL=$((H_FAIL + 1))
	fi
	echo "$verdict: $H_SUITE: ${H_RUN:-$H_FILE}: $desc"
}

# Refreshes $H_TXT, the serial log as lines to match: without carriage
# returns, NULs and ANSI escape sequences (GRUB and OVMF draw with them).
# With "complete", leaves out a last line still being written. All checks
# read this one snapshot, so a line arriving meanwhile cannot split them.
h_snapshot() {
	local raw=$H_DIR/serial.raw
	cat "$H_LOG" >"$raw" 2>/dev/null || : >"$raw"
	sed -E -e 's,\x1b\[[0-9;?=]*[ -/]*[@-~],,g' -e 's,\x1b[()#][0-9A-Za-z],,g' \
		-e 's,\x1b[78=>cDEHM],,g' -e 's,[\r\x00],,g' "$raw" |
		if [ "${1:-}" = complete ] && [ -n "$(tail -c 1 "$raw")" ]; then
			sed '$d'
		else
			cat
		fi >"$H_TXT"
	rm -f "$raw"
}

h_alive() {
	[ -n "$H_PID" ] && kill -0 "$H_PID" 2>/dev/null
}

# Prints what a reader needs to see why a check of this run failed.
h_explain() {
	local n
	if [ "$H_SHOWN" = 1 ]; then
		echo "  (serial log of $H_RUN shown above: ${H_LOG#"$HV_ROOT"/})"
		return
	fi
	H_SHOWN=1
	h_snapshot
	n=$(wc -l <"$H_TXT")
	if [ "$n" -eq 0 ]; then
		echo "  the serial log is empty (${H_LOG#"$HV_ROOT"/})"
	else
		echo "  last 20 of $n serial lines (${H_LOG#"$HV_ROOT"/}):"
		tail -n 20 "$H_TXT" | sed 's/^/  | /'
	fi
	if [ -s "$H_DIR/emu.out" ] && ! h_alive; then
		echo "  emulator output (${H_DIR#"$HV_ROOT"/}/emu.out, last 5 lines):"
		tail -n 5 "$H_DIR/emu.out" | sed 's/^/  > /'
	fi
	if [ -f "$H_DIR/bochs.log" ]; then
		grep -aE '^[0-9]+[ep]\[' "$H_DIR/bochs.log" | tail -n 5 | sed 's/^/  bochs.log: /' || true
	fi
}

# Starts CMD... as a new run NAME in its own session (so stop_emulator can
# kill everything it spawned), capped by timeout(1).
h_launch() {
	setsid timeout -k 5 "$H_RUN_TIMEOUT" "$@" </dev/null >"$H_DIR/emu.out" 2>&1 &
	H_PID=$!
}

# Makes NAME the current run with an empty directory.
h_new_run() {
	[ -z "$H_PID" ] || stop_emulator
	H_RUN=$1
	H_DIR=$HV_ROOT/build/test/$1
	H_LOG=$H_DIR/serial.log
	H_TXT=$H_DIR/serial.txt
	H_CURSOR=0 H_LAST="start of log" H_MATCH="" H_STALLED=0 H_SHOWN=0 H_GONE=""
	rm -rf "$H_DIR"
	mkdir -p "$H_DIR"
	: >"$H_LOG"
}

# start_qemu NAME seabios|ovmf|usb|ovmf-disk ISO [QEMU ARGS...]: boots ISO under QEMU
# TCG (no KVM: no VMX on these hosts either way) from an emulated CD with
# SeaBIOS or OVMF, or as a USB stick on xHCI with SeaBIOS; ovmf-disk boots
# a disk image (an EFI system partition) as an IDE disk with OVMF.
start_qemu() {
	local name=$1 how=$2 iso=$3
	shift 3
	h_new_run "$name"
	local args=(-m "$H_MEM" -display none -monitor none -no-reboot -nic none
		-serial "${H_QEMU_SERIAL:-file:$H_LOG}")
	case $how in
	seabios) args+=(-cdrom "$iso") ;;
	ovmf) args+=(-bios "$OVMF_FD" -cdrom "$iso") ;;
	usb)
		# A raw drive is writable: give it a copy, never the build's image.
		cp "$iso" "$H_DIR/stick.img"
		args+=(-device "qemu-xhci,id=xhci"
			-drive "if=none,id=stick,format=raw,file=$H_DIR/stick.img"
			-device "usb-storage,bus=xhci.0,drive=stick,bootindex=1") ;;
	ovmf-disk)
		# A disk image (build/hv-efi.img) booted by OVMF, a copy as for usb.
		cp "$iso" "$H_DIR/disk.img"
		args+=(-bios "$OVMF_FD" -drive "file=$H_DIR/disk.img,format=raw,if=ide") ;;
	*) echo "start_qemu: unknown boot '$how'" >&2; return 2 ;;
	esac
	h_launch qemu-system-x86_64 "${args[@]}" "$@"
}

# Writes the bochsrc of the current run for ISO; H_BOCHS_FIRMWARE=ovmf boots
# UEFI instead (Debian's 2 MiB OVMF.fd fits Bochs' ROM space; it needs PCI);
# H_BOCHS_CPUS=N gives the machine N CPUs (one if unset). An ISO ending in
# .img is a hard-disk image instead (an EFI system partition for OVMF): flat,
# its size a whole number of 16-head, 63-sector cylinders (Bochs' geometry);
# Bochs locks it with IMG.lock, which a killed Bochs leaves behind: removed.
h_bochsrc() {
	local rom="romimage: file=\"$BOCHS_BIOS\"" count=""
	local drive="ata0-master: type=cdrom, path=\"$1\", status=inserted" boot=cdrom
	case $1 in
	*.img)
		drive="ata0-master: type=disk, path=\"$1\", mode=flat, cylinders=$(($(stat -c %s "$1") / 516096)), heads=16, spt=63"
		boot=disk
		rm -f "$1.lock" ;;
	esac
	[ -z "${H_BOCHS_CPUS:-}" ] || count=" count=$H_BOCHS_CPUS,"
	if [ "${H_BOCHS_FIRMWARE:-bios}" = ovmf ]; then
		rom="romimage: file=\"$OVMF_FD\", address=0xffe00000
pci: enabled=1, chipset=i440fx"
	fi
	cat >"$H_DIR/bochsrc" <<EOF
# generated by tests/lib/harness.sh
megs: $H_MEM
$rom
vgaromimage: file="$BOCHS_VGABIOS"
$drive
boot: $boot
cpu: model=corei7_skylake_x,$count ignore_bad_msrs=1
display_library: rfb, options="timeout=0"
clock: sync=none, time0=946684800
sound: driver=dummy
com1: enabled=1, mode=file, dev="$H_LOG"
log: "$H_DIR/bochs.log"
debug: action=ignore, unmapped=report
EOF
	echo c >"$H_DIR/bochs.rc"
}

# start_bochs NAME ISO: boots ISO under Bochs (legacy BIOS, or UEFI with
# H_BOCHS_FIRMWARE=ovmf; Skylake-X with VMX), headless: an RFB display nobody connects to, the debugger told to
# continue. The RFB server needs a free port in 5900-5949; retries if none was.
start_bochs() {
	local name=$1 iso=$2 try state i
	h_new_run "$name"
	h_bochsrc "$iso"
	for try in 1 2 3 4 5 6 7 8; do
		rm -f "$H_DIR/bochs.log" # the last try's verdict must not be read again
		h_launch bochs -q -f "$H_DIR/bochsrc" -rc "$H_DIR/bochs.rc"
		state=""
		for ((i = 0; i < 300; i++)); do
			if grep -q 'listening for connections on port' "$H_DIR/bochs.log" 2>/dev/null; then
				state=up
			elif grep -q 'could not bind any port' "$H_DIR/bochs.log" "$H_DIR/emu.out" 2>/dev/null; then
				state=noport
			elif ! h_alive; then
				state=died
			fi
			[ -z "$state" ] || break
			sleep 0.1
		done
		[ "$state" = noport ] || return 0 # other trouble shows in the expectations
		stop_emulator
		echo "  ($name: no free RFB port in 5900-5949 (Bochs then crashes); retry $try)"
		sleep $((1 + RANDOM % 3))
		: >"$H_LOG"
	done
}

# build_iso NAME "HV CMDLINE" [MODULE "MODULE CMDLINE"]...: builds
# build/test/NAME.iso from build/hv.elf (tools/mkiso.sh); records a FAIL for
# NAME and returns 1 if it cannot.
build_iso() {
	local name=$1 cmdline=$2
	shift 2
	"$HV_ROOT/tools/mkiso.sh" "$HV_ROOT/build/test/$name.iso" "$HV_ROOT/build/hv.elf" \
		"$cmdline" "$@" && return 0
	H_RUN=$name h_result FAIL "build_iso"
	return 1
}

# Prints the number of the first line of the snapshot after the cursor
# that matches the ERE $1.
h_find() {
	local n
	n=$(tail -n +"$((H_CURSOR + 1))" "$H_TXT" | grep -anE -m 1 -- "$1" | cut -d: -f1) || true
	[ -z "$n" ] || echo $((H_CURSOR + n))
}

# expect_line DESC REGEX [TIMEOUT]: waits until a serial line after the one
# the previous expectation matched matches REGEX; records PASS or FAIL.
# TIMEOUT defaults to HV_BOOT_TIMEOUT for a run's first expectation, else
# HV_LINE_TIMEOUT. Gives up at once if the emulator has exited.
expect_line() {
	local desc=$1 re=$2 limit=${3:-} n alive why earlier word
	if [ -z "$limit" ]; then
		limit=$H_LINE_TIMEOUT
		[ "$H_CURSOR" -gt 0 ] || limit=$H_BOOT_TIMEOUT
	fi
	local deadline=$((SECONDS + limit)) seen=-1 size
	while :; do
		# Liveness first: a line written just before exiting is still seen.
		alive=0
		h_alive && alive=1
		# Looks again only when the log changed (one stat instead of a
		# dozen processes a tenth of a second: two scripts run side by
		# side with their emulators on a 2-core machine).
		size=$(stat -c %s -- "$H_LOG" 2>/dev/null) || size=0
		if [ "$size" != "$seen" ] || [ "$alive" = 0 ]; then
			seen=$size
			if [ "$alive" = 1 ]; then h_snapshot complete; else h_snapshot; fi
			n=$(h_find "$re")
			if [ -n "$n" ]; then
				H_CURSOR=$n H_LAST=$desc
				H_MATCH=$(sed -n "${n}p" "$H_TXT")
				h_result PASS "$desc"
				return 0
			fi
			if [ "$H_STALLED" = 1 ]; then
				why="an earlier expectation of this run timed out"
				break
			elif [ -n "$H_END_RE" ] && grep -aqE -- "$H_END_RE" "$H_TXT"; then
				why="the image's last line (${H_END_RE}) is already out"
				break
			fi
		fi
		if [ "$alive" = 0 ]; then
			if [ -n "$H_PID" ]; then
				local status=0
				wait "$H_PID" 2>/dev/null || status=$?
				case $status in
				124 | 137) H_GONE="the run hit its ${H_RUN_TIMEOUT} s cap (HV_RUN_TIMEOUT)" ;;
				*) H_GONE="the emulator exited with status $status" ;;
				esac
				H_PID=""
			fi
			why=${H_GONE:-"the emulator was stopped"}
			break
		elif [ "$SECONDS" -ge "$deadline" ]; then
			why="no such line within $limit s"
			H_STALLED=1
			break
		fi
		sleep 0.1
	done
	H_MATCH="" # nothing for checks across lines to compare
	h_result FAIL "$desc"
	echo "  expected a line matching: $re"
	echo "  after serial line $H_CURSOR ($H_LAST); $why"
	earlier=$(head -n "$H_CURSOR" "$H_TXT" | grep -anE -m 1 -- "$re" | cut -d: -f1) || true
	[ -z "$earlier" ] || echo "  note: serial line $earlier matches, but out of order"
	# Lines that start like the expected one are usually what changed.
	word=$(sed -E 's/^\^//; s/^([A-Za-z0-9_:=-]*).*/\1/' <<<"$re")
	if [ ${#word} -ge 3 ]; then
		grep -anF -- "$word" "$H_TXT" | awk -F: -v c="$H_CURSOR" '$1 > c' |
			head -n 3 | sed -E 's/^([0-9]+):/  similar: serial line \1: /' || true
	fi
	h_explain
	return 0
}

# reject_line DESC REGEX: records FAIL if any serial line so far matches REGEX.
reject_line() {
	local desc=$1 re=$2 n
	h_snapshot
	n=$(grep -anE -m 1 -- "$re" "$H_TXT" | cut -d: -f1) || true
	if [ -z "$n" ]; then
		h_result PASS "$desc"
		return 0
	fi
	h_result FAIL "$desc"
	echo "  no line should match: $re"
	echo "  but serial line $n does: $(sed -n "${n}p" "$H_TXT")"
	h_explain
}

# check DESC COMMAND...: records PASS if COMMAND succeeds, else FAIL.
check() {
	local desc=$1
	shift
	if "$@"; then
		h_result PASS "$desc"
	else
		h_result FAIL "$desc"
		echo "  check failed: $*"
	fi
	return 0
}

# Ends the current run: TERM to its whole process group, KILL if need be.
# same A B, greater A B: comparisons for `check` that say what differed.
same() {
	[ "$1" = "$2" ] || { echo "  '$1' != '$2'"; return 1; }
}

greater() {
	[ "$1" -gt "$2" ] 2>/dev/null || { echo "  '$1' is not greater than '$2'"; return 1; }
}

stop_emulator() {
	local i
	[ -n "$H_PID" ] || return 0
	kill -TERM -- "-$H_PID" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$H_PID" 2>/dev/null || break
		sleep 0.1
	done
	# Stragglers (a child that ignored TERM) go too.
	kill -KILL -- "-$H_PID" 2>/dev/null || true
	wait "$H_PID" 2>/dev/null || true
	H_PID=""
	rm -f "$H_DIR/stick.img" "$H_DIR/disk.img" # 20 MiB per USB or disk run otherwise
}

# require_file DESC PATH: records FAIL and ends the script if PATH is missing.
require_file() {
	if [ ! -s "$2" ]; then
		h_result FAIL "$1"
		echo "  missing: ${2#"$HV_ROOT"/} (run make all)"
		finish
	fi
}

# Prints the tally of this file and exits: 0 if nothing failed.
finish() {
	stop_emulator
	echo "$H_FILE: $H_PASS passed, $H_FAIL failed"
	[ "$H_FAIL" -eq 0 ] && exit 0
	exit 1
}

# The console connection of an interactive Bochs run (start_bochs_interactive).
H_SOCK_FD=""  # this shell's end of it: send_line writes here
H_SOCK_PID="" # the reader that appends what arrives to serial.log

# Closes the previous interactive run's connection (its reader ends by itself
# once Bochs is gone: it reads end-of-file then).
h_sock_close() {
	if [ -n "$H_SOCK_FD" ]; then
		exec {H_SOCK_FD}>&-
		H_SOCK_FD=""
	fi
	if [ -n "$H_SOCK_PID" ]; then
		kill "$H_SOCK_PID" 2>/dev/null || true
		wait "$H_SOCK_PID" 2>/dev/null || true
		H_SOCK_PID=""
	fi
}

# start_qemu_interactive NAME ISO [QEMU ARGS...]: start_qemu with SeaBIOS,
# but COM1 is a localhost TCP server (wait=on: QEMU emulates nothing until
# this shell connects, so no output is lost) whose one connection this shell
# holds, as start_bochs_interactive does: send_line types into it.
start_qemu_interactive() {
	local name=$1 iso=$2 port i
	shift 2
	h_sock_close
	while :; do # a port nobody listens on
		port=$((20000 + RANDOM % 12000))
		(exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
	done
	H_QEMU_SERIAL="tcp:127.0.0.1:$port,server=on,wait=on" start_qemu "$name" seabios "$iso" "$@"
	for ((i = 0; i < 100; i++)); do
		if exec {H_SOCK_FD}<>"/dev/tcp/127.0.0.1/$port"; then
			cat <&"$H_SOCK_FD" >>"$H_LOG" &
			H_SOCK_PID=$!
			return 0
		fi 2>/dev/null
		H_SOCK_FD=""
		h_alive || break
		sleep 0.1
	done
	echo "  ($name: cannot connect to QEMU's COM1 on port $port)"
	return 0
}

# start_bochs_interactive NAME ISO: as start_bochs, but COM1 (COM2 with
# H_BOCHS_CONSOLE=com2, and then no COM1 at all) is served by
# Bochs on a free localhost TCP port (mode=socket-server) and this shell
# holds the one connection: a background reader appends everything the
# console sends to serial.log, so expect_line works as for other runs, and
# send_line types into it. Bochs 2.7 waits in accept() for that connection
# before it emulates anything (it prints "com1: waiting for client to
# connect"), so no output is lost; a port taken meanwhile makes it exit with
# "bind() or listen() failed" (a PANIC), and then another port is tried.
start_bochs_interactive() {
	local name=$1 iso=$2 try state i port
	h_sock_close
	h_new_run "$name"
	for try in 1 2 3 4 5 6 7 8; do
		while :; do # a port nobody listens on
			port=$((20000 + RANDOM % 12000))
			(exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
		done
		h_bochsrc "$iso"
		if [ "${H_BOCHS_CONSOLE:-com1}" = com2 ]; then
			# No UART at COM1 at all: the guest's COM1 is the hypervisor's alone.
			sed -i "s|^com1: .*|com1: enabled=0\ncom2: enabled=1, mode=socket-server, dev=localhost:$port|" "$H_DIR/bochsrc"
		else
			sed -i "s|^com1: .*|com1: enabled=1, mode=socket-server, dev=localhost:$port|" "$H_DIR/bochsrc"
		fi
		# The last try's verdicts must not be read again (the launched
		# process truncates emu.out itself, but only once it runs).
		rm -f "$H_DIR/bochs.log"
		: >"$H_DIR/emu.out"
		h_launch bochs -q -f "$H_DIR/bochsrc" -rc "$H_DIR/bochs.rc"
		state=""
		for ((i = 0; i < 300; i++)); do
			if grep -q 'waiting for client to connect' "$H_DIR/emu.out" 2>/dev/null; then
				state=up
			elif grep -q 'bind() or listen() failed' "$H_DIR/emu.out" 2>/dev/null; then
				state=busy
			elif grep -q 'could not bind any port' "$H_DIR/bochs.log" "$H_DIR/emu.out" 2>/dev/null; then
				state=noport
			elif ! h_alive; then
				state=died
			fi
			[ -z "$state" ] || break
			sleep 0.1
		done
		case $state in
		up)
			for ((i = 0; i < 50; i++)); do
				if exec {H_SOCK_FD}<>"/dev/tcp/127.0.0.1/$port"; then
					cat <&"$H_SOCK_FD" >>"$H_LOG" &
					H_SOCK_PID=$!
					return 0
				fi 2>/dev/null
				H_SOCK_FD=""
				sleep 0.1
			done
			echo "  ($name: cannot connect to Bochs' COM1 on port $port)"
			return 0 ;;
		busy) echo "  ($name: TCP port $port was taken; retry $try)" ;;
		noport) echo "  ($name: no free RFB port in 5900-5949 (Bochs then crashes); retry $try)" ;;
		*) return 0 ;; # died or hung: the expectations tell
		esac
		stop_emulator
		sleep $((1 + RANDOM % 3))
		: >"$H_LOG"
	done
}

# h_type LABEL BYTES: writes BYTES into the console of the current
# interactive run; records a FAIL named LABEL if it cannot (no interactive
# run, emulator gone).
h_type() {
	local label=$1 bytes=$2
	if [ -z "$H_SOCK_FD" ] || ! h_alive; then
		h_result FAIL "$label"
		echo "  no console to type into (not an interactive run, or the emulator has stopped)"
		return 0
	fi
	H_TYPED_AT=$(stat -c %s "$H_LOG" 2>/dev/null || echo 0)
	# In a subshell: a closed connection's SIGPIPE must not end the script.
	if ! (printf '%s' "$bytes" >&"$H_SOCK_FD") 2>/dev/null; then
		h_result FAIL "$label"
		echo "  writing to the console connection failed"
	fi
	return 0
}

# send_line TEXT: types TEXT and Enter (a carriage return, as a terminal
# sends) into the console, all at once.
send_line() {
	h_type "send_line '$1'" "$1"$'\r'
}

# send_keys TEXT: types TEXT as is, no Enter (control keys: Ctrl-] is $'\x1d').
send_keys() {
	h_type "send_keys" "$1"
}

# expect_echo DESC TEXT [TIMEOUT]: waits until the console has sent TEXT
# (bytes anywhere, not a whole line: a key's echo, a prompt) after the last
# send_line/send_keys; records PASS or FAIL. TIMEOUT defaults to
# HV_LINE_TIMEOUT. H_MATCH is TEXT after a PASS, empty after a FAIL (so a
# sequence of keys can stop); the serial line cursor does not move.
H_TYPED_AT=0 # size of serial.log when the last bytes were typed
expect_echo() {
	local desc=$1 text=$2 limit=${3:-$H_LINE_TIMEOUT} deadline
	local seen=-1 size
	deadline=$((SECONDS + limit))
	while :; do
		size=$(stat -c %s -- "$H_LOG" 2>/dev/null) || size=0
		if [ "$size" != "$seen" ] && tail -c +"$((H_TYPED_AT + 1))" "$H_LOG" | grep -qaF -- "$text"; then
			H_MATCH=$text
			h_result PASS "$desc"
			return 0
		fi
		seen=$size
		if ! h_alive || [ "$SECONDS" -ge "$deadline" ]; then
			break
		fi
		sleep 0.05
	done
	H_MATCH=""
	h_result FAIL "$desc"
	echo "  expected the console to send '$text' within $limit s of the last typing; it sent:"
	tail -c +"$((H_TYPED_AT + 1))" "$H_LOG" | head -c 200 | cat -v | sed 's/^/  | /'
	echo
	h_explain
	return 0
}

# An interrupted or crashed test must not leave an emulator behind.
trap 'stop_emulator' EXIT
trap 'stop_emulator; exit 130' INT
trap 'stop_emulator; exit 143' TERM
