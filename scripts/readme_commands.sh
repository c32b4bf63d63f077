#!/usr/bin/env bash
# Runs the README's documented commands end to end, as written there, on tiny settings: the
# "Train -> sample -> evaluate" block, then the resume the README describes below it. CI runs it
# (ctest: readme_commands) so that the front page never shows a command that fails.
#   scripts/readme_commands.sh [BINARY]        (default: build/synthgen)
# The only changes to the README's lines: `synthgen` is BINARY, each command gets the small
# settings below appended (fewer steps and images; every flag is a documented one), and a filtered
# sample's --min-confidence becomes 0: a classifier trained for 2 steps is sure of nothing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/build/synthgen}")"
[[ -x "$binary" ]] || { echo "readme_commands: no synthgen binary at '$binary' (build first)" >&2; exit 2; }

# Tiny settings per subcommand, appended to the README's command.
tiny_settings() {
  case "$1" in
    "train --resume"*) echo "--set train.steps=4" ;;
    train*) echo "--set train.steps=2 --set data.max_images=256" ;;
    "eval cas"*) echo "--num 200 --set train.steps=2 --test fashion-mnist:test:1000" ;;
    eval*) echo "--num 200" ;;
    sample*) echo "" ;;
    *) echo "readme_commands: no tiny settings for 'synthgen $1'" >&2; return 1 ;;
  esac
}

# The README's "Train -> sample -> evaluate" code block, continuation lines joined and comments
# dropped: one command a line.
readme_block() {
  awk '/^## Train/ { inside = 1; next }
       inside && /^```sh/ { code = 1; next }
       code && /^```/ { exit }
       code { print }' "$repo/README.md" |
    sed -e 's/[[:space:]]\+#.*$//' | sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta'
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ln -s "$repo/configs" "$work/configs"
cd "$work"

mapfile -t commands < <(readme_block)
(( ${#commands[@]} >= 5 )) || { echo "readme_commands: found ${#commands[@]} commands in README.md's block" >&2; exit 1; }
commands+=("synthgen train --resume runs/dcgan")  # the README's prose below the block

for line in "${commands[@]}"; do
  [[ "$line" == synthgen\ * ]] || { echo "readme_commands: not a synthgen command: $line" >&2; exit 1; }
  arguments="${line#synthgen }"
  arguments="$(sed -e 's/--min-confidence [0-9.]*/--min-confidence 0/' <<< "$arguments")"
  full="$arguments $(tiny_settings "$arguments")"
  echo "== synthgen $full"
  start=$SECONDS
  # The README's words are split as a shell would split them (they hold no quotes).
  # shellcheck disable=SC2086
  if ! "$binary" $full > "$work/last.log" 2>&1; then
    tail -n 20 "$work/last.log" >&2
    echo "readme_commands: FAILED: synthgen $full" >&2
    exit 1
  fi
  echo "   ok in $((SECONDS - start)) s"
done
echo "readme_commands: all ${#commands[@]} README commands passed"
