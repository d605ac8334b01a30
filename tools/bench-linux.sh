#!/bin/bash
# tools/bench-linux.sh [HV.ELF] - the Linux boot part of `make bench` (called
# by tools/bench.sh; see docs/benchmarks.md). Boots Debian's cloud kernel
# (build/guest/vmlinuz, from tools/mkguest.sh) with a busybox initramfs of
# its own twice in Bochs, at the same time, in the test harness' Bochs
# configuration (tests/lib/harness.sh: corei7_skylake_x, 512 MiB, clock:
# sync=none, unmapped ports reported):
#
#   direct  GRUB boots the kernel itself (linux + initrd; grub.cfg written here)
#   hv      GRUB boots the hypervisor HV.ELF (default build/hv.elf) with the
#           kernel and initramfs as its guest (tools/mkiso.sh)
#
# The initramfs' /init first runs a tiny static program that writes the
# byte 1 to port 0x404 (nothing there in Bochs: it logs "unmapped: 8-bit
# write to 0404 = 01" with its tick count, i.e. the emulated instruction
# count), then prints the banner "hv-guest: init started" and powers off
# (busybox `poweroff -f`: ACPI S5). Under the hypervisor, that power-off
# makes it print the guest's VM exits by reason. Bochs debugger breakpoints
# split the time before Linux: the kernel's entry point (physical:
# pref_address, where GRUB loads it) in the direct run; the hypervisor's
# first C code (hv_main) and its first VM entry (vmx_enter) in the other
# (linear: GRUB relocates the image).
#
# Then the same two runs with 2 CPUs (direct2, hv2: `cpu: count=2`, no
# breakpoints), for power-on to init with and without the hypervisor; each
# must report both CPUs up ("smp: Brought up 1 node, 2 CPUs"). The
# hypervisor's command line there is HV_BENCH_SMP_HV (default apstart=trap:
# Bochs 2.7 keeps an INIT pending after its VM exit, so an AP started by a
# real INIT never runs; docs/architecture.md, "Bochs 2.7 and INIT").
#
# Prints the second table of `make bench`; exits 1 if a figure is missing.
# Files: build/bench/linux/. 35-110 s of wall time on 2 cores, and as much
# again for the 2-CPU runs.
# Environment: HV_BENCH_LINUX_TIMEOUT (s, default 300) caps each run;
# HV_BENCH_LINUX_CMDLINE replaces the kernel command line of all runs;
# HV_BENCH_SMP=0 leaves out the 2-CPU runs.
set -eu
elf_src=$(realpath -m "${1:-$(dirname "$0")/../build/hv.elf}")
cd "$(dirname "$0")/.."
# shellcheck source=SCRIPTDIR/../tests/lib/harness.sh
. tests/lib/harness.sh # BOCHS_BIOS, h_bochsrc: the tests' Bochs configuration

dir=build/bench/linux
cap=${HV_BENCH_LINUX_TIMEOUT:-300}
# The command line of `make run` (Makefile LINUX_CMDLINE; the baud rate
# matters: Bochs' UART takes the emulated time of each character), and what
# makes the boot deterministic: Bochs' RDRAND and RDSEED give host random
# numbers, and with them KASLR and the kernel's RNG vary the boot path from
# run to run (by up to 0.1%). No KASLR, and no RDRAND or RDSEED for the
# kernel (X86_FEATURE_RDRAND 4*32+30, X86_FEATURE_RDSEED 9*32+18).
KCMD=${HV_BENCH_LINUX_CMDLINE:-"console=ttyS0,115200 nokaslr clearcpuid=158,306"}
MARK_PORT=0x404
t0=$SECONDS

rm -rf "$dir"
mkdir -p "$dir"
dir=$(realpath "$dir")
[ -s "$elf_src" ] || { echo "bench-linux: $elf_src is missing: run make all" >&2; exit 1; }
elf=$dir/hv.elf
cp "$elf_src" "$elf"

# ---- the kernel, busybox, the initramfs ----

