#!/usr/bin/env bash
# Freshness: produce -> readable in the stores /metrics renders, p50/p90/p99 over probes under a
# steady background load. Usage: bench/freshness.sh [probes=100] [background ev/s=2000]
exec "$(dirname "$0")/run-streams-bench.sh" FreshnessBenchmark "${1:-100}" "${2:-2000}"
