#!/usr/bin/env bash
# Scrape cost benchmark of the exporter (see docs/performance.md).
#   bench/scrape.sh                    10k and 100k series, 30 measured scrapes per format
#   bench/scrape.sh 50000 --runs 50    other sizes / more runs
# BENCH_JAVA_OPTS overrides the JVM options (default: -Xms2g -Xmx2g).
set -euo pipefail
cd "$(dirname "$0")/.."

classpath_file=exporter/target/bench-classpath.txt
mvn -B -q -pl exporter -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test >/dev/null

# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xms2g -Xmx2g} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "exporter/target/test-classes:exporter/target/classes:$(cat "$classpath_file")" \
  dev.tally.exporter.bench.ScrapeBenchmark "$@"
