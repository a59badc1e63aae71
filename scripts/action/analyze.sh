#!/usr/bin/env bash
# action.yml, "Analyze the image": the HTML report for the artifact and the text report
# in the log, both with the gates. A failed gate (exit 1) does not stop the job here, so
# the report is still uploaded; "Verdict" fails it. The image is read twice (once per
# report); a registry image's layers come from slimage's layer cache the second time.
set -uo pipefail
out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
gates=()
[ -n "${SLIMAGE_MAX_SIZE:-}" ] && gates+=(--max-size "$SLIMAGE_MAX_SIZE")
[ -n "${SLIMAGE_MAX_HIDDEN:-}" ] && gates+=(--max-hidden "$SLIMAGE_MAX_HIDDEN")
[ -n "${SLIMAGE_MAX_WASTE:-}" ] && gates+=(--max-waste "$SLIMAGE_MAX_WASTE")
[ -n "${SLIMAGE_MIN_EFFICIENCY:-}" ] && gates+=(--min-efficiency "$SLIMAGE_MIN_EFFICIENCY")

html=""
if [ "${SLIMAGE_HTML:-true}" = "true" ]; then
  html="$out/slimage-report.html"
  # The gates go to this run too, so that the page shows their verdict.
  slimage analyze "${SLIMAGE_IMAGE:?}" "${gates[@]}" --format html --output "$html"
  code=$?
  if [ "$code" -gt 1 ]; then
    echo "::error title=slimage analyze::slimage analyze failed with exit code $code"
    exit "$code"
  fi
  echo "HTML report: $html"
fi
slimage analyze "${SLIMAGE_IMAGE:?}" "${gates[@]}"
code=$?
if [ "$code" -gt 1 ]; then
  echo "::error title=slimage analyze::slimage analyze failed with exit code $code"
  exit "$code"
fi
{
  echo "exit-code=$code"
  echo "html-report=$html"
} >> "${GITHUB_OUTPUT:?}"
exit 0
