# Makefile - builds build/hv.elf and build/hv.iso; `make test`, `make run`, `make bench`.

VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
BUILD     := build

CC        := clang
LD        := ld.lld
NASM      := nasm
HOSTCC    := clang
V         ?= 0
Q         := $(if $(filter 1,$(V)),,@)

# Hypervisor sources: every .c and .asm in the source directories.
# boot/efi is hv.efi's (below), not the hypervisor image's.
SRC_DIRS  := $(shell find boot arch mm lib drivers vmx guest shell -type d -not -path 'boot/efi*')
HV_CSRCS  := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))
HV_ASRCS  := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.asm))
HV_OBJS   := $(patsubst %.c,$(BUILD)/hv/%.o,$(HV_CSRCS)) \
             $(patsubst %.asm,$(BUILD)/hv/%.asm.o,$(HV_ASRCS))

# Pure logic: no hardware access, built into both the hypervisor and the host tests.
PURE_SRCS := lib/format.c lib/cmdline.c lib/ksyms.c lib/hexdump.c lib/log.c lib/bit_names.c \
             mm/memmap.c mm/frame.c mm/heap.c mm/pagetable.c mm/pagetable_edit.c \
             boot/info/mb2.c boot/info/efi.c boot/info/efi_e820.c boot/info/hvcfg.c vmx/caps.c vmx/exit_decode.c vmx/vmcs_fields.c vmx/inject_rules.c \
             guest/load/elf.c guest/emul/gpt_walk.c guest/policy/cpuid_policy.c guest/policy/msr_policy.c guest/policy/apic_icr.c vmx/ept_layout.c \
             drivers/acpi/acpi_fadt.c guest/gmap.c mm/mtrr.c guest/exit_stats.c
PURE_SRCS += guest/emul/insn_table.c guest/emul/insn_decode.c guest/emul/insn_emulate.c guest/emul/insn_alu.c \
             guest/emul/insn_string.c guest/emul/insn_cond.c guest/dev/uart_model.c guest/load/linux_boot.c \
             guest/load/multiboot_info.c guest/dev/reset_decode.c guest/dev/pci_busmaster.c guest/vm.c
PURE_SRCS += guest/emul/task_switch.c guest/emul/insn_cache.c
PURE_SRCS += shell/line_edit.c shell/cmd_parse.c drivers/console_mux.c
PURE_SRCS += vmx/ept_space.c
PURE_SRCS += mm/hv_layout.c arch/lapic_state.c
PURE_SRCS += drivers/acpi/acpi_tables.c drivers/acpi/acpi_madt.c drivers/acpi/acpi_view.c guest/dev/isa_irq_route.c guest/dev/i8259_shadow.c vmx/intr_ready.c
PURE_SRCS += guest/tsc_offset.c vmx/vmcs_setup.c
PURE_SRCS += guest/exit_reason.c vmx/exit_map.c vmx/exit_state.c guest/policy/cpuid_table.c vmx/vmcs_shadow.c
PURE_SRCS += guest/load/efi_map.c guest/load/cpu_resume.c
PURE_SRCS += arch/mca_decode.c arch/tsc_origin.c arch/gdt.c arch/idt.c
PURE_SRCS += arch/cpu_request.c arch/lapic_icr.c
PURE_SRCS += guest/vcpu_state.c guest/run/vmx_census.c guest/policy/efer.c
PURE_SRCS += boot/info/efi_handoff.c boot/efi/core_load.c
PURE_SRCS += drivers/acpi/acpi_dmar.c drivers/iommu/vtd_sl.c drivers/iommu/vtd_sl_layout.c drivers/iommu/vtd_caps.c drivers/iommu/vtd_ctx.c drivers/iommu/vtd_fault.c drivers/iommu/vtd_qi.c drivers/iommu/vtd_shadow.c drivers/iommu/vtd_giveback.c
PURE_SRCS += boot/efi/ucs2.c boot/efi/devpath.c boot/efi/load_option.c boot/efi/cpu_list.c boot/efi/ap_outcome.c
PURE_SRCS := $(wildcard $(PURE_SRCS))

CFLAGS    := --target=x86_64-unknown-none-elf -std=gnu11 -O2 -g \
             -ffreestanding -nostdlib -fno-pic -fno-pie -mcmodel=kernel \
             -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-avx \
             -fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
             -fno-asynchronous-unwind-tables -fno-common -fno-strict-aliasing \
             -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
             -I. -DHV_VERSION='"$(VERSION)"' -MMD -MP
