"""The generated rule docs (docs/rules/, docs/rules.md) match the registry."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_rule_docs.py"


def test_generated_rule_docs_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_rule_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    problems = module.stale_pages()
    assert problems == [], "run `python scripts/gen_rule_docs.py`: " + ", ".join(problems)


def test_check_mode_exit_code() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