# tools/mkguest.sh (run, never changed here) fetches the kernel and busybox
# .debs into build/guest/debs once and unpacks the kernel.
if [ ! -s build/guest/vmlinuz ] || ! ls build/guest/debs/busybox-static_*.deb >/dev/null 2>&1; then
	tools/mkguest.sh build/guest >"$dir/mkguest.log" 2>&1 ||
		{ echo "bench-linux: tools/mkguest.sh failed:" >&2; cat "$dir/mkguest.log" >&2; exit 1; }
fi
cp build/guest/vmlinuz "$dir/vmlinuz"
kver=$(cat build/guest/version 2>/dev/null || echo '?')
bdeb=$(find build/guest/debs -maxdepth 1 -name 'busybox-static_*.deb' | sort | tail -n 1)
[ -n "$bdeb" ] || { echo "bench-linux: no busybox-static .deb in build/guest/debs" >&2; exit 1; }

# The marker: ioperm(MARK_PORT, 1, 1), outb 1, exit(0). Debian's cloud
# kernel has no /dev/port (CONFIG_DEVPORT is not set), so a program it is.
cat >"$dir/hvmark.S" <<EOF
	.globl _start
	.text
_start:
	mov \$173, %eax		/* ioperm */
	mov \$$MARK_PORT, %edi
	mov \$1, %esi
	mov \$1, %edx
	syscall
	mov \$$MARK_PORT, %dx
	mov \$1, %al
	outb %al, %dx
	mov \$60, %eax		/* exit(0) */
	xor %edi, %edi
	syscall
EOF
root=$dir/root
mkdir -p "$root"/{bin,sbin,dev,proc}
${CC:-clang} -nostdlib -static -Wl,--build-id=none -o "$root/bin/hvmark" "$dir/hvmark.S"
dpkg-deb -x "$bdeb" "$dir/busybox"
cp "$dir/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cat >"$root/init" <<'INIT'
#!/bin/sh
# /init of tools/bench-linux.sh: mark the moment on an unused port (Bochs
# logs it with its tick count), the banner, power off (ACPI S5).
/bin/hvmark
echo "hv-guest: init started"
/bin/busybox poweroff -f
INIT
chmod 755 "$root/init"
# Fixed times: the same bytes on every build.
find "$root" -exec touch -h -d @946684800 {} +