# The instrumented bench build (tools/bench.sh): counts the VMREADs/VMWRITEs
# of fields KVM does not shadow, per exit kind (vmx/vmcs_shadow.h).
ifeq ($(HV_VMCS_COUNT),1)
CFLAGS    += -DHV_VMCS_COUNT
endif
# The VM-exit fast path runs between vmx/entry.asm's exit stub and VMRESUME,
# with the guest's RBP in RBP: no frame chain to extend there, and the
# frame pointer's three instructions are a tenth of a fast exit
# (docs/benchmarks.md). A fault in a function it calls still shows that
# function and its return into vmx_fast_exit.
$(BUILD)/hv/vmx/fast_exit.o: CFLAGS += -fomit-frame-pointer -momit-leaf-frame-pointer
LDFLAGS   := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-pie -T linker.ld
NASMFLAGS := -f elf64 -g -F dwarf -w+all

HOST_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined -Wall -Wextra -Werror -Wno-unused-parameter \
               -Wno-unused-function -I. -DHOST_TEST

UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BINS := $(patsubst %.c,$(BUILD)/host/%,$(UNIT_SRCS))

.PHONY: all iso deps test unit integration run bench clean check-layers
all: $(BUILD)/hv.elf $(BUILD)/hv.iso $(BUILD)/hv.efi

include tests/guests/guests.mk

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/hv/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# Two link passes: the second adds the symbol table of the first (stack
# traces print names). It only grows .rodata, after all text, so the text
# addresses the table holds stay right; tools/check-image.sh verifies that.
$(BUILD)/ksyms0.c: tools/gen-ksyms.sh
	@mkdir -p $(dir $@)
	$(Q)tools/gen-ksyms.sh - $@

$(BUILD)/ksyms.c: $(BUILD)/hv0.elf tools/gen-ksyms.sh
	$(Q)tools/gen-ksyms.sh $< $@

