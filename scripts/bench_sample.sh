#!/usr/bin/env bash
# Sampling throughput: `synthgen sample --num 10000` of the Fashion-MNIST DCGAN, end to end (process
# start, checkpoint load, generation, PNG encoding, file writes, manifest), on 2 threads. Three
# rounds onto the local disk and three onto tmpfs (/dev/shm), which shows what the file system costs.
#   scripts/bench_sample.sh [CHECKPOINT_OR_RUN_DIR]
# Without an argument it trains configs/dcgan_fashion.yaml for 20 steps first (the speed of
# sampling does not depend on how well the model is trained).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/synthgen
disk=$(mktemp -d "${TMPDIR:-/tmp}/synthgen-bench-sample-XXXXXX")
memory=$(mktemp -d /dev/shm/synthgen-bench-sample-XXXXXX)
trap 'rm -rf "$disk" "$memory"' EXIT

checkpoint=${1:-}
if [[ -z "$checkpoint" ]]; then
  "$binary" train --config configs/dcgan_fashion.yaml --set train.steps=20 --set train.sample_every=0 \
    --set run.threads=2 --out "$disk/run" >/dev/null 2>&1
  checkpoint="$disk/run"
fi

for target in "$disk" "$memory"; do
  for round in 1 2 3; do
    sync
    out="$target/set$round"  # a fresh folder each round; all are deleted at the end
    /usr/bin/time -f "%e %M" -o "$target/time" \
      "$binary" sample --checkpoint "$checkpoint" --num 10000 --threads 2 --out "$out" 2>/dev/null
    read -r seconds peak_kb <"$target/time"
    count=$(find "$out" -name '*.png' | wc -l)
    awk -v n="$count" -v s="$seconds" -v kb="$peak_kb" -v r="$round" -v t="$(df --output=fstype "$target" | tail -1)" \
      'BEGIN { printf "%-6s round %d: %d images in %.2f s = %.0f images/s, peak RSS %.0f MB\n", t, r, n, s, n / s, kb / 1024 }'
  done
done
