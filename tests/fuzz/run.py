"""The fuzzing campaign: generate inputs, run slimage on them in limited worker processes,
bucket failures by crash site, minimise failing Dockerfiles, print a table.

    python -m tests.fuzz [--seed N] [--scale F] [--workers N] [--out DIR] [--no-bombs]

Targets (each through slimage's real CLI entry point, in a worker process):

* ``parse``, ``lint`` (text, json, sarif, github in turn), ``fix`` (``--fix
  --unsafe-fixes``): mutated Dockerfiles (tests/fuzz/dockerfiles.py);
* ``diff``: the same files parsed by slimage and by BuildKit's parser (the ``dockerfile``
  package, BuildKit v0.12.5); a disagreement is a finding unless it is deliberate
  (see :func:`explain_disagreement` and docs/reliability.md);
* ``image``: ``analyze`` on mutated and hand-made images (tests/fuzz/images.py);
* ``context``, ``context-lint``, ``init``: hostile build contexts (tests/fuzz/contexts.py).

Every worker runs under ``RLIMIT_AS`` (the hard stop) and a per-case wall-clock limit (a
case that outlasts it is a hang: the worker is killed and replaced). A case whose peak
resident memory passes the ceiling (:data:`MEMORY_CEILING`), or that meets a
MemoryError, is "over the ceiling". Exit code 4 (internal error) is a crash, bucketed by
its innermost slimage frame. Failing inputs are kept under ``--out`` with the minimised
form of each Dockerfile bucket.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import resource
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from . import contexts, dockerfiles, images  # noqa: E402

# The memory ceiling slimage promises for any input (docs/reliability.md), as peak RSS of
# the process; the address-space limit is the hard stop above it.
MEMORY_CEILING = 1 << 30
ADDRESS_SPACE_LIMIT = 4 << 30
CASE_SECONDS = 60.0
# A case that takes this much CPU time is reported (CPU, not wall time, so that a loaded
# machine does not count); a case that outlasts CASE_SECONDS of wall time is a hang.
SLOW_SECONDS = 10.0

# The size of the issue's campaign (scale 1.0): cases per target.
FULL: dict[str, int] = {
    "parse": 20_000,
    "lint": 40_000,
    "fix": 2_700,
    "diff": 10_000,
    "image": 2_300,
    "context": 36,
    "context-lint": 36,
    "init": 36,
}
LINT_FORMATS = ("text", "json", "sarif", "github")


@dataclass
class Case:
    target: str
    args: list[str]
    workdir: Path
    data: bytes | None = None  # the Dockerfile, for minimisation
    cwd: str | None = None


@dataclass
class Outcome:
    case: Case
    kind: str  # ok, error, crash, hang, killed, ceiling, disagree, agree
    seconds: float
    peak: int
    site: str = ""
    detail: str = ""


class Worker:
    """One worker process with its limits; restarted after a hang or a death."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            os.nice(5)

        # This tree's slimage first: a campaign run from another checkout (a worktree
        # frozen for a long run) tests its own code, not the one the venv installed.
        paths = [str(ROOT / "src"), str(ROOT), str(TESTS)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
        return subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env=env,
            preexec_fn=limit,
        )

    def run(self, case: Case, timeout: float = CASE_SECONDS) -> dict[str, Any]:
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        message = {"target": case.target, "args": case.args, "cwd": case.cwd}
        start = time.perf_counter()
        try:
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return {"kind": "killed", "seconds": 0.0, "peak": 0}
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        if not ready:
            self.stop()
            return {"kind": "hang", "seconds": time.perf_counter() - start, "peak": 0}
        line = process.stdout.readline()
        if not line:
            code = process.wait()
            self.process = None
            return {"kind": "killed", "seconds": time.perf_counter() - start, "peak": 0,
                    "site": f"worker died (status {code})"}  # fmt: skip
        return dict(json.loads(line))

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def classify(case: Case, answer: dict[str, Any]) -> Outcome:
    seconds = float(answer.get("seconds", 0.0))
    peak = int(answer.get("peak", 0))
    site = str(answer.get("site", ""))
    detail = str(answer.get("detail", ""))
    kind = answer.get("kind")
    if kind is None:
        if "diff" in answer:
            kind = {"disagree": "disagree"}.get(answer["diff"], "ok")
            if kind == "disagree":
                reason = explain_disagreement(case.data or b"")
                if reason:
                    kind, site = "deliberate", reason
                else:
                    site = "unexplained disagreement with BuildKit"
        elif answer.get("code") in (4, 98, 99) or site:
            kind = "crash"
        elif answer.get("code") in (2, 3, 5):
            kind = "error"
        else:
            kind = "ok"
    if kind == "crash" and "MemoryError" in site:
        kind = "ceiling"
    if kind not in ("hang", "killed") and peak > MEMORY_CEILING:
        kind, site = "ceiling", site or f"peak {peak >> 20} MiB"
    cpu = float(answer.get("cpu", seconds))
    if kind in ("ok", "error") and cpu > SLOW_SECONDS:
        kind, site = "slow", f"over {SLOW_SECONDS:.0f} s of CPU"
    return Outcome(case, kind, seconds, peak, site, detail)


