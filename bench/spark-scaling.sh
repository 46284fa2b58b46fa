#!/usr/bin/env bash
# How `predict --spark` grows (issue 13, docs/scaling.md): images/s at local[1] and local[2] on
# the CamVid test images, then local[2] on 2x and 4x the set (the files repeated under new
# names), and the fixed costs (a one-image job: session start, model open, the job itself).
# int8, --write labels, so that the framework's share shows; the same precision and outputs as
# the folder target of bench/batch-predict.sh, whose single-machine rate it is compared with.
#
#   bench/spark-scaling.sh [CAMVID_TEST_FOLDER]     (default ../shared/data/camvid/test)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEST="$(cd "${1:-$ROOT/../shared/data/camvid/test}" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
B="$ROOT/bisenet"
"$B" predict --spark 'local[1]' --help >/dev/null # builds bisenet-spark if needed, outside the timings
for times in 1 2 4; do
  mkdir -p "$WORK/x$times"
  for r in $(seq 1 "$times"); do
    for f in "$TEST"/*.png; do ln -s "$f" "$WORK/x$times/r${r}_$(basename "$f")"; done
  done
done
mkdir -p "$WORK/one"; ln -s "$(ls "$TEST"/*.png | head -1)" "$WORK/one/"

now() { date +%s.%N; }
job() { # MASTER FOLDER: prints the whole command's seconds and predict's own lines
  local t0 t; t0=$(now)
  "$B" predict --spark "$1" --preset camvid --precision int8 --write labels --input "$2" --output "$WORK/out" \
    >"$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }
  t=$(echo "$(now) - $t0" | bc -l)
  printf '%s %s: whole command %.1f s\n' "$1" "$(basename "$2")" "$t"
  grep -E '^spark: session|images written' "$WORK/log" | sed 's/^/    /'
  rm -rf "$WORK/out"
}
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
job 'local[2]' "$WORK/one"
job 'local[1]' "$WORK/x1"
job 'local[2]' "$WORK/x1"
job 'local[2]' "$WORK/x2"
job 'local[2]' "$WORK/x4"
echo "single machine, no Spark:"
t0=$(now); "$B" predict --preset camvid --precision int8 --write labels --input "$WORK/x1" --output "$WORK/out" | grep 'images written' | sed 's/^/    /'
printf '    whole command %.1f s\n' "$(echo "$(now) - $t0" | bc -l)"
