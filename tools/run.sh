#!/bin/bash
# tools/run.sh - `make run`: boots build/hv-linux.iso (the hypervisor with the
# default Linux guest, `make iso`) with the serial console on this terminal,
# so you can type into the guest's shell.
#
#   HV_EMU=qemu-kvm   QEMU with KVM, -cpu host: real VMX (needs an Intel host
#                     with VMX visible, e.g. nested KVM)
#   HV_EMU=bochs      Bochs, Skylake-X with emulated VMX; the console is this
#                     terminal (input too, through socat) when stdin and
#                     stdout are one, else output only
#   HV_EMU=qemu       QEMU TCG with SeaBIOS (no VMX: boot path and console)
#   HV_EMU=qemu-ovmf  QEMU TCG with OVMF (UEFI)
#   default: qemu-kvm if /dev/kvm is usable and the CPU has vmx, else bochs.
#   HV_MEM=1G         guest RAM (N, NM or NG; plain N is MiB)
#   HV_CMDLINE="..."  boot an image rebuilt with this hypervisor command line
#                     (same guest modules: build/guest, HV_LINUX_CMDLINE)
#   HV_LINUX_CMDLINE  the guest kernel's command line for HV_CMDLINE images
#                     (`make run` passes the Makefile's LINUX_CMDLINE)
#   HV_ISO=path       boot another image (build/hv.iso: the hypervisor alone)
#
#   tools/run.sh --check          only choose the emulator and check that this
#                                 machine can run it (`make run` does this first)
#   tools/run.sh --print-bochsrc  print the Bochs configuration and stop
#   HV_CPUINFO, HV_KVM_DEV, HV_KVM_NESTED: files read instead of
#   /proc/cpuinfo, /dev/kvm, /sys/module/kvm_intel/parameters/nested (tests)
set -eu
cd "$(dirname "$0")/.."

mode=run
case ${1:-} in
'') ;;
--check) mode=check ;;
--print-bochsrc) mode=print-bochsrc ;;
*) echo "run: unknown argument '$1' (--check or --print-bochsrc)" >&2; exit 2 ;;
esac
cpuinfo=${HV_CPUINFO:-/proc/cpuinfo}
kvm_dev=${HV_KVM_DEV:-/dev/kvm}
kvm_nested=${HV_KVM_NESTED:-/sys/module/kvm_intel/parameters/nested}

# kvm_problem: why QEMU with KVM cannot give the hypervisor VMX here, with
# what to do; nothing if it can. The guest (our hypervisor) sees VMX only
# if this CPU has it, KVM is usable, and kvm_intel lets guests nest.
kvm_problem() {
	local nested
	if [ "$(grep -cw vmx "$cpuinfo" 2>/dev/null)" = 0 ]; then
		echo "this CPU has no VMX (grep -c vmx $cpuinfo: 0): not an Intel CPU with VT-x, VT-x is off in the firmware setup, or this machine is itself a virtual machine without nested VMX"
	elif [ ! -e "$kvm_dev" ]; then
		echo "$kvm_dev does not exist: load KVM (sudo modprobe kvm_intel nested=1)"
	elif ! [ -r "$kvm_dev" ] || ! [ -w "$kvm_dev" ]; then
		echo "$kvm_dev is not usable by $(id -un): add yourself to its group (sudo adduser $(id -un) kvm) and log in again"
	elif [ -r "$kvm_nested" ] && nested=$(cat "$kvm_nested") && [ "$nested" != Y ] && [ "$nested" != 1 ]; then
		echo "kvm_intel does not nest (nested=$nested): QEMU's guest would get no VMX; reload it with sudo modprobe -r kvm_intel && sudo modprobe kvm_intel nested=1"
	fi
}

# bochs_memory MIB: Bochs' memory line. megs: stops at 2048 MiB; beyond it
# the host buffer stays at 2048 and the guest sees the whole size
# (test-platform.md: host=2048, guest=4096 boots).
bochs_memory() {
	if [ "$1" -le 2048 ]; then
		echo "megs: $1"
	else
		echo "memory: host=2048, guest=$1"
	fi
}

run_dir=build/run
iso=${HV_ISO:-build/hv-linux.iso}