_ONBUILD_CHAIN = re.compile(r"(?i)(?:onbuild[ \t]+){64}")
_SPACED_HEREDOC = re.compile(r"<<-?[ \t]+[^\s<]")
_NEW_EXPANSION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:#|%|/)")
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def explain_disagreement(data: bytes) -> str | None:
    """Why slimage deliberately parses ``data`` differently from BuildKit v0.12.5 (the
    ``dockerfile`` package), if it does; docs/reliability.md lists each with the BuildKit
    change or the slimage decision behind it. None: an unexplained disagreement (a bug)."""
    if b"\x00" in data:
        return "NUL byte: slimage refuses a binary file (BuildKit parses the bytes)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16: slimage refuses it (BuildKit parses the bytes)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # The binding hands flags back re-encoded (U+FFFD as 'ï¿½'): rows with invalid
        # UTF-8 cannot be compared byte for byte; the parse itself is checked without it.
        return "invalid UTF-8: the binding re-encodes it (not comparable)"
    text = data.decode("utf-8", "replace")
    if _JSON_NUL.search(text):
        # BuildKit's json.Unmarshal keeps U+0000 in the string, as slimage does; the
        # binding returns C strings, cut at the NUL.
        return "a \\u0000 escape in JSON form: the binding cuts the string there (not comparable)"
    if _ONBUILD_CHAIN.search(text):
        return "more than 64 nested ONBUILD: slimage stops (a build rejects any chain)"
    if "<<" in text and _NEW_EXPANSION.search(text):
        return (
            "${v#p} ${v%p} ${v/p/r} on a heredoc line: v0.12.5's lexer fails on them, so it "
            "finds no heredoc (moby/buildkit#4287, #4427, BuildKit v0.13)"
        )
    if _SPACED_HEREDOC.search(text):
        return "blanks after << open a heredoc since BuildKit v0.22 (moby/buildkit#5817)"
    return None


# --- the campaign -------------------------------------------------------------------------


