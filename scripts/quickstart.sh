#!/usr/bin/env bash
# The README's first command: installs what is needed, builds the binary (about 2.5 minutes on 2
# CPU cores), trains the default config (DCGAN on Fashion-MNIST, about 5 minutes), then samples a
# data set of 1,000 images and a grid, and says where everything is.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --no-tests
# The binary only: the tests (and their Python fixtures) are scripts/test.sh's.
bash scripts/build.sh -DSYNTHGEN_BUILD_TESTS=OFF

run="runs/quickstart-$(date +%Y%m%d-%H%M%S)"
./build/synthgen train --config configs/dcgan_fashion.yaml --out "$run" "$@"
./build/synthgen sample --checkpoint "$run" --num 1000 --out "$run/dataset" --seed 0
./build/synthgen sample --checkpoint "$run" --num 64 --grid "$run/grid.png" --seed 0

cat <<EOT

Done. Everything is in $run/:
  config.yaml        the resolved config (re-run with: build/synthgen train --config $run/config.yaml)
  checkpoints/       latest.ckpt and every 1000 steps (continue with: build/synthgen train --resume $run)
  samples/           a grid of the same 64 latents every 500 steps
  metrics.jsonl      losses, D(x), D(G(z)) and images/s over time
  dataset/           1,000 sampled images and manifest.csv
  grid.png           64 samples in one image
EOT
