# tests/lib/hvcpus.sh - checks of the default Linux guest's /bin/hvcpus
# (tools/guest/hvcpus.c) for test_linux.sh and test_smp.sh. Sourced after
# tests/lib/harness.sh, during a run of the guest under the hypervisor with
# its console on a socket (start_bochs_interactive).
#
#   hvcpus_boot_lines N        init's own hvcpus call: N CPUs, each with the
#                              hypervisor flag and leaf 0x40000000
#   iomem_reserved_start FROM TO A B
#                              prints the start (0x...) of the guest's
#                              "Reserved" range in its "hv-guest: iomem:" lines
#                              (serial lines FROM..TO) that contains [A, B]
#   hvcpus_hidden N RES A B    types `hvcpus RES A B-3`: on each of N CPUs,
#                              all three words read as all ones (the
#                              hypervisor's hidden memory, docs/architecture.md)
# shellcheck shell=bash

HVCPUS_LEAF='hypervisor flag yes, cpuid 0x40000000: max leaf 0x[0-9a-f]+, signature "hvhvhvhvhvhv"'

hvcpus_boot_lines() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		expect_line "hvcpus: CPU $i has the hypervisor flag and leaf 0x40000000" \
			"^hv-guest: cpu $i: APIC ID [0-9]+, $HVCPUS_LEAF\$"
	done
	expect_line "hvcpus: $n CPUs" "^hv-guest: hvcpus: $n CPUs\$"
}

iomem_reserved_start() {
	local from=$1 to=$2 a=$3 b=$4 line lo hi
	[ -n "$a" ] && [ -n "$b" ] || return 0
	while IFS= read -r line; do
		[[ $line =~ ^hv-guest:\ iomem:\ +([0-9a-f]+)-([0-9a-f]+)\ :\ Reserved$ ]] || continue
		lo=$((16#${BASH_REMATCH[1]})) hi=$((16#${BASH_REMATCH[2]}))
		if [ "$lo" -le "$((a))" ] && [ "$((b))" -le "$hi" ]; then
			printf '0x%x\n' "$lo"
			return 0
		fi
	done < <(sed -n "${from},${to}p" "$H_TXT")
}

hvcpus_hidden() {
	local n=$1 res=$2 a=$3 b=$4 last i
	if [ -z "$res" ] || [ -z "$a" ] || [ -z "$b" ]; then
		h_result FAIL "hvcpus: the hypervisor's reserved range is unknown (reserved '$res', memory '$a'-'$b')"
		return 0
	fi
	a=$(printf '0x%x' "$a") last=$(printf '0x%x' $((b - 3)))
	send_line "hvcpus $res $a $last"
	for ((i = 0; i < n; i++)); do
		expect_line "hvcpus: CPU $i reads all ones at $res, $a and $last (the hypervisor's memory)" \
			"^hv-guest: cpu $i: APIC ID [0-9]+, $HVCPUS_LEAF, $res: ffffffff, $a: ffffffff, $last: ffffffff\$"
	done
	expect_line "hvcpus: $n CPUs read it" "^hv-guest: hvcpus: $n CPUs\$"
}