def plan(seed: int, scale: float, bombs: bool, root: Path) -> Iterator[Case]:
    """Every case of a campaign, interleaved, written under ``root`` as they are drawn."""
    rng = random.Random(seed)
    pool = dockerfiles.seeds()
    # Small targets (36 contexts at full size) keep a few cases at any scale.
    counts = {target: max(min(count, 8), round(count * scale)) for target, count in FULL.items()}
    order = [target for target, count in counts.items() for _ in range(count)]
    rng.shuffle(order)
    for number, target in enumerate(order):
        work = root / f"{number:07d}-{target}"
        work.mkdir(parents=True)
        if target in ("parse", "lint", "fix", "diff"):
            data = dockerfiles.mutated(rng, pool)
            path = work / "Dockerfile"
            path.write_bytes(data)
            args = {
                "parse": ["parse", str(path)],
                "lint": ["lint", str(path), "--format", LINT_FORMATS[number % 4]],
                "fix": ["lint", str(path), "--fix", "--unsafe-fixes", "--format", "json"],
                "diff": [str(path)],
            }[target]
            yield Case(target, args, work, data=data, cwd=str(work))
        elif target == "image":
            image_rng = random.Random(rng.getrandbits(64))
            if not bombs:
                image_rng = _no_bombs(image_rng)
            reference = images.image(image_rng, work)
            fmt = "json" if number % 2 else "text"
            yield Case(target, ["analyze", reference, "--format", fmt], work, cwd=str(work))
        else:
            directory = contexts.context(random.Random(rng.getrandbits(64)), work / "ctx")
            args = {
                "context": ["context", str(directory), "--suggest"],
                "context-lint": ["lint", str(directory / "Dockerfile")],
                "init": ["init", str(directory), "--print"],
            }[target]
            yield Case(target, args, work, cwd=str(work))


class _NoBombs(random.Random):
    def random(self) -> float:  # bombs are drawn with random() < 0.03
        value = super().random()
        return max(value, 0.031) if value < 0.031 else value


def _no_bombs(rng: random.Random) -> random.Random:
    safe = _NoBombs()
    safe.setstate(rng.getstate())
    return safe


