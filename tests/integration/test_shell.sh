#!/bin/bash
# tests/integration/test_shell.sh - the debug shell, typed into over the
# serial console (Bochs, VMX), first while a guest runs, then after the
# guests stopped. The guest `wait` (tests/guests/wait.c) halts and then
# spins with interrupts off, so Ctrl-] reaches the shell only through the
# hypervisor's own tick (VMX preemption timer), and only the shell's
# `inject nmi` moves it on. Every command runs with good and bad arguments,
# its output checked against what the guest is known to be doing.
set -eu
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

H_END_RE=''                 # the shell keeps running: no last line
HEX='0x[0-9a-f]{16}'
CTRL_RBRACKET=$'\x1d'

require_file "hypervisor image" "$HV_ROOT/build/hv.elf"
require_file "test guest" "$HV_ROOT/build/guests/wait.elf"
require_file "test guest" "$HV_ROOT/build/guests/cpuid.elf"

# field N: the Nth whitespace-separated word of the last matched line.
field() {
	awk -v n="$1" '{ print $n }' <<<"$H_MATCH"
}

# The hex bytes of a dump line (without address and text column).
dump_bytes() {
	sed -E 's/^0x[0-9a-f]+  //; s/  \|.*$//; s/  / /g' <<<"$1"
}

# A number as the hypervisor prints addresses: 0x, lower-case, no leading zeros.
hexnum() {
	printf '0x%x' "$1"
}

# shellcheck disable=SC2317 # called through check
differ() {
	[ -n "$1" ] && [ "$1" != "$2" ] || { echo "  '$1' is empty or equals '$2'"; return 1; }
}

# shellcheck disable=SC2317 # called through check
seen_between() {
	sed -n "$1,$2p" "$H_TXT" | grep -aqE -- "$3" || { echo "  no line $1..$2 matches $3"; return 1; }
}

# shellcheck disable=SC2317 # called through check
lacks() {
	! grep -qF -- "$1" <<<"$2" || { echo "  '$2' contains '$1'"; return 1; }
}

