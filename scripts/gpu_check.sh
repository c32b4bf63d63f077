#!/usr/bin/env bash
# The prepared GPU check (docs/gpu.md#gpu-check): builds synthgen, runs the tests, and measures
# DCGAN-64 training (fp32 and bf16, side by side with pytorch/examples' loop), DDPM training,
# sampling and the classifier eval, writing one JSON of figures. Made for one run on a GPU machine
# whose python3 holds a CUDA torch (its LibTorch builds synthgen) and that reaches no package
# registry: the other dependencies come from .debs/ (scripts/fetch_gpu_debs.sh, run beforehand on
# a Debian machine, then carried). `--cpu` runs the same flow against Debian's LibTorch, small.
#
#   scripts/gpu_check.sh [--cpu] [--budget SECONDS] [--stages build,tests_cuda,dcgan,...]
#
# Writes $OUT/gpu_check.json (build-gpu-check/gpu_check.json when OUT is unset) and a log per stage
# in logs/ beside it; builds into build-gpu-check/, works in build-gpu-check/check/. Every stage
# runs under `timeout`, within an overall budget (GPU: 480 s, CPU: 3600 s); a stage that fails does
# not stop the next, and each gets a status: ok, failed, timeout or skipped. Exit status 0 only
# when every stage is ok. --stages runs only the named stages (plus env), using what earlier runs
# left in build-gpu-check/.
# shellcheck disable=SC2317  # stage_* functions run through `timeout bash -c`
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export LC_NUMERIC=C  # $EPOCHREALTIME and awk agree on the decimal point

mode=gpu
budget=""
only_stages=""
while (($# > 0)); do
  case "$1" in
    --cpu) mode=cpu ;;
    --budget) budget=$2; shift ;;
    --stages) only_stages=$2; shift ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "gpu_check: unknown argument '$1' (expected --cpu, --budget S, --stages LIST)" >&2; exit 2 ;;
  esac
  shift
done

BUILD_DIR=$ROOT/build-gpu-check
WORK=$BUILD_DIR/check
RESULT_DIR=${OUT:-$BUILD_DIR}
LOGS=$RESULT_DIR/logs
DEPS=/tmp/deps
CORES=$(nproc)
TOOLS=$ROOT/scripts/gpu_check_tools.py
# The helpers need only the standard library; Debian's interpreter starts fastest.
if [[ -x /usr/bin/python3 ]]; then TOOLS_PY=/usr/bin/python3; else TOOLS_PY=$(command -v python3); fi
START=$(date +%s)

# What each stage does, by mode. GPU: the issue's sizes within ~8 minutes on 16 cores; CPU: a
# functional pass that stays short on 2 busy cores (figures there say little).
if [[ $mode == gpu ]]; then
  budget=${budget:-480}
  DEVICE=cuda
  DCGAN_ARGS=(--device cuda --precisions "fp32,bf16" --steps 200 --window 20 --rounds 2 --images 1024)
  DDPM_STEPS=300 DDPM_LOG_EVERY=50 DDPM_BATCH=128 DDPM_GRID=16
  SAMPLE_NUM=10000
  CLASSIFIER_STEPS=400 CLASSIFIER_LOG_EVERY=100
  EVAL_NUM=0  # all: the 10,000 test images and the 10,000 samples
  declare -A CAP=([build]=330 [tests_cuda]=90 [dcgan]=150 [ddpm]=75 [sample]=60 [eval]=90 [tests]=180)
  STAGES=(build tests_cuda dcgan ddpm sample eval tests)
else
  budget=${budget:-3600}
  DEVICE=cpu
  DCGAN_ARGS=(--device cpu --precisions fp32 --steps 6 --window 2 --rounds 1 --images 256)
  DDPM_STEPS=4 DDPM_LOG_EVERY=2 DDPM_BATCH=16 DDPM_GRID=4  # batch 128 takes ~45 s a step here
  SAMPLE_NUM=500
  CLASSIFIER_STEPS=20 CLASSIFIER_LOG_EVERY=10
  EVAL_NUM=500
  declare -A CAP=([build]=2700 [dcgan]=900 [ddpm]=600 [sample]=300 [eval]=600 [tests]=1500)
  STAGES=(build dcgan ddpm sample eval tests)
