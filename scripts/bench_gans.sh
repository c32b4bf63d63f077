#!/usr/bin/env bash
# The GAN family benchmark (docs/benchmarks.md): trains each Fashion-MNIST GAN config on 2 threads,
# then scores 10,000 samples of each against fashion-mnist:test with the built-in classifier's
# features (FID, KID, precision/recall), and the class-conditional model's classification accuracy
# score with its own labels. Prints one table at the end; the runs stay under OUT_DIR.
#   scripts/bench_gans.sh CLASSIFIER_RUN OUT_DIR [CONFIG_NAME[:--set k=v,...]]...
# Default configs: vanilla_fashion cdcgan_fashion wgangp_fashion progan_fashion progan_cond_fashion.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/synthgen
classifier=${1:?usage: scripts/bench_gans.sh CLASSIFIER_RUN OUT_DIR [CONFIG[:overrides]]...}
out=${2:?usage: scripts/bench_gans.sh CLASSIFIER_RUN OUT_DIR [CONFIG[:overrides]]...}
shift 2
configs=("$@")
((${#configs[@]} > 0)) || configs=(vanilla_fashion cdcgan_fashion wgangp_fashion progan_fashion progan_cond_fashion)
mkdir -p "$out"
table="$out/table.md"
echo "| config | train time | FID | KID | precision | recall | CAS |" >"$table"
echo "|---|---|---|---|---|---|---|" >>"$table"

for entry in "${configs[@]}"; do
  name=${entry%%:*}
  sets=()
  if [[ "$entry" == *:* ]]; then
    IFS=',' read -ra pairs <<<"${entry#*:}"
    for pair in "${pairs[@]}"; do sets+=(--set "$pair"); done
  fi
  run="$out/$name"
  if [[ ! -f "$run/checkpoints/latest.ckpt" ]]; then
    /usr/bin/time -f "%e" -o "$out/$name.time" \
      "$binary" train --config "configs/$name.yaml" "${sets[@]}" --set run.threads=2 --out "$run"
  fi
  seconds=$(cat "$out/$name.time" 2>/dev/null || echo "?")
  "$binary" eval --real fashion-mnist:test --fake "$run" --num 10000 --features "classifier:$classifier" \
    --metrics fid,kid,pr --threads 2 --json "$out/$name.json"
  cas="–"
  if grep -q "num_classes: [1-9]" "$run/config.yaml"; then
    "$binary" eval cas --train "$run" --num 10000 --baseline none --threads 2 --json "$out/$name.cas.json"
    cas=$(/usr/bin/python3 -c "import json; print('%.4f' % json.load(open('$out/$name.cas.json'))['metrics']['cas'])")
  fi
  /usr/bin/python3 - "$out/$name.json" "$name" "$seconds" "$cas" >>"$table" <<'PY'
import json, sys
path, name, seconds, cas = sys.argv[1:]
m = json.load(open(path))['metrics']
minutes = '%.1f min' % (float(seconds) / 60) if seconds != '?' else '?'
print('| %s | %s | %.2f | %.3f ± %.3f | %.3f | %.3f | %s |' % (
    name, minutes, m['fid'], m['kid']['mean'], m['kid']['std'], m['precision'], m['recall'], cas))
PY
done
cat "$table"