# testfault=mc: an INT 18 in the hypervisor before the guests start, with
# Bochs' machine-check MSRs (MCIP clear): reported, and the boot goes on.
if build_iso shell "hvtest testmmio=0xfe000000 testfault=mc" "$HV_ROOT/build/guests/wait.elf" "guest hv.name=wait" \
	"$HV_ROOT/build/guests/cpuid.elf" "guest hv.name=cpuid"; then
	start_bochs_interactive shell "$HV_ROOT/build/test/shell.iso"
	expect_line "banner names the escape key" '^console: serial port 0x3f8 at 115200 baud; Ctrl-] switches between the guest and the hv shell$'
	expect_line "#MC in the hypervisor reported" "^\\*\\*\\* hv: machine check \\(#MC\\) at RIP $HEX\$"
	expect_line "#MC: Bochs' MCG_STATUS and banks" \
		'^machine check in the hypervisor: IA32_MCG_STATUS 0x0 \[\], IA32_MCG_CAP 0x[0-9a-f]+ \([0-9]+ banks\)$'
	expect_line "#MC: spurious (MCIP clear)" '^machine check: no machine check in progress \(MCG_STATUS\.MCIP = 0\): spurious #MC$'
	expect_line "#MC: the hypervisor goes on" '^fault test: mc: the hypervisor went on$'
	expect_line "guest halts with interrupts off" '^\[wait\] halting with interrupts off$'

	# --- a halted guest with IF=0: only the preemption timer gets us here ---
	send_keys "$CTRL_RBRACKET"
	expect_line "Ctrl-] reaches the shell from a halted guest" \
		"^hv: debug shell; guest wait keeps running \\('continue' or Ctrl-\\] returns to it, 'help' lists commands\\)\$"
	send_line "regs"
	expect_line "regs: header" "^guest wait: RIP $HEX CPL 0, 64-bit mode\$"
	expect_line "regs: general registers" "^  RAX $HEX  RCX $HEX  RDX $HEX  RBX $HEX\$"
	expect_line "regs: RFLAGS decoded" "^  RFLAGS $HEX \\[[A-Z ]*\\]\$"
	check "regs: interrupts are off (no IF)" lacks ' IF' "$H_MATCH"
	expect_line "regs: control registers decoded" "^  CR0 $HEX \\[PE ET WP PG\\] CR2 $HEX CR3 $HEX\$"
	expect_line "regs: EFER decoded" "^  CR4 $HEX \\[PAE\\] EFER 0x500 \\[LME LMA\\]\$"
	expect_line "regs: the guest is halted" '^  activity HLT, interruptibility 0x0, DR7 0x400$'
	expect_line "regs: CS decoded" "^  CS   0x0008 base $HEX limit 0xffffffff access 0x0a09b 64-bit code DPL 0\$"
	expect_line "regs: LDTR unusable" "^  LDTR 0x0000 base $HEX limit 0x00000000 access 0x10000 unusable\$"
	send_line "regs extra"
	expect_line "regs: bad argument" '^usage: regs$'
	send_line "exits"
	expect_line "exits: header" '^exits of guest wait in the last [0-9]+ ms \(since it started\):$'
	expect_line "exits: says its TSC is Bochs' (no hypervisor bit; the rate gives it away)" \
		"^exits: TSC figures are an emulator's, not a CPU's: the TSC counts at [0-9]+\\.[0-9]{3} MHz, but the CPU says 3500 MHz \\(CPUID\\.16H\\)\$"
	expect_line "exits: the console tick is counted" '^  console tick +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$'
	tick1=$(field 4)
	expect_line "exits: total" '^  total +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$'
	total1=$(field 2)
	send_line "inject"
	expect_line "inject: usage" '^usage: inject nmi$'
	send_line "inject smi"
	expect_line "inject: only NMIs" "^inject: only 'nmi' can be injected\$"
	send_line "inject nmi"
	expect_line "inject nmi queued" '^NMI queued for guest wait \(delivered when it can take one\)$'
	expect_line "the NMI woke the halted guest" '^\[wait\] ok: an NMI woke HLT with interrupts off$'
	expect_line "guest wrote to its console" '^\[wait\] wrote 20000 bytes to COM1$'
	expect_line "guest spins with interrupts off" '^\[wait\] spinning with interrupts off$'
	reject_line "its console output is held while the shell is open" '^wait: console line'
	send_line "exits"
	expect_line "exits: header again" '^exits of guest wait'
	expect_line "exits: more ticks" '^  console tick '
	check "exits: the tick count grew" greater "$(field 4)" "$tick1"
	expect_line "exits: total again" '^  total '
	check "exits: the total grew" greater "$(field 2)" "$total1"
	send_line "exits reset"
	expect_line "exits reset" "^exits: counting guest wait's exits from now\$"
	send_line "exits"
	expect_line "exits since reset" "^exits of guest wait in the last [0-9]+ ms \\(since 'exits reset'\\):\$"
	send_line "exits now"
	expect_line "exits: bad argument" '^usage: exits \[all \| reset\]$'

	# --- pause, inspect the spinning guest, step, resume ---
	send_line "step"
	expect_line "step needs a paused guest" "^step: guest wait is running; 'pause' it first\$"
	send_line "resume"
	expect_line "resume a running guest" '^resume: guest wait is not paused$'
	send_line "pause"
	expect_line "pause" "^guest wait paused at RIP ($HEX)\$"
	rip=$(field 6)
	send_line "pause"
	expect_line "pause twice" '^pause: guest wait is already paused$'
	send_line "regs"
	expect_line "regs: a paused guest stays where it was" "^guest wait: RIP $rip CPL 0, 64-bit mode\$"
	expect_line "regs: it runs (not halted)" '^  activity active, '
	send_line "gva $rip"
	expect_line "gva: header" "^GVA $(hexnum "$rip"): 4-level paging, CR3 0x[0-9a-f]+\$"
	expect_line "gva: PML4 entry" '^  PML4E +0 at GPA 0x[0-9a-f]+: 0x[0-9a-f]{16} \[P W( U)? A( D)?\]$'
	expect_line "gva: PDPT entry" '^  PDPTE +0 at GPA 0x[0-9a-f]+: 0x[0-9a-f]{16} \['
	expect_line "gva: identity-mapped guest code" '^  -> GPA 0x[0-9a-f]+ \((2048|4) KiB page\)$'
	send_line "gva 0x800000000000"
	expect_line "gva: non-canonical" '^gva: 0x800000000000 is not canonical: an access would #GP, no page walk happens$'
	send_line "gva 0x7f0000000000"
	expect_line "gva: unmapped" '^  -> not mapped: a supervisor read would page-fault \(error code 0x0\)$'
	send_line "gva"
	expect_line "gva: usage" '^usage: gva ADDR$'
	send_line "gva here"
	expect_line "gva: bad address" "^gva: 'here' is not an address"
	send_line "x $rip 16"
	expect_line "x: one line at RIP" "^$(printf '0x%016x' "$rip")  [0-9a-f]{2}( [0-9a-f]{2}){7}  [0-9a-f]{2}( [0-9a-f]{2}){7}  \\|.{16}\\|\$"
	xline=$H_MATCH
	send_line "xp $rip 16"
	expect_line "xp: the same bytes (identity-mapped)" "^$(printf '0x%016x' "$rip")  "
	check "x and xp agree" same "$(dump_bytes "$H_MATCH")" "$(dump_bytes "$xline")"
	send_line "x 0x1000000"
	expect_line "x: default length 64 (line 1)" '^0x0000000001000000  '
	expect_line "x: default length 64 (line 4)" '^0x0000000001000030  '
	send_line "x 0x7f0000000000 16"
	expect_line "x: unmapped address" "^x: GVA 0x7f0000000000 is not mapped to guest RAM \\(see 'gva 0x7f0000000000'\\)\$"
	send_line "xp 0xfe000000 16"
	expect_line "xp: device memory is not read" '^xp: GPA 0xfe000000 is not guest RAM \(trapped, testdev\)$'
	send_line "xp 0x1000000 5000"
	expect_line "xp: length limit" '^xp: at most 4096 bytes at a time$'
	send_line "xp 0x1000000 0"
	expect_line "xp: zero length" '^xp: bad address or length'
	send_line "x"
	expect_line "x: usage" '^usage: x ADDR \[LEN\]$'
	# Bochs has no monitor trap flag: step uses RFLAGS.TF and #DB there.
	send_line "info"
	expect_line "info: how step works here" '^monitor trap flag: (present \(the shell.s step uses it\)|absent \(the shell.s step uses RFLAGS\.TF and #DB\))$'
	send_line "help step"
	expect_line "help step agrees with info (Bochs has no monitor trap flag)" \
		'^  step +run the paused guest for one instruction \(monitor trap flag; RFLAGS\.TF where the CPU has none, see info\)$'
	send_line "step"
	expect_line "step: one instruction" \
		"^step: guest wait went from RIP $rip to ($HEX) \\(ended by: (single step|exception or NMI)\\); next bytes:( [0-9a-f]{2}){8}\$"
	rip2=$(field 9)
	check "step: to another instruction" differ "$rip2" "$rip"
	send_line "step"
	expect_line "step again from there" "^step: guest wait went from RIP $rip2 to $HEX "
	rip=$(field 9)
	send_line "regs"
	expect_line "regs: still paused after the steps" "^guest wait: RIP $rip CPL 0, 64-bit mode\$"
	expect_line "regs: the step left no TF behind" "^  RFLAGS $HEX \\[[A-Z ]*\\]\$"
	check "regs: no TF" lacks 'TF' "$H_MATCH"
	send_line "step now"
	expect_line "step: usage" '^usage: step$'
	send_line "vmcs GUEST_RIP"
	expect_line "vmcs: one field by name" "^  GUEST_RIP +0x681e  $rip\$"
	send_line "vmcs 0x4402"
	expect_line "vmcs: one field by encoding" '^  EXIT_REASON +0x4402  0x000000(34|01|00|12)$'
	send_line "vmcs guest_cr3"
	expect_line "vmcs: names in any case" "^  GUEST_CR3 +0x6802  $HEX\$"
	send_line "vmcs GUEST_CR4"
	expect_line "vmcs: the guest's real CR4 keeps MCE (a #MC exits instead of shutting down)" \
		'^  GUEST_CR4 +0x6804  0x[0-9a-f]{14}[4-7c-f][0-9a-f]$'
	send_line "vmcs CR4_READ_SHADOW"
	expect_line "vmcs: the guest reads its own CR4 (PAE only)" '^  CR4_READ_SHADOW +0x6006  0x0000000000000020$'
	send_line "vmcs GUEST_NOTHING"
	expect_line "vmcs: unknown field" "^vmcs: no field 'GUEST_NOTHING'"
	send_line "vmcs"
	expect_line "vmcs: control group" '^control:$'
	expect_line "vmcs: EPT pointer" "^  EPT_POINTER +0x201a  $HEX\$"
	expect_line "vmcs: guest-state group" '^guest state:$'
	expect_line "vmcs: host-state group" '^host state:$'
	expect_line "vmcs: exit-information group" '^exit information:$'
	expect_line "vmcs: exit reason" '^  EXIT_REASON +0x4402  0x[0-9a-f]{8}$'
	send_line "resume"
	expect_line "resume" "^guest wait runs again from RIP $rip\$"

	# --- the hypervisor's own state ---
	send_line "info"
	expect_line "info: version" '^hv [^ ]+$'
	expect_line "info: CPU" '^CPU: GenuineIntel .*; TSC [0-9]+ kHz$'
	expect_line "info: VMX features in words" '^VMX: VMCS revision 0x[0-9a-f]+; features in use: .*activate VMX-preemption timer.*secondary: EPT, .*unrestricted guest'
	expect_line "info: EPT features in words" '^EPT/VPID: .*4-level walk.*1G pages'
	expect_line "info: the tick" '^preemption timer: TSC / [0-9]+, the console tick'
	expect_line "info: memory taken" '^memory: [0-9.]+ MiB taken by the hypervisor \(image and working memory\), [0-9.]+ MiB of it free$'
	send_line "mem"
	expect_line "mem: the hypervisor's working memory" "^  $HEX  $HEX +64 MiB  hv working\$"
	send_line "mtree"
	expect_line "mtree: RAM at 0" '^  0x0000000000000000-0x[0-9a-f]{16}  ram      e820 1  ram$'
	from=$H_CURSOR
	expect_line "mtree: the test device is trapped" '^  0x00000000fe000000-0x00000000fe000fff  trapped  e820 2  testdev$'
	expect_line "mtree: the BIOS ROM, last below 4 GiB" '^  0x00000000fffc0000-0x00000000ffffffff  mmio     e820 2  reserved$'
	check "mtree: the hypervisor is hidden" \
		seen_between "$from" "$H_CURSOR" '^  0x[0-9a-f]{16}-0x[0-9a-f]{16}  hidden   e820 2  hypervisor$'
	check "mtree: the boot modules are hidden" \
		seen_between "$from" "$H_CURSOR" '^  0x[0-9a-f]{16}-0x[0-9a-f]{16}  hidden   e820 2  boot module$'
	expect_line "mtree: the last range: pass-through from 4 GiB to MAXPHYADDR" \
		'^  0x0000000100000000-0x0*f+  mmio     e820 0  hole$'
	module=$(sed -n "${from},${H_CURSOR}p" "$H_TXT" | grep -aE 'boot module$' | head -n 1 |
		sed -E 's/^  (0x[0-9a-f]+)-.*/\1/')
	send_line "mtree x"
	expect_line "mtree: usage" '^usage: mtree$'
	send_line "devices"
	expect_line "devices: COM1 ports" '^  ports 0x03f8-0x03ff  com1$'
	expect_line "devices: test device state" '^  testdev: test device at 0xfe000000, [0-9]+ accesses'
	send_line "ept 0xfe000000"
	expect_line "ept walk header" '^EPT walk for GPA 0xfe000000:$'
	expect_line "ept walk: the trapped page is not present" '^  PTE +0x0000000000000000 \(table 0x[0-9a-f]+\): not present$'
	send_line "ept $module"
	expect_line "ept walk: a boot module" "^EPT walk for GPA $(hexnum "$module"):\$"
	expect_line "ept walk: the boot module is not mapped" ': not present$'
	send_line "ept $rip"
	expect_line "ept walk: guest code" "^EPT walk for GPA"
	expect_line "ept walk: guest RAM is RWX write-back" '^  (PDE|PTE) +0x[0-9a-f]{16} \(table 0x[0-9a-f]+\): RWX page 0x[0-9a-f]+, WB'
	send_line "ept stats"
	expect_line "ept stats" '^EPT: [0-9.]+ [KMGT]iB mapped \([0-9]+ x 1G, [0-9]+ x 2M, [0-9]+ x 4K\), [0-9.]+ [KMG]iB hidden, [0-9]+ table pages$'
	send_line "ept"
	expect_line "ept map" '^  0x0000000000000000-0x'
	send_line "ept nonsense"
	expect_line "ept: bad argument explained" "^ept: 'nonsense' is not an address \\(hex like 0xfe000000, or decimal\\), 'stats' or 'flush'\$"
	send_line "ept flush"
	expect_line "ept flush: one CPU, nobody else to ask" '^ept flush: INVEPT on every CPU, each acknowledged$'
	expect_line "ept flush: the request counts" '^cross-CPU requests: [0-9]+ rounds, 0 acknowledged, 0 unanswered; APIC ID 0: 0 kicks, 0 served, 0 stage-2 flushes$'
	send_line "log"
	expect_line "log: the level" '^log level: info$'
	send_line "log warn"
	expect_line "log warn" '^log level: warn \(notes on what guests do, like ignored MSR writes, are not shown\)$'
	send_line "log loud"
	expect_line "log: bad level" "^log: no level 'loud' \\(error, warn, info or debug\\)\$"
	send_line "log debug"
	expect_line "log debug" '^log level: debug \(every VM exit is traced, except the console tick\)$'
	send_line "inject nmi"
	expect_line "NMI for the spinning guest" '^NMI queued'
	expect_line "the second NMI ended the loop" '^\[wait\] ok: a second NMI ended the loop$'
	expect_line "debug traces the guest's exits" '^trace: guest wait: hypercall at RIP 0x[0-9a-f]+ \(VMCALL, 18\)$'
	expect_line "the guest ends" '^guest wait: exited with status 0 after [0-9]+ VM exits$'
	expect_line "next guest starts" "^guest cpuid: starting in long64 mode at RIP $HEX\$"
	expect_line "cpuid guest ends" '^guest cpuid: exited with status 0'
	expect_line "all guests stopped" '^hv: all guests have stopped$'
	expect_line "shell stays" '^hv: debug shell ready \(type .help.\)$'
	send_line "log info"
	expect_line "log info" '^log level: info$'

	# --- no guest any more ---
	send_line "regs"
	expect_line "regs without a guest" '^regs: no guest is running$'
	send_line "continue"
	expect_line "continue without a guest" '^continue: no guest is running$'
	send_keys "$CTRL_RBRACKET"
	expect_line "Ctrl-] without a guest" '^no guest to return to$'
	send_line "help"
	expect_line "help lists commands" '^  mtree +the guest memory map: ranges, kinds and owners$'
	expect_line "help names the keys" '^Keys: Tab completes, Up/Down recall, Ctrl-U clears; Ctrl-] returns to the guest\.$'
	send_line "help xp"
	expect_line "help for one command" '^  xp GPA \[LEN\] +hex dump of guest-physical memory'
	send_line "help frob"
	expect_line "help: unknown command" "^help: no command 'frob' \\(try 'help'\\)\$"
	send_line "frobnicate"
	expect_line "unknown command explained" "^unknown command 'frobnicate' \\(try 'help'\\)\$"
	send_line 'echo "unterminated'
	expect_line "unterminated quote" '^unterminated quote$'
	# Line editing: Tab completes a unique command name, Up recalls the last line.
	send_line $'dev\t'
	expect_line "Tab completed 'dev' to devices" '^  ports 0x03f8-0x03ff  com1$'
	send_line $'\e[A'
	expect_line "Up arrow recalled and ran it again" '^  ports 0x03f8-0x03ff  com1$'
	send_line $'mtree\x15devices'
	expect_line "Ctrl-U dropped the typed line" '^  ports 0x03f8-0x03ff  com1$'
	send_line "reboot"
	expect_line "reboot" '^rebooting$'
	expect_line "the machine starts again" '^hv [^ ]+ - x86-64 hypervisor$' 120
	stop_emulator
