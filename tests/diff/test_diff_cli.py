"""``slimage diff`` end to end through the real entry point, and its three formats.

The pair is the bundled demo's fat sample and its slim rewrite
(``examples/make_sample_image.py [--slim]``): the numbers asserted follow from that
script's files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from slimage.cli import main
from slimage.cli._units import parse_bandwidth, parse_growth
from slimage.diff.packages import compare_versions
from slimage.errors import UsageError
from slimage.report.diff_json import SCHEMA_PATH
from slimage.report.diff_markdown import code

SAMPLE = Path(__file__).parents[2] / "examples" / "make_sample_image.py"


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    def invoke(*args: str) -> Done:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(["diff", *args])
        out, err = capsys.readouterr()
        return Done(int(exit_info.value.code or 0), out, err)

    return invoke


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    directory = tmp_path_factory.mktemp("samples")
    fat, slim = directory / "fat.tar", directory / "slim.tar"
    subprocess.run([sys.executable, str(SAMPLE), str(fat)], check=True, timeout=120)
    subprocess.run([sys.executable, str(SAMPLE), "--slim", str(slim)], check=True, timeout=120)
    return str(fat), str(slim)


def test_json_follows_the_schema(run: Callable[..., Done], samples: tuple[str, str]) -> None:
    done = run(*samples, "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    assert document["schema_version"] == 1
    assert document["change"]["size_bytes"] == 7_552_251 - 28_593_551
    assert document["layers"]["shared"] == 1
    totals = document["files"]["totals"]
    assert (totals["removed_files"], totals["added_files"], totals["changed_files"]) == (26, 0, 3)
    assert totals["unchanged_files"] == 14
    changes = {change["path"]: change for change in document["files"]["changes"]}
    # The slim image's node binary and express are new builds: same sizes, new bytes.
    assert changes["/usr/bin/node"]["change"] == "changed"
    assert changes["/usr/bin/node"]["delta_bytes"] == 0
    assert changes["/usr/lib/gcc/x86_64-linux-gnu/12/cc1"]["cause"] == "c-toolchain"
    classes = {item["class"]: item for item in document["waste_classes"]}
    assert classes["build-toolchain"]["after_bytes"] == 0
    assert classes["package-cache"]["before_bytes"] == 8_980_000
    packages = {(item["name"], item["change"]) for item in document["packages"]}
    assert ("nodejs", "upgraded") in packages and ("gcc-12", "removed") in packages
    config = {item["key"]: item for item in document["config"]}
    assert config["User"] == {"key": "User", "before": None, "after": "1000:1000", "notable": True}


def test_text_report_piped_is_plain(run: Callable[..., Done], samples: tuple[str, str]) -> None:
    done = run(*samples)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    lines = done.stdout.splitlines()
    size = next(line for line in lines if line.strip().startswith("size "))
    assert size.split()[1:] == ["28.6", "MB", "7.55", "MB", "-21.0", "MB", "(-73.6%)"]
    assert any(line.strip().startswith("! User: (unset: root) -> 1000:1000") for line in lines)
    assert "  upgraded   dpkg   nodejs 1.0-1 -> 2.0-1" in lines
    assert any("C/C++ compiler internals and headers [build-toolchain]" in line for line in lines)


def test_markdown_for_a_pull_request(
    run: Callable[..., Done], samples: tuple[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "comment.md"
    done = run(*samples, "--format", "markdown", "-o", str(report))
    assert done.returncode == 0 and done.stdout == ""
    text = report.read_text()
    assert text.startswith("### slimage diff: 28.6 MB → 7.55 MB (-21.0 MB, -73.6%, smaller)\n")
    assert "| size | 28.6 MB | 7.55 MB | -21.0 MB (-73.6%) |" in text
    assert "> **Runs differently:** User *(unset: root)* → `1000:1000`" in text
    assert text.count("<details>") == text.count("</details>") == 5


def test_max_growth_gate(run: Callable[..., Done], samples: tuple[str, str]) -> None:
    fat, slim = samples
    assert run(fat, slim, "--max-growth", "0").returncode == 0
    grown = run(slim, fat, "--max-growth", "20MB")
    assert grown.returncode == 1
    assert "max-growth: FAILED, growth +21.0 MB (limit 20.0 MB)" in grown.stdout
    assert run(slim, fat, "--max-growth", "22MB").returncode == 0
    assert run(slim, fat, "--max-growth", "250%").returncode == 1  # +279 %
    assert run(slim, fat, "--max-growth", "280%").returncode == 0


def test_bad_input_exits_with_one_line(run: Callable[..., Done], samples: tuple[str, str]) -> None:
    fat, _ = samples
    done = run(fat, fat, "--format", "yaml")
    assert done.returncode == 2 and done.stderr.startswith("slimage: error: --format")
    done = run(fat, fat, "--bandwidth", "fast")
    assert done.returncode == 2 and "--bandwidth" in done.stderr
    done = run(fat, "/nonexistent/after.tar")
    assert done.returncode == 3 and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_markdown_code_spans_cannot_be_broken() -> None:
    assert code("/app/a|b") == "`/app/a\\|b`"
    assert code("x`y") == "``x`y``"
    assert code("`edge`") == "`` `edge` ``"
    assert code("bad\x1b[2Jname") == "`bad\\x1b[2Jname`"


@pytest.mark.parametrize(
    ("left", "right", "order"),
    [
        ("1.0-1", "1.10-1", -1),
        ("1:0.9", "2.0", 1),  # the epoch wins
        ("1.0~rc1", "1.0", -1),  # ~ sorts before the release
        ("2.36-9+deb12u4", "2.36-9+deb12u10", -1),
        ("1.2.3", "1.2.3", 0),
        ("9.0.0", "10.0.0", -1),
        ("1.0a", "1.0", 1),
    ],
)
def test_versions_in_dpkg_order(left: str, right: str, order: int) -> None:
    assert compare_versions(left, right) == order
    assert compare_versions(right, left) == -order


def test_option_units() -> None:
    assert parse_bandwidth("100Mbit", "--x") == 100_000_000
    assert parse_bandwidth("1Gbps", "--x") == 1_000_000_000
    assert parse_bandwidth("12.5MB/s", "--x") == 100_000_000
    for bad in ("100M", "5MB", "0bit", "fast"):
        with pytest.raises(UsageError):
            parse_bandwidth(bad, "--x")
    assert parse_growth("10MB", "--x") == (10_000_000, None)
    assert parse_growth("5%", "--x") == (None, 0.05)
    with pytest.raises(UsageError):
        parse_growth("-5%", "--x")


FORKED = """
import json, sys, threading
import slimage.diff.parallel as parallel
from slimage.diff import diff_images
from slimage.report.diff_json import diff_document

