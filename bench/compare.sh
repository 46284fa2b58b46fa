#!/usr/bin/env bash
# Side-by-side inference benchmark, all in one run on this machine: this project's backends
# against the reference PyTorch model (eager) and ONNX Runtime running the reference's
# torch.onnx export. Same model (19 classes, random weights: speed does not depend on them).
#
#   bench/compare.sh REF_REPO [HxW ...]        (default sizes: 512x1024 384x480)
#
# With BISENET_CHECKPOINT=models/bisenetv2_camvid.pth (and its calibration models/*.int8.json)
# the trained model also runs in fp32 and int8 on ONNX Runtime.
#
# REF_REPO is a checkout of the reference implementation, which is not part of this project or
# of ../shared: `git clone https://github.com/CoinCheung/BiSeNet` on a machine with network
# access, then copy it here (only lib/models/bisenetv2.py is read; the figures in
# docs/benchmarks.md used commit 6b4b67a8e3eb). Debian's python3-torch (1.13) runs it:
# `apt-get install python3-torch python3-onnx`. Output: one `bisenet bench` line per engine and size.
#
# Compare like with like: the reference's "logits" row (aux_mode='eval') is the network alone and
# keeps its output tensor; so does this project's "network alone" row (--output none); the
# "logits" row here also copies the logits into a Java array. The "labels" rows add the argmax
# (aux_mode='pred', --output labels), which in
# PyTorch 1.13 on CPUs costs a large share of the time by itself.
#
# BatchNorm: this project's inference folds each BatchNorm into the convolution before it; the
# reference's eager forward runs them apart. The "BatchNorm not folded" row runs them apart here
# too (-Dbisenet.foldBatchNorm=false), for the comparison operator for operator.
#
# Allocators: the launcher preloads jemalloc where libjemalloc2 is installed (the line "bisenet runs
# on malloc: ..." says which); the reference runs on glibc with the same settings as the launcher's,
# since jemalloc does not change its training step (docs/benchmarks.md, "One arena, one lock").
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:?usage: bench/compare.sh REF_REPO [HxW ...]}
shift
sizes=("${@:-512x1024}")
[ $# -eq 0 ] && sizes=(512x1024 384x480)
PY=${BISENET_PYTHON:-/usr/bin/python3}; [ -x "$PY" ] || PY=python3
export MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./bisenet --version >/dev/null   # builds the jar once, before any timing
"$PY" bench/reference_torch.py "$ref" export 512 1024 "$tmp/torch.onnx" >/dev/null
for s in "${sizes[@]}"; do
  h=${s%x*}; w=${s#*x}
  echo "== $s (height x width), batch 1"
  ./bisenet bench --classes 19 --backend pytorch --size "$s" --output none --warmup 20 \
    | sed -n -e 's/^settings: .*; malloc /bisenet runs on malloc: /p' -e 's/^batch/bisenet pytorch (network alone): batch/p'
  BISENET_JAVA_OPTS="${BISENET_JAVA_OPTS:-} -Dbisenet.foldBatchNorm=false" ./bisenet bench --classes 19 --backend pytorch \
    --size "$s" --output none --warmup 20 | sed -n 's/^batch/bisenet pytorch (network alone, BatchNorm not folded): batch/p'
  ./bisenet bench --classes 19 --backend pytorch --size "$s" --output logits | sed -n 's/^batch/bisenet pytorch (logits): batch/p'
  "$PY" bench/reference_torch.py "$ref" logits "$h" "$w"
  ./bisenet bench --classes 19 --backend pytorch --size "$s" --output labels | sed -n 's/^batch/bisenet pytorch (labels): batch/p'
  ./bisenet bench --classes 19 --backend onnx --size "$s" --output labels | sed -n 's/^batch/bisenet onnx fp32 (labels): batch/p'
  ./bisenet bench --classes 19 --backend onnx --size "$s" --output logits | sed -n 's/^batch/bisenet onnx fp32 (logits): batch/p'
  ./bisenet bench --checkpoint "$tmp/torch.onnx" --backend onnx --size "$s" --output logits | sed -n 's/^batch/onnxruntime on torch export (logits): batch/p'
  "$PY" bench/reference_torch.py "$ref" infer "$h" "$w"
  if [ -n "${BISENET_CHECKPOINT:-}" ]; then
    for p in fp32 int8; do
      ./bisenet bench --checkpoint "$BISENET_CHECKPOINT" --backend onnx --precision $p --size "$s" | sed -n "s/^batch/bisenet onnx $p, trained CamVid model (labels): batch/p"
    done
  fi
done
echo "== training step, batch 4, 384x480 (booster heads, OHEM on 5 outputs, SGD)"
./bisenet bench --train --classes 11 --batch 4 --size 384x480 --runs 10 | sed -n 's/^batch/bisenet train step: batch/p'
"$PY" bench/reference_torch.py "$ref" train 4 384 480 10
