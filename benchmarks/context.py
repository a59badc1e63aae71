"""Benchmark: slimage's build-context scan against ``tar -c`` of the same tree.

Generates a context of about 100k files in a temporary directory (a node_modules-like
tree, sources, a .git directory) with a typical .dockerignore, then times:

* slimage: ``scan_context`` with the ignore file, as Docker walks (stat and match every
  path the builder looks at; excluded directories skipped),
* slimage's full report walk (the same, plus sizing what is excluded: one more stat
  per excluded file),
* slimage without an ignore file (every path matched against nothing, all sent),
* ``tar -c -f /dev/null DIR`` (GNU tar notices /dev/null and may skip reading data),
* ``tar -c -f - DIR > /dev/null`` (reads every byte, as a context upload would).

Each timing is the best of ``--repeat`` runs, after one warm-up run so every tool
sees a warm page cache. Usage: ``python benchmarks/context.py [--files N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from slimage.context.ignore_file import load_matcher
from slimage.context.scan import scan_context

DOCKERIGNORE = """\
# typical Node project
node_modules
.git
**/*.log
coverage
dist
!dist/keep.txt
.env*
"""


def generate(root: Path, total_files: int) -> int:
    """Write a node_modules-like tree plus sources; returns the number of files."""
    count = 0
    payload = b"x" * 200
    files_per_package = 40
    packages = max(1, int(total_files * 0.9) // files_per_package)
    for index in range(packages):
        package = root / "node_modules" / f"pkg-{index:05d}"
        for sub in ("lib", "dist", "src", "test"):
            (package / sub).mkdir(parents=True, exist_ok=True)
        (package / "package.json").write_bytes(b'{"name": "pkg"}')
        count += 1
        for number in range(files_per_package - 1):
            sub = ("lib", "dist", "src", "test")[number % 4]
            (package / sub / f"file{number}.js").write_bytes(payload)
            count += 1
    remaining = max(0, total_files - count)
    source_files = remaining * 9 // 10
    for index in range(source_files):
        directory = root / "src" / f"module{index // 100:03d}"
        if index % 100 == 0:
            directory.mkdir(parents=True, exist_ok=True)
        (directory / f"part{index}.ts").write_bytes(payload)
        count += 1
    git_objects = root / ".git" / "objects"
    for index in range(remaining - source_files):
        directory = git_objects / f"{index % 256:02x}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{index:038x}").write_bytes(payload)
        count += 1
    (root / ".dockerignore").write_text(DOCKERIGNORE)
    (root / "Dockerfile").write_text("FROM scratch\nCOPY . /app\n")
    return count + 2


def best_of(repeat: int, action: Callable[[], object]) -> tuple[float, float]:
    """Best wall-clock time and best CPU time (user + system, children included).

    CPU time is reported too because a shared machine makes wall time noisy.
    """
    action()  # warm-up
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        cpu_before = _cpu_seconds()
        start = time.perf_counter()
        action()
        best_wall = min(best_wall, time.perf_counter() - start)
        best_cpu = min(best_cpu, _cpu_seconds() - cpu_before)
    return best_wall, best_cpu


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--dir", type=Path, help="reuse (or create) the generated tree here instead of a temp dir"
    )
    args = parser.parse_args(argv)
    tar = shutil.which("tar")
    if tar is None:
        print("tar is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="slimage-bench-") as scratch:
        temp = str(args.dir) if args.dir is not None else scratch
        root = Path(temp) / "context"
        if not (root / "Dockerfile").exists():
            root.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            files = generate(root, args.files)
            print(f"generated {files} files in {time.perf_counter() - start:.1f} s under {root}")

        def slimage_scan() -> object:
            matcher = load_matcher(root, root / "Dockerfile")
            return scan_context(root, matcher, measure_excluded=False)

        def slimage_report() -> object:
            return scan_context(root, load_matcher(root, root / "Dockerfile"))

        def slimage_no_ignore() -> object:
            return scan_context(root, None)

        def tar_dev_null() -> object:
            return subprocess.run([tar, "-c", "-f", "/dev/null", "-C", temp, "context"], check=True)

        def tar_stream() -> object:
            with open("/dev/null", "wb") as sink:
                return subprocess.run(
                    [tar, "-c", "-f", "-", "-C", temp, "context"], stdout=sink, check=True
                )

        scan = scan_context(root, load_matcher(root, root / "Dockerfile"))
        print(
            f"context: {scan.sent_files} files sent, {scan.excluded_files} excluded "
            f"({len(scan.excluded)} excluded roots)"
        )
        timings = {
            "slimage scan+match (.dockerignore)": best_of(args.repeat, slimage_scan),
            "slimage scan+match+size excluded": best_of(args.repeat, slimage_report),
            "slimage scan (no ignore file)": best_of(args.repeat, slimage_no_ignore),
            "tar -c -f /dev/null": best_of(args.repeat, tar_dev_null),
            "tar -c -f - > /dev/null": best_of(args.repeat, tar_stream),
        }
    width = max(len(name) for name in timings)
    print(f"{'':<{width}}  {'wall':>8}  {'cpu':>8}")
    for name, (wall, cpu) in timings.items():
        print(f"{name:<{width}}  {wall:7.3f}s  {cpu:7.3f}s")
    for ours in ("slimage scan+match (.dockerignore)", "slimage scan+match+size excluded"):
        for peer in ("tar -c -f /dev/null", "tar -c -f - > /dev/null"):
            wall = timings[ours][0] / timings[peer][0]
            cpu = timings[ours][1] / timings[peer][1]
            print(f"ratio {ours} / {peer}: wall {wall:.2f}, cpu {cpu:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
