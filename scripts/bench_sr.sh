#!/usr/bin/env bash
# The super-resolution benchmark (docs/benchmarks.md, "Super-resolution"). On Debian's
# python3-skimage sample photos: trains the PSNR-oriented model (configs/srresnet_x4.yaml) and
# its GAN fine-tuning (configs/esrgan_x4.yaml --init) at x4, and the same at x2
# (configs/srresnet_x2.yaml, configs/esrgan_x2.yaml); scores bicubic and both models on held-out photos (PSNR/SSIM on Y, border crop = scale);
# measures `synthgen upscale` for 1024x1024 outputs with and without tiling. Runs stay under OUT.
#   scripts/bench_sr.sh OUT_DIR
# Environment: PSNR_STEPS_X4 GAN_STEPS_X4 PSNR_STEPS_X2 GAN_STEPS_X2 (steps of each run; the
# defaults take ~50 minutes on 2 idle cores), TRAIN_THREADS (2). A run folder that already holds
# a checkpoint is kept, so an interrupted benchmark continues where it was (resume stopped runs
# with `synthgen train --resume`).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$PWD/build/synthgen
out=${1:?usage: scripts/bench_sr.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
skimage=/usr/lib/python3/dist-packages/skimage/data
# Held out from training, used only for scoring: three classic photos.
holdout=(astronaut.png chelsea.png coffee.png)
# Training: the other real photographs and micrographs (no drawings, text or synthetic images).
train_files=(motorcycle_left.png motorcycle_right.png rocket.jpg hubble_deep_field.jpg retina.jpg ihc.png
             camera.png brick.png grass.png gravel.png moon.png coins.png cell.png)
threads=2
train_threads=${TRAIN_THREADS:-2}

mkdir -p "$out/train" "$out/eval/hr"
for f in "${train_files[@]}"; do ln -sf "$skimage/$f" "$out/train/$f"; done

# HR cut to a multiple of 4; LR by the same bicubic as training (torch's antialiased bicubic, which
# synthgen's resize matches); the bicubic baseline enlarges LR with it. 8-bit PNGs throughout.
/usr/bin/python3 - "$skimage" "$out/eval" "${holdout[@]}" <<'PY'
import os, sys
import numpy as np, torch, torch.nn.functional as F
from PIL import Image
src, dst, names = sys.argv[1], sys.argv[2], sys.argv[3:]
def save(a, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(a).save(path)
def resize(a, h, w):
    x = torch.from_numpy(a).permute(2, 0, 1)[None].double()
    y = F.interpolate(x, size=(h, w), mode='bicubic', antialias=True, align_corners=False)
    return np.floor(y.clamp(0, 255)[0].permute(1, 2, 0).numpy() + 0.5).astype(np.uint8)
for name in names:
    hr = np.asarray(Image.open(os.path.join(src, name)).convert('RGB'))
    h, w = hr.shape[0] // 4 * 4, hr.shape[1] // 4 * 4
    hr = np.ascontiguousarray(hr[:h, :w])
    stem = os.path.splitext(name)[0] + '.png'
    save(hr, os.path.join(dst, 'hr', stem))
    for s in (2, 4):
        lr = resize(hr, h // s, w // s)
        save(lr, os.path.join(dst, f'lr_x{s}', stem))
        save(resize(lr, h, w), os.path.join(dst, f'bicubic_x{s}', stem))
# Throughput input: a 256x256 image (1024x1024 at x4), five copies.
big = resize(np.asarray(Image.open(os.path.join(src, 'astronaut.png')).convert('RGB')), 256, 256)
for i in range(5):
    save(big, os.path.join(dst, 'speed_in', f'{i}.png'))
PY

train() {  # name config [--set ...]...
  local name=$1 config=$2
  shift 2
  if [[ ! -f "$out/$name/checkpoints/latest.ckpt" ]]; then
    "$binary" train --config "configs/$config.yaml" --set data.path="$out/train" \
      --set run.threads="$train_threads" "$@" --out "$out/$name"
  fi
}
train_time() {  # the run's training time over all its sessions, from its last metrics line
  /usr/bin/python3 -c "import json; print('%.0f s' % json.loads(open('$out/$1/metrics.jsonl').read().splitlines()[-1])['elapsed_s'])"
}
score() {  # scale pred_dir name
  "$binary" eval --pred "$2" --target "$out/eval/hr" --metrics psnr,ssim --y-channel --crop-border "$1" \
    --json "$out/$3.json" >/dev/null
  /usr/bin/python3 -c "import json; m = json.load(open('$out/$3.json'))['metrics']; print('%.2f | %.4f' % (m['psnr'], m['ssim']))"
}

train psnr_x4 srresnet_x4 --set train.steps="${PSNR_STEPS_X4:-3500}"
train gan_x4 esrgan_x4 --init "$out/psnr_x4" --set train.steps="${GAN_STEPS_X4:-500}"
train psnr_x2 srresnet_x2 --set train.steps="${PSNR_STEPS_X2:-1000}"
train gan_x2 esrgan_x2 --init "$out/psnr_x2" --set train.steps="${GAN_STEPS_X2:-300}"

table="$out/table.md"
{
  echo "| scale | method | train time | PSNR-Y (dB) | SSIM-Y |"
  echo "|---|---|---|---|---|"
  for s in 4 2; do
    echo "| x$s | bicubic | – | $(score $s "$out/eval/bicubic_x$s" bicubic_x$s) |"
    for stage in psnr gan; do
      run=${stage}_x$s
      "$binary" upscale --checkpoint "$out/$run" --input "$out/eval/lr_x$s" --out "$out/eval/$run" \
        --threads $threads --overwrite 2>/dev/null
      echo "| x$s | $stage | $(train_time $run) | $(score $s "$out/eval/$run" $run) |"
    done
  done
} >"$table"

speed="$out/speed.md"
uptime >"$out/speed.load"
{
  echo "| threads | tiling | images/s | output megapixels/s | peak RSS (MiB) |"
  echo "|---|---|---|---|---|"
  for speed_threads in 2 1; do
    for tiling in "--tile 0" "--tile 144 --tile-overlap 16" "--tile 128 --tile-overlap 16" "--tile 64 --tile-overlap 8"; do
      # shellcheck disable=SC2086
      /usr/bin/time -f "%M" -o "$out/speed.rss" "$binary" upscale --checkpoint "$out/psnr_x4" \
        --input "$out/eval/speed_in" --out "$out/speed_out" --overwrite --threads $speed_threads $tiling \
        2>"$out/speed.log"
      rates=$(sed -n 's/.*: \([0-9.]*\) images\/s, \([0-9.]*\) output megapixels\/s.*/\1 | \2/p' "$out/speed.log")
      echo "| $speed_threads | \`$tiling\` | $rates | $(($(cat "$out/speed.rss") / 1024)) |"
    done
  done
} >"$speed"

# A crop of the held-out cat at x4: HR | bicubic | PSNR model | GAN model.
/usr/bin/python3 - "$out/eval" docs/images/sr_x4_chelsea_crop.png <<'PY'
import sys
import numpy as np
from PIL import Image
root, target = sys.argv[1], sys.argv[2]
tiles = []
for folder in ('hr', 'bicubic_x4', 'psnr_x4', 'gan_x4'):
    a = np.asarray(Image.open(f'{root}/{folder}/chelsea.png').convert('RGB'))[60:188, 150:278]
    tiles.append(np.kron(a, np.ones((2, 2, 1), dtype=np.uint8)))  # 2x nearest, to show pixels
    tiles.append(np.full((256, 4, 3), 255, np.uint8))
Image.fromarray(np.concatenate(tiles[:-1], axis=1)).save(target, optimize=True)
PY
cat "$table" "$speed"
