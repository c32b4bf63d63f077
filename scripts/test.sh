#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, checks the formatting and runs every
# test.
#   scripts/test.sh [--fast | --sanitize] [ctest arguments...]
# --fast runs the tests not tagged [slow] in one process of the test binary (about 30 s), and
# no config smoke test: for the edit-build-test loop. The default runs everything through ctest.
# --sanitize builds into build-asan/ with AddressSanitizer and UBSan and runs the same tests there;
# any sanitizer report fails its test.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
mode=full
cmake_args=(-DSYNTHGEN_BUILD_TESTS=ON)
case "${1:-}" in
  --fast)
    shift
    mode=fast
    ;;
  --sanitize)
    shift
    build_dir=build-asan
    cmake_args+=(-DSYNTHGEN_SANITIZE=ON)
    # Leak detection stays on; tests/sanitizers/lsan.supp would list any third-party leak to accept.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
    export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ;;
esac

bash scripts/setup.sh
bash scripts/check_format.sh  # .clang-format; scripts/check_format.sh --fix lays the files out
SYNTHGEN_BUILD_DIR="${build_dir}" bash scripts/build.sh "${cmake_args[@]}"
if [[ "${mode}" == fast ]]; then
  # ~[.]: an exclusion-only filter would otherwise run the hidden [.cuda] and [.config-smoke] tests.
  exec "${build_dir}/tests/synthgen_tests" "~[slow]~[.]" "$@"
fi
cd "${build_dir}"
ctest --output-on-failure --parallel "$(nproc)" "$@"
