#!/usr/bin/env bash
# Throughput of `synthgen translate` on 256x256 RGB images, for the papers' generators at full
# width: pix2pix's U-Net (base 64, 8 levels, BatchNorm) and CycleGAN's ResNet G (base 64, 9 blocks,
# InstanceNorm), each with every core and with 1 thread. Throughput does not depend on the weights,
# so each checkpoint comes from a 1-step run on 4 random image pairs. Optionally also a trained
# run (TRAINED_RUN=runs/day2night) as it is.
#   scripts/bench_translate.sh OUT_DIR [IMAGES=64]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/bench_translate.sh OUT_DIR [IMAGES]}"
count="${2:-64}"
bin="${SYNTHGEN_BIN:-build/synthgen}"
[[ -x "$bin" ]] || { echo "error: $bin is missing: build first (scripts/build.sh)" >&2; exit 1; }
if [[ -e "$out" ]]; then echo "error: '$out' exists; choose a new OUT_DIR" >&2; exit 2; fi
mkdir -p "$out"

/usr/bin/python3 - "$out" "$count" <<'PY'
import os, sys
import numpy as np
from PIL import Image
out, count = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
def smooth(size):
    low = rng.uniform(0, 255, (size // 16, size // 16, 3)).astype(np.uint8)
    return np.asarray(Image.fromarray(low).resize((size, size), Image.BICUBIC))
for d in ("A", "B", "trainA", "trainB"):
    os.makedirs(os.path.join(out, "pairs", d), exist_ok=True)
for i in range(4):
    for d in ("A", "B", "trainA", "trainB"):
        Image.fromarray(smooth(256)).save(os.path.join(out, "pairs", d, f"{i}.png"))
os.makedirs(os.path.join(out, "images", "sub"), exist_ok=True)
for i in range(count):
    Image.fromarray(smooth(256)).save(os.path.join(out, "images", "sub" if i % 2 else "", f"{i:04d}.png"))
PY

common=(--set data.path="$out/pairs" --set data.image_size=256 --set data.channels=3 --set train.steps=1
        --set train.batch_size=1 --set train.sample_every=0 --set train.checkpoint_every=0 --set train.log_every=1)
"$bin" train --config configs/pix2pix_day2night.yaml "${common[@]}" --set model.base_channels=64 \
  --set model.norm=batch --set data.load_size=0 --set train.lr_schedule=constant --set train.lr_constant_steps=0 \
  --out "$out/pix2pix_256" >/dev/null 2>&1
"$bin" train --config configs/cyclegan_sneaker2boot.yaml "${common[@]}" --set model.base_channels=64 \
  --set model.generator_blocks=9 --set train.lr_schedule=constant --set train.lr_constant_steps=0 \
  --out "$out/cyclegan_256" >/dev/null 2>&1

runs=("pix2pix_256:$out/pix2pix_256" "cyclegan_256:$out/cyclegan_256")
[[ -n "${TRAINED_RUN:-}" ]] && runs+=("trained:$TRAINED_RUN")
echo "translate, $count images of 256x256 RGB, batch 8, $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
for entry in "${runs[@]}"; do
  name="${entry%%:*}"
  run="${entry#*:}"
  for threads in 0 1; do
    line=$("$bin" translate --checkpoint "$run" --input "$out/images" --out "$out/out_${name}_$threads" \
             --threads "$threads" --batch 8 2>&1 | grep "images/s")
    rate=$(sed -n 's/.*: \([0-9.]*\) images\/s.*/\1/p' <<<"$line")
    echo "$name threads=$([[ $threads == 0 ]] && echo all || echo 1): $rate images/s"
  done
done