fi

# The guest console and the shell take turns; reset restarts the guest.
if build_iso shell-switch "" "$HV_ROOT/build/guests/wait.elf" "guest hv.name=wait"; then
	start_bochs_interactive shell-switch "$HV_ROOT/build/test/shell-switch.iso"
	expect_line "guest halts" '^\[wait\] halting with interrupts off$'
	send_keys "$CTRL_RBRACKET"
	expect_line "shell" '^hv: debug shell; guest wait keeps running'
	send_keys "$CTRL_RBRACKET"
	expect_line "Ctrl-] in the shell returns to the guest" '^hv: back to guest wait$'
	send_keys "$CTRL_RBRACKET"
	expect_line "and back into the shell" '^hv: debug shell; guest wait keeps running'
	send_line "pause"
	expect_line "pause" '^guest wait paused at RIP '
	send_line "continue"
	expect_line "continue says the guest is paused" "^hv: back to guest wait; it is paused \\('resume' in the shell\\)\$"
	send_keys "$CTRL_RBRACKET"
	expect_line "the shell says so too" '^hv: debug shell; guest wait is paused'
	send_line "continue now"
	expect_line "continue: usage" '^usage: continue$'
	send_line "reset"
	expect_line "reset requested" '^guest wait: reset requested$'
	expect_line "the old run ends" '^guest wait: reset from the shell$'
	expect_line "restarted" '^guest wait: reset: starting again from its boot module$'
	expect_line "from the start" "^guest wait: starting in long64 mode at RIP $HEX\$"
	expect_line "halts again" '^\[wait\] halting with interrupts off$'
	send_line "reset now"
	expect_line "reset: usage" '^usage: reset$'
	send_line "inject nmi"
	expect_line "woken" '^\[wait\] ok: an NMI woke HLT with interrupts off$'
	expect_line "its console output" '^\[wait\] wrote 20000 bytes to COM1$'
	from=$H_CURSOR
	send_line "continue"
	expect_line "back, with the newest 16 KiB of its output and the rest counted" \
		'^hv: back to guest wait \(its output while the shell was open follows: 16384 bytes; 3616 earlier bytes were dropped\)$'
	expect_line "the held output resumes inside line 72" '^ne 072 of 400, 50 bytes each\.\.\.\.$'
	expect_line "then whole lines" '^wait: console line 073 of 400, 50 bytes each\.\.\.\.$'
	expect_line "up to the newest" '^wait: console line 399 of 400, 50 bytes each\.\.\.\.$'
	check "the oldest lines were dropped" sh -c "! sed -n '${from},\$p' '$H_TXT' | grep -q '^wait: console line 0[0-6]'"
	stop_emulator
fi

finish
