#!/usr/bin/env bash
# Fuzzes the parsers of untrusted bytes with Jazzer (coverage-guided, libFuzzer under JUnit), one
# target at a time, and prints the executions and findings of each.
#
#   fuzz/run.sh                      every target for 10 minutes
#   fuzz/run.sh -d 60 PthReaderFuzzTest#pth Y4mFuzzTest#y4m
#
# The property of every target: any input either parses or raises UserException. Anything else
# is a finding: another exception, an OutOfMemoryError (the JVM gets a 256 MB heap, so an
# allocation sized by an unchecked header shows up), a hang (an input running over 30 s).
# Findings are written as crash-*/timeout-* files beside the target's committed inputs
# (<module>/src/test/resources/<package>/<Class>Inputs/<method>/), where `mvn test` replays them:
# fix the reader, keep the file. The corpus the fuzzer grows is kept in .cifuzz-corpus/ (not
# committed). Logs: target/fuzz/<Class>_<method>.log. Run it on an otherwise idle machine, or
# under nice.
set -u
cd "$(dirname "$0")/.."

duration=600
if [[ "${1:-}" == "-d" ]]; then
    duration="$2"
    shift 2
fi
all=(  # module:package.Class#method
    bisenet-core:checkpoint.PthReaderFuzzTest#pth
    bisenet-core:checkpoint.PthReaderFuzzTest#pickle
    bisenet-core:spec.SidecarFuzzTest#sidecar
    bisenet-core:export.CalibrationFuzzTest#calibration
    bisenet-core:spec.OnnxMetadataFuzzTest#metadata
    bisenet-video:video.Y4mFuzzTest#y4m
    bisenet-video:video.RawRgbFuzzTest#rawRgb
    bisenet-core:data.LabelImageFuzzTest#labelAndImage
)
targets=()
for arg in "$@"; do
    match=""
    for t in "${all[@]}"; do
        [[ "$t" == "$arg" || "$t" == *."$arg" || "$t" == *:"$arg" ]] && match="$t"
    done
    [[ -z "$match" ]] && { echo "unknown target $arg; targets: ${all[*]}" >&2; exit 2; }
    targets+=("$match")
done
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")

# every module and core's test jar in the local repository, so one module's tests run alone
mvn -B -ntp -q install -DskipTests || exit 1
mkdir -p target/fuzz
summary=()
for t in "${targets[@]}"; do
    module="${t%%:*}"
    t="${t#*:}"
    cls="dev.bisenet.${t%#*}"
    method="${t#*#}"
    log="target/fuzz/${cls##*.}_${method}.log"
    inputs="$module/src/test/resources/$(dirname "${cls//.//}")/${cls##*.}Inputs/$method"
    mkdir -p "$inputs" # Jazzer writes findings here only when the folder exists
    before=$(ls "$inputs" | grep -cE '^(crash|timeout|oom|slow-unit)-' || true)
    extra=()
    if [[ "$t" == data.LabelImageFuzzTest* ]]; then
        # the decoders are the JDK's ImageIO plugins: instrument them too, else the fuzzer sees no
        # coverage in the code that parses the bytes
        extra=(-Djazzer.instrumentation_includes='dev.bisenet.**:com.sun.imageio.**:javax.imageio.**')
    fi
    echo "fuzzing $t for $duration s (log: $log)"
    # keep_going: go on after a finding (each distinct stack trace counts once) to see them all
    JAZZER_FUZZ=1 JAVA_TOOL_OPTIONS="-Xmx256m" mvn -B -ntp -o -pl "$module" surefire:test -Dtest="$cls#$method" \
        -Dsurefire.failIfNoSpecifiedTests=false \
        -Djazzer.keep_going=1000 \
        -Djazzer.internal.arg.0=fuzz \
        -Djazzer.internal.arg.1=-max_total_time="$duration" \
        -Djazzer.internal.arg.2=-timeout=30 \
        -Djazzer.internal.arg.3=-print_final_stats=1 \
        ${extra[@]+"${extra[@]}"} > "$log" 2>&1
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $5}')
    exceptions=$(grep -c '^== Java Exception' "$log")
    timeouts=$(grep -c 'ERROR: libFuzzer: timeout' "$log")
    after=$(ls "$inputs" | grep -cE '^(crash|timeout|oom|slow-unit)-' || true)
    line=$(printf '%-40s executions: %-10s seconds: %-5s findings: %d exceptions, %d timeouts, %d new input files' \
        "$t" "${execs:-?}" "${secs:-?}" "$exceptions" "$timeouts" $((after - before)))
    echo "$line"
    grep -A1 '^== Java Exception' "$log" | grep -v '^--' | sed 's/^/    /' | head -20
    summary+=("$line")
done
echo
printf '%s\n' "${summary[@]}"
