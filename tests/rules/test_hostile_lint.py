"""Lint on hostile Dockerfiles (issue 18): deep stage chains and long files."""

from __future__ import annotations

import time

from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import build_stage_graph
from slimage.rules.context import LintContext
from slimage.rules.engine import lint


def _chain(stages: int) -> str:
    lines = ["FROM alpine AS s0", "RUN a"]
    for index in range(1, stages):
        lines += [f"FROM s{index - 1} AS s{index}", "RUN a"]
    return "\n".join(lines) + "\n"


def test_a_thousand_chained_stages_lint() -> None:
    # Was: RecursionError in rules/context.py _shell_in (~980 chained stages).
    result = lint(_chain(1000))
    assert result.findings is not None


def test_shell_of_a_chained_stage_is_inherited() -> None:
    text = (
        'FROM alpine AS a\nRUN one\nSHELL ["/bin/bash", "-c"]\nRUN two\n'
        "FROM a AS b\nRUN three\nFROM alpine\nRUN four\n"
    )
    dockerfile = parse_dockerfile(text)
    context = LintContext(dockerfile, "Dockerfile", build_stage_graph(dockerfile, {}))
    runs = [i for i in dockerfile.instructions if i.keyword == "RUN"]
    shells = [context._shell_for(run) for run in runs]
    assert shells == [None, ["/bin/bash", "-c"], ["/bin/bash", "-c"], None]


def _seconds(runs: int) -> float:
    text = "FROM debian\n" + "RUN a\n" * runs
    best = float("inf")
    for _ in range(3):
        start = time.process_time()  # CPU time: a loaded machine does not count
        lint(text)
        best = min(best, time.process_time() - start)
    return best


def test_lint_time_grows_linearly() -> None:
    # Was quadratic: _shell_in rescanned the stage for every RUN (115 s at 100k).
    # Four times the instructions must cost well under sixteen times the time.
    small, large = _seconds(2_000), _seconds(8_000)
    assert large < 8 * small + 0.5, (small, large)
