#!/usr/bin/env bash
# `make demo`: run slimage on the bundled samples.
# Exit code 1 from slimage means "findings" and is expected here; anything else fails the demo.
set -uo pipefail
slimage="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
python="$(dirname "$slimage")/python"
cd "$(dirname "$0")"

bold="" plain=""
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi

run() {
  printf '\n%s$ slimage %s%s\n' "$bold" "$*" "$plain"
  "$slimage" "$@"
  local rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "demo: 'slimage $*' failed with exit code $rc" >&2
    exit "$rc"
  fi
}

# A working copy of the fat Node sample with the junk real projects carry.
rm -rf out/fat-node && mkdir -p out && cp -r fat-node out/fat-node
mkdir -p out/fat-node/.git/objects out/fat-node/node_modules/left-pad
head -c 300000 /dev/urandom > out/fat-node/.git/objects/pack.pack
echo '{"name": "left-pad"}' > out/fat-node/node_modules/left-pad/package.json
echo 'API_TOKEN=do-not-ship' > out/fat-node/.env

echo "== 1. Lint the article's fat Dockerfile: size, security, correctness"
run lint -f out/fat-node/Dockerfile
echo
echo "== 2. The fixes slimage can apply (checked against the parser before they are kept)"
run lint --diff --unsafe-fixes out/fat-node/Dockerfile
echo
echo "== 3. What the build context sends, and a .dockerignore that keeps what COPY needs"
run context out/fat-node --suggest
echo
echo "== 4. A multi-stage Dockerfile for a Go service"
run init go-service --print
echo
echo "== 5. The fat Node Dockerfile itself, rewritten as a slim multi-stage one"
echo "   (before: out/fat-node/Dockerfile; after: the diff below; the report on stderr)"
run rewrite out/fat-node --diff
echo
echo "== 6. Explain a small fat image from its own bytes; fail CI on a secret in it"
"$python" make_sample_image.py out/fat-sample.tar
run analyze out/fat-sample.tar --max-secrets 0
echo
echo "== 7. The same analysis as one self-contained HTML page (treemap, layers, findings)"
run analyze out/fat-sample.tar --format html --output out/fat-sample.html
echo "HTML report: $(pwd)/out/fat-sample.html"
echo
echo "== 8. The same app rewritten slim (multi-stage, no toolchain, non-root): what changed"
"$python" make_sample_image.py --slim out/slim-sample.tar
run diff out/fat-sample.tar out/slim-sample.tar --max-growth 0
exit 0
