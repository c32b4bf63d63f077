#!/usr/bin/env bash
# Configures and builds synthgen (Release) into build/ (or $SYNTHGEN_BUILD_DIR); the binary is
# build/synthgen. Extra arguments go to CMake's configure step, e.g. -DCMAKE_PREFIX_PATH=/opt/libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${SYNTHGEN_BUILD_DIR:-build}"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f "${build_dir}/CMakeCache.txt" ]]; then
  cmake -S . -B "${build_dir}" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif (($# > 0)); then
  cmake -S . -B "${build_dir}" "$@"
fi
cmake --build "${build_dir}" --parallel "$(nproc)"
