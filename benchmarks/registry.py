"""Analyse an image straight from a registry vs. a plain download of it, side by side.

Writes an OCI image of 1.2 GiB of files in five gzip layers (about half compressible,
as binaries and text are: ~0.6 GB stored), pushes it into a local docker-registry
(Debian's) on 127.0.0.1, then times, in the same run, alternating, median of 3:

* ``slimage analyze docker://127.0.0.1:PORT/bench/app:1 --format json``
  (download, decompress, verify and analyse, streaming);
* ``skopeo copy docker://... dir:TMP`` (a plain download to disk);
* slimage again with a fresh layer cache (recording it), then a second, cached run.

Needs docker-registry and skopeo (the tests' .ci/run installs both). Not a timed test.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

LAYER_MB = (400, 300, 250, 150, 100)
RUNS = 3
_WORDS = (
    b"the of and to in is for on that with as by from at this are be or an it not which "
    b"lib usr share include node_modules function return const var import export class "
).split()


def _pool() -> bytes:
    """4 MiB that compress as real layers do: random runs (binaries) between text runs."""
    rng = random.Random(99)
    parts: list[bytes] = []
    size = 0
    while size < 4 << 20:
        parts.append(rng.randbytes(rng.randrange(512, 8192)))
        parts.append(b" ".join(rng.choices(_WORDS, k=rng.randrange(100, 1500))))
        size += len(parts[-1]) + len(parts[-2])
    return b"".join(parts)[: 4 << 20]


_POOL = _pool()


def _gzip(raw: bytes) -> bytes:
    """gzip as builders write it; ISA-L's level 3 (as small as zlib's 6, much faster to
    write) when installed, so generating the image does not dominate the benchmark."""
    try:
        from isal import igzip
    except ImportError:
        return gzip.compress(raw, compresslevel=6, mtime=0)
    return igzip.compress(raw, 3, mtime=0)


def _layer(seed: int, megabytes: int) -> bytes:
    rng = random.Random(seed)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for index in range(megabytes):
            start = rng.randrange(len(_POOL) - (1 << 20))
            data = rng.randbytes(64) + _POOL[start : start + (1 << 20) - 64]
            info = tarfile.TarInfo(f"data/layer{seed}/file{index:04d}.bin")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _write_layout(path: Path) -> int:
    blobs = path / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return "sha256:" + digest

    layers, diff_ids, total = [], [], 0
    for seed, megabytes in enumerate(LAYER_MB):
        raw = _layer(seed, megabytes)
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        packed = _gzip(raw)
        total += len(packed)
        layers.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": put(packed),
                "size": len(packed),
            }
        )
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created_by": f"layer {i}"} for i in range(len(layers))],
        }
    )
    config_bytes = config.encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": put(config_bytes),
                "size": len(config_bytes),
            },
            "layers": layers,
        }
    ).encode()
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": put(manifest),
                "size": len(manifest),
                "annotations": {"org.opencontainers.image.ref.name": "1"},
            }
        ],
    }
    (path / "index.json").write_text(json.dumps(index))
    (path / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CPU: dict[str, list[float]] = {}


def _timed(command: list[str], name: str = "") -> float:
    """Wall seconds of ``command``; its CPU seconds (user + system) go to CPU[name]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(name, []).append(used)
    return wall


def main() -> int:
    for tool in ("docker-registry", "skopeo"):
        if shutil.which(tool) is None:
            print(f"registry benchmark: {tool} is not installed", file=sys.stderr)
            return 1
    slimage = [sys.executable, "-m", "slimage"]
    with tempfile.TemporaryDirectory(prefix="slimage-bench-") as tmp:
        root = Path(tmp)
        stored = _write_layout(root / "layout")
        port = _free_port()
        (root / "config.yml").write_text(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
            "storage:\n  filesystem:\n"
            f"    rootdirectory: {root / 'registry'}\nhttp:\n  addr: 127.0.0.1:{port}\n"
        )
        server = subprocess.Popen(
            ["docker-registry", "serve", str(root / "config.yml")], stderr=subprocess.DEVNULL
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
                    break
                except (urllib.error.URLError, OSError):
                    time.sleep(0.1)
            reference = f"127.0.0.1:{port}/bench/app:1"
            subprocess.run(
                [
                    "skopeo",
                    "copy",
                    "--quiet",
                    "--dest-tls-verify=false",
                    f"oci:{root / 'layout'}:1",
                    f"docker://{reference}",
                ],
                check=True,
            )
            downloads: list[float] = []
            analyses: list[float] = []
            with_zlib: list[float] = []
            for run in range(RUNS):
                shutil.rmtree(root / "download", ignore_errors=True)
                downloads.append(
                    _timed(
                        [
                            "skopeo",
                            "copy",
                            "--quiet",
                            "--src-tls-verify=false",
                            f"docker://{reference}",
                            f"dir:{root / 'download'}",
                        ],
                        "skopeo",
                    )
                )
                analyses.append(
                    _timed(
                        [
                            *slimage,
                            "analyze",
                            f"docker://{reference}",
                            "--format",
                            "json",
                            "--no-cache",
                        ],
                        "slimage",
                    )
                )
                # The same with the standard library's zlib (the fast inflaters hidden).
                with_zlib.append(
                    _timed(
                        [
                            sys.executable,
                            "-c",
                            "import sys; sys.modules['isal'] = sys.modules['zlib_ng'] = None; "
                            "from slimage.cli import main; main()",
                            "analyze",
                            f"docker://{reference}",
                            "--format",
                            "json",
                            "--no-cache",
                        ]
                    )
                )
                print(
                    f"run {run + 1}: skopeo {downloads[-1]:.2f} s, slimage {analyses[-1]:.2f} s, "
                    f"slimage with zlib {with_zlib[-1]:.2f} s",
                    flush=True,
                )
            download = statistics.median(downloads)
            analyse = statistics.median(analyses)
            analyse_zlib = statistics.median(with_zlib)
            # A fresh layer cache: one run records the layers, the next replays them.
            os.environ["XDG_CACHE_HOME"] = str(root / "cache")
            recording = _timed([*slimage, "analyze", f"docker://{reference}", "--format", "json"])
            cached = _timed([*slimage, "analyze", f"docker://{reference}", "--format", "json"])
        finally:
            server.terminate()
            server.wait()
    print(
        f"image: {stored / 1e6:.0f} MB stored (gzip), {sum(LAYER_MB)} MiB of files, "
        f"{len(LAYER_MB)} layers, registry on 127.0.0.1"
    )
    from slimage.image.inflate import INFLATER

    print(f"gzip inflater: {INFLATER}; median of {RUNS} alternating runs")
    print(f"skopeo copy docker:// dir: (plain download)  {download:6.2f} s")
    print(f"slimage analyze docker://                    {analyse:6.2f} s")
    print(f"ratio slimage / download: {analyse / download:.2f} (target <= 1.2)")
    for name in ("skopeo", "slimage"):
        print(f"CPU (user + system) of {name}, median: {statistics.median(CPU[name]):.2f} s")
    print(f"slimage with the standard zlib               {analyse_zlib:6.2f} s")
    print(f"slimage, recording the layer cache            {recording:6.2f} s")
    print(f"slimage, second run from the cache            {cached:6.2f} s (target < 1 s)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
