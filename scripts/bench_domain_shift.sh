#!/usr/bin/env bash
# Benchmark 2 (docs/benchmarks.md, "An unseen domain"): Fashion-MNIST-M made by
# scripts/make_fashion_m.py, a CycleGAN trained unpaired between plain and new-domain training
# images, the labelled plain set translated into the new domain, and the built-in classifier
# trained three ways (source only, translated, oracle) and tested on the new domain's test split,
# whose photos no model saw. Steps that have their output already are skipped, so an interrupted
# run continues where it stopped.
#   scripts/bench_domain_shift.sh OUT_DIR
# Environment: SYNTHGEN (default build/synthgen), THREADS (2), CYCLE_STEPS (3000),
# CLASSIFIER_STEPS (1500), SEEDS ("1 2 3").
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/bench_domain_shift.sh OUT_DIR}
binary=${SYNTHGEN:-build/synthgen}
threads=${THREADS:-2}
mkdir -p "$out"

[[ -d "$out/fmm/unpaired" ]] || /usr/bin/python3 scripts/make_fashion_m.py "$out/fmm"
if [[ ! -f "$out/cyclegan/checkpoints/latest.ckpt" ]]; then
  "$binary" train --config configs/cyclegan_sneaker2boot.yaml --out "$out/cyclegan" \
    --set data.path="$out/fmm/unpaired" --set data.channels=3 --set train.steps="${CYCLE_STEPS:-3000}" \
    --set train.lr_constant_steps=$((${CYCLE_STEPS:-3000} / 2)) --set train.sample_every=500 \
    --set train.checkpoint_every=250 --set train.keep_last=1 --set run.threads="$threads"
fi
[[ -f "$out/translated/.synthgen-outputs" ]] ||
  "$binary" translate --checkpoint "$out/cyclegan" --input "$out/fmm/plain/train" --out "$out/translated" \
    --direction AtoB --threads "$threads"

for seed in ${SEEDS:-1 2 3}; do
  for arm in source:"$out/fmm/plain/train" translated:"$out/translated" oracle:"$out/fmm/target/train"; do
    name=${arm%%:*} set=${arm#*:}
    json="$out/cas_${name}_s${seed}.json"
    [[ -f "$json" ]] && continue
    "$binary" eval cas --train "$set" --test "$out/fmm/target/test" --baseline none --set data.channels=3 \
      --set train.steps="${CLASSIFIER_STEPS:-1500}" --set run.seed="$seed" --threads "$threads" --json "$json"
  done
done

# Accuracy on the new domain's test split, mean and sample std over the seeds, and the share of
# the source-only -> oracle gap that translation recovers.
/usr/bin/python3 - "$out" ${SEEDS:-1 2 3} <<'PY'
import json, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
acc = {arm: [json.load(open(f"{out}/cas_{arm}_s{s}.json"))["metrics"]["cas"] * 100 for s in seeds]
       for arm in ("source", "translated", "oracle")}
for arm, values in acc.items():
    spread = statistics.stdev(values) if len(values) > 1 else float("nan")
    print(f"{arm:10s} {statistics.mean(values):6.2f} ± {spread:.2f}  ({', '.join(f'{v:.2f}' for v in values)})")
gap = statistics.mean(acc["oracle"]) - statistics.mean(acc["source"])
gain = statistics.mean(acc["translated"]) - statistics.mean(acc["source"])
print(f"translation recovers {100 * gain / gap:.1f}% of the {gap:.2f}-point gap")
PY
