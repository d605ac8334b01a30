#!/bin/bash
# tools/check-layers.sh [--all] [--test] - checks the hypervisor's #include
# lines against its layers (docs/architecture.md, "Layers"). Prints each
# violation as "file: includes X (why not)" and a summary; exits 1 if any.
#   --all   also fails on the PENDING includes below (shows what is left).
#   --test  prefixes each violation with "FAIL: ", the summary of a clean
#           check with "PASS: " (tests/run.sh counts them).
# Checked: every .c and .h under the source folders. Not checked: tests/ and
# tools/ (test code may include anything) and system headers (<stdint.h>).
set -eu
cd "$(dirname "$0")/.."

# The rules. Written once here; docs/architecture.md quotes them.
#
# 1. LAYERS, lowest first: a file may include headers of its own folder and
#    of folders earlier in this list. A subfolder is a layer of its own
#    (guest/dev is not part of guest).
LAYERS='
lib           freestanding library: strings, formatting, address types, print
boot/info     what the boot loader handed over (Multiboot2 parser, boot_info)
arch          the CPU: instructions, GDT/IDT/traps, stacks, TSC, MTRRs, MCA
mm            host memory: memory map, frames, heap, page tables, device window
drivers       console, UART, IPIs and the cross-CPU request channel
drivers/acpi  ACPI table readers (RSDP, FADT, MADT), copies of them for guests
guest/emul    instruction decoder/emulator, guest page walker, task switch
guest         vCPU, guest memory map and memory, exit statistics, TSC offset
drivers/iommu VT-d: the DMAR units, DMA page tables from the guest memory map
guest/policy  what a guest may see: CPUID and MSR policy
guest/dev     device models, port/MMIO registry, interrupts, resets
guest/load    guest loaders: ELF, Linux, Multiboot
guest/run     the run loop and hypercalls
vmx           the Intel VMX backend
shell         the debug shell
boot          hv_main: brings everything up
boot/efi      hv.efi, the UEFI application: configuration, boot information, chain loading
'
# 2. PRIVATE folders: their headers are included only from the folder
#    itself. Generic code reaches VMX through the backend interface only.
PRIVATE='vmx'
# 3. Pure sources (the Makefile's PURE_SRCS, also built into the host tests)
#    include, directly or through other headers, no hardware header: no
#    header of a source in HW_FOLDERS that is not pure, none of HW_HEADERS
#    (header-only: inline instructions, per-CPU state; lib/print.h, because
#    pure code returns errors (lib/format.h fmt_error) and its caller prints).
HW_FOLDERS='arch mm drivers vmx'
HW_HEADERS='arch/cpu.h vmx/vmx_insn.h vmx/vmcs_access.h vmx/vmx_cpu.h vmx/vmx_vcpu.h lib/print.h'
# 4. Within a folder no include cycle between modules. A module is foo.c
#    with foo.h; a header also belongs to each module of its folder that
#    defines what it declares (a header of several .c files ties them
#    together); a header that declares nothing defined is a module of its own.
#    (Across folders the layers decide: lib/print.h declares what
#    drivers/console.c defines, so that every layer can print.)
#    Exempt: the groups below, each one concept split into files for size
#    ("folder/a folder/b ...: why they are one concept"). Merging is better.
ONE_CONCEPT='
mm/pagetable mm/pagetable_edit: one set of paging structures; editing them (split, unmap, merge) is in its own file for size and shares pt_table_alloc
guest/emul/insn_emulate guest/emul/insn_alu guest/emul/insn_cond guest/emul/insn_string guest/emul/insn_priv: the instruction emulator, split by instruction class; insn_priv.h is its internal header
guest/emul/insn_decode guest/emul/insn_table: the decoder and its opcode tables (the tables are its data, typed by its enum insn_kind)
'
# Includes that break the rules and are being removed by other work
# ("file included-header  who"): not failures unless --all; an entry that no
# longer matches is one (delete it). The final state has none.
PENDING='
'

all=0 test=0
for a in "$@"; do
	case $a in
	--all) all=1 ;;
	--test) test=1 ;;
	*) echo "usage: $0 [--all] [--test]" >&2; exit 2 ;;
	esac
done

dirs=$(awk 'NF { print $1 }' <<<"$LAYERS")
# docs/architecture.md quotes LAYERS (the first block under "## Layers"): the same lines.
doc_layers=$(awk '/^## Layers/ { on = 1 } on && /^```/ { if (in_block) exit; in_block = 1; next } in_block' docs/architecture.md)
doc_differs=0
[ "$doc_layers" = "$(awk NF <<<"$LAYERS")" ] || doc_differs=1
# Pure sources: the words of the Makefile's PURE_SRCS := / += lines.
pure=$(awk '/^PURE_SRCS[ \t]*[:+]?=/ { on = 1 }
	on { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/) print $i; if ($NF != "\\") on = 0 }' Makefile)
