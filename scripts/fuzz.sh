#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs each for a bounded
# time on a copy of its seed corpus (tests/fuzz/corpus/<name>). A crash leaves crash-*/leak-*/timeout-*
# files in build-fuzz/findings/ and makes this script fail.
#   scripts/fuzz.sh [seconds per target, default 300] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-300}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(image_decode config)

if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  CC=clang CXX=clang++ cmake -S . -B build-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSYNTHGEN_FUZZ=ON
fi
cmake --build build-fuzz --parallel "$(nproc)"

mkdir -p build-fuzz/findings
status=0
for target in "${targets[@]}"; do
  corpus="build-fuzz/corpus/${target}"
  seeds="tests/fuzz/corpus/${target%_decode}"
  mkdir -p "${corpus}"
  cp -n "${seeds}"/* "${corpus}/" 2>/dev/null || true
  echo "== fuzz_${target}: ${seconds} s on ${corpus} (seeds: ${seeds})"
  # -rss_limit_mb bounds any single input's memory; -timeout flags an input that takes over 10 s.
  if ! "build-fuzz/tests/fuzz/fuzz_${target}" "${corpus}" -max_total_time="${seconds}" \
       -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="build-fuzz/findings/${target}-" 2>"build-fuzz/fuzz_${target}.log"; then
    status=1
    echo "fuzz_${target}: FINDING; see build-fuzz/fuzz_${target}.log and build-fuzz/findings/"
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+ *DONE" "build-fuzz/fuzz_${target}.log" || true
  echo "corpus now $(ls "${corpus}" | wc -l) files"
done
exit "${status}"
