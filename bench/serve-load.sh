#!/usr/bin/env bash
# Load test of `bisenet serve` with Debian's `hey` (apt-get install hey), on 360x480 images:
#   - concurrency 1, 4, 16: throughput, p50 / p99 latency, errors (fp32 and int8);
#   - an overload run past capacity (--queue + --max-batch requests in progress): only 503s;
#   - 20,000 requests with the server's RSS sampled every 2,000 (int8, the fast one);
#   - `./bisenet bench --size 384x480 --batch 8` in fp32 and int8 in the same run, for the
#     throughput target (serve at concurrency 16 >= 85% of the network's batch-8 img/s).
# Everything talks to 127.0.0.1 only, and every loop is bounded.
#
#   bench/serve-load.sh [IMAGE.png]      (default: the CamVid test image the README uses)
# Env: PORT (default 18480), SERVE_JAVA_OPTS (default -Xmx1g), RSS_REQUESTS (default 20000), SKIP_BUILD=1 to reuse the last build,
#      QUICK=1 for a smoke run (a tenth of the requests, RSS over 400).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMG="${1:-$ROOT/../shared/data/camvid/test/0001TP_008550.png}"
PORT="${PORT:-18480}"
RSS_REQUESTS="${RSS_REQUESTS:-20000}"
Q=1; [ "${QUICK:-}" = 1 ] && { Q=10; RSS_REQUESTS=400; }
URL="http://127.0.0.1:$PORT"
MODEL="$ROOT/models/bisenetv2_camvid.pth"

command -v hey >/dev/null || { echo "serve-load: needs hey (apt-get install hey)" >&2; exit 2; }
command -v curl >/dev/null || { echo "serve-load: needs curl" >&2; exit 2; }
[ -f "$IMG" ] || { echo "serve-load: $IMG: no such image; pass a 360x480 PNG" >&2; exit 2; }

# libtorch/ONNX Runtime settings of the ./bisenet launcher
export MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736

CP_FILE="$ROOT/bisenet-serve/target/classpath.txt"
if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f "$CP_FILE" ]; then
  echo "# building (the library into ~/.m2, then the serve module; tests skipped)" >&2
  mvn -B -ntp -q -f "$ROOT/pom.xml" -DskipTests install >&2
  mvn -B -ntp -q -f "$ROOT/bisenet-serve/pom.xml" -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$CP_FILE" >&2
fi
CP="$ROOT/bisenet-serve/target/bisenet-serve.jar:$(cat "$CP_FILE")"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    local code=0
    wait "$SERVER_PID" || code=$?
    echo "server stopped by SIGTERM, exit code $code"
  fi
  SERVER_PID=""
}
trap stop_server EXIT

start_server() { # precision
  # A capped heap: without it the JVM grows its heap towards a quarter of the RAM before it
  # collects in earnest, and the RSS check would measure that rather than the server.
  java ${SERVE_JAVA_OPTS:--Xmx1g} -Dai.djl.offline=true -Dbisenet.home="$ROOT" -cp "$CP" dev.bisenet.serve.ServeMain \
    --checkpoint "$MODEL" --preset camvid --precision "$1" --host 127.0.0.1 --port "$PORT" \
    --max-batch 8 --batch-delay-ms 5 --queue 64 >"$ROOT/bisenet-serve/target/serve-$1.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    curl -sf "$URL/v2/health/ready" >/dev/null && { grep -m1 '^bisenet serve:' "$ROOT/bisenet-serve/target/serve-$1.log"; return 0; }
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$ROOT/bisenet-serve/target/serve-$1.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "serve-load: the server did not become ready in 120 s" >&2
  exit 1
}

# One hey run; prints "c=C n=N: R answers/s (K ok/s), p50 X ms, p99 Y ms, statuses {...}, transport errors E".
# hey's CSV has one row per answered request (response time, ..., status, start offset): the
# percentiles are computed here from all of them; a request with no answer has no row.
load() { # concurrency requests
  local rows
  rows="$(hey -n "$2" -c "$1" -t 60 -o csv -m POST -T image/png -D "$IMG" "$URL/v1/segment" | tail -n +2 | grep , || true)"
  pct() { echo "$rows" | cut -d, -f1 | sort -g | awk -v q="$1" '{ a[NR] = $1 } END { i = int(q * NR); if (i < q * NR) i++; if (i < 1) i = 1; printf "%.0f", a[i] * 1000 }'; }
  echo "$rows" | awk -F, -v c="$1" -v n="$2" -v p50="$(pct 0.50)" -v p99="$(pct 0.99)" '
    { e = $8 + $1; if (e > wall) wall = e; st[$7]++; if ($7 == 200) ok++ }
    END { s = ""; for (k in st) s = s (s ? " " : "") k ":" st[k]
          sent = int(n / c) * c # hey gives each of its c workers n/c requests
          printf "c=%d n=%d: %.1f answers/s (%.1f ok/s), p50 %s ms, p99 %s ms, statuses {%s}, transport errors %d\n",
                 c, sent, (wall > 0 ? NR / wall : 0), (wall > 0 ? ok / wall : 0), p50, p99, s, sent - NR }'
}

rss_kb() { ps -o rss= -p "$SERVER_PID" | tr -d ' '; }

echo "# serve-load $(date -u +%FT%TZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo "# image: $IMG ($(stat -c %s "$IMG") bytes); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
for precision in fp32 int8; do
  echo "## $precision"
  start_server "$precision"
  hey -n 24 -c 4 -t 60 -m POST -T image/png -D "$IMG" "$URL/v1/segment" >/dev/null # warm-up
  load 1 $((40 / Q))
  load 4 $((120 / Q))
  load 16 $((320 / Q))
  echo "overload (capacity 64 waiting + 8 running; 128 clients):"
  load 128 $((1280 / Q))
  if [ "$precision" = int8 ]; then
    echo "RSS over $RSS_REQUESTS requests at c=16 (kB: at the start, then after each $((2000 / Q))):"
    samples="$(rss_kb)"
    left="$RSS_REQUESTS"
    while [ "$left" -gt 0 ]; do
      chunk=$(( left < 2000 / Q ? left : 2000 / Q ))
      hey -n "$chunk" -c 16 -t 60 -o csv -m POST -T image/png -D "$IMG" "$URL/v1/segment" \
        | awk -F, -v n="$((chunk / 16 * 16))" 'NR > 1 && $7 != "" { rows++; if ($7 != 200) bad++ }
            END { if (bad || rows != n) print "  non-200 answers: " bad + 0 ", unanswered: " n - rows }'
      samples="$samples $(rss_kb)"
      left=$(( left - chunk ))
    done
    echo "  $samples"
    echo "$samples" | awk '{ printf "  RSS after the first chunk: %d MB, at the end: %d MB (%+.1f%%)\n", $2/1024, $NF/1024, 100*($NF-$2)/$2 }'
  fi
  curl -s "$URL/metrics" | grep -E '^bisenet_batch_size_(count|sum) ' | tr '\n' ' '; echo
  stop_server
done

echo "## the network alone: ./bisenet bench --size 384x480 --batch 8 (ONNX Runtime, shipped model)"
for precision in fp32 int8; do
  "$ROOT/bisenet" bench --checkpoint "$MODEL" --backend onnx --precision "$precision" --size 384x480 --batch 8 \
    | grep -E '^(settings|batch)' | sed "s/^/$precision: /"
done
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
