"""Benchmark ``slimage diff`` of two ~1 GB images against ``slimage analyze`` of one.

The before image is ``analyze.py``'s synthetic docker-archive at half scale (about 100k
files and 0.95 GB over five layers). The after image is derived from it, entry by entry:
every 50th file changed in content with its size kept, every 100th file dropped, 2,000
new files in the top layer, and every entry's mtime moved by a second, so that no layer
is shared and every same-size file must be hashed on both sides (the worst case for
comparing by content). ``--share-base`` keeps the first layer byte for byte (the common
case of a rebuild on the same base). Then it runs ``slimage analyze --format json
BEFORE`` and ``slimage diff --format json BEFORE AFTER`` and prints wall and CPU time,
peak RSS and the ratio.

    python benchmarks/diff.py                  # ~1 GB images
    python benchmarks/diff.py --scale 0.05     # a tenth of that
    python benchmarks/diff.py --share-base

Target (issue 13): the diff of two 1 GB images in under twice the time of analysing one.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from analyze import measure

MTIME_SHIFT = 1
CHANGE_EVERY = 50
DROP_EVERY = 100
NEW_FILES = 2000


def _rewrite_layer(
    data: bytes, index: int, last: bool, share: bool, counts: dict[str, int]
) -> bytes:
    if share:
        return data
    out = io.BytesIO()
    number = 0
    with (
        tarfile.open(fileobj=io.BytesIO(data), mode="r:") as source,
        tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as target,
    ):
        for member in source:
            member.mtime += MTIME_SHIFT
            if not member.isfile() or "/.wh." in f"/{member.name}":
                target.addfile(member)
                continue
            number += 1
            content = source.extractfile(member)
            body = content.read() if content is not None else b""
            if number % DROP_EVERY == 0:
                counts["dropped"] += 1
                continue
            if number % CHANGE_EVERY == 0 and body:
                body = bytes([body[0] ^ 0xFF]) + body[1:]
                counts["changed"] += 1
            target.addfile(member, io.BytesIO(body))
        if last:
            for number in range(NEW_FILES):
                body = hashlib.sha256(f"new {index} {number}".encode()).digest() * 64
                info = tarfile.TarInfo(f"opt/new/file{number:05d}.bin")
                info.size, info.mtime, info.mode = len(body), 1_700_000_000, 0o644
                target.addfile(info, io.BytesIO(body))
                counts["added"] += 1
    return out.getvalue()


def write_variant(before: Path, after: Path, share_base: bool) -> dict[str, int]:
    """The after image: ``before`` changed as the module docstring says."""
    counts = {"changed": 0, "dropped": 0, "added": 0}
    with tarfile.open(before, mode="r:") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        config = json.loads(archive.extractfile(manifest[0]["Config"]).read())  # type: ignore[union-attr]
        layers = manifest[0]["Layers"]
        names: list[str] = []
        diff_ids: list[str] = []
        with tarfile.open(after, mode="w", format=tarfile.GNU_FORMAT) as out:
            for index, name in enumerate(layers):
                data = archive.extractfile(name).read()  # type: ignore[union-attr]
                data = _rewrite_layer(
                    data, index, index == len(layers) - 1, share_base and index == 0, counts
                )
                digest = hashlib.sha256(data).hexdigest()
                member = tarfile.TarInfo(f"{digest}/layer.tar")
                member.size, member.mtime = len(data), 1_700_000_000
                out.addfile(member, io.BytesIO(data))
                names.append(member.name)
                diff_ids.append(f"sha256:{digest}")
            config["rootfs"]["diff_ids"] = diff_ids
            config_bytes = json.dumps(config).encode()
            config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
            entries = (
                (config_name, config_bytes),
                (
                    "manifest.json",
                    json.dumps(
                        [{"Config": config_name, "RepoTags": ["after:latest"], "Layers": names}]
                    ).encode(),
                ),
            )
            for member_name, payload in entries:
                info = tarfile.TarInfo(member_name)
                info.size, info.mtime = len(payload), 1_700_000_000
                out.addfile(info, io.BytesIO(payload))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.5, help="of analyze.py's 2 GB image")
    parser.add_argument("--share-base", action="store_true", help="keep the first layer")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the images here")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="slimage-bench-diff-"))
    workdir.mkdir(parents=True, exist_ok=True)
    before = workdir / f"before-{args.scale}.tar"
    after = workdir / f"after-{args.scale}{'-shared' if args.share_base else ''}.tar"
    try:
        if not before.exists():
            writer = Path(__file__).with_name("analyze.py")
            subprocess.run(
                [
                    sys.executable,
                    str(writer),
                    "--scale",
                    str(args.scale),
                    "--write-to",
                    str(before),
                ],
                check=True,
                capture_output=True,
            )
        if not after.exists():
            counts = write_variant(before, after, args.share_base)
            print(f"after image: {counts}")
        print(
            f"before {before.stat().st_size / 1e9:.2f} GB, "
            f"after {after.stat().st_size / 1e9:.2f} GB"
        )
        slimage = [sys.executable, "-m", "slimage"]
        best: dict[str, tuple[float, float, float]] = {}
        output = ""
        for _ in range(args.runs):
            for name, command in (
                ("analyze", [*slimage, "analyze", "--format", "json", str(before)]),
                ("diff", [*slimage, "diff", "--format", "json", str(before), str(after)]),
            ):
                seconds, cpu, rss, text, code = measure(command)
                if code not in (0, 1):
                    raise SystemExit(f"slimage {name} failed with exit code {code}")
                if name not in best or seconds < best[name][0]:
                    best[name] = (seconds, cpu, rss)
                if name == "diff":
                    output = text
        document = json.loads(output)
        totals = document["files"]["totals"]
        print(
            f"diff found: {totals['added_files']} added, {totals['removed_files']} removed, "
            f"{totals['changed_files']} changed, {totals['unchanged_files']} unchanged"
        )
        for name, (seconds, cpu, rss) in best.items():
            print(f"{name:8s} {seconds:7.2f} s (cpu {cpu:6.2f} s)  peak RSS {rss:7.1f} MB")
        ratio = best["diff"][0] / best["analyze"][0]
        cpu_ratio = best["diff"][1] / best["analyze"][1]
        print(
            f"ratio:   diff takes {ratio:.2f}x the time of analysing one image (target < 2), "
            f"{cpu_ratio:.2f}x its CPU time; load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