def refuse(*args, **kwargs):
    raise AssertionError("read one after the other")

assert threading.active_count() == 1
parallel._one_after_the_other = refuse
print(json.dumps(diff_document(diff_images(sys.argv[1], sys.argv[2]))))
"""


def test_after_image_read_by_a_forked_process_gives_the_same_diff(
    samples: tuple[str, str],
) -> None:
    from slimage.diff import DiffOptions, diff_images
    from slimage.report.diff_json import diff_document

    done = subprocess.run(
        [sys.executable, "-c", FORKED, *samples],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    here = diff_document(diff_images(*samples, DiffOptions(parallel=False)))
    assert json.loads(done.stdout) == json.loads(json.dumps(here))


def test_forked_process_errors_end_in_one_line(samples: tuple[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar"
    broken.write_bytes(b"not a tar at all" * 100)
    for before, after in ((samples[0], str(broken)), (str(broken), samples[0])):
        done = subprocess.run(
            [sys.executable, "-m", "slimage", "diff", before, after],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 3, done.stderr
        assert done.stderr.startswith("slimage: error: ") and done.stderr.count("\n") == 1
        assert "broken.tar" in done.stderr


def test_text_report_styled_when_colour_is_asked_for(
    samples: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from slimage.diff import DiffOptions, diff_images
    from slimage.report.diff_text import render_diff_text

    diff = diff_images(*samples, DiffOptions(parallel=False))
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    styled = io.StringIO()
    render_diff_text(diff, styled)
    monkeypatch.delenv("FORCE_COLOR")
    plain = io.StringIO()
    render_diff_text(diff, plain)
    assert "\x1b[" in styled.getvalue() and "\x1b[" not in plain.getvalue()
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled.getvalue()) == plain.getvalue()


def test_quiet_and_colour_options(
    run: Callable[..., Done], samples: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from slimage.cli._options import OUTPUT

    # The shared options land in one process-wide record: restored after this test.
    monkeypatch.setattr(OUTPUT, "quiet", False)
    monkeypatch.setattr(OUTPUT, "color", "auto")
    fat, slim = samples
    coloured = run("--color", "always", fat, slim).stdout
    plain = run("--color", "never", fat, slim).stdout
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert run("-q", slim, fat, "--max-growth", "1MB").stdout == (
        "max-growth: FAILED, growth +21.0 MB (limit 1.00 MB)\n"
    )
    assert run("-q", fat, slim, "--max-growth", "0").stdout == ""
