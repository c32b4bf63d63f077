#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every test.
#   scripts/test.sh [--sanitize] [ctest arguments...]
# --sanitize builds into build-asan/ with AddressSanitizer and UBSan and runs the same tests there;
# any sanitizer report fails its test.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=()
if [[ "${1:-}" == "--sanitize" ]]; then
  shift
  build_dir=build-asan
  cmake_args=(-DSYNTHGEN_SANITIZE=ON)
  # Leak detection stays on; tests/sanitizers/lsan.supp would list any third-party leak to accept.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi

bash scripts/setup.sh
SYNTHGEN_BUILD_DIR="${build_dir}" bash scripts/build.sh "${cmake_args[@]}"
cd "${build_dir}"
ctest --output-on-failure --parallel "$(nproc)" "$@"
