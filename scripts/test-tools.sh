#!/usr/bin/env bash
# Installs what the tests need beyond the JDK and Maven, when it is missing: promtool and a
# Prometheus server (Debian's `prometheus`: PrometheusEndToEndIT and the exporter tests' scrape
# checks) and Chromium (Debian's `chromium`: ConsoleIT). Needs root and apt-get to install;
# without them it says what is missing and the tests that need it fail saying so.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing test tools: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "test tools missing and not installable here (needs root and apt-get): ${missing[*]}" >&2
  echo "install them (Debian/Ubuntu: apt-get install ${missing[*]}), or skip the browser test" \
    "with -Dconsole.skip=true" >&2
fi
