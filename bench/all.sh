#!/usr/bin/env bash
# Every benchmark of docs/performance.md in one run, and one Markdown table of the figures with
# their targets: `./tally bench` runs this.
#   bench/all.sh                  full run (about 15-20 minutes on 2 cores)
#   bench/all.sh --quick          short smoke run (a few minutes): smaller sizes, fewer repeats
#   bench/all.sh --out FILE       also write the table to FILE
#   bench/all.sh --only a,b       only these steps: pipeline,freshness,scrape,footprint,histogram,jmh
# Builds once (test classes of streams-app and exporter), then runs each benchmark main with its
# test classpath; every main prints `RESULT name value unit` lines, collected here. Each step's
# whole output is kept in .tally/bench/<time>/<step>.log. TALLY_* variables apply to the Tally
# runs of the pipeline, freshness and footprint steps, as in their own scripts.
set -uo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

quick=false
out=""
only="pipeline,freshness,scrape,footprint,histogram,jmh"
command_line="./tally bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true; command_line+=" --quick" ;;
    --out) out="$(realpath -m "$2")"; command_line+=" --out $2"; shift ;;
    --only) only="$2"; command_line+=" --only $2"; shift ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$root"

# Sizes: full, then --quick.
if $quick; then
  pipeline_args=(30000 1)
  freshness_args=(20 2000)
  scrape_args=(10000 100000 --runs 5 --warmup-s 1)
  footprint_args=(20000 1)
  histogram_args=(200000)
  jmh_args=(--quick)
else
  pipeline_args=(300000 2)
  freshness_args=(100 2000)
  scrape_args=(10000 100000 --runs 30 --warmup-s 5)
  footprint_args=(100000 5)
  histogram_args=(1000000)
  jmh_args=()
fi
# Scrape rows: a whole HTTP scrape as Prometheus makes it, and the exporter's own work, both
# decoding Tally's store bytes as a scrape of the real stores does.
scrape_rows='decoded (http openmetrics|direct openmetrics text)'

runs_dir="$root/.tally/bench/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$runs_dir"
results="$runs_dir/results.txt"
: >"$results"
started=$(date +%s)

echo "bench: building test classes (log: $runs_dir/build.log)" >&2
# BENCH_MVN_OPTS: extra Maven options, e.g. -o to build offline.
# shellcheck disable=SC2086
if ! mvn -B -q ${BENCH_MVN_OPTS:-} -DskipTests test-compile dependency:build-classpath -pl streams-app,exporter -am \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >"$runs_dir/build.log" 2>&1; then
  cat "$runs_dir/build.log" >&2
  echo "bench: build failed" >&2
  exit 1
fi
streams_cp="streams-app/target/test-classes:streams-app/target/classes:$(cat streams-app/target/bench.classpath)"
exporter_cp="exporter/target/test-classes:exporter/target/classes:$(cat exporter/target/bench.classpath)"
java="java"
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
quiet_logs=-Dorg.slf4j.simpleLogger.defaultLogLevel=error

selected() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# run STEP HEAP CLASSPATH CLASS ARGS...: runs one benchmark main, shows and keeps its output.
run() {
  local step=$1 heap=$2 cp=$3 class=$4
  shift 4
  selected "$step" || return 0
  local t0
  t0=$(date +%s)
  echo "bench: $step ($class $*)" >&2
  "$java" "$heap" "$quiet_logs" -cp "$cp" "$class" "$@" 2>&1 | tee "$runs_dir/$step.log"
  local rc=${PIPESTATUS[0]}
  grep '^RESULT ' "$runs_dir/$step.log" | cut -d' ' -f2- >>"$results"
  echo "bench: $step took $(($(date +%s) - t0)) s (exit $rc)" >&2
  [ "$rc" -eq 0 ] || echo "$step failed" >>"$runs_dir/failed"
}

run pipeline -Xmx1g "$streams_cp" dev.tally.streams.bench.PipelineBenchmark "${pipeline_args[@]}"
run freshness -Xmx1g "$streams_cp" dev.tally.streams.bench.FreshnessBenchmark "${freshness_args[@]}"
run scrape -Xmx2g "$exporter_cp" dev.tally.exporter.bench.ScrapeBenchmark "${scrape_args[@]}" \
  --rows "$scrape_rows"
run footprint -Xmx1g "$streams_cp" dev.tally.streams.bench.StateFootprintBenchmark "${footprint_args[@]}"
run histogram -Xmx1g "$streams_cp" dev.tally.streams.bench.HistogramBenchmark "${histogram_args[@]}"
run jmh -Xmx1g "$streams_cp" dev.tally.streams.bench.MicroBenchmarks "${jmh_args[@]}"
elapsed=$(($(date +%s) - started))

# --- the table ---
value() { awk -v n="$1" '$1 == n { v = $2 } END { if (v != "") print v }' "$results"; }
# fmt VALUE [DECIMALS]: rounded, with thousands separators; "–" when missing.
fmt() {
  [ -n "$1" ] || { printf '–'; return; }
  awk -v v="$1" -v d="${2:-0}" 'BEGIN {
    s = sprintf("%.*f", d, v); sign = ""; if (substr(s, 1, 1) == "-") { sign = "-"; s = substr(s, 2) }
    i = index(s, "."); whole = i ? substr(s, 1, i - 1) : s; frac = i ? substr(s, i) : ""
    while (length(whole) > 3) { frac = "," substr(whole, length(whole) - 2) frac; whole = substr(whole, 1, length(whole) - 3) }
    printf "%s%s%s", sign, whole, frac }'
}
# verdict VALUE OP LIMIT: met / not met; "–" when missing.
verdict() {
  [ -n "$1" ] || { printf 'no figure'; return; }
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    ok = (op == "<=") ? (v <= l) : (v >= l); printf "%s", ok ? "met" : "**not met**" }'
}
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

