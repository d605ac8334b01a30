#!/bin/bash
# tools/mkguest.sh [OUTDIR] - builds the default Linux guest into OUTDIR
# (default build/guest), once:
#   OUTDIR/vmlinuz     Debian 12's stock linux-image-cloud-amd64 kernel
#   OUTDIR/initrd.img  an initramfs of Debian's busybox-static whose /init
#                      mounts /proc, /sys and /dev, prints "hv-guest: ..."
#                      lines (banner, memory map, CPUs, hypervisor flag) and
#                      gives a shell on the serial console (ttyS0); with
#                      /bin/hvcpus (tools/guest/hvcpus.c), which prints what
#                      each CPU sees: APIC ID, hypervisor flag and CPUID
#                      leaf, words read at physical addresses it is given
# HV_GUEST_TOOLS: the programs of tools/guest/ built (the Makefile passes
# them); if unset, `make guest-tools` builds them into build/guest-tools/.
# The .deb files come from Debian's archive through `apt-get download` (run
# as root here; needs `apt-get update` once on a fresh machine) and are kept
# in OUTDIR/debs. Does nothing when both outputs are newer than this script.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$here/build/guest}")
self=$here/tools/mkguest.sh

# One build at a time (tests/run.sh runs several test scripts at once, and
# each makes sure of the guest): the others wait here, then find it fresh.
mkdir -p "$out"
exec 8>"$out/.mkguest.lock"
flock 8

if [ -z "${HV_GUEST_TOOLS:-}" ]; then
	make -C "$here" -s --no-print-directory guest-tools >&2
	HV_GUEST_TOOLS=$(find "$here/build/guest-tools" -maxdepth 1 -type f | sort)
fi
# shellcheck disable=SC2206 # a list of paths without blanks
guest_tools=($HV_GUEST_TOOLS)
fresh=1
for f in "$self" "${guest_tools[@]}"; do
	[ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] &&
		[ "$out/vmlinuz" -nt "$f" ] && [ "$out/initrd.img" -nt "$f" ] || fresh=0
done
[ "$fresh" = 0 ] || exit 0

for t in apt-get apt-cache dpkg-deb cpio gzip; do
	if ! command -v "$t" >/dev/null; then
		echo "mkguest: $t is missing (Debian packages apt, dpkg, cpio, gzip; run tools/deps.sh)" >&2
		exit 1
	fi
done

