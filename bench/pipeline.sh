#!/usr/bin/env bash
# Pipeline throughput: plain-consumer baseline vs Tally (exactly-once and at-least-once), same
# broker, same topics, same run. Usage: bench/pipeline.sh [events=300000] [rounds=2]
exec "$(dirname "$0")/run-streams-bench.sh" PipelineBenchmark "${1:-300000}" "${2:-2}"
