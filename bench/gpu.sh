#!/usr/bin/env bash
# The GPU checks and benchmarks of the project, one after another, each under its own time limit, so that one
# that breaks or overruns does not cost the others. Run it on a machine with a CUDA GPU, the default set rendered:
#
#   bench/gpu.sh                        # all steps
#   bench/gpu.sh cells spectrogram      # some of them
#
# Steps: cells (all notebooks with their `#| cuda` cells: the suite on a GPU machine), spectrogram (bench/spectrogram.py), augment
# (bench/augment.py), loader (bench/loader.py), ratio (bench/epoch_ratio.py: on the fly's loading variants against the PNGs,
# the open GPU target of issue 4; run it first), study (bench/study.py), effect (bench/augment_effect.py), accuracy
# (bench/accuracy.py: the demo's recipe with the GPU's budget, $ACC_EPOCHS epochs (30), three seeds: issue 16's GPU figure).
# Each step's whole output goes to $LOGS/STEP.log (default bench/out/gpu/); the benchmarks append their sections
# to $RESULTS (default $LOGS/RESULTS.md), to be copied into bench/RESULTS.md.
# A GPU machine without FluidSynth (or network) gets the rendered sets from `tools/ogg_transport.py pack`, unpacked
# there into data/nsynth_gm_default and the mini set's cache folder; the packages it lacks travel as wheels (the first
# H200 run, bench/RESULTS.md, carried fastai 2.8.7, fastcore 1.14.5, fastprogress 1.0.3 (1.1.x imports python-fasthtml),
# plum-dispatch, soundfile, librosa, nbdev, execnb and IPython's dependencies, and used the machine's own torch).
set -u
PY=${PY:-python3}
DATA=${DATA:-data/nsynth_gm_default}
LOGS=${LOGS:-bench/out/gpu}
RESULTS=${RESULTS:-$LOGS/RESULTS.md}
EPOCHS=${EPOCHS:-10}
VARIANTS=${VARIANTS:-plain augment mixup}
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
mkdir -p "$LOGS"
$PY -c 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else "bench/gpu.sh: no CUDA GPU here")' || exit 1

step() {   # step NAME LIMIT_S COMMAND...: run COMMAND, log it, print its status and the end of its output
  local name=$1 limit=$2; shift 2
  local over="LIMIT_$name"; limit=${!over:-$limit}      # e.g. LIMIT_effect=200 overrides a step's limit
  echo "== $name ($(date +%T), limit ${limit} s): $*"
  local t0=$SECONDS; timeout "$limit" "$@" >"$LOGS/$name.log" 2>&1; local rc=$?
  echo "   $name: exit status $rc after $((SECONDS-t0)) s"; tail -n "${TAIL:-30}" "$LOGS/$name.log"; echo
}

for s in ${@:-ratio cells spectrogram augment loader study effect accuracy}; do
  case $s in
    cells)       step cells 240 $PY tools/nbtest.py --flags cuda ;;
    spectrogram) step spectrogram 120 $PY bench/spectrogram.py --device cuda --bs 256 --n-clips 2048 --librosa-clips 256 --repeats ${REPEATS:-5} --append "$RESULTS" ;;
    augment)     step augment 90 $PY bench/augment.py --device cuda --append "$RESULTS" ;;
    loader)      step loader 180 $PY bench/loader.py --device cuda --data "$DATA" --append "$RESULTS" ;;
    ratio)       step ratio 150 $PY bench/epoch_ratio.py --device cuda --data "$DATA" --append "$RESULTS" ;;
    study)       step study 300 $PY bench/study.py --device cuda --data "$DATA" --append "$RESULTS" ;;
    effect)      step effect 400 $PY bench/augment_effect.py --device cuda --data "$DATA" --epochs "$EPOCHS" --variants $VARIANTS --append "$RESULTS" ;;
    accuracy)    step accuracy 420 $PY bench/accuracy.py --recipes demo --seeds 0 1 2 --epochs "${ACC_EPOCHS:-30}" --data "$DATA" --append "$RESULTS" ;;
    *) echo "bench/gpu.sh: unknown step '$s' (ratio cells spectrogram augment loader study effect accuracy)"; exit 2 ;;
  esac
done
