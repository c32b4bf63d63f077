#!/usr/bin/env bash
# The diffusion and VAE benchmark (docs/benchmarks.md, "Diffusion and VAE"): trains the
# conditional DDPM of configs/ddpm_fashion.yaml (a smaller U-Net and a shorter schedule, see
# DDPM_SETS) and the VAE of configs/vae_fashion.yaml, each stopped at its time bound if it gets
# there (SIGINT: the loop saves and stops),
# then samples NUM images with every sampler from the same DDPM checkpoint and NUM prior samples
# from the VAE, one after another on the same threads (so their images/s compare as ratios), and
# scores each folder against fashion-mnist:test with the built-in classifier's features (FID, KID,
# precision/recall, NUM images per set), plus the conditional DDPM's CAS (DDIM 50 steps). Prints a
# table at the end; everything stays under OUT_DIR.
#   scripts/bench_diffusion.sh CLASSIFIER_RUN OUT_DIR [train-ddpm|train-vae|all]
# 1,000-step ancestral sampling is slow on a CPU, so it makes DDPM_NUM images and is compared
# with the first DDPM_NUM DDIM-50 images (the same seeds); the other samplers make NUM.
# Environment (defaults in brackets): DDPM_MINUTES [150], VAE_MINUTES [8], NUM [1000],
# DDPM_NUM [200], SAMPLERS ["ddim:100 ddim:50 ddim:20 ddim:10 dpm++2m:20"] (ddim:STEPS,
# ddim:STEPS:ETA (eta 0 when left out) or dpm++2m:STEPS), THREADS [2], BATCH [250],
# CAS_NUM [NUM], CAS_STEPS [1500] (classifier steps for CAS), CAS_SAMPLING (sample's flags for
# the CAS set, e.g. "--steps 20"; DDIM 50 when empty), DDPM_SETS, VAE_SETS.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/synthgen
usage="usage: scripts/bench_diffusion.sh CLASSIFIER_RUN OUT_DIR"
classifier=${1:?$usage}
out=${2:?$usage}
stage=${3:-all}
ddpm_minutes=${DDPM_MINUTES:-150}
vae_minutes=${VAE_MINUTES:-8}
num=${NUM:-1000}
ddpm_num=${DDPM_NUM:-200}
samplers=${SAMPLERS:-"ddim:100 ddim:50 ddim:20 ddim:10 dpm++2m:20"}
threads=${THREADS:-2}
batch=${BATCH:-250}
cas_num=${CAS_NUM:-$num}
cas_steps=${CAS_STEPS:-1500}
read -r -a cas_sampling <<<"${CAS_SAMPLING:-}"
# A U-Net small enough to train and sample on two shared CPU cores: 16 base maps, one block per level,
# attention at 7x7 only, batch 64; 16,000 steps (about 90 minutes on one core), lr 1e-3 for the first
# half, then linearly to 0, and an EMA of 0.999 (a half-life of about 700 steps).
ddpm_sets=${DDPM_SETS:-"model.base_channels=16 model.res_blocks=1 model.attention_max_size=7 model.dropout=0 \
train.batch_size=64 train.lr=0.001 train.lr_schedule=linear train.lr_constant_steps=8000 train.ema_decay=0.999 \
train.steps=16000 train.sample_every=4000 train.checkpoint_every=1000 train.keep_last=1 train.grid_size=100"}
vae_sets=${VAE_SETS:-"train.steps=1000000 train.eval_every=200 train.checkpoint_every=200 train.keep_last=1"}
mkdir -p "$out"

# Trains CONFIG into RUN for at most MINUTES (SIGINT then: the loop saves latest.ckpt and exits 130).
train_bounded() {
  local config=$1 run=$2 minutes=$3 sets=$4
  [[ -f "$run/checkpoints/latest.ckpt" ]] && return 0
  local args=()
  for pair in $sets; do args+=(--set "$pair"); done
  local rc=0
  timeout -s INT "$((minutes * 60))" "$binary" train --config "configs/$config.yaml" "${args[@]}" \
    --set run.threads="$threads" --out "$run" || rc=$?
  ((rc == 0 || rc == 130 || rc == 124)) || { echo "training $config failed ($rc)" >&2; exit 1; }
}

# Samples COUNT images into DIR with the given flags; prints the wall seconds.
sample_timed() {
  local dir=$1 count=$2
  shift 2
  if [[ ! -f "$dir/manifest.csv" ]]; then
    rm -rf "$dir"
    /usr/bin/time -f "%e" -o "$dir.time" "$binary" sample --num "$count" --batch "$batch" --threads "$threads" \
      --out "$dir" "$@" >/dev/null
  fi
  cat "$dir.time"
}