mem=${HV_MEM:-1G}
case $mem in
*[Gg]) mem=$((${mem%?} * 1024)) ;;
*[Mm]) mem=${mem%?} ;;
esac
case $mem in
'' | *[!0-9]*) echo "run: HV_MEM=${HV_MEM:-}: give N, NM or NG" >&2; exit 2 ;;
esac

emu=${HV_EMU:-}
[ "$mode" != print-bochsrc ] || emu=bochs
problem=$(kvm_problem)
if [ -n "$emu" ]; then
	why="HV_EMU=$emu"
elif [ -z "$problem" ]; then
	emu="qemu-kvm"
	why="$kvm_dev is usable and the CPU has VMX"
else
	emu=bochs # the only VMX these hosts have is Bochs' emulated one
	why="no KVM with VMX: $problem; Bochs emulates VMX"
fi
case $emu in
qemu-kvm | qemu | qemu-ovmf | bochs) ;;
*)
	echo "run: HV_EMU=$emu: use qemu-kvm, qemu, qemu-ovmf or bochs" >&2
	exit 2
	;;
esac
# Before anything boots: without VMX the hypervisor would only say so after
# the firmware and GRUB, minutes later under QEMU.
if [ "$emu" = qemu-kvm ] && [ -n "$problem" ]; then
	echo "run: HV_EMU=qemu-kvm cannot give the hypervisor VMX on this machine: $problem." >&2
	echo "run: what to do: fix that, or run it in Bochs, which emulates VMX: HV_EMU=bochs make run (or leave HV_EMU unset)" >&2
	exit 1
fi
if [ "$mode" = check ]; then
	echo "run: will use $emu: $why"
	exit 0
fi

if [ -n "${HV_CMDLINE:-}" ]; then
	mkdir -p "$run_dir"
	guest=(build/guest/vmlinuz "guest hv.name=linux ${HV_LINUX_CMDLINE:-console=ttyS0,115200}"
		build/guest/initrd.img initrd)
	[ -s build/guest/vmlinuz ] || guest=() # no default guest (make guest): the hypervisor alone
	[ "$mode" != run ] || tools/mkiso.sh "$run_dir/hv-cmdline.iso" build/hv.elf "$HV_CMDLINE" "${guest[@]}"
	iso=$run_dir/hv-cmdline.iso
fi
if [ ! -s "$iso" ] && [ "$mode" = run ]; then
	echo "run: $iso is missing: run make iso (or make run)" >&2
	exit 1
fi
[ "$mode" != run ] || echo "run: chose $emu: $why"

# -no-reboot: a triple fault stops QEMU instead of looping through the firmware.
qemu=(qemu-system-x86_64 -m "$mem" -serial mon:stdio -display none -no-reboot -cdrom "$iso")
case $emu in
qemu-kvm)
	echo "run: QEMU with KVM (-cpu host), $mem MiB, $iso; quit with Ctrl-A X"
	exec "${qemu[@]}" -enable-kvm -cpu host
	;;
qemu)
	echo "run: QEMU TCG + SeaBIOS (no VMX), $mem MiB, $iso; quit with Ctrl-A X"
	exec "${qemu[@]}"
	;;
qemu-ovmf)
	echo "run: QEMU TCG + OVMF (no VMX), $mem MiB, $iso; quit with Ctrl-A X"
	exec "${qemu[@]}" -bios /usr/share/ovmf/OVMF.fd
	;;
