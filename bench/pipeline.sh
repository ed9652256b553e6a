#!/usr/bin/env bash
# Pipeline throughput: plain-consumer baseline vs Tally (exactly-once and at-least-once), same
# broker, same topics, same run. Usage: bench/pipeline.sh [events=300000] [rounds=2]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -pl streams-app -am \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -cp "streams-app/target/test-classes:streams-app/target/classes:$(cat streams-app/target/bench.classpath)" \
  dev.tally.streams.bench.PipelineBenchmark "${1:-300000}" "${2:-2}"