baseline=$(value pipeline_baseline)
eos=$(value pipeline_eos)
alos=$(value pipeline_alos)
nodedup=$(value pipeline_eos_nodedup)
eos_ratio=$(ratio "$eos" "$baseline")
alos_ratio=$(ratio "$alos" "$baseline")
eos_alos=$(ratio "$eos" "$alos")
p50=$(value freshness_p50)
p90=$(value freshness_p90)
p99=$(value freshness_p99)
http10k=$(value scrape_10000_decoded_http_openmetrics_gzip_median_ms)
direct10k=$(value scrape_10000_decoded_direct_openmetrics_text_median_ms)
http100k=$(value scrape_100000_decoded_http_openmetrics_gzip_median_ms)
direct100k=$(value scrape_100000_decoded_direct_openmetrics_text_median_ms)
series=$(value footprint_series)
heap=$(value footprint_heap_mb)
state=$(value footprint_state_mb)
state10k=$(value footprint_state_mb_per_10k)
error=$(value histogram_max_rel_error)
bytes_mean=$(value histogram_bytes_mean)
bytes_max=$(value histogram_bytes_max)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
ram=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
jdk=$("$java" -version 2>&1 | head -1)
os="$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), Linux $(uname -r)"
commit="$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo ' + local changes')"

table() {
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores, ${ram:-? GB} RAM; $jdk; $os."
  echo "Command: \`$command_line\` on $commit, $(date -u '+%Y-%m-%d %H:%M UTC'); took $((elapsed / 60)) min $((elapsed % 60)) s$($quick && echo ' (quick run: smaller sizes, fewer repeats)')."
  echo
  echo "| figure | measured | target | |"
  echo "|---|---|---|---|"
  selected pipeline && echo "| pipeline: baseline (plain consumer, same parse and validation, HashMap counts) | $(fmt "$baseline") ev/s | – | |"
  selected pipeline && echo "| pipeline: Tally exactly-once | $(fmt "$eos") ev/s = ${eos_ratio:-–} × baseline | ≥ 0.8 × baseline | $(verdict "$eos_ratio" '>=' 0.8) |"
  selected pipeline && echo "| pipeline: Tally at-least-once | $(fmt "$alos") ev/s = ${alos_ratio:-–} × baseline | – | |"
  selected pipeline && echo "| pipeline: exactly-once ÷ at-least-once | ${eos_alos:-–} | ≥ 0.9 | $(verdict "$eos_alos" '>=' 0.9) |"
  selected pipeline && echo "| pipeline: Tally exactly-once with \`dedup.window=0\` | $(fmt "$nodedup") ev/s | – | |"
  selected freshness && echo "| freshness: produce → readable by \`/metrics\`, p99 (p50 / p90) | $(fmt "$p99") ms ($(fmt "$p50") / $(fmt "$p90") ms) | p99 ≤ 1,500 ms | $(verdict "$p99" '<=' 1500) |"
  selected scrape && echo "| scrape 10k series: whole HTTP scrape, OpenMetrics, gzip, median | $(fmt "$http10k" 1) ms | ≤ 25 ms | $(verdict "$http10k" '<=' 25) |"
  selected scrape && echo "| scrape 10k series: exporter's work (read stores, write OpenMetrics), median | $(fmt "$direct10k" 1) ms | ≤ 25 ms | $(verdict "$direct10k" '<=' 25) |"
  selected scrape && echo "| scrape 100k series: whole HTTP scrape, OpenMetrics, gzip, median | $(fmt "$http100k" 1) ms | ≤ 400 ms | $(verdict "$http100k" '<=' 400) |"
  selected scrape && echo "| scrape 100k series: exporter's work, median | $(fmt "$direct100k" 1) ms | ≤ 400 ms | $(verdict "$direct100k" '<=' 400) |"
  selected footprint && echo "| heap after a forced GC, $(fmt "$series") live series (Tally's own JVM) | $(fmt "$heap" 1) MB | ≤ 512 MB | $(verdict "$heap" '<=' 512) |"
  selected footprint && echo "| state on disk per 10k series (RocksDB + checkpoints; $(fmt "$state" 1) MB in all) | $(fmt "$state10k" 2) MB | – | |"
  selected histogram && echo "| histogram accuracy: max relative error of p50 / p99 / p99.9 | $(fmt "$error" 3) % | ≤ 1 % | $(verdict "$error" '<=' 1) |"
  selected histogram && echo "| bytes per stored histogram series, mean (max) | $(fmt "$bytes_mean") B ($(fmt "$bytes_max") B) | ≤ 4,096 B | $(verdict "$bytes_max" '<=' 4096) |"
  local jmh
  for jmh in parse map preAggregate histogramObserve histogramMerge histogramSerialize histogramDeserialize; do
    local v
    v=$(value "jmh_$jmh")
    [ -n "$v" ] || continue
    echo "| JMH \`HotPaths.$jmh\` | $(fmt "$v" 0) ns/op | – | |"
  done
  if [ -f "$runs_dir/failed" ]; then
    echo
    echo "Failed steps (their figures are missing): $(paste -sd, "$runs_dir/failed"); logs in $runs_dir."
  fi
}

echo
table | tee "$runs_dir/table.md"
if [ -n "$out" ]; then
  cp "$runs_dir/table.md" "$out"
  echo "bench: table written to $out" >&2
fi
[ ! -f "$runs_dir/failed" ]