debs=$out/debs
mkdir -p "$debs"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hv-guest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# apt-get download PKG... into $debs (by way of a scratch directory, so a
# failed run leaves no partial file); an `apt-get update` and a retry if it
# fails (a fresh machine has no package lists), as root only; other users
# get the command to run.
fetch() {
	local dl=$tmp/dl
	rm -rf "$dl"
	mkdir -p "$dl"
	if ! (cd "$dl" && apt-get download "$@" >"$tmp/apt.log" 2>&1); then
		if [ "$(id -u)" -ne 0 ]; then
			cat "$tmp/apt.log" >&2
			# Usually the package lists are missing: only root can fetch them.
			echo "mkguest: cannot download $*; update the package lists (as root) and retry:" >&2
			echo "  sudo apt-get update && $self $out" >&2
			exit 1
		fi
		echo "mkguest: apt-get download failed; running apt-get update and retrying" >&2
		apt-get update >"$tmp/update.log" 2>&1 || { cat "$tmp/update.log" >&2; exit 1; }
		if ! (cd "$dl" && apt-get download "$@" >"$tmp/apt.log" 2>&1); then
			cat "$tmp/apt.log" >&2
			echo "mkguest: apt-get download $* failed" >&2
			exit 1
		fi
	fi
	mv "$dl"/*.deb "$debs/"
}

# The meta package names the current kernel package: linux-image-VERSION-cloud-amd64.
kpkg_of() {
	apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -nE 's/^ *Depends: (linux-image-[0-9][^ ]*-cloud-amd64)$/\1/p' | head -n 1
}

# A cached kernel .deb is reused as it is; the archive is asked only when none is.
kdeb=$(find "$debs" -maxdepth 1 -name 'linux-image-[0-9]*-cloud-amd64_*.deb' | sort | tail -n 1)
if [ -z "$kdeb" ]; then
	echo "mkguest: downloading linux-image-cloud-amd64 from Debian's archive" >&2
	fetch linux-image-cloud-amd64
	kpkg=$(kpkg_of)
	if [ -z "$kpkg" ]; then # lists not read yet: the meta package itself says
		meta=$(find "$debs" -maxdepth 1 -name 'linux-image-cloud-amd64_*.deb' | sort | tail -n 1)
		kpkg=$(dpkg-deb -f "$meta" Depends | sed -nE 's/^(linux-image-[^ ,]*-cloud-amd64).*/\1/p')
	fi
	[ -n "$kpkg" ] || { echo "mkguest: cannot tell which kernel linux-image-cloud-amd64 depends on" >&2; exit 1; }
	echo "mkguest: downloading $kpkg" >&2
	fetch "$kpkg"
	kdeb=$(find "$debs" -maxdepth 1 -name "${kpkg}_*.deb" | sort | tail -n 1)
fi
bdeb=$(find "$debs" -maxdepth 1 -name 'busybox-static_*.deb' | sort | tail -n 1)
if [ -z "$bdeb" ]; then
	echo "mkguest: downloading busybox-static from Debian's archive" >&2
	fetch busybox-static
	bdeb=$(find "$debs" -maxdepth 1 -name 'busybox-static_*.deb' | sort | tail -n 1)
fi

# The kernel.
dpkg-deb -x "$kdeb" "$tmp/kernel"
vmlinuz=$(find "$tmp/kernel/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
[ -n "$vmlinuz" ] || { echo "mkguest: no /boot/vmlinuz-* in $kdeb" >&2; exit 1; }
kver=${vmlinuz##*/vmlinuz-}

# The initramfs: busybox and its applet links, /init, a profile for the shell.
root=$tmp/root
dpkg-deb -x "$bdeb" "$tmp/busybox"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
cp "$tmp/busybox/bin/busybox" "$root/bin/busybox"
mkdir -p "$root/lib/modules"
# The cpuid and msr drivers (modules in Debian's kernel): /dev/cpu/0/cpuid, /dev/cpu/0/msr.
for ko in cpuid msr; do
	f=$(find "$tmp/kernel/lib/modules" -name "$ko.ko" | head -n 1)
	[ -z "$f" ] || cp "$f" "$root/lib/modules/$ko.ko"
done
# The host runs the static binary to list its applets (x86-64 like the guest).
"$root/bin/busybox" --list-full | while IFS= read -r applet; do
	# (links point at /bin/busybox: dangling on the host, -L sees them)
	[ "$applet" = bin/busybox ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
[ -L "$root/bin/sh" ] || ln -s busybox "$root/bin/sh"
# /bin/hvmark: ioperm(0x404, 1, 1), outb 1 to it, exit(0). Debian's cloud
# kernel has no /dev/port (CONFIG_DEVPORT is not set), so a program it is.
cat >"$tmp/hvmark.S" <<'MARK'
	.globl _start
	.text
_start:
	mov $173, %eax		/* ioperm */
	mov $0x404, %edi
	mov $1, %esi
	mov $1, %edx
	syscall
	mov $0x404, %dx
	mov $1, %al
	outb %al, %dx
	mov $60, %eax		/* exit(0) */
	xor %edi, %edi
	syscall
MARK
${CC:-clang} -nostdlib -static -Wl,--build-id=none -o "$root/bin/hvmark" "$tmp/hvmark.S"
for f in "${guest_tools[@]}"; do
	cp "$f" "$root/bin/${f##*/}"
done

cat >"$root/init" <<'INIT'
#!/bin/sh
# /init of hv's default guest (tools/mkguest.sh): prints what the kernel
# sees, then a shell on the serial console. Lines meant for the tests start
# with "hv-guest: ".
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root ENV=/etc/shrc
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo "hv-guest: init started"
# hvguest.mark on the kernel command line: /bin/hvmark writes 1 to the
# unused port 0x404 here, so that an emulator's log dates the banner above
# (Bochs logs writes to unused ports with its tick count: make bench, tests).
# A port, not an MSR: the hypervisor refuses MSRs it does not know itself.
for word in $(cat /proc/cmdline); do
	case $word in
	hvguest.mark)
		/bin/hvmark
		echo "hv-guest: marked: port 0x404" ;;
	esac
done
echo "hv-guest: kernel: $(uname -r)"
echo "hv-guest: cmdline: $(cat /proc/cmdline)"
grep -i -e reserved -e 'System RAM' /proc/iomem | sed 's/^/hv-guest: iomem: /'
echo "hv-guest: $(grep '^MemTotal:' /proc/meminfo)"
echo "hv-guest: cpus: $(grep -c '^processor' /proc/cpuinfo)"
echo "hv-guest: nproc: $(nproc), online: $(cat /sys/devices/system/cpu/online)"
if grep -m 1 '^flags' /proc/cpuinfo | grep -qw hypervisor; then
	echo "hv-guest: hypervisor flag: yes"
	# The hypervisor's CPUID leaf 0x40000000 (EAX max leaf, EBX:ECX:EDX
	# signature), read through the cpuid driver: /dev/cpu/0/cpuid at offset LEAF.
	# (Not "tr -c [:print:]": busybox gets that complement wrong.)
	insmod /lib/modules/cpuid.ko 2>/dev/null
	if [ -e /dev/cpu/0/cpuid ]; then
		leaf() { dd if=/dev/cpu/0/cpuid bs=16 skip=$((0x4000000)) count=1 2>/dev/null; }
		set -- $(leaf | od -A n -t x4)
		echo "hv-guest: cpuid 0x40000000: max leaf 0x$1, signature \"$(leaf | tail -c 12 | tr '\000-\037\177-\377' .)\""
	fi
else
	echo "hv-guest: hypervisor flag: no"
fi
dmesg | grep -i hypervisor | sed 's/^/hv-guest: dmesg: /'
# Every online CPU: its APIC ID, hypervisor flag and CPUID leaf 0x40000000
# ("hv-guest: cpu N: ..."). The tests type `hvcpus ADDR...` too, with the
# hypervisor's reserved range as the hypervisor's boot lines give it: init
# reads no physical address itself (firmware "Reserved" ranges on a real
# machine may be device registers that a read disturbs).
/bin/hvcpus
echo "hv-guest: power off with: poweroff -f"
echo "hv-guest: shell ready"
# One shell after another: init must never exit (the kernel would panic).
while :; do
	setsid cttyhack /bin/sh
	echo "hv-guest: shell exited; starting another"
	sleep 1
done
INIT
chmod 755 "$root/init"

cat >"$root/etc/shrc" <<'SHRC'
# read by every interactive shell of hv's default guest ($ENV)
PS1='hv-guest# '
# Without an init daemon, only the forced forms work.
alias poweroff='poweroff -f' reboot='reboot -f' halt='halt -f'
SHRC
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

# newc_node NAME MODE MAJOR MINOR: one cpio "newc" record for a device node,
# so that the kernel finds /dev/console before /init runs without this
# script needing root to mknod it.
newc_node() {
	local name=$1 mode=$2 major=$3 minor=$4 len pad
	len=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$len" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + len) % 4) % 4))
	head -c "$pad" /dev/zero
}
newc_trailer() {
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 11 0
	printf 'TRAILER!!!\0'
	head -c 3 /dev/zero # 110 + 11 = 121: pad to 124
}

(
	cd "$root"
	find . -mindepth 1 | sed 's,^\./,,' | LC_ALL=C sort |
		cpio -o -H newc --owner=0:0 --quiet
	# A second archive right after the first: the kernel unpacks both.
	newc_node dev/console $((8#020600)) 5 1
	newc_trailer
) | gzip -9 -n >"$tmp/initrd.img"

mkdir -p "$out"
cp "$vmlinuz" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$tmp/initrd.img" "$out/initrd.img"
echo "$kver" >"$out/version"
echo "mkguest: $out: vmlinuz ($kver, $(du -k "$out/vmlinuz" | cut -f1) KiB), initrd.img ($(du -k "$out/initrd.img" | cut -f1) KiB)" >&2