fi
DEADLINE=$((START + budget))
MIN_STAGE_S=15

log() { echo "gpu_check [$(($(date +%s) - START)) s] $*"; }

# Each stage clears only its own folder, so --stages can reuse what earlier stages left.
mkdir -p "$WORK" "$LOGS"
rm -f "$RESULT_DIR/gpu_check.json" "$WORK/stages.jsonl" "$WORK/meta.json"

# ---------------------------------------------------------------------------------------------
# Stage 1, env (always, in this shell: it picks the interpreters the other stages use).
# TORCH_PY: whose torch builds synthgen (GPU) and runs the DCGAN reference; BENCH_PY: runs
# scripts/bench_dcgan_train.py (numpy); FIXTURE_PY: makes the test fixtures (numpy, scipy, torch).
py_imports() { timeout 60 "$1" -c "import $2" >/dev/null 2>&1; }

stage_env() {
  local candidates=() python
  for python in "$(command -v python3 || true)" /usr/bin/python3; do
    if [[ -n $python && -x $python && " ${candidates[*]} " != *" $python "* ]]; then candidates+=("$python"); fi
  done
  TORCH_PY="" FIXTURE_PY="" TORCH_PREFIX=""
  if [[ $mode == gpu ]]; then
    for python in "${candidates[@]}"; do
      if timeout 60 "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' \
          >/dev/null 2>&1; then
        TORCH_PY=$python
        break
      fi
    done
    if [[ -z $TORCH_PY ]]; then
      for python in "${candidates[@]}"; do
        if py_imports "$python" torch; then TORCH_PY=$python; break; fi
      done
    fi
    if [[ -n $TORCH_PY ]]; then
      TORCH_PREFIX=$(timeout 60 "$TORCH_PY" -c 'import torch; print(torch.utils.cmake_prefix_path)' || true)
    fi
  else
    TORCH_PY=/usr/bin/python3
  fi
  BENCH_PY=$TORCH_PY
  for python in /usr/bin/python3 "${candidates[@]}"; do
    if [[ -x $python ]] && py_imports "$python" "numpy, scipy.linalg, scipy.ndimage, scipy.special, torch"; then
      FIXTURE_PY=$python
      break
    fi
  done
  # Fashion-MNIST: Debian's package where installed, else the one carried in .debs/ (extracted in
  # the build stage, or here when the build stage is not run).
  FASHION_DEFAULT=/usr/share/datasets/fashion-mnist
  if [[ -f $FASHION_DEFAULT/t10k-images-idx3-ubyte.gz ]]; then
    FASHION_DIR=$FASHION_DEFAULT
  else
    FASHION_DIR=$DEPS/usr/share/datasets/fashion-mnist
    if [[ ! -f $FASHION_DIR/t10k-images-idx3-ubyte.gz && -f .debs/dataset-fashion-mnist.deb ]]; then
      extract_deb .debs/dataset-fashion-mnist.deb "$DEPS"
    fi
  fi
  export TORCH_PY BENCH_PY FIXTURE_PY TORCH_PREFIX FASHION_DIR FASHION_DEFAULT
  echo "torch python: ${TORCH_PY:-none} (cmake prefix ${TORCH_PREFIX:-none})"
  echo "fixture python: ${FIXTURE_PY:-none}; tools python: $TOOLS_PY; Fashion-MNIST: $FASHION_DIR"
  timeout 30 nvidia-smi 2>&1 | head -20 || true
  local pythons=("${candidates[@]}")
  timeout 300 "$TOOLS_PY" "$TOOLS" facts "$mode" "${pythons[@]}" > "$WORK/env/facts.json"
  "$TOOLS_PY" "$TOOLS" combine "$WORK/env/figures.json" "machine=@$WORK/env/facts.json" \
    "torch_python=\"$TORCH_PY\"" "torch_cmake_prefix=\"$TORCH_PREFIX\"" \
    "fixture_python=\"$FIXTURE_PY\"" "fashion_mnist=\"$FASHION_DIR\""
}