bochs)
	# Bochs' own chatter goes to a file. With a terminal on stdin and
	# stdout, the console is that terminal both ways: Bochs serves COM1 on a
	# local TCP port (it waits for the connection before it starts) and
	# socat bridges it to the terminal, raw, so that Ctrl-C reaches the
	# guest and Ctrl-] the hypervisor (its shell); Ctrl-\ ends socat, and
	# this script then stops Bochs. Emulated
	# time follows the wall clock there, so the guest's timers (sleep 1)
	# behave. (Bochs' serial "term" mode would need no bridge, but Debian's
	# build leaves Ctrl-C raw too: nothing would stop it.) Without a
	# terminal, the console is only printed (fd 3) and emulated time follows
	# the instruction count (faster, repeatable); Ctrl-C enters the Bochs
	# debugger, which reads EOF from /dev/null and quits.
	mkdir -p "$run_dir"
	interactive=0
	if [ -t 0 ] && [ -t 1 ]; then
		if command -v socat >/dev/null; then
			interactive=1
		else
			echo "run: socat is missing (make deps, or apt-get install socat): console output only"
		fi
	fi
	# bochsrc CLOCK COM1: prints the run's configuration.
	bochsrc() {
		cat <<EOF
# generated by tools/run.sh
$(bochs_memory "$mem")
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path="$PWD/$iso", status=inserted
boot: cdrom
cpu: model=corei7_skylake_x, ignore_bad_msrs=1
display_library: rfb, options="timeout=0"
clock: $1
sound: driver=dummy
com1: enabled=1, $2
log: "$PWD/$run_dir/bochs.log"
debug: action=ignore, unmapped=report
EOF
	}
	if [ "$mode" = print-bochsrc ]; then
		bochsrc "sync=none, time0=local" "mode=file, dev=/dev/fd/3"
		exit 0
	fi
	echo c >"$run_dir/bochs.rc"
	bochs=(bochs -q -f "$run_dir/bochsrc" -rc "$run_dir/bochs.rc")
	if [ "$interactive" = 0 ]; then
		bochsrc "sync=none, time0=local" "mode=file, dev=/dev/fd/3" >"$run_dir/bochsrc"
		echo "run: Bochs, Skylake-X with emulated VMX, $mem MiB, $iso; console output only; stop with Ctrl-C (log: $run_dir/bochs.log)"
		exec 3>&1
		exec "${bochs[@]}" </dev/null >"$run_dir/bochs.out" 2>&1
	fi

	echo "run: Bochs, Skylake-X with emulated VMX, $mem MiB, $iso (log: $run_dir/bochs.log)"
	echo "run: the console is this terminal: type into the guest's shell; Ctrl-] switches to the hv shell and back; Ctrl-C goes to the guest; quit with Ctrl-\\"
	saved=$(stty -g)
	bpid=""
	trap 'stty "$saved" 2>/dev/null || true; [ -z "$bpid" ] || kill "$bpid" 2>/dev/null || true' EXIT
	for _ in 1 2 3 4 5; do
		# A port nothing listens on; should another process take it first,
		# Bochs fails to bind and the next try picks another.
		while :; do
			port=$((20000 + RANDOM % 12000))
			(exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
		done
		bochsrc "sync=realtime, time0=local" "mode=socket-server, dev=localhost:$port" >"$run_dir/bochsrc"
		"${bochs[@]}" </dev/null >"$run_dir/bochs.out" 2>&1 &
		bpid=$!
		state=""
		for ((i = 0; i < 200; i++)); do
			if grep -q 'waiting for client to connect' "$run_dir/bochs.out"; then
				state=up
			elif grep -q 'bind() or listen() failed' "$run_dir/bochs.out" || ! kill -0 "$bpid" 2>/dev/null; then
				state=failed
			fi
			[ -z "$state" ] || break
			sleep 0.1
		done
		[ "$state" = failed ] || break
		wait "$bpid" 2>/dev/null || true
		bpid=""
		grep -q 'bind() or listen() failed' "$run_dir/bochs.out" || break
	done
	if [ -z "$bpid" ] || [ "$state" != up ]; then
		echo "run: Bochs did not start; its output ($run_dir/bochs.out) ends:" >&2
		tail -n 5 "$run_dir/bochs.out" >&2
		exit 1
	fi
	status=0
	socat STDIO,rawer,escape=0x1c "TCP:127.0.0.1:$port,retry=50,interval=0.1" || status=$?
	stty "$saved" 2>/dev/null || true
	kill "$bpid" 2>/dev/null || true
	wait "$bpid" 2>/dev/null || true
	bpid=""
	echo
	echo "run: stopped (socat status $status; Bochs' output: $run_dir/bochs.out)"
	;;
*)
	echo "run: HV_EMU=$emu: use qemu-kvm, qemu, qemu-ovmf or bochs" >&2
	exit 2
	;;
esac
