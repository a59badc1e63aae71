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

import dockerfile
from slimage.dockerfile.parser import parse_dockerfile
from slimage.rules.engine import lint
from slimage.rules.fixer import MAX_PASSES, apply_fixes

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "data" / "corpus" / "dockerfiles").iterdir())
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"


def _buildkit_view(text: str) -> list[tuple[object, ...]]:
    """What BuildKit sees, instruction by instruction (raises when it does not parse)."""
    return [
        (c.cmd, c.sub_cmd, c.json, c.flags, c.value, repr(c.heredocs))
        for c in dockerfile.parse_string(text)
    ]


def _changed_indices(old: list[tuple[object, ...]], new: list[tuple[object, ...]]) -> set[int]:
    """Indices of ``old`` instructions that differ from ``new`` (common prefix/suffix kept)."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    if len(old) == len(new):
        return {i for i in range(prefix, len(old) - suffix) if old[i] != new[i]}
    return set(range(prefix, len(old) - suffix))


def test_corpus_is_present() -> None:
    assert len(CORPUS) == 191


@pytest.mark.slow
def test_every_fix_keeps_every_corpus_file_valid() -> None:
    broken: list[str] = []
    fixed_files = 0
    applied_total = 0
    rejected_total = 0
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        original = text
        for _ in range(MAX_PASSES):
            findings = lint(text, path=path.name).findings
            step = apply_fixes(text, findings, unsafe=True, path=path.name)
            rejected_total += len(step.rejected)
            if not step.applied:
                break
            applied_total += len(step.applied)
            before = _buildkit_view(text)
            try:
                after = _buildkit_view(step.text)
            except Exception as error:  # BuildKit's parser raises its own error types
                broken.append(f"{path.name}: BuildKit cannot parse the fixed file: {error}")
                break
            ours = parse_dockerfile(text, path=path.name).instructions
            assert len(ours) == len(before), path.name
            touched = {
                index
                for index, instruction in enumerate(ours)
                for finding in step.applied
                for edit in finding.fix.edits  # type: ignore[union-attr]
                if edit.start <= instruction.span.end and instruction.span.start <= edit.end
            }
            stray = _changed_indices(before, after) - touched
            if stray:
                lines = sorted(ours[i].line for i in stray)
                broken.append(f"{path.name}: fixes changed untouched lines {lines}")
                break
            text = step.text
        if text != original:
            fixed_files += 1
    print(
        f"\ncorpus: {len(CORPUS)} files, {fixed_files} changed by fixes, "
        f"{applied_total} fixes applied, {rejected_total} rejected by verification"
    )
    assert broken == []
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