mapfile -t dir_list <<<"$dirs"
mapfile -t files < <(find "${dir_list[@]}" -maxdepth 1 -name '*.[ch]' | sort)
mapfile -t asms < <(find "${dir_list[@]}" -maxdepth 1 -name '*.asm' | sort)
# Every source folder the Makefile builds (all folders under these) has a layer.
mapfile -t tops < <(awk -F/ '{ print $1 }' <<<"$dirs" | sort -u)
unlisted=$(find "${tops[@]}" -type d | grep -vxF "$dirs" || true)
# One awk pass over every file: its includes, the functions and variables its
# top level declares (.h) or defines (.c, .asm globals).
awk -v layers="$dirs" -v private="$PRIVATE" -v pure="$pure" -v hwf="$HW_FOLDERS" \
    -v hwh="$HW_HEADERS" -v oneconcept="$ONE_CONCEPT" -v pending="$PENDING" \
    -v all="$all" -v test="$test" -v nfiles="${#files[@]}" -v unlisted="$unlisted" -v doc_differs="$doc_differs" '
function dir(f) { return f ~ /\// ? substr(f, 1, match(f, /\/[^\/]*$/) - 1) : "." }
function base(f) { sub(/^.*\//, "", f); return f }
function stem(f) { sub(/\.[a-z]+$/, "", f); return (f in merged) ? merged[f] : f }
function report(file, inc, why,   key) {
	key = file " " inc
	if (key in pend) { pend_hit[key] = 1; if (!all) { npending++; return } }
	nviol++
	printf "%s%s: includes %s (%s)\n", (test ? "FAIL: " : ""), file, inc, why
}
# The name a top-level declaration or definition line introduces ("" if none).
function declared(line,   head, cut) {
	if (line !~ /^[A-Za-z_]/ || line ~ /^(static|typedef|enum|union|_Static_assert|DEFINE_)/ || \
	    line ~ /^struct [A-Za-z_0-9]+ *\{/ || line ~ /^[A-Za-z_0-9]+:/)
		return ""
	if (match(line, /\(\*[A-Za-z_0-9]+\)/)) return substr(line, RSTART + 2, RLENGTH - 3)
	cut = match(line, /[(\[=;]/)
	if (!cut) return ""
	head = substr(line, 1, cut - 1)
	if (!match(head, /[A-Za-z_][A-Za-z_0-9]*[ \t]*$/)) return ""
	head = substr(head, RSTART); sub(/[ \t]+$/, "", head)
	return head
}
BEGIN {
	n = split(layers, L, "\n")
	for (i = 1; i <= n; i++) rank[L[i]] = i
	split(private, P, " "); for (i in P) priv[P[i]] = 1
	n = split(pure, X, "\n"); for (i = 1; i <= n; i++) if (X[i] != "") ispure[X[i]] = 1
	split(hwf, H, " "); for (i in H) hwfolder[H[i]] = 1
	split(hwh, H, " "); for (i in H) hwhdr[H[i]] = 1
	n = split(oneconcept, X, "\n")
	for (i = 1; i <= n; i++) {
		m = split(substr(X[i], 1, index(X[i], ":") - 1), w, " ")
		for (j = 2; j <= m; j++) merged[w[j]] = w[1]
	}
	n = split(pending, X, "\n")
	for (i = 1; i <= n; i++) if (split(X[i], w, " ") >= 2) pend[w[1] " " w[2]] = 1
}
FNR == 1 { exists[FILENAME] = 1 }
/^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
	nincs++
	incs[FILENAME] = incs[FILENAME] " " inc
	from[++ne] = FILENAME; to[ne] = inc
	next
}
FILENAME ~ /\.asm$/ && $1 == "global" { def[$2] = FILENAME; next }
FILENAME ~ /\.h$/ { name = declared($0 ~ /^extern / ? substr($0, 8) : $0); if (name != "") decls[FILENAME] = decls[FILENAME] " " name; next }
FILENAME ~ /\.c$/ && $0 !~ /^extern / { name = declared($0); if (name != "" && !(name in def)) def[name] = FILENAME }
# The modules a file belongs to: foo.c and foo.h are module foo; a header
# also belongs to every module of its folder that defines what it declares;
# a header that belongs to none is a module of its own.
function mods(f,   s, n, i, w, m, out) {
	if (f in modmemo) return modmemo[f]
	s = stem(f); out = ""
	if (f !~ /\.h$/ || ((substr(f, 1, length(f) - 1) "c") in exists)) out = " " s
	n = split(decls[f], w, " ")
	for (i = 1; i <= n; i++) if ((w[i] in def) && dir(def[w[i]]) == dir(f)) {
		m = stem(def[w[i]])
		if (index(out " ", " " m " ") == 0) out = out " " m
	}
	if (out == "") out = " " s
	return modmemo[f] = out
}
END {
	n = split(unlisted, X, "\n")
	for (i = 1; i <= n; i++) if (X[i] != "") {
		nviol++
		printf "%s%s/: a source folder in no layer: add it to LAYERS\n", (test ? "FAIL: " : ""), X[i]
	}
	if (doc_differs) {
		nviol++
		printf "%sdocs/architecture.md: its Layers list is not LAYERS in tools/check-layers.sh\n", (test ? "FAIL: " : "")
	}
	# Rules 1 and 2: layers and private folders.
	for (e = 1; e <= ne; e++) {
		f = from[e]; h = to[e]; df = dir(f); dh = dir(h)
		if (!(df in rank)) { report(f, h, "folder " df " is in no layer: add it to LAYERS"); continue }
		if (!(dh in rank)) { report(f, h, "folder " dh " is in no layer: add it to LAYERS"); continue }
		if (rank[dh] > rank[df])
			report(f, h, "layer " df " may not include layer " dh)
		else if ((dh in priv) && dh != df)
			report(f, h, dh "/ headers are included only from " dh "/")
	}
	# Rule 3: hardware headers, through any chain of headers.
	for (f in ispure) {
		srcs[1] = f; srcs[2] = substr(f, 1, length(f) - 1) "h"
		for (s = 1; s <= 2; s++) {
			n = split(incs[srcs[s]], direct, " ")
			for (i = 1; i <= n; i++) {
				via = hw_via(direct[i])
				if (via != "")
					report(srcs[s], direct[i], "pure code may not include hardware header " via)
			}
		}
	}
	# Rule 4: cycles between the modules of one folder.
	for (e = 1; e <= ne; e++) {
		if (dir(from[e]) != dir(to[e])) continue
		na = split(mods(from[e]), A, " "); nb = split(mods(to[e]), B, " ")
		for (i = 1; i <= na; i++) for (j = 1; j <= nb; j++) if (A[i] != B[j]) {
			reach[A[i], B[j]] = 1; node[A[i]] = 1; node[B[j]] = 1
		}
	}
	for (k in node) for (i in node) if ((i, k) in reach) for (j in node) if ((k, j) in reach) reach[i, j] = 1
	for (e = 1; e <= ne; e++) {
		if (dir(from[e]) != dir(to[e])) continue
		na = split(mods(from[e]), A, " "); nb = split(mods(to[e]), B, " ")
		cyc = ""
		for (i = 1; i <= na; i++) for (j = 1; j <= nb; j++)
			if (A[i] != B[j] && ((B[j], A[i]) in reach) && index(cyc " ", " " base(A[i]) " <-> " base(B[j]) " ") == 0)
				cyc = cyc (cyc == "" ? "" : ",") " " base(A[i]) " <-> " base(B[j])
		if (cyc != "") {
			why = ""
			if (mods(to[e]) != " " stem(to[e])) {
				nb = split(mods(to[e]), B, " ")
				for (j = 1; j <= nb; j++) why = why " " base(B[j]) ".c"
				why = "; " base(to[e]) " declares what" why " define"
			}
			report(from[e], to[e], "include cycle in " dir(from[e]) "/:" cyc why)
		}
	}
	for (k in pend) if (!(k in pend_hit)) {
		nviol++
		printf "%s%s: PENDING entry no longer needed: delete it from tools/check-layers.sh\n", (test ? "FAIL: " : ""), k
	}
	printf "%scheck-layers: %d files, %d includes: %d violations", \
		(test && !nviol ? "PASS: " : ""), nfiles, nincs, nviol
	if (npending) printf " (%d more left to other work: --all shows them)", npending
	printf "\n"
	exit (nviol > 0)
}
# The first hardware header reached from header h ("" if none), as "x" or "x through h".
function hw_via(h,   c, d, n, i, r, w) {
	if (h in hwmemo) return hwmemo[h]
	hwmemo[h] = ""                     # a cycle ends here
	d = dir(h)
	c = substr(h, 1, length(h) - 1) "c"
	if ((h in hwhdr) || ((d in hwfolder) && (c in exists) && !(c in ispure)))
		return hwmemo[h] = h
	n = split(incs[h], w, " ")
	for (i = 1; i <= n; i++) {
		r = hw_via(w[i])
		if (r != "") return hwmemo[h] = (r ~ / through /) ? r : r " through " h
	}
	return ""
}
' "${files[@]}" "${asms[@]}"
