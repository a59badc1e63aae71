#!/usr/bin/env bash
# action.yml, "Verdict": fail the job when lint found something at or above fail-level
# or an analyze gate failed, after the SARIF and the HTML report were uploaded.
set -euo pipefail
status=0
if [ "${SLIMAGE_LINT_EXIT:-0}" != "0" ]; then
  echo "::error title=slimage::lint found problems at or above the fail level (exit ${SLIMAGE_LINT_EXIT})"
  status=1
fi
if [ -n "${SLIMAGE_ANALYZE_EXIT:-}" ] && [ "${SLIMAGE_ANALYZE_EXIT}" != "0" ]; then
  echo "::error title=slimage::an analyze gate failed (exit ${SLIMAGE_ANALYZE_EXIT})"
  status=1
fi
exit "$status"
