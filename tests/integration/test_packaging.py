"""The package as users install it: sdist and wheel built with `python -m build`, the
wheel installed into a fresh virtualenv (what pipx and uvx do), every command's --help
run from it, its data files present, and a missing extra named in one line."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from slimage.cli import COMMANDS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel built from it (build's default: the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    (sdist,) = out.glob("slimage-*.tar.gz")
    (wheel,) = out.glob("slimage-*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def venv(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel and its dependencies (from PyPI), no extra."""
    directory = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True)
    subprocess.run(
        [str(directory / "bin" / "python"), "-m", "pip", "install", "--quiet", str(built[1])],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return directory


def test_wheel_carries_metadata_and_data_files(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[1]) as wheel:
        names = set(wheel.namelist())
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(wheel.read(metadata_name).decode())
    for data in (
        "slimage/py.typed",
        "slimage/report/templates/analysis.html.j2",
        "slimage/report/templates/report.css",
        "slimage/report/templates/treemap.js",
        "slimage/report/schemas/gitlab-codequality.schema.json",
        "slimage/report/schemas/lint-v1.schema.json",
    ):
        assert data in names, data
    assert not any(name.startswith(("tests/", "slimage/tests/")) for name in names)
    assert metadata["License-Expression"] == "Apache-2.0"
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    classifiers = metadata.get_all("Classifier") or []
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Typing :: Typed" in classifiers
    urls = metadata.get_all("Project-URL") or []
    assert any(url.startswith("Source, https://") for url in urls)
    assert {"docker", "html"} <= set(metadata.get_all("Provides-Extra") or [])
    requires = metadata.get_all("Requires-Dist") or []
    # The Docker SDK is an extra, never a base dependency.
    assert not any(req.startswith("docker") and "extra ==" not in req for req in requires)


def test_sdist_holds_the_sources(built: tuple[Path, Path]) -> None:
    import tarfile

    with tarfile.open(built[0]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for needed in ("pyproject.toml", "README.md", "LICENSE", "src/slimage/cli/__init__.py"):
        assert needed in names, needed
    # Nothing `make demo` or a test run leaves behind.
    assert not any(name.startswith(("examples/out/", ".venv/")) for name in names)
    assert built[0].stat().st_size < 10_000_000


def test_every_command_runs_help_from_the_wheel(venv: Path) -> None:
    slimage = str(venv / "bin" / "slimage")
    version = subprocess.run([slimage, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "slimage" in version.stdout
    for command in ("", *COMMANDS):
        ran = subprocess.run(
            [slimage, *([command] if command else []), "--help"], capture_output=True, text=True
        )
        assert ran.returncode == 0, (command, ran.stderr)
        assert "Usage" in ran.stdout, command


def test_a_missing_extra_is_one_line(venv: Path) -> None:
    ran = subprocess.run(
        [str(venv / "bin" / "slimage"), "analyze", "docker-daemon:app:latest"],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 5
    assert ran.stderr.count("\n") == 1
    assert ran.stderr.startswith("slimage: error: ")
    assert "pip install 'slimage[docker]'" in ran.stderr


def test_the_html_report_works_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    python = str(venv / "bin" / "python")
    image = tmp_path / "fat.tar"
    subprocess.run(
        [python, str(ROOT / "examples" / "make_sample_image.py"), str(image)], check=True
    )
    page = tmp_path / "report.html"
    ran = subprocess.run(
        [str(venv / "bin" / "slimage"), "analyze", str(image), "--format", "html", "-o", str(page)],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert "treemap-data" in page.read_text("utf-8")
