#!/usr/bin/env bash
# Freshness: produce -> readable in the stores /metrics renders, p50/p90/p99 over probes
# under a steady background load. Usage: bench/freshness.sh [probes=100] [background ev/s=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -pl streams-app -am \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -cp "streams-app/target/test-classes:streams-app/target/classes:$(cat streams-app/target/bench.classpath)" \
  dev.tally.streams.bench.FreshnessBenchmark "${1:-100}" "${2:-2000}"
