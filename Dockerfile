# Tally's container image: built with Maven, run on a JRE as a non-root user.
#
#   docker build -t tally .
#   docker run --rm -p 8080:8080 -e KAFKA_BOOTSTRAP_SERVERS=broker:9092 tally
#
# The entrypoint is `tally run`; arguments after the image name go to it (e.g. `--config FILE`).
# Settings come from TALLY_* variables or a config file (docs/configuration.md). Always name the
# cluster (KAFKA_BOOTSTRAP_SERVERS, TALLY_BOOTSTRAP_SERVERS or bootstrap.servers in the config
# file): without one, `tally run` starts a throwaway embedded broker inside the container.
#
# Needs BuildKit (the default builder since Docker 23) for the Maven cache mount.

############################## build ##############################
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# .dockerignore keeps target/, .git, docs and deploy files out of the context.
COPY . .
# Tests are the job of `mvn -B verify` (CI); the image needs the runnable jar only.
# tools/cli packages target/tally-cli-<version>.jar, whose manifest names the main class and
# puts lib/*.jar (its runtime dependencies, copied to target/lib) on the class path.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests package
RUN set -eu; \
    mkdir -p /out/lib; \
    cp tools/cli/target/lib/*.jar /out/lib/; \
    for jar in tools/cli/target/tally-cli-*.jar; do \
      case "$jar" in \
        *-sources.jar | *-tests.jar | *-javadoc.jar) ;; \
        *) cp "$jar" /out/tally-cli.jar ;; \
      esac; \
    done; \
    test -f /out/tally-cli.jar

############################## runtime ##############################
FROM eclipse-temurin:17-jre

# curl for the HEALTHCHECK below (installed explicitly rather than relying on the base image).
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl; \
    rm -rf /var/lib/apt/lists/*

# A fixed, non-root uid/gid (10001) so that Kubernetes' runAsNonRoot can check it and volumes
# can be prepared for it. /var/lib/tally holds the state stores (TALLY_STATE_DIR below it); a
# named volume mounted there starts out owned by this user.
RUN set -eux; \
    groupadd --system --gid 10001 tally; \
    useradd --system --uid 10001 --gid tally --home-dir /var/lib/tally --no-create-home \
      --shell /usr/sbin/nologin tally; \
    mkdir -p /var/lib/tally/state; \
    chown -R tally:tally /var/lib/tally

# The jar and its lib/ directory side by side, as the jar's manifest class path expects.
COPY --from=build /out/ /opt/tally/

# `tally` on the PATH: the same command as ./tally in a checkout, without its build step.
# JVM options go in TALLY_JAVA_OPTS, split on spaces as ./tally does.
RUN set -eux; \
    printf '%s\n' \
      '#!/bin/sh' \
      '# Tally command line. JVM options go in TALLY_JAVA_OPTS (split on spaces).' \
      'exec java ${TALLY_JAVA_OPTS:-} -jar /opt/tally/tally-cli.jar "$@"' \
      > /usr/local/bin/tally; \
    chmod 0755 /usr/local/bin/tally

# The heap gets half the container's memory limit: RocksDB (the state stores) lives off-heap.
ENV TALLY_JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
WORKDIR /var/lib/tally

# /metrics, /health/live, /health/ready and the query API (http.port).
EXPOSE 8080

# Ready = Kafka Streams RUNNING, an input topic exists and the stores are queryable (README).
# The check uses curl on port 8080 over plain HTTP: with http.port changed, or with http.auth.*
# or http.tls.* on (they cover the health endpoints too), override it, e.g. in compose:
#   healthcheck: {test: ["CMD", "curl", "-fsSk", "-u", "user:password", "https://localhost:8080/health/ready"]}
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=4 \
  CMD curl -fsS -o /dev/null --max-time 4 http://localhost:8080/health/ready || exit 1

ENTRYPOINT ["tally", "run"]