# Scores the first COUNT images of FAKE against the first COUNT of fashion-mnist:test.
score() {
  local fake=$1 json=$2 count=$3
  [[ -f "$json" ]] || "$binary" eval --real fashion-mnist:test --fake "$fake" --num "$count" \
    --features "classifier:$classifier" --metrics fid,kid,pr --kid-subset-size "$((count < 1000 ? count / 2 : 1000))" \
    --threads "$threads" --json "$json" >/dev/null
}

case "$stage" in
  train-ddpm) train_bounded ddpm_fashion "$out/ddpm" "$ddpm_minutes" "$ddpm_sets"; exit 0 ;;
  train-vae) train_bounded vae_fashion "$out/vae" "$vae_minutes" "$vae_sets"; exit 0 ;;
  all) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
train_bounded ddpm_fashion "$out/ddpm" "$ddpm_minutes" "$ddpm_sets"
train_bounded vae_fashion "$out/vae" "$vae_minutes" "$vae_sets"

table="$out/table.md"
{
  echo "| model / sampler | steps | images | sampling time | images/s | FID | KID | precision | recall |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$table"
row() {  # name steps count seconds json
  /usr/bin/python3 - "$@" >>"$table" <<'PY'
import json, sys
name, steps, count, seconds, path = sys.argv[1:]
m = json.load(open(path))['metrics']
rate = '%.2f' % (int(count) / float(seconds)) if seconds != '-' else '-'
time = '%.0f s' % float(seconds) if seconds != '-' else '-'
print('| %s | %s | %s | %s | %s | %.2f | %.3f ± %.3f | %.3f | %.3f |' % (
    name, steps, count, time, rate, m['fid'], m['kid']['mean'], m['kid']['std'], m['precision'], m['recall']))
PY
}

score fashion-mnist:train "$out/floor.json" "$num"
row "floor: fashion-mnist:train" "-" "$num" "-" "$out/floor.json"
ddim_dirs=()
for entry in $samplers; do
  IFS=: read -r kind steps eta <<<"$entry"
  if [[ "$kind" == dpm++2m ]]; then
    name="DPM-Solver++(2M)"
    dir="$out/samples_dpmpp2m_${steps}"
    flags=(--sampler dpm++2m --steps "$steps")
  else
    eta=${eta:-0}
    name="DDIM (eta $eta)"
    dir="$out/samples_ddim_${steps}"
    [[ "$eta" == 0 ]] || dir+="_eta_${eta}"
    flags=(--sampler ddim --steps "$steps" --eta "$eta")
    if [[ "$steps" == 50 ]]; then ddim_dirs+=("$dir:$eta"); fi  # compared with DDPM-1000 below
  fi
  seconds=$(sample_timed "$dir" "$num" --checkpoint "$out/ddpm" "${flags[@]}")
  score "$dir" "$dir.json" "$num"
  row "ddpm, $name" "$steps" "$num" "$seconds" "$dir.json"
done
seconds=$(sample_timed "$out/samples_vae" "$num" --checkpoint "$out/vae")
score "$out/samples_vae" "$out/samples_vae.json" "$num"
row "vae, prior samples" "1" "$num" "$seconds" "$out/samples_vae.json"
# Ancestral sampling over all 1,000 steps, beside the DDIM-50 images of the same seeds.
score fashion-mnist:train "$out/floor_small.json" "$ddpm_num"
row "floor: fashion-mnist:train" "-" "$ddpm_num" "-" "$out/floor_small.json"
seconds=$(sample_timed "$out/samples_ddpm_1000" "$ddpm_num" --checkpoint "$out/ddpm" --sampler ddpm)
score "$out/samples_ddpm_1000" "$out/samples_ddpm_1000.json" "$ddpm_num"
row "ddpm, ancestral DDPM" "1000" "$ddpm_num" "$seconds" "$out/samples_ddpm_1000.json"
for entry in "${ddim_dirs[@]}"; do
  dir=${entry%:*}
  score "$dir" "$dir.small.json" "$ddpm_num"
  row "ddpm, DDIM (eta ${entry##*:}), first $ddpm_num of the run above" "50" "$ddpm_num" "-" "$dir.small.json"
done

[[ -f "$out/cas.json" ]] || "$binary" eval cas --train "$out/ddpm" --num "$cas_num" --baseline none \
  "${cas_sampling[@]}" --set train.steps="$cas_steps" --threads "$threads" --json "$out/cas.json"
cas=$(/usr/bin/python3 -c "import json; r = json.load(open('$out/cas.json')); print('%.2f%% (%s)' % (100 * r['metrics']['cas'], r['synthetic']))")
elbo=$(grep test_elbo_nats "$out/vae/metrics.jsonl" | tail -1)
{
  echo
  echo "CAS of the conditional DDPM (classifier $cas_steps steps): $cas"
  echo "VAE test-set ELBO (last evaluation): $elbo"
} >>"$table"
cat "$table"
