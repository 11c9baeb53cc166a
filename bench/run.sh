#!/usr/bin/env bash
# Runs a benchmark from the built bench module (mvn -q -pl bench -am package -DskipTests).
#   bench/run.sh e2e --variant hindsight --sink iceberg --predictions 2000000 [--input kafka] [--mode state]
#   bench/run.sh compare --predictions 2000000 --runs 3 [--variants "hindsight datastream sql"] [e2e options]
#   bench/run.sh maintenance [--commits 2000] [--rows-per-commit 100] [--runs 3]
#   bench/run.sh jmh [JMH options, e.g. -f 1 -wi 3 -i 5 JoinState]
#   jfr print --stack-depth 64 --events jdk.ExecutionSample run.jfr | bench/run.sh profile
# JVM options can be added with BENCH_JVM_OPTS (e.g. a flight recording).
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
# BENCH_CLASSPATH_FILE / BENCH_CLASSES: run against a saved build (before/after comparisons).
cp_file="${BENCH_CLASSPATH_FILE:-$home/bench/target/bench.classpath}"
if [[ ! -f "$cp_file" ]]; then
    echo "bench/target/bench.classpath not found: run mvn -q -pl bench -am package -DskipTests first" >&2
    exit 1
fi
flags="$(sed -n 's:.*<hindsight.jvm.flags>\(.*\)</hindsight.jvm.flags>.*:\1:p' "$home/pom.xml")"
classpath="${BENCH_CLASSES:-$home/bench/target/classes}:$(cat "$cp_file")"
what="${1:-}"
shift || true
case "$what" in
    e2e)
        cd "$home"
        exec java -Xmx3g -Xms3g $flags ${BENCH_JVM_OPTS:-} \
            -Dlog4j.configurationFile="$home/flink-conf/log4j-test.properties" \
            -Dhindsight.home="$home" \
            -cp "$classpath" io.hindsight.bench.EndToEnd --home "$home" "$@"
        ;;
    compare)
        # Side by side: every variant --runs times, in alternation (variant 1, 2, 3, 1, 2, 3, ...),
        # each run its own JVM with the e2e options given; then the table of medians and ratios.
        runs=3
        variants="hindsight datastream sql"
        results="$home/bench/results/compare.tsv"
        rest=()
        while [[ $# -gt 0 ]]; do
            case "$1" in
                --runs) runs="$2"; shift 2 ;;
                --variants) variants="$2"; shift 2 ;;
                --results) results="$2"; shift 2 ;;
                *) rest+=("$1"); shift ;;
            esac
        done
        id="$(date -u +%Y%m%dT%H%M%SZ)"
        cd "$home"
        for ((r = 1; r <= runs; r++)); do
            for v in $variants; do
                echo "compare $id: run $r of $runs, $v" >&2
                java -Xmx3g -Xms3g $flags ${BENCH_JVM_OPTS:-} \
                    -Dlog4j.configurationFile="$home/flink-conf/log4j-test.properties" \
                    -Dhindsight.home="$home" \
                    -cp "$classpath" io.hindsight.bench.EndToEnd --home "$home" \
                    "${rest[@]}" --variant "$v" --results "$results" --run "$id" \
                    | grep '^RESULT' || { echo "run $r of $v failed" >&2; exit 1; }
            done
        done
        exec java -cp "$classpath" io.hindsight.bench.CompareSummary "$results" "$id"
        ;;
    maintenance)
        cd "$home"
        exec java -Xmx3g $flags ${BENCH_JVM_OPTS:-} \
            -Dlog4j.configurationFile="$home/flink-conf/log4j-test.properties" \
            -cp "$classpath" io.hindsight.bench.MaintenanceBench --home "$home" "$@"
        ;;
    jmh)
        cd "$home"
        exec java $flags -cp "$classpath" \
            -Dlog4j.configurationFile="$home/flink-conf/log4j-test.properties" \
            org.openjdk.jmh.Main -jvmArgsAppend "$flags" "$@"
        ;;
    profile)
        exec java -cp "$classpath" io.hindsight.bench.ProfileBreakdown "$@"
        ;;
    *)
        echo "usage: bench/run.sh e2e|compare|maintenance|jmh|profile [options]" >&2
        exit 2
        ;;
esac
