"""A team's ``.hadolint.yaml`` drives ``slimage lint`` in slimage's terms (issue 15)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from slimage.cli import main
from slimage.rules.registry import hadolint_map

DOCKERFILE = """\
FROM quay.io/org/ubuntu:22.04
RUN apt-get update && apt-get install -y --no-install-recommends curl
USER 1000
CMD ["true"]
"""
DOCS = Path(__file__).parents[1] / "docs" / "lint.md"


def lint(directory: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as exited:
        main(["lint", "--format", "json", *args, str(directory / "Dockerfile")])
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), json.loads(captured.out or "{}")


def codes(report: dict) -> dict[str, str]:
    return {finding["code"]: finding["severity"] for finding in report["findings"]}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ".dockerignore").write_text(".git\n")
    return tmp_path


def test_without_a_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = lint(project, capsys)
    assert code == 1
    assert codes(report) == {"SL1009": "warning"}


def test_ignored_trusted_registries_and_overrides_map_onto_slimage_rules(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".hadolint.yaml").write_text(
        "# the team's hadolint config, unchanged\n"
        "ignored:\n  - DL3009   # apt lists: SL1009\n  - SC2086\n"
        "trustedRegistries:\n  - docker.io\n"
        "override:\n  info: [DL3026]\n"
        "failure-threshold: warning\n"
        "format: tty\n"
    )
    code, report = lint(project, capsys)
    # DL3009 ignored -> SL1009 gone; quay.io untrusted -> SL2007 (DL3026), graded info.
    assert codes(report) == {"SL2007": "info"}
    assert code == 0  # info is below the warning threshold
    (project / ".hadolint.yml").unlink(missing_ok=True)
    (project / ".hadolint.yaml").write_text(
        "ignored: [DL3009]\ntrustedRegistries: docker.io\nfailure-threshold: info\n"
        "override:\n  info: [DL3026]\n"
    )
    code, report = lint(project, capsys)
    assert codes(report) == {"SL2007": "info"} and code == 1


def test_failure_threshold_none_and_no_fail_never_fail(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for setting in ("failure-threshold: none\n", "no-fail: true\n", "failure-threshold: error\n"):
        (project / ".hadolint.yaml").write_text(setting)
        code, report = lint(project, capsys)
        assert codes(report) == {"SL1009": "warning"}
        assert code == 0, setting
    # --fail-level on the command line wins over the file.
    (project / ".hadolint.yaml").write_text("no-fail: true\n")
    assert lint(project, capsys, "--fail-level", "warning")[0] == 1


def test_a_slimage_config_in_the_same_directory_wins(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".hadolint.yaml").write_text("ignored: [DL3009]\n")
    (project / ".slimage.toml").write_text('fail-level = "error"\n')
    assert codes(lint(project, capsys)[1]) == {"SL1009": "warning"}
    (project / ".slimage.toml").unlink()
    assert codes(lint(project, capsys)[1]) == {}
    # --config names one explicitly.
    other = project / "ci-hadolint.yml"
    other.write_text("override:\n  error: [DL3009]\n")
    assert codes(lint(project, capsys, "--config", str(other))[1]) == {"SL1009": "error"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frobnicate: 1\n", "frobnicate: unknown hadolint key"),
        ("ignored: DL3009\n", "ignored: expected a list of strings"),
        ("failure-threshold: fatal\n", "failure-threshold: 'fatal' is not one of"),
        ("override:\n  fatal: [DL3009]\n", "override.fatal: unknown level"),
        ("ignored: [DL3009\n", ".hadolint.yaml:2: not valid YAML"),
    ],
)
def test_a_broken_hadolint_config_is_a_config_error(
    text: str, message: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".hadolint.yaml").write_text(text)
    with pytest.raises(SystemExit) as exited:
        main(["lint", str(project / "Dockerfile")])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_docs_table_lists_every_hadolint_code_slimage_covers() -> None:
    """docs/lint.md's mapping table is the registry's: a rule that gains a code shows."""
    text = DOCS.read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (DL\d{4}) \| ([^|]+?) \|$", text, re.MULTILINE))
    expected = {code: ", ".join(rules) for code, rules in hadolint_map().items()}
    assert table == expected
