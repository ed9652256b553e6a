#!/usr/bin/env bash
# Checks the Prometheus rules and runs their unit tests. Needs promtool (Debian: prometheus).
# Usage: deploy/prometheus/check-rules.sh   (from anywhere; exits non-zero on any failure)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PROMTOOL="${PROMTOOL:-promtool}"
if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
  echo "check-rules: promtool not found (set PROMTOOL or install Prometheus' promtool)" >&2
  exit 2
fi

"$PROMTOOL" check rules deploy/prometheus/rules/*.yml
"$PROMTOOL" test rules deploy/prometheus/tests/*.yml