def minimise(worker: Worker, outcome: Outcome, budget: int = 150) -> bytes | None:
    """Delta-debug a failing Dockerfile (lines, then bytes) keeping its crash site."""
    data = outcome.case.data
    if data is None or outcome.kind not in ("crash", "hang", "ceiling"):
        return None
    case = outcome.case
    path = Path(case.args[1] if case.target != "diff" else case.args[0])
    runs = 0

    def still_fails(candidate: bytes) -> bool:
        nonlocal runs
        runs += 1
        path.write_bytes(candidate)
        again = classify(case, worker.run(case, timeout=min(CASE_SECONDS, 2 * outcome.seconds + 5)))
        return again.kind == outcome.kind and again.site == outcome.site

    for unit in (b"\n", None):
        parts: list[bytes] = data.split(b"\n") if unit else [bytes([b]) for b in data]
        joiner = b"\n" if unit else b""
        chunk = max(1, len(parts) // 2)
        while chunk >= 1 and runs < budget:
            index, changed = 0, False
            while index < len(parts) and runs < budget:
                candidate = parts[:index] + parts[index + chunk :]
                if candidate and still_fails(joiner.join(candidate)):
                    parts, changed = candidate, True
                else:
                    index += chunk
            if not changed:
                chunk //= 2
        data = joiner.join(parts)
        if len(data) > 4096:
            break  # byte-level passes on big inputs cost too much
    path.write_bytes(data)
    return data


FAILURES = ("crash", "hang", "killed", "ceiling", "slow", "disagree")


@dataclass
class Report:
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    peaks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    buckets: dict[tuple[str, str, str], list[Outcome]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, outcome: Outcome) -> None:
        target = outcome.case.target
        self.outcomes[target][outcome.kind] += 1
        self.seconds[target].append(outcome.seconds)
        self.peaks[target] = max(self.peaks[target], outcome.peak)
        if outcome.kind in FAILURES or outcome.kind == "deliberate":
            self.buckets[(target, outcome.kind, outcome.site)].append(outcome)

    def failures(self) -> int:
        return sum(
            len(items)
            for (_, kind, _), items in self.buckets.items()
            if kind not in ("deliberate",)
        )

    def table(self, wall: float) -> str:
        head = (
            f"{'target':<13}{'cases':>7}{'ok':>7}{'errors':>7}{'crash':>6}{'hang':>5}"
            f"{'>mem':>5}{'slow':>5}{'diff':>6}{'p50 s':>8}{'max s':>8}{'peak MiB':>9}"
        )
        lines = [head, "-" * len(head)]
        for target in sorted(self.outcomes):
            counts = self.outcomes[target]
            times = sorted(self.seconds[target])
            lines.append(
                f"{target:<13}{sum(counts.values()):>7}{counts['ok'] + counts['agree']:>7}"
                f"{counts['error']:>7}{counts['crash'] + counts['killed']:>6}{counts['hang']:>5}"
                f"{counts['ceiling']:>5}{counts['slow']:>5}{counts['disagree']:>6}"
                f"{times[len(times) // 2]:>8.3f}{times[-1]:>8.2f}{self.peaks[target] >> 20:>9}"
            )
        lines.append(f"wall time {wall:.0f} s")
        for (target, kind, site), items in sorted(self.buckets.items()):
            lines.append(f"{kind:<10} {len(items):>5} x {target:<12} {site}")
        return "\n".join(lines)


def run_campaign(
    *,
    seed: int = 18,
    scale: float = 0.01,
    workers: int = 2,
    out: Path | None = None,
    bombs: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Report:
    report = Report()
    work_root = Path(tempfile.mkdtemp(prefix="slimage-fuzz-"))
    cases: queue.Queue[Case | None] = queue.Queue(maxsize=4 * workers)
    lock = threading.Lock()
    kept: dict[tuple[str, str, str], Path] = {}

    def keep(outcome: Outcome, worker: Worker) -> None:
        key = (outcome.case.target, outcome.kind, outcome.site)
        with lock:
            if out is None or key in kept or outcome.kind == "deliberate":
                return
            target_dir = out / f"{len(kept):03d}-{outcome.case.target}-{outcome.kind}"
            kept[key] = target_dir
        shutil.rmtree(target_dir, ignore_errors=True)
        shutil.copytree(
            outcome.case.workdir, target_dir, symlinks=True, copy_function=_copy_regular
        )
        (target_dir / "outcome.txt").write_text(
            f"{outcome.kind}: {outcome.site}\nargs: {outcome.case.args}\n"
            f"seconds: {outcome.seconds}\npeak: {outcome.peak}\n\n{outcome.detail}\n"
        )
        small = minimise(worker, outcome)
        if small is not None:
            (target_dir / "minimal.Dockerfile").write_bytes(small)

    def serve() -> None:
        worker = Worker()
        try:
            while (case := cases.get()) is not None:
                outcome = classify(case, worker.run(case))
                with lock:
                    report.add(outcome)
                if outcome.kind in FAILURES:
                    keep(outcome, worker)
                shutil.rmtree(case.workdir, ignore_errors=True)
        finally:
            worker.stop()

    threads = [threading.Thread(target=serve, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    done = 0
    try:
        for case in plan(seed, scale, bombs, work_root):
            cases.put(case)
            done += 1
            if progress and done % 500 == 0:
                progress(f"{done} cases, {time.monotonic() - start:.0f} s")
    finally:
        for _ in threads:
            cases.put(None)
        for thread in threads:
            thread.join()
        shutil.rmtree(work_root, ignore_errors=True)
    report_wall[id(report)] = time.monotonic() - start
    return report


report_wall: dict[int, float] = {}


def _copy_regular(source: str, target: str) -> str:
    # Keep FIFOs and devices out of the copy (copying would block or never end).
    import stat as stat_module

    mode = os.lstat(source).st_mode
    if stat_module.S_ISREG(mode):
        return str(shutil.copy2(source, target))
    Path(target).write_text(f"(not a regular file: mode {oct(mode)})\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--scale", type=float, default=0.05, help="fraction of issue 18's campaign size"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--no-bombs", action="store_true", help="leave gzip bombs out")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    report = run_campaign(
        seed=options.seed,
        scale=options.scale,
        workers=options.workers,
        out=options.out,
        bombs=not options.no_bombs,
        progress=lambda text: print(text, file=sys.stderr, flush=True),
    )
    print(report.table(report_wall.get(id(report), 0.0)))
    print(f"failing inputs (and minimised Dockerfiles) under {options.out}")
    return 1 if report.failures() else 0
