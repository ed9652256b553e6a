#!/usr/bin/env bash
# Builds streams-app's test classes and runs one of its benchmark mains with the test classpath.
# Usage: bench/run-streams-bench.sh CLASS [ARGS...]  (used by pipeline.sh and freshness.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -pl streams-app -am \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
class=$1
shift
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -cp "streams-app/target/test-classes:streams-app/target/classes:$(cat streams-app/target/bench.classpath)" \
  "dev.tally.streams.bench.$class" "$@"
