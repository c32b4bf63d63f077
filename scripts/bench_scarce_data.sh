#!/usr/bin/env bash
# Benchmark 1 (docs/benchmarks.md, "Scarce real data"): 1,000 labelled Fashion-MNIST training
# images (100 per class, scripts/make_fashion_subset.py) are all the real data. A conditional
# DCGAN and a conditional DDPM are trained on them alone, a classifier on them alone is the filter
# of filtered sampling, and the built-in classifier is trained (3 repeats, seeds paired) on the
# 1,000 images alone, with shifts added to its flips, and with 10,000 synthetic images of each
# generator, plain and filtered; tested on fashion-mnist:test. Steps whose output exists are
# skipped, so an interrupted run continues where it stopped.
#   scripts/bench_scarce_data.sh OUT_DIR
# Environment: SYNTHGEN (default build/synthgen), THREADS (2), CLASSIFIER_STEPS (1000),
# MIN_CONFIDENCE (0.9).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/bench_scarce_data.sh OUT_DIR}
binary=${SYNTHGEN:-build/synthgen}
threads=${THREADS:-2}
real="$out/real1k"
mkdir -p "$out"

[[ -d "$real" ]] || /usr/bin/python3 scripts/make_fashion_subset.py "$real"
on_real=(--set data.source=folder --set data.path="$real" --set run.threads="$threads")
if [[ ! -f "$out/cdcgan/checkpoints/latest.ckpt" ]]; then
  # The cDCGAN recipe with DiffAugment (Zhao et al. 2020), the usual fix for a GAN on little data.
  "$binary" train --config configs/cdcgan_fashion.yaml --out "$out/cdcgan" "${on_real[@]}" \
    --set train.augment=translation,cutout --set train.steps=10000 --set train.sample_every=2000 \
    --set train.checkpoint_every=1000 --set train.keep_last=1
fi
if [[ ! -f "$out/ddpm/checkpoints/latest.ckpt" ]]; then
  # The diffusion benchmark's small U-Net (scripts/bench_diffusion.sh), 4,000 steps.
  "$binary" train --config configs/ddpm_fashion.yaml --out "$out/ddpm" "${on_real[@]}" \
    --set model.base_channels=16 --set model.res_blocks=1 --set model.attention_max_size=7 \
    --set model.dropout=0 --set train.batch_size=64 --set train.lr=0.001 --set train.lr_schedule=linear \
    --set train.lr_constant_steps=2000 --set train.ema_decay=0.999 --set train.steps=4000 \
    --set train.sample_every=2000 --set train.checkpoint_every=1000 --set train.keep_last=1 --set train.grid_size=100
fi
[[ -f "$out/clf1k/checkpoints/latest.ckpt" ]] ||
  "$binary" train --config configs/classifier_fashion.yaml --out "$out/clf1k" "${on_real[@]}" --set train.steps=1500

ddpm_sampling=(--sampler dpm++2m --steps 20)
filter=(--keep-if "classifier:$out/clf1k" --min-confidence "${MIN_CONFIDENCE:-0.9}")
[[ -f "$out/gan10k/manifest.csv" ]] || "$binary" sample --checkpoint "$out/cdcgan" --num 10000 --out "$out/gan10k" --threads "$threads"
[[ -f "$out/ddpm10k/manifest.csv" ]] ||
  "$binary" sample --checkpoint "$out/ddpm" --num 10000 --out "$out/ddpm10k" "${ddpm_sampling[@]}" --threads "$threads"
[[ -f "$out/gan10k_kept/manifest.csv" ]] ||
  "$binary" sample --checkpoint "$out/cdcgan" --num 10000 --out "$out/gan10k_kept" "${filter[@]}" --threads "$threads"
[[ -f "$out/ddpm10k_kept/manifest.csv" ]] ||
  "$binary" sample --checkpoint "$out/ddpm" --num 10000 --out "$out/ddpm10k_kept" "${ddpm_sampling[@]}" "${filter[@]}" \
    --threads "$threads"

cas() {  # NAME ARGS...: one eval cas with 3 repeats, skipped when its JSON exists
  local name=$1
  shift
  [[ -f "$out/cas_$name.json" ]] && return
  "$binary" eval cas "$@" --test fashion-mnist:test --repeats 3 --set train.steps="${CLASSIFIER_STEPS:-1000}" \
    --threads "$threads" --json "$out/cas_$name.json"
}
# The real-only arms: flips (the classifier config's own), and flips with 2-pixel shifts.
cas real --train "$real" --baseline "$real" --baseline-set data.random_shift=2
for set in gan10k gan10k_kept ddpm10k ddpm10k_kept; do
  cas "${set/10k/}" --train "$real" --train "$out/$set" --baseline none # cas_gan.json, cas_gan_kept.json, ...
done
