"""The fuzzing campaign's smoke run, in the normal suite (CI runs it on every change):
a fixed seed, a few hundred cases through every target, no gzip bombs (those belong to
``make fuzz``). Any crash, hang, slow case, input over the memory ceiling or unexplained
disagreement with BuildKit fails it, with the table and the kept inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from .run import report_wall, run_campaign


@pytest.mark.timeout(900)
def test_smoke_campaign(tmp_path: Path) -> None:
    report = run_campaign(seed=18, scale=0.004, workers=2, out=tmp_path, bombs=False)
    table = report.table(report_wall.get(id(report), 0.0))
    print(table)
    total = sum(sum(counts.values()) for counts in report.outcomes.values())
    assert total > 300
    assert set(report.outcomes) == {
        "parse", "lint", "fix", "diff", "image", "context", "context-lint", "init"
    }  # fmt: skip
    assert report.failures() == 0, f"{table}\nkept under {tmp_path}"
