#!/usr/bin/env bash
# Fault injection against training and sampling; reports how many runs resumed exactly.
#   scripts/fault_injection.sh [kills, default 20] [work folder, default a fresh one under /tmp]
# 1. SIGKILL at a random moment after the first checkpoint, then --resume: the final checkpoint
#    must hold the same tensors, bit for bit, as an uninterrupted run (build/tests/checkpoint_digest).
#    Then 5 more SIGKILLs aimed inside a save (when its temporary file appears).
# 2. SIGTERM twice (stop, then a second signal during the save) and three times (abort at once,
#    often mid-save): the latest checkpoint must load and resume exactly.
# 3. A full disk: a file-size limit (ulimit -f) while saving checkpoints and while sampling, and,
#    when run as root, a real 1 MiB tmpfs. Each must end with a clear error, leave the previous
#    checkpoint loadable and no partial file under a final name.
# Needs a Release build (scripts/build.sh) and Fashion-MNIST (scripts/setup.sh). Exit 1 if any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
synthgen="$root/build/synthgen"
digest="$root/build/tests/checkpoint_digest"
kills="${1:-20}"
work="${2:-$(mktemp -d /tmp/synthgen-faults.XXXXXX)}"
mkdir -p "$work"
[[ -x "$synthgen" && -x "$digest" ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
RANDOM=20261123  # the kill moments are random, but the same on every run of the script

cat >"$work/tiny.yaml" <<'EOF'
model: {family: dcgan, base_channels: 8, latent_dim: 16}
data: {source: fashion-mnist, image_size: 32, max_images: 512}
train: {steps: 120, batch_size: 16, log_every: 20, sample_every: 40, checkpoint_every: 1,
        ema_decay: 0.9, augment: translation, keep_last: 4}
run: {seed: 7, threads: 1}
EOF

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
now() { date +%s.%N; }
random_delay() {  # random_delay FRACTION: seconds, uniform in [0, FRACTION x one run)
  awk -v r="$RANDOM" -v t="$run_seconds" -v f="$1" 'BEGIN { printf "%.3f", (r % 1000) / 1000 * t * f }'
}
wait_for() {  # wait_for FILE [seconds]: until FILE exists
  local deadline=$(($(date +%s) + ${2:-60}))
  until [[ -e "$1" ]]; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.01
  done
}
# Temporary files are hidden: .<name>.tmp.<random> (io/file_io.cpp).
leftover_temporaries() { find "$1" -name '.*.tmp.*' | wc -l; }
same_state() { cmp -s <("$digest" "$1") "$work/reference.digest"; }
start_training() {  # start_training RUN: trains tiny.yaml into RUN in the background (pid in $pid)
  "$synthgen" train --config "$work/tiny.yaml" --out "$1" >"$1.log" 2>&1 &
  pid=$!
  wait_for "$1/checkpoints/latest.ckpt" || fail "$1: no first checkpoint"
}
resumes_exactly() {  # resumes_exactly RUN: --resume to the end, then compare with the reference
  "$synthgen" train --resume "$1" >>"$1.log" 2>&1 && same_state "$1/checkpoints/latest.ckpt"
}

echo "== reference: uninterrupted run"
start=$(now)
"$synthgen" train --config "$work/tiny.yaml" --out "$work/reference" >"$work/reference.log" 2>&1
run_seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
"$digest" "$work/reference/checkpoints/latest.ckpt" >"$work/reference.digest"
echo "$(grep -c . "$work/reference.digest") tensors, ${run_seconds} s per run"

echo "== ${kills} runs killed with SIGKILL at random moments after the first checkpoint, then resumed"
exact=0
for i in $(seq "$kills"); do
  run="$work/kill-$i"
  start_training "$run"
  # Anywhere in the rest of the run: mid-step, mid-save, mid-sample-grid.
  delay=$(random_delay 0.8)
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  killed_at=$("$digest" "$run/checkpoints/latest.ckpt" | tail -1)
  temporaries=$(leftover_temporaries "$run")
  if resumes_exactly "$run"; then
    exact=$((exact + 1))
    echo "kill $i after ${delay} s (latest checkpoint: ${killed_at}, ${temporaries} temporary files): resumed exactly"
  else
    fail "kill $i after ${delay} s (latest checkpoint: ${killed_at}): resume differs or failed, see $run.log"
  fi
done
echo "resumed exactly: ${exact} of ${kills}"

echo "== 5 runs killed with SIGKILL while a checkpoint is being written, then resumed"
mid_save=0
mid_save_exact=0
for i in 1 2 3 4 5; do
  run="$work/midsave-$i"
  start_training "$run"
  sleep "$(random_delay 0.5)"
  # Kill the moment a temporary checkpoint file appears (the save's write and fsync are under way).
  for _ in $(seq 20000); do
    compgen -G "$run/checkpoints/.*.tmp.*" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  temporaries=$(leftover_temporaries "$run")
  ((temporaries > 0)) && mid_save=$((mid_save + 1))
  if resumes_exactly "$run" &&
     (($(leftover_temporaries "$run") == 0)); then
    mid_save_exact=$((mid_save_exact + 1))
  else
    fail "mid-save kill $i: resume differs, failed or left temporaries, see $run.log"
  fi
done
echo "killed inside a save (a temporary file was left): ${mid_save} of 5; resumed exactly: ${mid_save_exact} of 5"

echo "== signals during saves"
signal_runs=0
signal_exact=0
for signals in 2 3; do
  for i in 1 2 3 4 5; do
    run="$work/term${signals}-$i"
    start_training "$run"
    sleep "$(random_delay 0.5)"
    # The first SIGTERM asks for a checkpoint; the next ones land while it is being written.
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 2 "$signals"); do
      sleep 0.00$((RANDOM % 10))
      kill -TERM "$pid" 2>/dev/null || true
    done
    code=0
    wait "$pid" || code=$?
    signal_runs=$((signal_runs + 1))
    [[ "$code" == 143 || "$code" == 0 ]] || fail "$run: exit code $code after ${signals} SIGTERMs (expected 143)"
    echo "${signals} SIGTERMs: exit ${code}, latest checkpoint $("$digest" "$run/checkpoints/latest.ckpt" | tail -1)"
    if ! "$digest" "$run/checkpoints/latest.ckpt" >/dev/null; then
      fail "$run: latest checkpoint unreadable after ${signals} SIGTERMs"
    elif resumes_exactly "$run"; then
      signal_exact=$((signal_exact + 1))
    else
      fail "$run: resume after ${signals} SIGTERMs differs or failed"
    fi
  done
done
echo "resumed exactly after 2 or 3 SIGTERMs: ${signal_exact} of ${signal_runs}"

echo "== full disk"
check_no_partial_files() {  # every PNG under its final name decodes in full; no temporaries
  local folder="$1" png
  (($(leftover_temporaries "$folder") == 0)) || fail "$folder: temporary files left behind"
  for png in "$folder"/*.png; do
    [[ -e "$png" ]] || continue
    /usr/bin/python3 -c "import sys; from PIL import Image; Image.open(sys.argv[1]).load()" "$png" ||
      fail "$png is partial"
  done
}
# Checkpoint saves under a file-size limit of half a checkpoint.
run="$work/ulimit-train"
"$synthgen" train --config "$work/tiny.yaml" --set train.steps=30 --out "$run" >"$run.log" 2>&1
blocks=$(($(stat -c %s "$run/checkpoints/latest.ckpt") / 2048))
code=0
bash -c "ulimit -f $blocks; '$synthgen' train --resume '$run' --set train.steps=60" >>"$run.log" 2>&1 || code=$?
[[ "$code" == 1 ]] || fail "ulimit -f during a save: exit code $code, expected 1"
grep -q "synthgen: error: cannot write" "$run.log" || fail "ulimit -f during a save: no clear error"
step=$("$digest" "$run/checkpoints/latest.ckpt" | tail -1)
[[ "$step" == "step 30" ]] || fail "ulimit -f during a save: latest checkpoint is '$step', expected step 30"
(($(leftover_temporaries "$run") == 0)) || fail "ulimit -f during a save: temporary files left behind"
"$synthgen" train --resume "$run" --set train.steps=120 >>"$run.log" 2>&1 && same_state "$run/checkpoints/latest.ckpt" ||
  fail "resume after the failed save differs from the reference"
echo "checkpoint save under ulimit -f ${blocks}: exit ${code}, latest checkpoint ${step}, resume exact"
# Sampling under a 1 KiB limit per file.
code=0
bash -c "ulimit -f 1; '$synthgen' sample --checkpoint '$work/reference' --num 64 --out '$work/ulimit-sample'" \
  >"$work/ulimit-sample.log" 2>&1 || code=$?
[[ "$code" == 1 ]] || fail "ulimit -f while sampling: exit code $code, expected 1"
check_no_partial_files "$work/ulimit-sample"
echo "sampling under ulimit -f 1: exit ${code}: $(tail -1 "$work/ulimit-sample.log")"
# A real full file system, where the system allows mounting one.
if [[ $(id -u) == 0 ]] && mkdir -p "$work/small" && mount -t tmpfs -o size=1m tmpfs "$work/small" 2>/dev/null; then
  trap 'umount "$work/small" 2>/dev/null || true' EXIT
  code=0
  "$synthgen" sample --checkpoint "$work/reference" --num 4000 --out "$work/small/samples" \
    >"$work/tmpfs-sample.log" 2>&1 || code=$?
  [[ "$code" == 1 ]] || fail "sampling into a full tmpfs: exit code $code, expected 1"
  check_no_partial_files "$work/small/samples"
  echo "sampling into a full 1 MiB tmpfs: exit ${code}: $(tail -1 "$work/tmpfs-sample.log")"
  rm -rf "$work/small/samples"
  # Training into a file system that fills up while checkpoints accumulate (keep_last off).
  code=0
  "$synthgen" train --config "$work/tiny.yaml" --set train.keep_last=0 --out "$work/small/run" \
    >"$work/tmpfs-train.log" 2>&1 || code=$?
  [[ "$code" == 1 ]] || fail "training into a full tmpfs: exit code $code, expected 1"
  if [[ -e "$work/small/run/checkpoints/latest.ckpt" ]]; then
    step=$("$digest" "$work/small/run/checkpoints/latest.ckpt" | tail -1) || fail "tmpfs: latest checkpoint unreadable"
  else
    step="none"
  fi
  (($(leftover_temporaries "$work/small/run") == 0)) || fail "tmpfs: temporary files left behind"
  echo "training into a full 1 MiB tmpfs: exit ${code}, latest checkpoint ${step}: $(tail -1 "$work/tmpfs-train.log")"
else
  echo "(not root or no tmpfs: the real full-disk case is skipped; the ulimit -f cases ran)"
fi

echo "== summary: ${exact}/${kills} SIGKILLed runs, ${mid_save_exact}/5 killed inside a save and ${signal_exact}/${signal_runs} signalled runs resumed exactly; ${failures} failures"
((failures == 0))
