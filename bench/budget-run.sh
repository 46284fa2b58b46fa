#!/usr/bin/env bash
# The training budget of issue #12: train the budget recipe from scratch on CamVid, then evaluate
# the final model on the test split (single scale, 360x480). Prints the whole training command's
# wall-clock (JVM start and data indexing included) and the test table.
#
#   bench/budget-run.sh SEED ITERS OUT_DIR [more train flags]
#
# Recipe: the 128-wide main head (--head-width 128), batch 8, 320x320 crops, scale 0.75-1.5,
# lr 0.01 (10x on the heads), warmup 200 then poly 0.9, OHEM on the five outputs, no validation
# during the run. ITERS is sized to the budget from the measured step speed (docs/benchmarks.md).
# BUDGET_SCALE=MIN,MAX replaces the scale range (a second --scale is appended to the first, and
# train rejects the four numbers). BUDGET_LR=X replaces the base learning rate 0.01 (train refuses a second
# --lr: "option '--lr' should be specified only once"). BUDGET_CROP=HxW replaces the 320x320 crop
# (height x width, multiples of 32); ITERS must then be sized again for the step at that crop.
# BUDGET_AVERAGE=N ends the run with weight averaging: checkpoints every 100 iterations, the last N
# kept, then `bisenet average --data` over them (BatchNorm statistics recomputed on one pass of the
# train split), inside the clocked wall-clock; the test table is then the average's, and the final
# model's alone is not evaluated (one model, chosen before the run, gets the test split).
# BUDGET_BN_CROP=HxW ends the run (after any averaging) by recomputing BatchNorm's statistics on one
# pass of the train split in HxW crops at scale 1 (`bisenet average --data --crop HxW --scale 1,1` on
# the one model), inside the clocked wall-clock: a run trained on small crops then takes its
# statistics on crops the size of the test images (352x480 for CamVid's 360x480); that model is tested.
# BUDGET_FINISH=ITERS,HxW,LR ends the run (before any averaging) with a second leg inside the clocked
# wall-clock: `bisenet train --init` from the first leg's final model, ITERS more iterations on HxW
# crops at scale 1 (352x480 is CamVid's whole 360x480 image), base lr LR (heads 10x) decayed by poly
# 0.9 without warmup, the same seed and extra flags. The first leg's small crops see a part of the
# image; the finish trains the network, its context block's global pooling and BatchNorm included,
# on the whole image as the test split presents it. Size ITERS of the first leg for what is left.
# BUDGET_BATCH=N replaces the batch of 8 (in both legs); ITERS must then be sized again, and a larger
# batch usually wants a larger BUDGET_LR.
# The data: ../shared/data/camvid, or where BISENET_CAMVID points. Nothing else may run on the
# machine meanwhile: the budget is wall-clock.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seed=${1:?usage: bench/budget-run.sh SEED ITERS OUT_DIR [more train flags]}
iters=${2:?usage: bench/budget-run.sh SEED ITERS OUT_DIR [more train flags]}
out=${3:?usage: bench/budget-run.sh SEED ITERS OUT_DIR [more train flags]}
shift 3
data=${BISENET_CAMVID:-$ROOT/../shared/data/camvid}
B="$ROOT/bisenet"
"$B" --version >/dev/null # builds the jar if needed, outside the budget
avg=${BUDGET_AVERAGE:-0}
if [[ ! $avg =~ ^[0-9]+$ ]] || ((avg == 1 || avg * 100 > iters)); then
  echo "BUDGET_AVERAGE=$avg: give the number of checkpoints to average, 2 to ITERS/100 (or 0 for none)" >&2
  exit 2
fi
if [[ -n ${BUDGET_FINISH:-} ]]; then # checked before the clock starts, not after the first leg
  IFS=, read -r f_iters f_crop f_lr f_rest <<<"$BUDGET_FINISH"
  if [[ ! ${f_iters:-} =~ ^[0-9]+$ || ! ${f_crop:-} =~ ^[0-9]+x[0-9]+$ || -z ${f_lr:-} || -n ${f_rest:-} ]]; then
    echo "BUDGET_FINISH=$BUDGET_FINISH: give ITERS,HxW,LR, e.g. 150,352x480,0.001" >&2
    exit 2
  fi
  if ((avg > 0)); then
    echo "BUDGET_FINISH and BUDGET_AVERAGE together: the average would be of the first leg's checkpoints; give one" >&2
    exit 2
  fi
fi
batch=${BUDGET_BATCH:-8}
if [[ ! $batch =~ ^[0-9]+$ ]] || ((batch < 2)); then
  echo "BUDGET_BATCH=$batch: give the images per iteration, at least 2" >&2
  exit 2
fi
ckpt=(--checkpoint-every 250)
((avg > 0)) && ckpt=(--checkpoint-every 100 --keep "$avg")
t0=$(date +%s)
"$B" train --preset camvid --data "$data" --out "$out" --head-width 128 --iters "$iters" --batch "$batch" \
  --crop "${BUDGET_CROP:-320x320}" --scale "${BUDGET_SCALE:-0.75,1.5}" --lr "${BUDGET_LR:-0.01}" --warmup 200 --eval-every 0 "${ckpt[@]}" --seed "$seed" "$@"
model="$out/model_final.pth"
if [[ -n ${BUDGET_FINISH:-} ]]; then
  "$B" train --preset camvid --data "$data" --out "$out/finish" --init "$model" --head-width 128 --iters "$f_iters" \
    --batch "$batch" --crop "$f_crop" --scale 1,1 --lr "$f_lr" --warmup 0 --eval-every 0 --checkpoint-every 1000 --seed "$seed" "$@"
  model="$out/finish/model_final.pth"
fi
if ((avg > 0)); then
  mapfile -t last < <(ls "$out"/checkpoints/iter_*.pth | sort | tail -n "$avg")
  model="$out/average.pth"
  "$B" average --out "$model" --data "$data" "${last[@]}"
fi
if [[ -n ${BUDGET_BN_CROP:-} ]]; then
  "$B" average --out "$out/bn_${BUDGET_BN_CROP}.pth" --data "$data" --crop "$BUDGET_BN_CROP" --scale 1,1 "$model"
  model="$out/bn_${BUDGET_BN_CROP}.pth"
fi
t1=$(date +%s)
printf 'training wall-clock: %d s (%d min %d s), seed %s, %s iterations%s\n' $((t1 - t0)) $(((t1 - t0) / 60)) $(((t1 - t0) % 60)) \
  "$seed" "$iters" "$([[ -n ${BUDGET_FINISH:-} ]] && echo ", finish leg $BUDGET_FINISH included")$( ((avg > 0)) && echo ", average of the last $avg checkpoints included")$([[ -n ${BUDGET_BN_CROP:-} ]] && echo ", BatchNorm recomputed on ${BUDGET_BN_CROP} crops included")"
"$B" eval --preset camvid --data "$data" --split test --checkpoint "$model"
