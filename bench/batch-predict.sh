#!/usr/bin/env bash
# The folder-predict target of issue 13, in one run beside `bench`: on the CamVid test images
# (233 of 360x480), `predict --write labels` must reach 85% of `bench --size 384x480` (the padded
# size the network runs at), same backend (onnx, predict's default) and precision, fp32 and int8.
# Steady state excludes JVM start and model load: (time of the 233-image run) minus (time of a
# one-image run), for 232 images. All three outputs (the default) are reported too.
#
#   bench/batch-predict.sh [CAMVID_TEST_FOLDER]     (default ../shared/data/camvid/test)
# Env: RUNS (timed runs of bench, default 20).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEST="${1:-$ROOT/../shared/data/camvid/test}"
[ -d "$TEST" ] || { echo "batch-predict: $TEST: no such folder; pass the CamVid test images" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/one"
ln -s "$(cd "$TEST" && pwd)/$(ls "$TEST" | grep -i '\.png$' | head -1)" "$WORK/one/"
N=$(ls "$TEST" | grep -ic '\.png$')
B="$ROOT/bisenet"
"$B" --help >/dev/null # builds the jar if needed, outside the timings

now() { date +%s.%N; }
timed() { local t0; t0=$(now); "$@" >"$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }; echo "$(now) - $t0" | bc -l; }

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
for prec in fp32 int8; do
  bench=$("$B" bench --preset camvid --backend onnx --precision "$prec" --size 384x480 --runs "${RUNS:-20}" | grep '^batch 1:')
  rate=$(sed -E 's/.* ([0-9.]+) img\/s/\1/' <<<"$bench")
  echo "$prec bench 384x480: $bench"
  for write in labels labels,color,overlay; do
    t1=$(timed "$B" predict --preset camvid --precision "$prec" --input "$WORK/one" --output "$WORK/o1" --write "$write")
    tn=$(timed "$B" predict --preset camvid --precision "$prec" --input "$TEST" --output "$WORK/on" --write "$write")
    grep 'images written' "$WORK/log" | sed "s/^/  $prec --write $write, predict says: /"
    steady=$(echo "($N - 1) / ($tn - $t1)" | bc -l)
    printf '  %s --write %-21s %d images %.2f s, 1 image %.2f s: steady %.2f img/s = %.0f%% of bench\n' \
      "$prec" "$write" "$N" "$tn" "$t1" "$steady" "$(echo "100 * $steady / $rate" | bc -l)"
    rm -rf "$WORK/o1" "$WORK/on"
  done
done
