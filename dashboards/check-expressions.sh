#!/usr/bin/env bash
# Validate every dashboard expression with Prometheus' own PromQL parser.
#
# Runs check.py (structure; prints `<file>\t<panel title>\t<expr>` lines), starts a throwaway
# Prometheus (PROMETHEUS, default /usr/bin/prometheus) on a free 127.0.0.1 port with a temp data
# dir and no scrape targets, and sends each expression to /api/v1/query. A parse error answers
# HTTP 400 with errorType bad_data. Exits non-zero on a structural problem, on any bad_data or other
# failed query, or when Prometheus does not come up. Prometheus is stopped on exit.
#
# Usage: dashboards/check-expressions.sh [DASHBOARD_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here}"
prometheus="${PROMETHEUS:-/usr/bin/prometheus}"
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }
[ -x "$prometheus" ] || { echo "no Prometheus at $prometheus" >&2; exit 2; }

tmp="$(mktemp -d)"
prom_pid=""
cleanup() {
  if [ -n "$prom_pid" ] && kill -0 "$prom_pid" 2>/dev/null; then
    kill "$prom_pid" 2>/dev/null || true
    wait "$prom_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. structure, and the expressions to validate
if ! python3 "$here/check.py" "$dir" >"$tmp/exprs.tsv"; then
  echo "check.py found structural problems" >&2
  exit 1
fi

# 2. a throwaway Prometheus on a free loopback port
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' >"$tmp/prometheus.yml"
mkdir "$tmp/data"
"$prometheus" \
  --config.file="$tmp/prometheus.yml" \
  --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$port" \
  --enable-feature=native-histograms \
  >"$tmp/prometheus.log" 2>&1 &
prom_pid=$!
base="http://127.0.0.1:$port"

ready=""
for _ in $(seq 1 150); do
  if curl -fsS -o /dev/null "$base/-/ready" 2>/dev/null; then ready=1; break; fi
  kill -0 "$prom_pid" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "Prometheus did not become ready on $base; its log:" >&2
  cat "$tmp/prometheus.log" >&2
  exit 2
fi
version="$(curl -fsS "$base/api/v1/status/buildinfo" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["version"])' 2>/dev/null || echo '?')"

# 3. every expression through the query API
total=0 ok=0 bad=0 failed=0
while IFS=$'\t' read -r file title expr; do
  [ -n "${expr:-}" ] || continue
  total=$((total + 1))
  code="$(curl -sS -o "$tmp/body" -w '%{http_code}' --data-urlencode "query=$expr" "$base/api/v1/query" || echo 000)"
  if [ "$code" = 200 ] && grep -q '"status":"success"' "$tmp/body"; then
    ok=$((ok + 1))
  elif grep -q '"errorType":"bad_data"' "$tmp/body" 2>/dev/null; then
    bad=$((bad + 1))
    printf 'BAD_DATA\t%s\t%s\t%s\n\t%s\n' "$file" "$title" "$expr" "$(cat "$tmp/body")" >&2
  else
    failed=$((failed + 1))
    printf 'FAILED(HTTP %s)\t%s\t%s\t%s\n\t%s\n' "$code" "$file" "$title" "$expr" "$(cat "$tmp/body" 2>/dev/null)" >&2
  fi
done <"$tmp/exprs.tsv"

echo "prometheus $version on $base: $total expressions, $ok parsed and evaluated, $bad bad_data, $failed other failures"
if [ "$total" -eq 0 ]; then
  echo "no expressions to check" >&2
  exit 1
fi
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ]
