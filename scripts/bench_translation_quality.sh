#!/usr/bin/env bash
# Quality figures of the translation families (docs/benchmarks.md): builds the demonstration data,
# trains each shipped config, translates the held-out sets and scores them.
#   scripts/bench_translation_quality.sh CLASSIFIER_RUN OUT_DIR [STAGES=e2f,s2b,d2n]
# CLASSIFIER_RUN: a run of configs/classifier_fashion.yaml (the features for FID and the judge of
# CycleGAN's class shares). Each stage appends its scores to OUT_DIR/scores.txt and writes example
# grids to OUT_DIR/grids/.
#   e2f  pix2pix edges -> garments: L1 / PSNR / SSIM on the 1,000 held-out pairs and FID against
#        the real garments, for G's outputs and for the identity baseline (the edges copied)
#   s2b  CycleGAN sneaker -> ankle boot: share of translated test sneakers the classifier calls
#        ankle boots, share of those cycled back that it calls sneakers (and the same from boots)
#   d2n  pix2pix day -> night: PSNR / SSIM / L1 on held-out tiles, against copying the day tile
set -euo pipefail
cd "$(dirname "$0")/.."
classifier="${1:?usage: scripts/bench_translation_quality.sh CLASSIFIER_RUN OUT_DIR [STAGES]}"
out="${2:?usage: scripts/bench_translation_quality.sh CLASSIFIER_RUN OUT_DIR [STAGES]}"
stages="${3:-e2f,s2b,d2n}"
bin="${SYNTHGEN_BIN:-build/synthgen}"
data="$out/data"
mkdir -p "$out/grids"
scores="$out/scores.txt"
wants() { [[ ",$stages," == *",$1,"* ]]; }
figure() { echo "$*" | tee -a "$scores"; }
metric() { /usr/bin/python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['metrics']; print(m[sys.argv[2]])" "$@"; }

for set in edges2fashion sneaker2boot day2night; do
  [[ -d "$data/$set" ]] || /usr/bin/python3 scripts/make_translation_data.py "$data" --sets "$set"
done

# A grid of N rows: for each name, the images with that name in each folder, left to right.
grid() {
  /usr/bin/python3 - "$@" <<'PY'
import os, sys
from PIL import Image
target, rows, folders = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
names = sorted(os.listdir(folders[0]))[:rows]
tiles = [[Image.open(os.path.join(f, n)).convert("RGB") for f in folders] for n in names]
w, h = tiles[0][0].size
scale = max(1, 96 // w)
sheet = Image.new("RGB", (len(folders) * (w * scale + 2) + 2, len(names) * (h * scale + 2) + 2))
for r, row in enumerate(tiles):
    for c, tile in enumerate(row):
        sheet.paste(tile.resize((w * scale, h * scale), Image.NEAREST), (2 + c * (w * scale + 2), 2 + r * (h * scale + 2)))
sheet.save(target, optimize=True)
PY
}

if wants e2f; then
  "$bin" train --config configs/pix2pix_edges2fashion.yaml --set data.path="$data/edges2fashion/train" --out "$out/e2f"
  "$bin" translate --checkpoint "$out/e2f" --input "$data/edges2fashion/val/A" --out "$out/e2f_val"
  for pred in "$out/e2f_val" "$data/edges2fashion/val/A"; do
    name=$([[ $pred == *e2f_val ]] && echo pix2pix || echo "identity baseline")
    "$bin" eval --pred "$pred" --target "$data/edges2fashion/val/B" --metrics l1,psnr,ssim --json "$out/e2f_pair.json"
    "$bin" eval --real "$data/edges2fashion/val/B" --fake "$pred" --features "classifier:$classifier" --metrics fid \
      --json "$out/e2f_fid.json"
    figure "edges2fashion $name: L1 $(metric "$out/e2f_pair.json" l1) PSNR $(metric "$out/e2f_pair.json" psnr)" \
           "SSIM $(metric "$out/e2f_pair.json" ssim) FID $(metric "$out/e2f_fid.json" fid)"
  done
  grid "$out/grids/edges2fashion.png" 8 "$data/edges2fashion/val/A" "$out/e2f_val" "$data/edges2fashion/val/B"
fi

if wants s2b; then
  "$bin" train --config configs/cyclegan_sneaker2boot.yaml --set data.path="$data/sneaker2boot" --out "$out/s2b"
  labelled="$data/sneaker2boot/labelled"
  for way in "AtoB testA_to_9 9 7" "BtoA testB_to_7 7 9"; do
    read -r direction input target source <<<"$way"
    back=$([[ $direction == AtoB ]] && echo BtoA || echo AtoB)
    "$bin" translate --checkpoint "$out/s2b" --direction "$direction" --input "$labelled/$input" --out "$out/s2b_$direction"
    "$bin" eval --real "$out/s2b_$direction" --features "classifier:$classifier" --metrics accuracy --json "$out/s2b.json"
    share=$(metric "$out/s2b.json" accuracy)
    "$bin" eval --real "$labelled/$input" --features "classifier:$classifier" --metrics accuracy --json "$out/s2b.json"
    untouched=$(metric "$out/s2b.json" accuracy)
    # Cycled back: the same files, now judged against the source class.
    "$bin" translate --checkpoint "$out/s2b" --direction "$back" --input "$out/s2b_$direction" --out "$out/s2b_${direction}_back"
    mv "$out/s2b_${direction}_back/$target" "$out/s2b_${direction}_back/$source"
    "$bin" eval --real "$out/s2b_${direction}_back" --features "classifier:$classifier" --metrics accuracy --json "$out/s2b.json"
    figure "sneaker2boot $direction: target class $target share $share (untranslated $untouched)," \
           "cycled back to class $source $(metric "$out/s2b.json" accuracy)"
  done
  grid "$out/grids/sneaker2boot.png" 8 "$labelled/testA_to_9/9" "$out/s2b_AtoB/9" "$out/s2b_AtoB_back/7"
fi

if wants d2n; then
  "$bin" train --config configs/pix2pix_day2night.yaml --set data.path="$data/day2night/train" --out "$out/d2n"
  "$bin" translate --checkpoint "$out/d2n" --input "$data/day2night/val/A" --out "$out/d2n_val"
  for pred in "$out/d2n_val" "$data/day2night/val/A"; do
    name=$([[ $pred == *d2n_val ]] && echo pix2pix || echo "copy baseline")
    "$bin" eval --pred "$pred" --target "$data/day2night/val/B" --metrics l1,psnr,ssim --json "$out/d2n.json"
    figure "day2night $name: L1 $(metric "$out/d2n.json" l1) PSNR $(metric "$out/d2n.json" psnr)" \
           "SSIM $(metric "$out/d2n.json" ssim)"
  done
  grid "$out/grids/day2night.png" 3 "$data/day2night/val/A" "$out/d2n_val" "$data/day2night/val/B"
fi
