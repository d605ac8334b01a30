# tests/guests/guests.mk - the test guests: tests/guests/NAME.c (long64, or
# prot32 if listed in GUESTS_32) and tests/guests/NAME.asm (real mode) become
# build/guests/NAME.elf. Included by the Makefile; `make guests` builds them,
# tests/integration/test_guests.sh boots them as Multiboot2 modules.

GUEST_SRC   := tests/guests
GUEST_OUT   := $(BUILD)/guests
GUESTS_32   := prot32 mmio32 mbinfo mb2info taskswitch
GUESTS_C    := $(basename $(notdir $(wildcard $(GUEST_SRC)/*.c)))
GUESTS_64   := $(filter-out $(GUESTS_32),$(GUESTS_C))
GUESTS_REAL := $(basename $(notdir $(wildcard $(GUEST_SRC)/*.asm)))

GUEST_ELFS_64   := $(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS_64))
GUEST_ELFS_32   := $(patsubst %,$(GUEST_OUT)/%.elf,$(filter $(GUESTS_C),$(GUESTS_32)))
GUEST_ELFS_REAL := $(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS_REAL))
GUEST_ELFS      := $(GUEST_ELFS_64) $(GUEST_ELFS_32) $(GUEST_ELFS_REAL)

GUEST_LIB   := runtime trap desc
GUEST_LIB64 := $(patsubst %,$(GUEST_OUT)/64/lib/%.o,$(GUEST_LIB) entry64)
GUEST_LIB32 := $(patsubst %,$(GUEST_OUT)/32/lib/%.o,$(GUEST_LIB) entry32)

GUEST_CFLAGS   := -std=gnu11 -O2 -ffreestanding -nostdlib -mno-red-zone -mgeneral-regs-only \
                  -fno-pic -fno-pie -static -fno-stack-protector -fno-asynchronous-unwind-tables \
                  -fno-common -fno-strict-aliasing \
                  -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes -I. -MMD -MP
GUEST_CFLAGS64 := --target=x86_64-unknown-none-elf $(GUEST_CFLAGS)
GUEST_CFLAGS32 := --target=i386-unknown-none-elf -m32 $(GUEST_CFLAGS)
GUEST_LDFLAGS  := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-pie

.PHONY: guests
guests: $(GUEST_ELFS)

# The guest's own file gets its name; the runtime (lib/, shortest stem wins) does not.
$(GUEST_OUT)/64/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	$(Q)$(CC) $(GUEST_CFLAGS64) -DGUEST_NAME='"$*"' -c $< -o $@

$(GUEST_OUT)/32/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC32    $< (guest)"
	$(Q)$(CC) $(GUEST_CFLAGS32) -DGUEST_NAME='"$*"' -c $< -o $@

$(GUEST_OUT)/64/lib/%.o: $(GUEST_SRC)/lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS64) -c $< -o $@

$(GUEST_OUT)/32/lib/%.o: $(GUEST_SRC)/lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC32    $<"
	$(Q)$(CC) $(GUEST_CFLAGS32) -c $< -o $@

$(GUEST_OUT)/64/lib/%.o: $(GUEST_SRC)/lib/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(GUEST_CFLAGS64) -c $< -o $@

$(GUEST_OUT)/32/lib/%.o: $(GUEST_SRC)/lib/%.S
	@mkdir -p $(dir $@)
	@echo "  AS32    $<"
	$(Q)$(CC) $(GUEST_CFLAGS32) -c $< -o $@

$(GUEST_OUT)/real/%.o: $(GUEST_SRC)/%.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (guest)"
	$(Q)$(NASM) -f elf32 -w+all -w+error -MD $(@:.o=.d) -MP $< -o $@

$(GUEST_ELFS_64): $(GUEST_OUT)/%.elf: $(GUEST_OUT)/64/%.o $(GUEST_LIB64) $(GUEST_SRC)/lib/guest.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(GUEST_SRC)/lib/guest.ld -o $@ $< $(GUEST_LIB64)

$(GUEST_ELFS_32): $(GUEST_OUT)/%.elf: $(GUEST_OUT)/32/%.o $(GUEST_LIB32) $(GUEST_SRC)/lib/guest.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(GUEST_SRC)/lib/guest.ld -o $@ $< $(GUEST_LIB32)

# mbinfo records EAX and EBX before the runtime's entry (mb2info gets there
# through its Multiboot2 entry address tag instead).
$(GUEST_OUT)/mbinfo.elf: GUEST_LDFLAGS += -e mb_entry

$(GUEST_ELFS_REAL): $(GUEST_OUT)/%.elf: $(GUEST_OUT)/real/%.o $(GUEST_SRC)/lib/realmode.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(GUEST_SRC)/lib/realmode.ld -o $@ $<

-include $(wildcard $(GUEST_OUT)/*/*.d $(GUEST_OUT)/*/lib/*.d)
