"""``slimage analyze`` against dive on a Node-shaped image: 11 layers, ~60k files, ~1.2 GB.

The shape of the real images the issue measured (a 1.2 GB, 11-layer, 61k-file Node
image): a Debian base, a Node runtime, global npm tools, an app's node_modules of many
small files installed twice (dev, then production), the build output, caches and a few
big assets. Written as a docker-archive (dive reads that shape), deterministic. Then
``slimage analyze --format json`` and ``CI=true dive --source docker-archive`` run
alternately, median of 5 runs each (wall and CPU time from wait4).

    python benchmarks/analyze_node.py            # the 1.2 GB image
    python benchmarks/analyze_node.py --runs 3   # fewer runs
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from analyze import Entry, Synth, dive_binary, measure, write_layers_archive


def node_layers(synth: Synth) -> Iterator[list[Entry]]:
    rng = synth.rng
    # 1. A Debian base: 9k files, ~120 MB.
    yield [
        ("file", f"usr/lib/x86_64-linux-gnu/pkg{d:03d}/lib{f:02d}.so", synth.content(13_000))
        for d in range(300)
        for f in range(30)
    ]
    # 2. apt-get install build tools: 6k files, ~250 MB, lists and archives kept.
    layer: list[Entry] = [
        ("file", f"usr/lib/gcc/x86_64-linux-gnu/12/part{f:04d}.o", synth.content(30_000))
        for f in range(6000)
    ]
    layer += [("file", f"var/lib/apt/lists/list{f:02d}", synth.content(800_000)) for f in range(30)]
    yield layer
    # 3. The Node runtime: one big binary and its headers.
    layer = [("file", "usr/local/bin/node", synth.content(95_000_000))]
    layer += [
        ("file", f"usr/local/include/node/h{f:04d}.h", synth.content(4000)) for f in range(900)
    ]
    yield layer
    # 4. npm and global tools: 5k files.
    yield [
        ("file", f"usr/local/lib/node_modules/npm/m{f // 50:03d}/f{f:02d}.js", synth.content(3000))
        for f in range(5000)
    ]
    # 5. package.json and the lockfile.
    yield [
        ("file", "app/package.json", b"{}"),
        ("file", "app/package-lock.json", synth.content(400_000)),
    ]
    # 6. npm ci with dev dependencies: 25k small files, ~300 MB.
    modules = [f"app/node_modules/p{d:04d}/lib/f{f:02d}.js" for d in range(1000) for f in range(25)]
    yield [("file", path, synth.content(synth.small_size() + 2000)) for path in modules]
    # 7. The npm cache the install left.
    yield [
        ("file", f"root/.npm/_cacache/content-v2/sha512/{f:05d}", synth.content(40_000))
        for f in range(3000)
    ]
    # 8. The app's sources.
    yield [
        ("file", f"app/src/mod{f // 40:03d}/c{f:02d}.ts", synth.content(6000)) for f in range(2000)
    ]
    # 9. The build output and source maps.
    layer = [("file", f"app/dist/c{f:04d}.js", synth.content(9000)) for f in range(2000)]
    layer += [("file", f"app/dist/c{f:04d}.js.map", synth.content(20000)) for f in range(2000)]
    yield layer
    # 10. npm prune --production: dev packages whited out, a third of the files.
    pruned = sorted({path.split("/lib/")[0] for path in rng.sample(modules, 400)})
    yield [("whiteout", directory, b"") for directory in pruned]
    # 11. Assets and a config.
    layer = [("file", f"app/public/video{f}.mp4", synth.content(40_000_000)) for f in range(4)]
    layer.append(("file", "app/config.json", b'{"port": 3000}'))
    yield layer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_to:
        print(json.dumps(write_layers_archive(args.write_to, node_layers(Synth(61)))))
        return
    workdir = Path(tempfile.mkdtemp(prefix="slimage-bench-node-"))
    try:
        archive = workdir / "node.tar"
        started = time.perf_counter()
        writer = [sys.executable, __file__, "--write-to", str(archive)]
        stats = json.loads(subprocess.run(writer, check=True, capture_output=True).stdout)
        print(
            f"Node-shaped docker-archive: {stats['files']} files in {stats['layers']} layers, "
            f"{stats['bytes'] / 1e9:.2f} GB of content, {archive.stat().st_size / 1e9:.2f} GB "
            f"on disk (written in {time.perf_counter() - started:.1f} s)"
        )
        binary = dive_binary()
        slimage = [sys.executable, "-m", "slimage", "analyze", "--format", "json", str(archive)]
        dive = [binary or "dive", "--source", "docker-archive", str(archive)]
        env = {**os.environ, "CI": "true"}
        times: dict[str, list[tuple[float, float]]] = {"slimage": [], "dive": []}
        for run in range(args.runs):
            seconds, cpu_seconds, _, _, code = measure(slimage)
            if code not in (0, 1):
                raise SystemExit(f"slimage failed with exit code {code}")
            times["slimage"].append((seconds, cpu_seconds))
            if binary is not None:
                dive_seconds, dive_cpu, _, _, _ = measure(dive, env)
                times["dive"].append((dive_seconds, dive_cpu))
            print(
                f"run {run + 1}: "
                + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in times.items() if v)
            )
        wall = {k: statistics.median(t for t, _ in v) for k, v in times.items() if v}
        cpu = {k: statistics.median(c for _, c in v) for k, v in times.items() if v}
        for name in wall:
            print(f"{name:8} median {wall[name]:6.2f} s wall, {cpu[name]:6.2f} s CPU")
        if "dive" in wall:
            print(
                f"ratio slimage / dive: {wall['slimage'] / wall['dive']:.2f} wall, "
                f"{cpu['slimage'] / cpu['dive']:.2f} CPU (target < 1)"
            )
        else:
            print("dive: not installed (pip install '.[bench]')")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
