#!/usr/bin/env bash
# The eval benchmark (docs/benchmarks.md): the built-in classifier's test accuracy, then FID, KID,
# precision/recall with its features for
#   Fashion-MNIST train (first 10,000) vs test    the floor: two samples of the same distribution
#   Gaussian-noise images vs test                 the ceiling
#   a trained DCGAN (10,000 samples) vs test      the generator
# the generator's Inception Score under the classifier, its classification accuracy score (its
# samples labelled by the classifier, next to the classifier trained on the real training set),
# and the wall time of each command.
#   scripts/bench_eval.sh DCGAN_RUN [CLASSIFIER_RUN]
# Without CLASSIFIER_RUN it trains configs/classifier_fashion.yaml first (about 3 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/synthgen
dcgan=${1:?usage: scripts/bench_eval.sh DCGAN_RUN [CLASSIFIER_RUN]}
classifier=${2:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/synthgen-bench-eval-XXXXXX")
trap 'rm -rf "$work"' EXIT

timed() {  # timed LABEL COMMAND...: runs it, then prints its wall time and peak memory
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@"
  read -r seconds peak_kb <"$work/time"
  echo "== $label: ${seconds} s, peak RSS $((peak_kb / 1024)) MB"
}

if [[ -z "$classifier" ]]; then
  classifier="$work/classifier"
  timed "train the classifier" "$binary" train --config configs/classifier_fashion.yaml --out "$classifier"
fi
features="classifier:$classifier"
timed "classifier accuracy on fashion-mnist:test" \
  "$binary" eval --real fashion-mnist:test --features "$features" --metrics accuracy --json "$work/accuracy.json"
timed "floor: train[:10000] vs test" \
  "$binary" eval --real fashion-mnist:test --fake fashion-mnist:train --num 10000 --features "$features" \
  --metrics fid,kid,pr --json "$work/floor.json"
/usr/bin/python3 scripts/make_noise_images.py "$work/noise" --count 10000
timed "ceiling: Gaussian noise vs test" \
  "$binary" eval --real fashion-mnist:test --fake "$work/noise" --features "$features" \
  --metrics fid,kid,pr --json "$work/ceiling.json"
timed "DCGAN ($dcgan) vs test" \
  "$binary" eval --real fashion-mnist:test --fake "$dcgan" --num 10000 --features "$features" \
  --metrics fid,kid,pr,is --json "$work/dcgan.json"
timed "CAS of the DCGAN (labels from the classifier)" \
  "$binary" eval cas --train "$dcgan" --num 10000 --label-with "$classifier" --test fashion-mnist:test \
  --json "$work/cas.json"
