#!/usr/bin/env bash
# Benchmarks ND4J's native builds on a SameDiff 3x3 conv2d forward + backward and checks the off-heap caps.
# Writes bench/results/nd4j-natives.json and .md. See bench/README.md.
#
#   bench/nd4j-natives/run.sh            build, measure every build in interleaved rounds, check caps, report
#   bench/nd4j-natives/run.sh kernels    only redo the oneDNN kernel probe, then the report
#   bench/nd4j-natives/run.sh report     only rewrite the results from the last run's bench/work files
#
# Environment: ROUNDS (8), WARMUP (2), ITERATIONS (4) per shape per round, BUILDS (all six classifiers),
# CAP_BUILD (linux-x86_64-onednn-avx2).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$HERE")
WORK="$BENCH/work/nd4j-natives"
RESULTS="$BENCH/results"
ROUNDS=${ROUNDS:-8}
WARMUP=${WARMUP:-2}
ITERATIONS=${ITERATIONS:-4}
read -r -a BUILDS <<< "${BUILDS:-linux-x86_64 linux-x86_64-avx2 linux-x86_64-onednn linux-x86_64-onednn-avx2 linux-x86_64-avx512 linux-x86_64-onednn-avx512}"
CAP_BUILD=${CAP_BUILD:-linux-x86_64-onednn-avx2}
PLATFORM=linux-x86_64

cd "$HERE"
report() {
  java -cp "target/classes:target/lib/*" io.penni.bench.natives.NativesReport \
    "$WORK" "$RESULTS/nd4j-natives.json" "$RESULTS/nd4j-natives.md"
}

# One JVM per build and round. JavaCPP loads "<platform><extension>" libraries only when the extension
# property names it; ConvRound fails if what loaded is not the build asked for.
bench_jvm() { # build, then java arguments
  local build=$1; shift
  java -Dorg.bytedeco.javacpp.platform.extension="${build#"$PLATFORM"}" \
    -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp-cache" \
    -cp "target/classes:target/lib/*:target/natives/$build/*" "$@"
}

# Which instruction set and convolution kernels oneDNN picks in each oneDNN build (its verbose log), from
# one small conv2d forward + backward in a JVM of its own, so the log does not disturb any timing. The oneDNN
# in ND4J M2.1 reads DNNL_VERBOSE; newer ones read ONEDNN_VERBOSE.
kernels() {
  rm -rf "$WORK/kernels"
  mkdir -p "$WORK/kernels"
  for build in "${BUILDS[@]}"; do
    case $build in *onednn*) ;; *) continue ;; esac
    DNNL_VERBOSE=1 ONEDNN_VERBOSE=1 bench_jvm "$build" io.penni.bench.natives.KernelProbe 2>&1 \
      | grep -E '^(onednn|dnnl)_verbose,(info,cpu,isa|exec,cpu,convolution)' > "$WORK/kernels/$build.txt" || {
        echo "ERROR $build: oneDNN printed no verbose lines" >&2; exit 1; }
  done
}

case "${1:-}" in
  report) report; exit ;;
  kernels) mvn -B -q -f "$HERE/pom.xml" package; kernels; report; exit ;;
  "") ;;
  *) echo "ERROR unknown command '$1': run.sh [kernels|report]" >&2; exit 2 ;;
esac

mvn -B -q -f "$HERE/pom.xml" package
rm -rf "$WORK"
mkdir -p "$WORK/rounds" "$WORK/logs" "$WORK/caps" "$RESULTS"

for build in "${BUILDS[@]}"; do
  [ -d "target/natives/$build" ] || { echo "ERROR no target/natives/$build: not in the pom's artifactItems" >&2; exit 2; }
done

# Rounds interleave the builds (A B C D, B C D A, ...) so that noise from the shared machine hits all alike,
# and the start of the order rotates so no build always runs first.
n=${#BUILDS[@]}
for ((round = 1; round <= ROUNDS; round++)); do
  for ((position = 1; position <= n; position++)); do
    build=${BUILDS[$(((position - 1 + round - 1) % n))]}
    echo "round $round/$ROUNDS, $position/$n: $build"
    if ! bench_jvm "$build" -Xmx1g -Dorg.bytedeco.javacpp.maxbytes=4g -Dorg.bytedeco.javacpp.maxphysicalbytes=6g \
        io.penni.bench.natives.ConvRound "$build" "$round" "$position" "$WARMUP" "$ITERATIONS" \
        "$WORK/rounds/r$round-$build.json" > "$WORK/logs/r$round-$build.log" 2>&1; then
      grep '^ERROR' "$WORK/logs/r$round-$build.log" >&2 || tail -20 "$WORK/logs/r$round-$build.log" >&2
      exit 1
    fi
    grep -E 'median' "$WORK/logs/r$round-$build.log" | sed 's/^/  /'
  done
done

# The off-heap caps: a 400 MB array under a 200 MB maxbytes, then also under a 400 MB maxphysicalbytes
# (the resident memory of the JVM plus that array passes 400 MB).
bench_jvm "$CAP_BUILD" -Xmx256m -Dorg.bytedeco.javacpp.maxbytes=200m \
  io.penni.bench.natives.OffHeapCapCheck "$CAP_BUILD" maxbytes 400000000 "$WORK/caps/1-maxbytes.json" \
  2> "$WORK/logs/cap-maxbytes.log"
bench_jvm "$CAP_BUILD" -Xmx256m -Dorg.bytedeco.javacpp.maxbytes=200m -Dorg.bytedeco.javacpp.maxphysicalbytes=400m \
  io.penni.bench.natives.OffHeapCapCheck "$CAP_BUILD" maxphysicalbytes 400000000 "$WORK/caps/2-maxphysicalbytes.json" \
  2> "$WORK/logs/cap-maxphysicalbytes.log"

kernels
report