# newc_record NAME MODE MAJOR MINOR: a cpio "newc" record for a device node
# (/dev/console, which the kernel opens for init; no root needed for mknod).
newc_record() {
	local name=$1 len=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$5" "$2" 0 0 1 946684800 0 0 0 "$3" "$4" "$len" 0
	printf '%s\0' "$name"
	head -c $(((4 - (110 + len) % 4) % 4)) /dev/zero
}
# Not compressed: GRUB's module2 (the hypervisor's ISO) gunzips a gzip file
# as it loads it, its initrd command does not. A gzip initramfs would be
# inflated by GRUB in one run and by Linux in the other.
(
	cd "$root"
	find . -mindepth 1 | sed 's,^\./,,' | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --reproducible --quiet
	newc_record dev/console $((8#020600)) 5 1 1
	newc_record TRAILER!!! 0 0 0 0
) >"$dir/initrd.img"

# ---- the two images ----

export SOURCE_DATE_EPOCH=946684800 # xorriso: fixed dates in the ISOs
smp=${HV_BENCH_SMP:-1}
SMP_HV=${HV_BENCH_SMP_HV-apstart=trap}
tools/mkiso.sh "$dir/hv.iso" "$elf" "" "$dir/vmlinuz" "guest hv.name=linux $KCMD" \
	"$dir/initrd.img" initrd >"$dir/mkiso-hv.out" 2>&1 &
mkiso_pid=$!
if [ "$smp" != 0 ]; then
	tools/mkiso.sh "$dir/hv2.iso" "$elf" "$SMP_HV" "$dir/vmlinuz" "guest hv.name=linux $KCMD" \
		"$dir/initrd.img" initrd >"$dir/mkiso-hv2.out" 2>&1 ||
		{ echo "bench-linux: tools/mkiso.sh failed:" >&2; cat "$dir/mkiso-hv2.out" >&2; exit 1; }
fi
# GRUB as tools/mkiso.sh sets it up (serial console, no menu), booting Linux.
stage=$dir/iso-direct
mkdir -p "$stage/boot/grub"
cp "$dir/vmlinuz" "$dir/initrd.img" "$stage/boot/"
cat >"$stage/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
set timeout_style=hidden
menuentry "linux" {
	linux /boot/vmlinuz $KCMD
	initrd /boot/initrd.img
	boot
}
CFG
grub-mkrescue -o "$dir/direct.iso" "$stage" >"$dir/mkiso-direct.out" 2>&1 ||
	{ echo "bench-linux: grub-mkrescue failed:" >&2; cat "$dir/mkiso-direct.out" >&2; exit 1; }
wait "$mkiso_pid" || { echo "bench-linux: tools/mkiso.sh failed:" >&2; cat "$dir/mkiso-hv.out" >&2; exit 1; }

# ---- breakpoints ----

# Virtual address of a symbol of hv.elf: breakpoints in the hypervisor are
# linear (lb), since GRUB loads the image wherever it fits.
virt_of() {
	local va
	va=$(nm "$elf" | awk -v s="$1" '$3 == s { print $1; exit }')
	[ -n "$va" ] && printf '0x%s\n' "$va"
}
hv_entry=$(virt_of hv_main) || { echo "bench-linux: no hv_main in $elf" >&2; exit 1; }
hv_launch=$(virt_of vmx_enter) || { echo "bench-linux: no vmx_enter in $elf" >&2; exit 1; }
# GRUB (32-bit boot protocol) loads a relocatable kernel at its pref_address
# (setup header offset 0x258) and jumps there.
kentry=$(printf '0x%x' "0x$(od -A n -t x8 -j $((0x258)) -N 8 "$dir/vmlinuz" | tr -d ' ')")

# ---- the runs ----

# run NAME ISO END_RE BREAKPOINT...: (each a debugger command, pb/lb ADDR) Bochs in $dir/NAME with the harness'
# bochsrc and the debugger stopping at each breakpoint once (it prints
# "Next at t=TICKS" when it starts and at each stop). Ends when Bochs does
# (the direct run: ACPI S5) or a serial line matches END_RE, or after $cap s.
run() {
	local name=$1 iso=$2 end=$3 pid="" try i bp
	shift 3
	local d=$dir/$name
	trap '[ -z "$pid" ] || kill -TERM -- "-$pid" 2>/dev/null; exit 1' TERM
	mkdir -p "$d"
	H_DIR=$d H_LOG=$d/serial.log H_MEM=512 h_bochsrc "$iso"
	{
		# The debugger stops before the first instruction (t=0), then at
		# each breakpoint; after the last one, they all go.
		for bp in "$@"; do echo "$bp"; done
		for bp in "$@"; do echo c; done
		for ((i = $#; i > 0; i--)); do echo "d $i"; done
		echo c
	} >"$d/bochs.rc"
	for try in 1 2 3 4 5 6 7 8; do
		rm -f "$d/bochs.log"
		: >"$d/serial.log"
		setsid timeout -k 5 "$cap" bochs -q -f "$d/bochsrc" -rc "$d/bochs.rc" \
			</dev/null >"$d/bochs.out" 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			tr -d '\r' <"$d/serial.log" | grep -aqE -- "$end" && break
			sleep 0.5
		done
		kill -TERM -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=""
		# The RFB display takes the first free port in 5900-5949; none was free: retry.
		grep -q 'could not bind any port' "$d/bochs.log" "$d/bochs.out" 2>/dev/null || break
		sleep $((1 + RANDOM % 3))
	done
	tr -d '\r' <"$d/serial.log" >"$d/serial.txt"
}
pids=()
run direct "$dir/direct.iso" 'Kernel panic - not syncing' "pb $kentry" &
pids+=($!)
run hv "$dir/hv.iso" '^hv: all guests have stopped|^hv: debug shell ready|^hv: system halted|Kernel panic' \
	"lb $hv_entry" "lb $hv_launch" &
pids+=($!)
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; exit 130' INT TERM
# The direct run ends with Bochs (ACPI S5 quits it); give it the time to.
wait "${pids[@]}" || true
if [ "$smp" != 0 ]; then
	pids=()
	H_BOCHS_CPUS=2 run direct2 "$dir/direct.iso" 'Kernel panic - not syncing' &
	pids+=($!)
	H_BOCHS_CPUS=2 run hv2 "$dir/hv2.iso" '^hv: all guests have stopped|^hv: debug shell ready|^hv: system halted|Kernel panic' &
	pids+=($!)
	wait "${pids[@]}" || true
fi
trap - INT TERM

# ---- figures ----

# stops NAME: the debugger's stop ticks after t=0, one a line.
stops() { sed -n 's/^Next at t=\([0-9]*\).*/\1/p' "$dir/$1/bochs.out" | tail -n +2; }
# mark NAME: the tick of the init's port write.
mark() {
	grep -a -m 1 "unmapped: 8-bit write to $(printf '%04x' "$MARK_PORT") = 01" "$dir/$1/bochs.log" 2>/dev/null |
		sed -E 's/^0*([0-9]+)[a-z]\[.*/\1/' || true
}
mapfile -t ds < <(stops direct)
mapfile -t hs < <(stops hv)
d_kernel=${ds[0]:-} d_mark=$(mark direct)
h_entry=${hs[0]:-} h_launch=${hs[1]:-} h_mark=$(mark hv)
exits=$(grep -a -m 1 '^guest linux: exits:' "$dir/hv/serial.txt" || true)
stopped=$(grep -a -m 1 -E '^guest linux: .*(powered off|exited|shut ?down)' "$dir/hv/serial.txt" || true)
banner_d=$(grep -ac '^hv-guest: init started' "$dir/direct/serial.txt" || true)
banner_h=$(grep -ac '^hv-guest: init started' "$dir/hv/serial.txt" || true)

ok=1
num() { [[ ${1:-} =~ ^[0-9]+$ ]]; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { printf '  %-52s %14s %14s %8s\n' "$@" | sed 's/ *$//'; }
# Figures as text: the number, or "?" (and the run fails).
fig() { if num "$1"; then echo "$1"; else echo "?"; fi; }
diff_or_q() { if num "$1" && num "$2"; then echo $(($2 - $1)); else echo "?"; fi; }

echo
echo "  Linux boot: Debian $kver, busybox /init, \"$KCMD\""
row "ticks (emulated instructions; idle time counts too)" "without hv" "with hv" "ratio"
pre_d=$(fig "$d_kernel")
pre_h=$(fig "$h_launch")
lin_d=$(diff_or_q "$d_kernel" "$d_mark")
lin_h=$(diff_or_q "$h_launch" "$h_mark")
r_pre="" r_lin="" r_all=""
num "$pre_d" && num "$pre_h" && r_pre=$(ratio "$pre_h" "$pre_d")
num "$lin_d" && num "$lin_h" && r_lin=$(ratio "$lin_h" "$lin_d")
num "$d_mark" && num "$h_mark" && r_all=$(ratio "$h_mark" "$d_mark")
row "power-on to the kernel's entry point" "$pre_d" "$pre_h" "$r_pre"
row "  of which power-on to hv_main (BIOS, GRUB, entry stub)" "" "$(fig "$h_entry")" ""
row "  of which hv_main to first VM entry" "" "$(diff_or_q "$h_entry" "$h_launch")" ""
row "kernel entry to init (the Linux boot)" "$lin_d" "$lin_h" "$r_lin"
row "power-on to init" "$(fig "$d_mark")" "$(fig "$h_mark")" "$r_all"
if ! num "$d_mark" || ! num "$h_mark" || ! num "$d_kernel" || ! num "$h_launch" || ! num "$h_entry"; then
	ok=0
	echo "  missing: a breakpoint or the port write did not show (see $dir/direct, $dir/hv)"
fi
if [ "${banner_d:-0}" -lt 1 ] || [ "${banner_h:-0}" -lt 1 ]; then
	ok=0
	echo "  missing: the init banner (direct: ${banner_d:-0}, hv: ${banner_h:-0})"
fi
if [ "$smp" != 0 ]; then
	d2_mark=$(mark direct2) h2_mark=$(mark hv2) r_smp=""
	num "$d2_mark" && num "$h2_mark" && r_smp=$(ratio "$h2_mark" "$d2_mark")
	row "power-on to init, 2 CPUs${SMP_HV:+ (hv: $SMP_HV)}" "$(fig "$d2_mark")" "$(fig "$h2_mark")" "$r_smp"
	if ! num "$d2_mark" || ! num "$h2_mark"; then
		ok=0
		echo "  missing: the 2-CPU runs' port write (see $dir/direct2, $dir/hv2)"
	fi
	for r in direct2 hv2; do
		if ! grep -aqE 'smp: Brought up [0-9]+ nodes?, 2 CPUs' "$dir/$r/serial.txt"; then
			ok=0
			echo "  missing: Linux's \"smp: Brought up ..., 2 CPUs\" in $dir/$r/serial.txt"
		fi
	done
	echo "  (boot to init with / without the hypervisor: ${r_all:-?} with 1 CPU, ${r_smp:-?} with 2)"
fi
echo "  (init: /init's write to port $MARK_PORT, before its banner; kernel entry: GRUB's jump"
echo "  to $kentry without the hypervisor, the first VM entry with it)"

echo
printf '  %-40s %10s %10s %14s\n' "VM exits during the Linux boot, by reason" count "avg TSC" "count x avg"
if [ -n "$exits" ]; then
	# "guest linux: exits: R N (avg A TSC), ..., total T" (reasons by count)
	sum=0
	while IFS= read -r item; do
		if [[ $item =~ ^total\ ([0-9]+)$ ]]; then
			printf '  %-40s %10s %10s %14s\n' total "${BASH_REMATCH[1]}" "" "$sum"
		elif [[ $item =~ ^(.+)\ ([0-9]+)\ \(avg\ ([0-9]+)\ TSC\),?$ ]]; then
			n=${BASH_REMATCH[2]} a=${BASH_REMATCH[3]}
			sum=$((sum + n * a))
			printf '  %-40s %10s %10s %14s\n' "${BASH_REMATCH[1]}" "$n" "$a" $((n * a))
		fi
	done < <(sed -e 's/^guest linux: exits: *//' -e 's/, total /\ntotal /' -e 's/), /)\n/g' <<<"$exits")
	echo "  (first VM entry to the power-off; the hypervisor's report: ${stopped#guest linux: })"
	echo "  (avg TSC: instructions from the return of vcpu_enter to the end of vcpu_run_once, or for an exit of the fast"
	echo "  path from its first RDTSC to its statistics (vmx/fast_exit.c); without the way out of and back"
	if num "$lin_d" && [ "$lin_d" -gt 0 ]; then
		echo "  into the guest; count x avg, in all: $(awk -v s="$sum" -v b="$lin_d" \
			'BEGIN { printf "%.1f", 100 * s / b }')% of the Linux boot without the hypervisor)"
	else
		echo "  into the guest)"
	fi
else
	ok=0
	echo "  missing: no \"guest linux: exits:\" line; see $dir/hv/serial.txt"
fi
echo "  ($((SECONDS - t0)) s of wall time)"
[ "$ok" = 1 ] || { echo "bench-linux: a run failed; see $dir/" >&2; exit 1; }
