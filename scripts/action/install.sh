#!/usr/bin/env bash
# action.yml, "Install slimage": pip-install slimage from the action's own checkout
# (SLIMAGE_SOURCE, the ref the workflow's `uses:` names), or use the one on PATH.
set -euo pipefail
if [ "${SLIMAGE_INSTALL:-true}" = "true" ]; then
  python3 -m pip install --quiet --disable-pip-version-check "${SLIMAGE_SOURCE:?}"
fi
if ! command -v slimage >/dev/null 2>&1; then
  echo "::error title=slimage::slimage is not on PATH (install: '${SLIMAGE_INSTALL:-true}')"
  exit 2
fi
slimage --version
