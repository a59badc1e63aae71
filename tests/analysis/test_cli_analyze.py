"""``slimage analyze`` end to end through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from slimage.cli import main
from slimage.cli.analyze import parse_ratio, parse_size
from slimage.errors import UsageError
from slimage.report.schemas import load_schema
from support.images import make_layer, write_docker_archive, write_oci_layout

LAYERS = [
    make_layer(
        [
            ("dir", "var"),
            ("dir", "var/cache"),
            ("file", "var/cache/big", b"c" * 300_000),
            ("file", "app/main", b"m" * 1000),
            ("file", "etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
        ]
    ),
    make_layer([("whiteout", "var/cache"), ("file", "app/main", b"M" * 2000)]),
]


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    """The real entry point, in process (one subprocess test below checks the module)."""

    def invoke(*args: str) -> Done:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(["analyze", *args])
        out, err = capsys.readouterr()
        return Done(int(exit_info.value.code or 0), out, err)

    return invoke


def test_module_entry_point(archive: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", str(archive), "--max-hidden", "1kB"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "FAIL --max-hidden" in done.stdout


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_docker_archive(tmp_path_factory.mktemp("img") / "img.tar", LAYERS)


def test_json_follows_the_schema_with_exact_bytes(run: Callable[..., Done], archive: Path) -> None:
    done = run(str(archive), "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, load_schema("analyze"))
    summary = document["summary"]
    assert summary["content_bytes"] == 300_000 + 1000 + 24 + 2000
    assert summary["hidden_bytes"] == 301_000
    assert document["hidden"]["by_cause"] == {
        "overwritten": 1000,
        "deleted_file": 0,
        "deleted_dir": 300_000,
        "opaque": 0,
    }
    assert summary["final_bytes"] == 2024
    assert [layer["content_bytes"] for layer in document["layers"]] == [301_024, 2000]
    assert document["layers"][1]["created_by"] == "RUN step 2"
    assert document["dive"]["wasted_bytes"] == 3000


def test_text_report(run: Callable[..., Done], archive: Path) -> None:
    done = run(str(archive))
    assert done.returncode == 0, done.stderr
    assert "2 layers" in done.stdout
    assert "deleted directories" in done.stdout
    assert "var/cache" in done.stdout
    assert "\x1b[" not in done.stdout  # piped: no colours


def test_gates_fail_with_exit_1(run: Callable[..., Done], archive: Path) -> None:
    done = run(str(archive), "--max-hidden", "100kB", "--max-size", "1MiB")
    assert done.returncode == 1
    assert "FAIL --max-hidden" in done.stdout and "PASS --max-size" in done.stdout
    ignored = run(str(archive), "--max-hidden", "100kB", "--gate-ignore", "/var/cache")
    assert ignored.returncode == 0, ignored.stdout
    assert run(str(archive), "--min-efficiency", "99.9%").returncode == 1
    assert run(str(archive), "--min-efficiency", "0.1").returncode == 0


def test_every_format_same_json(run: Callable[..., Done], tmp_path: Path, archive: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", LAYERS, compress="gzip")
    one = json.loads(run(str(archive), "--format", "json").stdout)
    two = json.loads(run(f"oci:{layout}", "--format", "json").stdout)
    for key in ("summary", "hidden", "dive"):
        if key == "summary":
            one[key].pop("compressed_bytes"), two[key].pop("compressed_bytes")
        assert one[key] == two[key]


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["/nonexistent/img.tar"], "no such file or directory", 3),
        (["IMG", "--max-size", "lots"], "--max-size: 'lots' is not a size", 2),
        (["IMG", "--min-efficiency", "2"], "outside 0..1", 2),
        (["IMG", "--format", "xml"], "--format", 2),
    ],
)
def test_bad_input_is_one_line(
    run: Callable[..., Done], archive: Path, args: list[str], message: str, code: int
) -> None:
    done = run(*[str(archive) if arg == "IMG" else arg for arg in args])
    assert done.returncode == code
    assert message in done.stderr
    assert done.stderr.startswith("slimage: error: ") and done.stderr.count("\n") == 1


def test_corrupt_layer_is_an_error_not_a_traceback(
    run: Callable[..., Done], tmp_path: Path
) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS)
    data = bytearray(archive.read_bytes())
    data[data.find(b"M" * 2000) + 5] = ord("X")
    archive.write_bytes(bytes(data))
    done = run(str(archive))
    assert done.returncode == 3
    assert "diff_id mismatch" in done.stderr and "Traceback" not in done.stderr


def test_parse_size_and_ratio() -> None:
    assert parse_size("200MB", "--x") == 200_000_000
    assert parse_size("1.5GiB", "--x") == 1_610_612_736
    assert parse_size("4096", "--x") == 4096
    assert parse_size("300 KiB", "--x") == 307_200
    with pytest.raises(UsageError):
        parse_size("12 parsecs", "--x")
    assert parse_ratio("90%", "--x") == pytest.approx(0.9)
    assert parse_ratio("0.75", "--x") == 0.75


def test_help_renders(run: Callable[..., Done]) -> None:
    done = run("--help")
    assert done.returncode == 0, done.stderr
    assert "--max-hidden" in done.stdout and "--platform" in done.stdout


def test_piped_text_report_never_wraps_a_line(tmp_path: Path) -> None:
    """Each finding's help, step included, stays on one line for grep and CI logs."""
    import subprocess
    import sys

    sample = Path(__file__).parents[2] / "examples" / "make_sample_image.py"
    archive = tmp_path / "fat.tar"
    subprocess.run([sys.executable, str(sample), str(archive)], check=True, timeout=120)
    done = subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", str(archive)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    findings = lines[lines.index("Findings") + 1 :]
    helps = [line for line in findings if "(layer " in line]
    assert helps and all(line.rstrip().endswith("`)") for line in helps), helps
    assert max(len(line) for line in lines) > 160  # long lines are kept whole
    # A wrapped line would start in column 0 inside the findings block.
    assert all(
        not line or line.startswith(" ") or line.startswith("dive's measures") for line in findings
    )
