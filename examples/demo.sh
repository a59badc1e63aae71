#!/usr/bin/env bash
# `make demo`: run slimage on the bundled samples. Grows as capabilities land.
set -euo pipefail
slimage="$1"
cd "$(dirname "$0")"
echo "\$ slimage --version"
"$slimage" --version
