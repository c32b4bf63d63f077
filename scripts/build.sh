#!/usr/bin/env bash
# Configures and builds synthgen (Release) into build/; the binary is build/synthgen.
# Extra arguments go to CMake's configure step, e.g. -DCMAKE_PREFIX_PATH=/opt/libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif (($# > 0)); then
  cmake -S . -B build "$@"
fi
cmake --build build --parallel "$(nproc)"
