#!/usr/bin/env bash
# Installs what synthgen needs to build, test and run, from Debian 12's packages. Idempotent: it
# does nothing when everything is present. Runs as root, or through sudo.
#   scripts/setup.sh [--no-tests]   --no-tests: only what building and running the binary needs
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libtorch-dev          # LibTorch 1.13 (CPU)
  libopenblas0-openmp   # without it LibTorch's matrix products use the reference BLAS (~25x slower)
  libyaml-cpp-dev libcli11-dev libfmt-dev libstb-dev catch2 zlib1g-dev
  libjpeg62-turbo-dev   # JPEG decoding (stb's JPEG decoder is not safe on hostile files)
  libgoogle-perftools-dev  # tcmalloc: up to 2x faster training of large networks (cmake/Allocator.cmake)
  dataset-fashion-mnist # /usr/share/datasets/fashion-mnist: the default data set
)
if [[ "${1:-}" != "--no-tests" ]]; then
  # The tests' reference values and stand-in networks are made with these (tests/fixtures/).
  packages+=(python3-numpy python3-scipy python3-torch)
  packages+=(clang-format)  # scripts/check_format.sh
fi
# Benchmarks time processes with GNU time (scripts/bench_*) and make their data sets from
# skimage's sample photos (scripts/make_*.py).
if [[ "${SYNTHGEN_SETUP_BENCH:-0}" == 1 ]]; then
  packages+=(time python3-numpy python3-skimage python3-pil)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
