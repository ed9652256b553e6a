#!/usr/bin/env bash
# Scrape cost as a real Prometheus sees it (see docs/performance.md). For each size, serves N
# series from the scrape benchmark's stores and lets Debian's Prometheus scrape them for 50 s
# (every second; every 4 s from 50k series), then the same scrape's bytes served from memory.
# Prometheus' scrape_duration_seconds includes its own parsing and storing of the samples; the
# from-memory run measures that part, and the difference is what Tally adds.
#   bench/scrape-prometheus.sh                     10k and 100k series, text (Prometheus' default)
#   bench/scrape-prometheus.sh 10000 --native      protobuf, as with native histograms enabled
# Needs /usr/bin/prometheus (Debian's prometheus package, which .ci/run installs).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=()
native=false
for arg in "$@"; do
  case "$arg" in
    --native) native=true ;;
    *) sizes+=("$arg") ;;
  esac
done
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 100000)

classpath_file=exporter/target/bench-classpath.txt
mvn -B -q -pl exporter -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test >/dev/null
classpath="exporter/target/test-classes:exporter/target/classes:$(cat "$classpath_file")"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

query() { # PromQL instant query against the running Prometheus; prints the first value
  curl -sf --get "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
    sed -n 's/.*"value":\[[^,]*,"\([^"]*\)".*/\1/p'
}

# Scrapes $1 (host:port) every $2 for 50 s; prints median and p90 scrape_duration over the last
# 40 s and the samples per scrape.
scrape() {
  prom_port=$(java -cp "$classpath" dev.tally.exporter.bench.FreePort)
  cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: $2
  scrape_timeout: $2
scrape_configs:
  - job_name: bench
    static_configs:
      - targets: ['$1']
YAML
  local flags=()
  $native && flags+=(--enable-feature=native-histograms)
  rm -rf "$work/data"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$prom_port" "${flags[@]}" >"$work/prometheus.log" 2>&1 &
  local pid=$!
  sleep 50
  local up median p90 samples
  up=$(query 'min_over_time(up{job="bench"}[40s])')
  median=$(query 'quantile_over_time(0.5, scrape_duration_seconds{job="bench"}[40s]) * 1000')
  p90=$(query 'quantile_over_time(0.9, scrape_duration_seconds{job="bench"}[40s]) * 1000')
  samples=$(query 'scrape_samples_scraped{job="bench"}')
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  [[ "$up" == 1 ]] || { echo "target $1 was not up throughout: up=$up" >&2; exit 1; }
  printf '%8.1f %8.1f %10s' "$median" "$p90" "$samples"
}

format=$($native && echo protobuf || echo text)
printf '%-8s %-9s %-12s %8s %8s %10s\n' series format served median p90 samples
for size in "${sizes[@]}"; do
  serve_args=(--serve "$size")
  $native && serve_args+=(--protobuf)
  # shellcheck disable=SC2086
  java ${BENCH_JAVA_OPTS:--Xms2g -Xmx2g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$classpath" dev.tally.exporter.bench.ScrapeBenchmark "${serve_args[@]}" >"$work/serve.log" &
  pids+=($!)
  until grep -q '^static ' "$work/serve.log"; do sleep 0.5; done
  tally=$(sed -n 's#^tally http://\([^/]*\)/.*#\1#p' "$work/serve.log")
  fixed=$(sed -n 's#^static http://\([^/]*\)/.*#\1#p' "$work/serve.log")
  # Prometheus itself needs more than a second to store a scrape of 100k series on 2 cores.
  interval=$([[ $size -lt 50000 ]] && echo 1s || echo 4s)
  printf '%-8s %-9s %-12s %s\n' "$size" "$format" "tally" "$(scrape "$tally" "$interval")"
  printf '%-8s %-9s %-12s %s\n' "$size" "$format" "from memory" "$(scrape "$fixed" "$interval")"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  pids=()
done
