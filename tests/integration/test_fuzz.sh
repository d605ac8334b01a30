#!/bin/bash
# tests/integration/test_fuzz.sh - short bounded libFuzzer runs in `make test`: the instruction
# decoder and emulator (HV_FUZZ_TIME seconds, default 20) and the hv.cfg parser
# (HV_FUZZ_HVCFG_TIME, default 5) and the DMAR parser (HV_FUZZ_DMAR_TIME, default 5);
# `make fuzz` runs each longer.
set -eu
dir=$(dirname "$0")/../fuzz
status=0
bash "$dir/run.sh" "${HV_FUZZ_TIME:-20}" insn || status=1
bash "$dir/run.sh" "${HV_FUZZ_HVCFG_TIME:-5}" hvcfg || status=1
bash "$dir/run.sh" "${HV_FUZZ_DMAR_TIME:-5}" dmar || status=1
exit $status
