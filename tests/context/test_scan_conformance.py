"""The whole-context cases of dockerignore-cases.json (fsutil walks, BuildKit builds).

Each case's tree is created on disk and walked by :func:`scan_context`. Cases with
unreadable directories need a non-root walker (root reads everything): the walk then
runs in a forked child that drops to uid 65534, as upstream skips them as root.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from slimage.context.ignore import PatternMatcher
from slimage.context.ignore_file import find_ignore_file, load_matcher
from slimage.context.scan import ContextScan, scan_context
from slimage.errors import IgnoreFileError

DATA = Path(__file__).parent.parent / "data" / "conformance" / "dockerignore-cases.json"
CASES: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["context_cases"]


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    # World-traversable, unlike pytest's tmp_path, so a dropped-privilege child can walk it.
    path = Path(tempfile.mkdtemp(prefix="slimage-ctx-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for dirpath, dirnames, _ in os.walk(path):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o755)
        shutil.rmtree(path)


def _make_tree(root: Path, case: dict[str, Any]) -> None:
    for kind, rel in case["tree"]:
        target = root / rel
        if kind == "dir":
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"{rel}-contents")
    if case.get("dockerignore") is not None:
        (root / ".dockerignore").write_text(case["dockerignore"])
    for name, text in (case.get("ignore_files") or {}).items():
        (root / name).write_text(text)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    for rel in case.get("unreadable", []):
        (root / rel).chmod(0)


def _as_nobody(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``action`` in a forked child with uid/gid 65534; return its JSON result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            payload = json.dumps(action()).encode()
            os.write(write_end, payload)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    result: dict[str, Any] = json.loads(b"".join(chunks))
    return result


def _summary(scan: ContextScan) -> dict[str, Any]:
    return {
        "walk": [[entry.kind, entry.path] for entry in scan.entries],
        "build_errors": scan.build_errors,
    }


def _scan_with_patterns(root: Path, patterns: list[str]) -> dict[str, Any]:
    return _summary(scan_context(root, PatternMatcher(patterns)))


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case["name"]))
def test_context_case(case: dict[str, Any], shared_tmp: Path) -> None:
    root = shared_tmp / "ctx"
    root.mkdir(mode=0o755)
    _make_tree(root, case)
    expected = case["expected"]
    patterns = case["exclude_patterns"]

    if patterns is not None:
        if expected.get("error") == "any":
            with pytest.raises(IgnoreFileError):
                PatternMatcher(patterns)
            return
        if "walk" in expected or "error_contains" in expected:
            if case.get("unreadable") and os.geteuid() == 0:
                outcome = _as_nobody(lambda: _scan_with_patterns(root, patterns))
            else:
                outcome = _scan_with_patterns(root, patterns)
            if "walk" in expected:
                assert outcome["walk"] == expected["walk"]
                assert outcome["build_errors"] == []
            else:
                assert any(expected["error_contains"] in e for e in outcome["build_errors"])
        matcher = PatternMatcher(patterns)
        for rel in expected.get("open_ok", []):
            assert not matcher.matches_or_parent_matches(rel)
        for rel in expected.get("open_not_exist", []):
            assert matcher.matches_or_parent_matches(rel)
        return

    if expected.get("build_error"):
        with pytest.raises(IgnoreFileError, match=r"\.dockerignore:1: .*illegal exclusion"):
            load_matcher(root, root / "Dockerfile")
        return
    builds = {name[len("build_with_") :]: value for name, value in expected.items()}
    if "present" in expected:
        builds = {"Dockerfile": expected}
    for dockerfile, outcome in builds.items():
        scan = scan_context(root, load_matcher(root, root / dockerfile))
        sent = scan.sent_paths()
        for rel in outcome["present"]:
            assert rel in sent, (dockerfile, rel)
        for rel in outcome["absent"]:
            assert rel not in sent, (dockerfile, rel)
        ignore_file = find_ignore_file(root, root / dockerfile)
        assert ignore_file is not None
        if case.get("ignore_files"):
            assert ignore_file.name == f"{dockerfile}.dockerignore"
