#!/usr/bin/env bash
# Fails, naming the files, when a C++ file of the repository is not laid out as .clang-format says
# (Debian's clang-format). scripts/check_format.sh --fix rewrites them in place.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files -- '*.cpp' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
unformatted=()
for file in "${files[@]}"; do
  clang-format --dry-run --Werror "${file}" 2>/dev/null || unformatted+=("${file}")
done
if ((${#unformatted[@]} > 0)); then
  echo "check_format: ${#unformatted[@]} files differ from .clang-format (fix: scripts/check_format.sh --fix):" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
