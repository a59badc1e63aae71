#!/usr/bin/env bash
# `make demo`: run slimage on the bundled samples.
# Exit code 1 from slimage means "findings" and is expected here; anything else fails the demo.
set -uo pipefail
slimage="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
python="$(dirname "$slimage")/python"
cd "$(dirname "$0")"

run() {
  printf '\n\033[1m$ slimage %s\033[0m\n' "$*"
  "$slimage" "$@"
  local rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "demo: 'slimage $*' failed with exit code $rc" >&2
    exit "$rc"
  fi
}

has() { "$slimage" "$1" --help >/dev/null 2>&1; }

run --version
if has lint; then
  run lint fat-node/Dockerfile
  run lint --diff --unsafe-fixes fat-node/Dockerfile
fi
if has context; then
  run context fat-node
  run context fat-node --suggest
fi
if has analyze; then
  "$python" make_sample_image.py out/fat-sample.tar
  run analyze out/fat-sample.tar
fi
exit 0
