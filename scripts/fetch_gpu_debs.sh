#!/usr/bin/env bash
# Prepares .debs/, what scripts/gpu_check.sh needs on the GPU machine (which reaches no package
# registry) besides the LibTorch inside its python3's torch. Run once here, on a Debian 12 machine
# with apt, in the project's root; then name ".debs" in the device tool's carry list.
#   scripts/fetch_gpu_debs.sh
# Writes:
#   .debs/*.deb       the build dependencies of cmake/Dependencies.cmake and tests/CMakeLists.txt,
#                     and dataset-fashion-mnist (the GPU machine has no /usr/share/datasets)
#   .debs/fixtures/   the test fixtures of tests/fixtures/make_*.py, made here with Debian's
#                     python3; used there only when no python3 has numpy, scipy and torch
# .debs/ is ignored by git (.gitignore, or .git/info/exclude when .gitignore does not cover it).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  libyaml-cpp-dev libyaml-cpp0.7   # yaml-cpp
  libcli11-dev                     # CLI11 (headers)
  libfmt-dev libfmt9               # fmt
  catch2                           # Catch2 v2 (headers and CMake config)
  libstb-dev libstb0               # stb headers (lib/src/io/stb_impl.cpp compiles the parts we use)
  libjpeg62-turbo-dev libjpeg62-turbo
  libgoogle-perftools-dev libtcmalloc-minimal4 libgoogle-perftools4  # tcmalloc (cmake/Allocator.cmake)
  zlib1g-dev zlib1g                # extracted there only when the machine lacks zlib.h
  dataset-fashion-mnist            # /usr/share/datasets/fashion-mnist/*.gz
)

if ! git check-ignore -q .debs/probe; then
  exclude=$(git rev-parse --git-path info/exclude)
  mkdir -p "$(dirname "$exclude")"
  echo /.debs/ >> "$exclude"
  echo "fetch_gpu_debs: added /.debs/ to $exclude"
fi

mkdir -p .debs
rm -f .debs/*.deb
(cd .debs && apt-get download "${packages[@]}")
# Plain names (package.deb): the version's ~ + and %3a (epoch) are kept out of file names.
for f in .debs/*_*.deb; do
  mv "$f" ".debs/$(basename "$f" | cut -d_ -f1).deb"
done

# Fixtures, for a GPU machine whose pythons lack scipy (tests/CMakeLists.txt's
# SYNTHGEN_PREBUILT_FIXTURES). The make_*.py scripts are deterministic.
rm -rf .debs/fixtures
mkdir -p .debs/fixtures
for script in tests/fixtures/make_*.py; do
  /usr/bin/python3 "$script" .debs/fixtures
done
git rev-parse HEAD > .debs/fixtures/made_at_commit.txt

echo "fetch_gpu_debs: $(find .debs -maxdepth 1 -name "*.deb" | wc -l) packages, $(du -sh .debs | cut -f1) in .debs/"
ls -1 .debs