$(BUILD)/%.o: $(BUILD)/%.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The include rules (docs/architecture.md, "Layers"): checked before the
# hypervisor links, again only when a source, header or the rules change.
HV_HSRCS := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.h))
$(BUILD)/check-layers.ok: $(HV_CSRCS) $(HV_HSRCS) $(HV_ASRCS) $(wildcard boot/efi/*.[ch]) tools/check-layers.sh Makefile docs/architecture.md
	@mkdir -p $(dir $@)
	$(Q)tools/check-layers.sh
	@touch $@

check-layers:
	tools/check-layers.sh

$(BUILD)/hv0.elf: $(HV_OBJS) $(BUILD)/ksyms0.o linker.ld $(BUILD)/check-layers.ok
	$(Q)$(LD) $(LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/ksyms0.o

$(BUILD)/hv.elf: $(HV_OBJS) $(BUILD)/ksyms.o linker.ld tools/check-image.sh $(BUILD)/check-layers.ok
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/ksyms.o
	$(Q)tools/check-image.sh $@ $(BUILD)/hv0.elf

# hv.efi: the UEFI application (boot/efi/, docs/architecture.md "hv.efi") with
# the hypervisor's own console, formatting and hv.cfg code, built as gnu-efi
# documents (Debian's gnu-efi 3.0.15): position-independent objects, linked as
# a shared object with its crt0 (which relocates the image and calls efi_main)
# and linker script, then copied into a PE32+ application by objcopy. Firmware
# calls go straight through the ms_abi function pointers (GNU_EFI_USE_MS_ABI).
# No SSE anywhere: the same flags as the hypervisor, so the code it shares with
# the core is built the same way.
# GNU ld, not ld.lld, for this one link: lld puts the dynamic relocations into
# its own .rela.dyn, which gnu-efi's script (its .rela section gathers the
# input sections .rela.data*, .rela.got) does not place, so lld sets it as an
# orphan at 0xe0, inside the first page where the PE headers go: objcopy then
# drops it or overlaps the headers, and crt0's _relocate would read garbage.
GNUEFI_DIR  := /usr/lib
EFI_LD      := ld.bfd
EFI_SRCS    := $(wildcard boot/efi/*.c) lib/format.c lib/string.c drivers/uart16550.c boot/info/hvcfg.c \
               boot/info/efi.c boot/info/efi_e820.c guest/load/elf.c boot/info/efi_handoff.c lib/cmdline.c \
               guest/load/cpu_resume.c drivers/acpi/acpi_madt.c drivers/acpi/acpi_tables.c drivers/acpi/acpi_fadt.c
EFI_OBJS    := $(patsubst %.c,$(BUILD)/efi/%.o,$(EFI_SRCS))
EFI_CFLAGS  := --target=x86_64-unknown-none-elf -std=gnu11 -O2 -g \
               -ffreestanding -fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-avx \
               -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-common \
               -fno-strict-aliasing -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
               -DGNU_EFI_USE_MS_ABI -I. -isystem /usr/include/efi -isystem /usr/include/efi/x86_64 \
               -DHV_VERSION='"$(VERSION)"' -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -T $(GNUEFI_DIR)/elf_x86_64_efi.lds -L$(GNUEFI_DIR)

$(BUILD)/efi/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (hv.efi)"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/hv.efi.so: $(EFI_OBJS) $(BUILD)/efi/hv_core.o $(BUILD)/check-layers.ok
	$(Q)$(EFI_LD) $(EFI_LDFLAGS) -o $@ $(GNUEFI_DIR)/crt0-efi-x86_64.o $(EFI_OBJS) $(BUILD)/efi/hv_core.o -lefi -lgnuefi

$(BUILD)/hv.efi: $(BUILD)/hv.efi.so
	@echo "  EFI     $@"
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .rel.* -j .rela.* \
		-j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# hv.elf inside hv.efi, for boot/efi/core_load.c: an object whose read-only
# data (.rodata.hv_core, which gnu-efi's linker script puts into .data) is
# the file without its debug sections, between the symbols hv_core_elf_start
# and hv_core_elf_end (and an empty .note.GNU-stack: no executable stack).
# hv.efi's link takes it with its other objects.
$(BUILD)/efi/hv_core.o: $(BUILD)/hv.elf
	@mkdir -p $(dir $@)
	@echo "  OBJCOPY $@"
	$(Q)objcopy --strip-debug $< $(BUILD)/efi/hv_core.elf
	$(Q)cd $(BUILD)/efi && objcopy -I binary -O elf64-x86-64 -B i386:x86-64 \
		--rename-section .data=.rodata.hv_core,alloc,load,readonly,data,contents \
		--set-section-alignment .data=16 \
		--redefine-sym _binary_hv_core_elf_start=hv_core_elf_start \
		--redefine-sym _binary_hv_core_elf_end=hv_core_elf_end \
		--strip-symbol _binary_hv_core_elf_size --add-section .note.GNU-stack=/dev/null \
		hv_core.elf hv_core.o

# The default image: the hypervisor alone, serial console on COM1.
$(BUILD)/hv.iso: $(BUILD)/hv.elf tools/mkiso.sh
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $@ $(BUILD)/hv.elf ""

# The default Linux guest: Debian's cloud kernel and a busybox initramfs
# (tools/mkguest.sh downloads the packages once and keeps them in
# $(GUEST_DIR)), and the image that boots it under the hypervisor, for
# `make run` and for a USB stick. The module lines are documented in README.
GUEST_DIR     := $(BUILD)/guest
LINUX_CMDLINE := console=ttyS0,115200
HV_LINUX_ISO  := $(BUILD)/hv-linux.iso

# Programs of the guest's initramfs, built from tools/guest/NAME.c: static
# x86-64 Linux executables on raw system calls (no libc in the initramfs).
GUEST_TOOLS        := $(BUILD)/guest-tools/hvcpus
GUEST_TOOL_CFLAGS  := --target=x86_64-linux-gnu -std=gnu11 -O2 -static -nostdlib -ffreestanding \
                      -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only \
                      -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -Wstrict-prototypes \
                      -fuse-ld=lld -Wl,--build-id=none

$(BUILD)/guest-tools/%: tools/guest/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest tool)"
	$(Q)$(CC) $(GUEST_TOOL_CFLAGS) -o $@ $<

.PHONY: guest guest-tools
guest-tools: $(GUEST_TOOLS)

guest: $(GUEST_TOOLS)
	HV_GUEST_TOOLS='$(GUEST_TOOLS)' tools/mkguest.sh $(GUEST_DIR)

# mkguest.sh downloads nothing it has in $(GUEST_DIR)/debs: a changed tool
# only repacks the initramfs.
$(GUEST_DIR)/vmlinuz $(GUEST_DIR)/initrd.img &: tools/mkguest.sh $(GUEST_TOOLS)
	HV_GUEST_TOOLS='$(GUEST_TOOLS)' tools/mkguest.sh $(GUEST_DIR)

$(HV_LINUX_ISO): $(BUILD)/hv.elf $(GUEST_DIR)/vmlinuz $(GUEST_DIR)/initrd.img tools/mkiso.sh
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $@ $(BUILD)/hv.elf "" \
		$(GUEST_DIR)/vmlinuz "guest hv.name=linux $(LINUX_CMDLINE)" $(GUEST_DIR)/initrd.img initrd

# The EFI system-partition image (tools/mkefi-img.sh): hv.efi as the
# removable-media loader, hv.cfg in chain mode, and a GRUB EFI that boots the
# default guest directly: firmware -> hv.efi -> GRUB -> Linux. Like
# $(HV_LINUX_ISO), it makes the guest first if there is none (tools/mkguest.sh).
HV_EFI_IMG := $(BUILD)/hv-efi.img

$(HV_EFI_IMG): $(BUILD)/hv.efi $(GUEST_DIR)/vmlinuz $(GUEST_DIR)/initrd.img tools/mkefi-img.sh
	@echo "  IMG     $@"
	$(Q)tools/mkefi-img.sh $@ $(BUILD)/hv.efi $(GUEST_DIR)/vmlinuz $(GUEST_DIR)/initrd.img "$(LINUX_CMDLINE)"

iso: $(BUILD)/hv.iso $(HV_LINUX_ISO) $(HV_EFI_IMG)

# The pure sources are compiled once for the host (ASan + UBSan) and linked
# into every unit test.
PURE_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/pure/%.o,$(PURE_SRCS))
.SECONDARY: $(PURE_HOST_OBJS)

$(BUILD)/host/pure/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (pure)"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/host/%: %.c $(PURE_HOST_OBJS) tests/unit/check.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(PURE_HOST_OBJS)

deps:
	tools/deps.sh

unit: $(UNIT_BINS)

test: deps
	$(MAKE) -j$$(nproc) all unit guests
	tests/run.sh

# The emulator is chosen and checked first: HV_EMU=qemu-kvm without VMX
# fails at once instead of after the build and the firmware.
run:
	$(Q)tools/run.sh --check
	$(MAKE) deps
	$(MAKE) all $(HV_LINUX_ISO)
	HV_LINUX_CMDLINE='$(LINUX_CMDLINE)' tools/run.sh

bench: deps
	$(MAKE) all
	tools/bench.sh

clean:
	rm -rf $(BUILD)

# The decoder test checks instruction lengths against Capstone (libcapstone-dev).
$(BUILD)/host/tests/unit/guest/test_insn_decode: HOST_CFLAGS += -Wl,--no-as-needed -lcapstone

# libFuzzer targets: the instruction decoder and emulator, the hv.cfg parser, the DMAR parser. `make fuzz` runs
# each for FUZZ_TIME seconds; tests/integration/test_fuzz.sh runs short rounds in `make test`.
INSN_SRCS := $(wildcard guest/emul/insn_*.c)
FUZZ_BIN  := $(BUILD)/fuzz/fuzz_insn
HVCFG_FUZZ_BIN := $(BUILD)/fuzz/fuzz_hvcfg
DMAR_FUZZ_BIN := $(BUILD)/fuzz/fuzz_dmar
FUZZ_TIME ?= 300
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=undefined -Wall -Wextra -Werror -Wno-unused-parameter \
               -I. -DHOST_TEST

$(FUZZ_BIN): tests/fuzz/fuzz_insn.c $(INSN_SRCS) $(wildcard guest/emul/insn_*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(HOSTCC) $(FUZZ_CFLAGS) -o $@ $< $(INSN_SRCS)

$(HVCFG_FUZZ_BIN): tests/fuzz/fuzz_hvcfg.c boot/info/hvcfg.c boot/info/hvcfg.h boot/info/boot_info.h lib/format.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(HOSTCC) $(FUZZ_CFLAGS) -o $@ $< boot/info/hvcfg.c lib/format.c

DMAR_FUZZ_SRCS := drivers/acpi/acpi_dmar.c drivers/acpi/acpi_tables.c lib/format.c
$(DMAR_FUZZ_BIN): tests/fuzz/fuzz_dmar.c $(DMAR_FUZZ_SRCS) drivers/acpi/acpi_dmar.h drivers/acpi/acpi_tables.h
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(HOSTCC) $(FUZZ_CFLAGS) -o $@ $< $(DMAR_FUZZ_SRCS)

.PHONY: fuzz
fuzz: deps $(FUZZ_BIN) $(HVCFG_FUZZ_BIN) $(DMAR_FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_TIME) insn
	tests/fuzz/run.sh $(FUZZ_TIME) hvcfg
	tests/fuzz/run.sh $(FUZZ_TIME) dmar

-include $(HV_OBJS:.o=.d) $(EFI_OBJS:.o=.d)
-include $(PURE_HOST_OBJS:.o=.d) $(UNIT_BINS:=.d)
