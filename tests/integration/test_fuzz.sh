#!/bin/bash
# tests/integration/test_fuzz.sh - a short bounded libFuzzer run of the instruction decoder
# and emulator in `make test` (HV_FUZZ_TIME seconds, default 20); `make fuzz` runs longer.
set -eu
exec bash "$(dirname "$0")/../fuzz/run.sh" "${HV_FUZZ_TIME:-20}"
