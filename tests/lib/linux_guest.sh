# tests/lib/linux_guest.sh - the default Linux guest (tools/mkguest.sh) in
# the current run: what it reports, and typing into its shell; for the
# scripts that boot it (test_linux.sh, test_linux_efi.sh, test_efi_chain.sh).
# Sourced after tests/lib/harness.sh.
#
#   iomem_not_ram FROM TO A B  among the guest's "hv-guest: iomem:" lines
#                              (serial lines FROM..TO), none that is System
#                              RAM overlaps [A, B], and there are System RAM
#                              lines at all (for `check`)
#   mark_ticks                 prints the Bochs tick (with clock: sync=none,
#                              the emulated instructions since power-on) at
#                              which init wrote its mark (kernel parameter
#                              hvguest.mark: a write to the unused port 0x404,
#                              which Bochs logs), or "?"
#   type_keys WHAT KEY...      types each KEY alone, as a person would, and
#                              expects its echo at once
#   typing                     at the shell's prompt: a command typed key by
#                              key runs, Ctrl-C stops a foreground sleep 100
# shellcheck shell=bash

# shellcheck disable=SC2317 # called through check
iomem_not_ram() {
	local from=$1 to=$2 a=$(($3)) b=$(($4)) line lo hi n=0
	while IFS= read -r line; do
		[[ $line =~ ^hv-guest:\ iomem:\ +([0-9a-f]+)-([0-9a-f]+)\ :\ System\ RAM$ ]] || continue
		n=$((n + 1))
		lo=$((16#${BASH_REMATCH[1]})) hi=$((16#${BASH_REMATCH[2]}))
		if [ "$lo" -le "$b" ] && [ "$a" -le "$hi" ]; then
			echo "  $3-$4 overlaps Linux's RAM: $line"
			return 1
		fi
	done < <(sed -n "${from},${to}p" "$H_TXT")
	echo "  ($n System RAM ranges, none overlapping $3-$4)"
	[ "$n" -gt 0 ]
}

mark_ticks() {
	local t
	t=$(grep -a -m 1 'unmapped: 8-bit write to 0404 = 01' "$H_DIR/bochs.log" 2>/dev/null |
		sed -E 's/^0*([0-9]+)[a-z]\[.*/\1/') || true
	echo "${t:-?}"
}

# Typing as a person does: one key, a pause, the next; each key must come
# back (the shell's echo) before the next is typed. Linux's 8250 driver sets
# the receive FIFO trigger at 8 bytes, so a lone key reaches it only through
# the 16550's character timeout. Stops at the first key not echoed.
type_keys() {
	local what=$1 k
	shift
	for k in "$@"; do
		sleep 0.3 # the pause between two keys, not a synchronization
		send_keys "$k"
		expect_echo "$what: '$k' is echoed at once" "$k" 15
		[ -n "$H_MATCH" ] || return 0
	done
}

# Single keys, and Ctrl-C interrupting a foreground `sleep 100`.
typing() {
	local t0
	send_line "echo hv-typing"
	expect_line "typing: the shell answers" '^hv-typing$'
	expect_echo "typing: the prompt is back" 'hv-guest# '
	type_keys "typing" e c h o ' ' k '$' '(' '(' 5 '*' 9 ')' ')'
	send_keys $'\r'
	expect_line "typing: the command typed key by key runs" '^k45$'
	send_line 'echo hv-sleeping; sleep 100'
	expect_line "Ctrl-C: sleep 100 started" '^hv-sleeping$'
	sleep 0.5 # a person's reaction, not a synchronization
	t0=$SECONDS
	send_keys $'\x03'
	expect_echo "Ctrl-C: echoed at once" '^C' 15
	expect_echo "Ctrl-C: the prompt comes back" 'hv-guest# ' 30
	echo "  (Ctrl-C: prompt back after $((SECONDS - t0)) s of wall time)"
	send_line 'echo hv-sleep-status $?'
	expect_line "Ctrl-C: sleep 100 was interrupted (SIGINT: status 130), it did not run out" \
		'^hv-sleep-status 130$'
}