extract_deb() {  # DEB DEST
  mkdir -p "$2"
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$1" "$2"
  else
    "${TOOLS_PY:-python3}" "$TOOLS" extract-deb "$1" "$2"
  fi
}

# ---------------------------------------------------------------------------------------------
# Stage 2, build.
stage_build() {
  local configure=(cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release)
  command -v ninja >/dev/null && configure+=(-G Ninja)
  if [[ $mode == cpu ]]; then
    bash scripts/setup.sh
  else
    [[ -n $TORCH_PREFIX ]] || { echo "no python3 with torch: nothing to build against"; return 1; }
    ls .debs/*.deb >/dev/null || { echo "no .debs/*.deb: run scripts/fetch_gpu_debs.sh and carry .debs"; return 1; }
    local deb lib=$DEPS/usr/lib/x86_64-linux-gnu
    for deb in .debs/*.deb; do
      case $(basename "$deb") in
        zlib1g*.deb) ;;                  # below, only when the machine lacks zlib
        dataset-fashion-mnist.deb) ;;    # the env stage's business
        *) echo "extracting $deb"; extract_deb "$deb" "$DEPS" ;;
      esac
    done
    # jpeglib.h includes jconfig.h, which Debian keeps in the multiarch folder.
    cp "$DEPS/usr/include/x86_64-linux-gnu/jconfig.h" "$DEPS/usr/include/"
    configure+=(-DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$DEPS/usr" -DSYNTHGEN_CUDA_TESTS=ON
                -Dyaml-cpp_DIR="$lib/cmake/yaml-cpp" -Dfmt_DIR="$lib/cmake/fmt"
                -DCLI11_DIR="$DEPS/usr/share/cmake/CLI11" -DCatch2_DIR="$DEPS/usr/lib/cmake/Catch2"
                -DJPEG_INCLUDE_DIR="$DEPS/usr/include" -DJPEG_LIBRARY="$lib/libjpeg.so"
                -DSTB_INCLUDE_DIR="$DEPS/usr/include/stb")
    if ! echo '#include <zlib.h>' | c++ -E -x c++ - >/dev/null 2>&1; then
      echo "no zlib.h here: using the carried zlib1g-dev"
      extract_deb .debs/zlib1g-dev.deb "$DEPS"
      local libz
      libz=$(ldconfig -p 2>/dev/null | awk '/libz\.so\.1 .*x86-64/ {print $NF; exit}')
      if [[ -z $libz ]]; then
        extract_deb .debs/zlib1g.deb "$DEPS"
        libz=$DEPS/lib/x86_64-linux-gnu/libz.so.1
      fi
      configure+=(-DZLIB_INCLUDE_DIR="$DEPS/usr/include" -DZLIB_LIBRARY="$libz")
    fi
    if [[ -n $FIXTURE_PY ]]; then
      configure+=(-DSYNTHGEN_FIXTURE_PYTHON="$FIXTURE_PY")
    elif [[ -d .debs/fixtures ]]; then
      echo "no python3 with numpy, scipy and torch: using the fixtures made by scripts/fetch_gpu_debs.sh"
      configure+=(-DSYNTHGEN_PREBUILT_FIXTURES="$ROOT/.debs/fixtures")
    else
      echo "no python3 with numpy, scipy and torch, and no .debs/fixtures: building without tests"
      configure+=(-DSYNTHGEN_BUILD_TESTS=OFF)
    fi
    if ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
      export PATH=/usr/local/cuda/bin:$PATH
    fi
    # Torch's CMake files otherwise probe the GPU for an architecture list; synthgen has no kernels.
    export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
  fi
  echo "+ ${configure[*]}"
  "${configure[@]}"
  cmake --build "$BUILD_DIR" --parallel "$CORES"
  "$BUILD_DIR/synthgen" --version
}

# ---------------------------------------------------------------------------------------------
# Stage 3, tests: the [cuda] tests (GPU) and the suite. ctest's result lines are counted, so a run
# cut short still says what finished.
run_ctest() {  # NAME ARGS...
  local name=$1 rc=0
  shift
  (cd "$BUILD_DIR" && ctest --output-on-failure "$@") 2>&1 | tee "$WORK/$name/ctest.log" || rc=$?
  "$TOOLS_PY" "$TOOLS" ctest-counts "$WORK/$name/ctest.log" > "$WORK/$name/figures.json"
  cat "$WORK/$name/figures.json"
  return "$rc"
}
stage_tests_cuda() { run_ctest tests_cuda -L cuda; }
stage_tests() {
  if [[ $mode == gpu ]]; then
    run_ctest tests -LE cuda --parallel "$CORES"
  else
    run_ctest tests -LE slow --parallel "$CORES"
  fi
}

# ---------------------------------------------------------------------------------------------
# Stage 4, DCGAN-64 training throughput: synthgen vs pytorch/examples' loop, alternating.
stage_dcgan() {
  local args rc=0
  read -ra args <<< "$DCGAN_ARGS_TEXT"  # arrays do not cross into the stage's bash
  # The bench writes its JSON after every run, and keeps going when one run fails.
  "$BENCH_PY" scripts/bench_dcgan_train.py "${args[@]}" --threads "$CORES" \
    --binary "$BUILD_DIR/synthgen" --python "$TORCH_PY" --json "$WORK/dcgan/bench.json" \
    --keep "$WORK/dcgan/work" || rc=$?
  local note='"fp32 and bf16 autocast"'
  if [[ $mode == cpu ]]; then note='"fp32 only: synthgen refuses bf16 autocast on the CPU"'; fi
  if [[ -f $WORK/dcgan/bench.json ]]; then
    "$TOOLS_PY" "$TOOLS" combine "$WORK/dcgan/figures.json" "dcgan_64=@$WORK/dcgan/bench.json" "precisions=$note"
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
# Stage 5, DDPM training (configs/ddpm_fashion.yaml, a few hundred steps).
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}'; }
stage_ddpm() {
  local start=$EPOCHREALTIME data=()
  # Fashion-MNIST's folder, when it is not the built-in default.
  [[ $FASHION_DIR == "$FASHION_DEFAULT" ]] || data=(--set "data.path=$FASHION_DIR")
  "$BUILD_DIR/synthgen" train --config configs/ddpm_fashion.yaml "${data[@]}" \
    --set train.steps="$DDPM_STEPS" --set train.log_every="$DDPM_LOG_EVERY" --set train.sample_every=0 \
    --set train.checkpoint_every=0 --set train.batch_size="$DDPM_BATCH" \
    --set train.grid_size="$DDPM_GRID" --set run.device="$DEVICE" \
    --set run.threads="$CORES" --out "$WORK/ddpm/run"
  local wall
  wall=$(seconds_since "$start")
  "$TOOLS_PY" "$TOOLS" train-rate "$WORK/ddpm/run" > "$WORK/ddpm/rate.json"
  "$TOOLS_PY" "$TOOLS" combine "$WORK/ddpm/figures.json" "ddpm_fashion=@$WORK/ddpm/rate.json" \
    "batch=$DDPM_BATCH" "process_wall_s=$wall"
}

# ---------------------------------------------------------------------------------------------
# Stage 6, sampling from the DCGAN-64 run of stage 4.
dcgan_run() {
  local run
  for run in "$WORK"/dcgan/work/run_fp32_* "$WORK"/dcgan/work/run_*; do
    [[ -f $run/checkpoints/latest.ckpt ]] && { echo "$run"; return 0; }
  done
  return 1
}
stage_sample() {
  local run start wall
  run=$(dcgan_run) || { echo "no DCGAN run with a checkpoint in $WORK/dcgan/work (stage dcgan)"; return 1; }
  start=$EPOCHREALTIME
  "$BUILD_DIR/synthgen" sample --checkpoint "$run" --num "$SAMPLE_NUM" --out "$WORK/sample/images" \
    --device "$DEVICE" --threads "$CORES" 2>&1 | tee "$WORK/sample/sample.log"
  wall=$(seconds_since "$start")
  "$TOOLS_PY" "$TOOLS" sample-rate "$WORK/sample/sample.log" > "$WORK/sample/rate.json"
  "$TOOLS_PY" "$TOOLS" combine "$WORK/sample/figures.json" "dcgan_64_sample=@$WORK/sample/rate.json" \
    "process_wall_s=$wall" "checkpoint=\"$run\""
}

# ---------------------------------------------------------------------------------------------
# Stage 7, classifier eval: a briefly trained classifier's features, the Fashion-MNIST test set
# against stage 6's samples (64x64 RGB blobs, made grey 28x28: the figures time the path, they
# say nothing of quality). `fashion-mnist:test` always reads the built-in folder, so elsewhere the
# test set goes in as an image folder of the same pixels.
stage_eval() {
  local fake=$WORK/sample/images real start wall data=() num=()
  [[ $FASHION_DIR == "$FASHION_DEFAULT" ]] || data=(--set "data.path=$FASHION_DIR")
  if [[ ! -f $fake/manifest.csv ]]; then
    fake=$(dcgan_run) || { echo "no samples (stage sample) and no DCGAN run (stage dcgan)"; return 1; }
    echo "no samples from stage sample: the DCGAN run $fake generates the fake set"
  fi
  start=$EPOCHREALTIME
  "$BUILD_DIR/synthgen" train --config configs/classifier_fashion.yaml "${data[@]}" \
    --set train.steps="$CLASSIFIER_STEPS" --set train.log_every="$CLASSIFIER_LOG_EVERY" \
    --set run.device="$DEVICE" --set run.threads="$CORES" --out "$WORK/eval/classifier"
  local train_wall
  train_wall=$(seconds_since "$start")
  if [[ $FASHION_DIR == "$FASHION_DEFAULT" ]]; then
    real=fashion-mnist:test
  else
    real=$WORK/eval/fashion_test
    "$TOOLS_PY" "$TOOLS" fashion-folder "$FASHION_DIR" test "$real"
  fi
  if ((EVAL_NUM > 0)); then num=(--num "$EVAL_NUM"); fi
  start=$EPOCHREALTIME
  "$BUILD_DIR/synthgen" eval --real "$real" --fake "$fake" --features "classifier:$WORK/eval/classifier" \
    --metrics fid,kid "${num[@]}" --device "$DEVICE" --threads "$CORES" --json "$WORK/eval/eval.json" \
    2>&1 | tee "$WORK/eval/eval.log"
  wall=$(seconds_since "$start")
  "$TOOLS_PY" "$TOOLS" train-rate "$WORK/eval/classifier" > "$WORK/eval/train_rate.json"
  "$TOOLS_PY" "$TOOLS" eval-rates "$WORK/eval/eval.log" > "$WORK/eval/rates.json"
  "$TOOLS_PY" "$TOOLS" combine "$WORK/eval/figures.json" "classifier_train=@$WORK/eval/train_rate.json" \
    "classifier_train_wall_s=$train_wall" "eval=@$WORK/eval/eval.json" \
    "feature_rates=@$WORK/eval/rates.json" "eval_wall_s=$wall" "real=\"$real\"" "fake=\"$fake\""
}

# ---------------------------------------------------------------------------------------------
# The runner: each stage in its own bash under `timeout`, within the overall deadline.
declare -A STATUS
record() {  # STAGE STATUS SECONDS NOTE
  STATUS[$1]=$2
  "$TOOLS_PY" "$TOOLS" record "$WORK" "$1" "$2" "$3" "$4" >/dev/null
  log "stage $1: $2 (${3} s)${4:+ - $4}"
}

run_stage() {  # NAME
  local name=$1 now limit rc=0 start seconds status note=""
  if [[ -n $only_stages && ",$only_stages," != *",$name,"* ]]; then
    record "$name" skipped 0 "not in --stages"
    return
  fi
  now=$(date +%s)
  limit=${CAP[$name]}
  if ((DEADLINE - now < limit)); then limit=$((DEADLINE - now)); fi
  if ((limit < MIN_STAGE_S)); then
    record "$name" skipped 0 "the overall budget of ${budget} s is spent"
    return
  fi
  log "stage $name: starting (limit ${limit} s, log $LOGS/$name.log)"
  rm -rf "${WORK:?}/$name"
  mkdir -p "$WORK/$name"
  start=$EPOCHREALTIME
  timeout --kill-after=15 "$limit" bash -c "set -euo pipefail; stage_$name" > "$LOGS/$name.log" 2>&1 || rc=$?
  seconds=$(seconds_since "$start")
  case $rc in
    0) status=ok ;;
    124 | 137) status=timeout; note="stopped after its limit of ${limit} s" ;;
    *) status=failed; note="exit status $rc" ;;
  esac
  if [[ $status != ok ]]; then
    echo "--- last lines of $LOGS/$name.log:"
    tail -n 15 "$LOGS/$name.log" | cut -c1-300
    salvage "$name" || true
  fi
  record "$name" "$status" "$seconds" "$note"
}

# What a stage that was stopped or failed had measured: ctest's finished tests, the DCGAN bench's
# finished runs (it writes its JSON after each).
salvage() {  # NAME
  [[ -f $WORK/$1/figures.json ]] && return 0
  case $1 in
    tests | tests_cuda)
      [[ -f $WORK/$1/ctest.log ]] && "$TOOLS_PY" "$TOOLS" ctest-counts "$WORK/$1/ctest.log" > "$WORK/$1/figures.json" ;;
    dcgan)
      [[ -f $WORK/dcgan/bench.json ]] && "$TOOLS_PY" "$TOOLS" combine "$WORK/dcgan/figures.json" \
        "dcgan_64=@$WORK/dcgan/bench.json" ;;
  esac
}

export mode ROOT BUILD_DIR WORK DEPS CORES TOOLS TOOLS_PY DEVICE SAMPLE_NUM EVAL_NUM DDPM_STEPS DDPM_LOG_EVERY \
  DDPM_BATCH DDPM_GRID \
  CLASSIFIER_STEPS CLASSIFIER_LOG_EVERY
export DCGAN_ARGS_TEXT="${DCGAN_ARGS[*]}"
export -f stage_build stage_tests_cuda stage_tests stage_dcgan stage_ddpm stage_sample stage_eval \
  run_ctest seconds_since dcgan_run extract_deb

log "mode $mode, budget ${budget} s, ${CORES} cores, results in $RESULT_DIR"
rm -rf "$WORK/env"
mkdir -p "$WORK/env"
env_start=$EPOCHREALTIME
env_rc=0
stage_env > "$LOGS/env.log" 2>&1 || env_rc=$?
grep -E '^(torch|fixture) python' "$LOGS/env.log" || true
if [[ $env_rc == 0 ]]; then
  record env ok "$(seconds_since "$env_start")" ""
else
  record env failed "$(seconds_since "$env_start")" "exit status $env_rc"
fi
if [[ $mode == gpu ]]; then
  # The carried libraries (the binaries' RPATH names them too).
  export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$DEPS/usr/lib/x86_64-linux-gnu
fi

for stage in "${STAGES[@]}"; do
  run_stage "$stage"
done

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=$([[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]] && echo true || echo false)
"$TOOLS_PY" "$TOOLS" combine "$WORK/meta.json" "check=\"scripts/gpu_check.sh\"" "mode=\"$mode\"" \
  "commit=\"$commit\"" "uncommitted_changes=$dirty" "started_at=\"$(date -u -d "@$START" +%FT%TZ)\"" \
  "total_s=$(($(date +%s) - START))" "budget_s=$budget" "cores=$CORES" \
  "settings=$(printf '{"dcgan": "%s", "ddpm_steps": %d, "ddpm_batch": %d, "sample_num": %d, "classifier_steps": %d, "eval_num": %d}' \
    "${DCGAN_ARGS[*]}" "$DDPM_STEPS" "$DDPM_BATCH" "$SAMPLE_NUM" "$CLASSIFIER_STEPS" "$EVAL_NUM")"
"$TOOLS_PY" "$TOOLS" merge "$WORK" "$RESULT_DIR/gpu_check.json" >/dev/null
log "wrote $RESULT_DIR/gpu_check.json"
for stage in env "${STAGES[@]}"; do
  printf '  %-10s %s\n' "$stage" "${STATUS[$stage]}"
done
for stage in env "${STAGES[@]}"; do
  [[ ${STATUS[$stage]} == ok ]] || exit 1
done
exit 0
