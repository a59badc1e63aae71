"""Fix safety and robustness over the real corpus (tests/data/corpus, 191 Dockerfiles).

Every fix of every registered rule, unsafe ones included, is applied to every file,
pass after pass as ``--fix`` does. After each pass the result must parse with BuildKit's
own parser (the ``dockerfile`` package, independent of slimage's parser) and differ from
the pass's input only in instructions that an applied fix's edits touch. Zero broken
files is the bar (issue 3).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from fix_safety import run_all_fixes

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "data" / "corpus" / "dockerfiles").iterdir())
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"


def test_corpus_is_present() -> None:
    assert len(CORPUS) == 191


@pytest.mark.slow
def test_every_fix_keeps_every_corpus_file_valid() -> None:
    problems: list[str] = []
    fixed_files = applied = rejected = 0
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        run = run_all_fixes(text, path.name)
        applied += run.applied
        rejected += run.rejected
        fixed_files += run.text != text
        if run.problem:
            problems.append(run.problem)
    print(
        f"\ncorpus: {len(CORPUS)} files, {fixed_files} changed by fixes, "
        f"{applied} fixes applied, {rejected} rejected by verification"
    )
    assert problems == []
    assert fixed_files > 0, "no fix applied anywhere: the test would prove nothing"


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_lint_corpus_in_every_format(output_format: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slimage", "lint", "--format", output_format, *map(str, CORPUS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout
    if output_format == "json":
        document = json.loads(done.stdout)
        assert document["summary"]["files"] == len(CORPUS)
        assert document["errors"] == []
    elif output_format == "sarif":
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema)(schema).validate(json.loads(done.stdout))
    elif output_format == "github":
        assert all(line.startswith("::") for line in done.stdout.splitlines())
