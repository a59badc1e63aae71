#!/usr/bin/env bash
# action.yml, "Lint Dockerfiles": annotations in the log (--format github), SARIF for code
# scanning. Findings do not stop the job here (the SARIF upload comes next); the
# "Verdict" step fails it. A usage, input or internal error (exit >= 2) fails now.
set -uo pipefail
out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
sarif="$out/slimage-lint.sarif"
read -r -a paths <<< "${SLIMAGE_PATHS:-.}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
fail_level=(--fail-level "${SLIMAGE_FAIL_LEVEL:-warning}")

slimage lint "${fail_level[@]}" --format github "${paths[@]}"
code=$?
if [ "$code" -gt 1 ]; then
  echo "::error title=slimage lint::slimage lint failed with exit code $code"
  exit "$code"
fi
slimage lint "${fail_level[@]}" --format sarif "${paths[@]}" > "$sarif"
sarif_code=$?
if [ "$sarif_code" -gt 1 ]; then
  exit "$sarif_code"
fi
{
  echo "sarif-file=$sarif"
  echo "exit-code=$code"
} >> "${GITHUB_OUTPUT:?}"
exit 0
