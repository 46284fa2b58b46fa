#!/bin/bash
# Evaluates a CamVid model the way the README reports the shipped one, and prints the README's
# validation and test tables (IoU per class and the summary rows, in %).
#
#   bench/ship-tables.sh MODEL.pth OUTDIR [DATA]     (DATA defaults to ../shared/data/camvid)
#
# fp32 columns: the pytorch backend (DJL, the eval default); int8 columns: ONNX Runtime with the
# calibration MODEL.int8.json beside the model, made first if it is missing (200 train images,
# `export --precision int8 --calib-data`). Each evaluation's --json and printed table go to
# OUTDIR; one already there is not run again, so an interrupted call continues.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=$1 OUT=$2 DATA=${3:-../shared/data/camvid}
mkdir -p "$OUT"
CAL="${MODEL%.pth}.int8.json"
if [ ! -f "$CAL" ]; then
  ./bisenet export --checkpoint "$MODEL" --preset camvid --precision int8 --calib-data "$DATA" \
    --output "$OUT/int8.onnx" > "$OUT/calibration.txt"
  rm -f "$OUT/int8.onnx"
fi
for split in val test; do
  for mode in ss ssc msf; do
    for prec in fp32 int8; do
      f="$OUT/$split-$mode-$prec"
      [ -f "$f.json" ] && continue
      extra=()
      [ "$prec" = int8 ] && extra=(--backend onnx --precision int8)
      ./bisenet eval --preset camvid --data "$DATA" --split "$split" --checkpoint "$MODEL" --mode "$mode" \
        "${extra[@]}" --json "$f.json.part" > "$f.txt"
      mv "$f.json.part" "$f.json"
    done
  done
done
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
for split, title in (("val", "Validation"), ("test", "Test")):
    cols = [(m, p) for p in ("fp32", "int8") for m in ("ss", "ssc", "msf")]
    runs = [json.load(open(os.path.join(out, f"{split}-{m}-{p}.json"))) for m, p in cols]
    print(f"\n{title} ({runs[0]['num_images']} images):\n")
    head = [f"{split} {m}" + (" int8" if p == "int8" else "") for m, p in cols]
    print("| class | " + " | ".join(head) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for i, c in enumerate(runs[0]["classes"]):
        print(f"| {c['name']} | " + " | ".join(f"{100 * r['classes'][i]['iou']:.2f}" for r in runs) + " |")
    print("| **mIoU** | " + " | ".join(f"**{100 * r['miou']:.2f}**" for r in runs) + " |")
    for key, name in (("pixel_accuracy", "pixel accuracy"), ("mean_accuracy", "mean accuracy"), ("fw_iou", "fwIoU")):
        print(f"| {name} | " + " | ".join(f"{100 * r[key]:.2f}" for r in runs) + " |")
PY
