"""``slimage lint`` / ``rules`` / ``rule`` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.cli import main
from slimage.cli._lint_run import find_dockerfiles, is_dockerfile_name

FAT = """\
FROM ubuntu:22.04
RUN apt-get update && apt-get install -y curl
ADD app.tar.gz.txt /app
CMD node server.js
"""

PINNED = 'FROM alpine:3.20\nUSER 65532\nCMD ["true"]\n'


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".dockerignore").write_text(".git\nnode_modules\n.env\n")
    (tmp_path / "Dockerfile").write_text(FAT)
    return tmp_path


def test_findings_exit_1_with_compiler_style_lines(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["lint", str(project / "Dockerfile")], capsys)
    assert code == 1, err
    first = out.splitlines()[0]
    assert first.startswith(f"{project / 'Dockerfile'}:")
    assert "[warning]" in out or "[error]" in out
    assert "Found" in out.splitlines()[-1]
    assert "\x1b[" not in out  # piped: no colour


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text(PINNED)
    code, out, _ = run(["lint", "--select", "SL2006", str(tmp_path)], capsys)
    assert code == 0
    assert out == "No findings in 1 file.\n"


def test_fail_level(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["lint", "--select", "SL1009", str(project)]
    assert run(args, capsys)[0] == 1
    assert run([*args, "--fail-level", "error"], capsys)[0] == 0
    code, _, err = run([*args, "--fail-level", "loud"], capsys)
    assert code == 2 and err.startswith("slimage: error: --fail-level")


def test_select_and_ignore(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["lint", "--format", "json", "--select", "SL1009,SL2002", str(project)], capsys)
    assert {f["code"] for f in json.loads(out)["findings"]} == {"SL1009", "SL2002"}
    _, out, _ = run(
        ["lint", "--format", "json", "--select", "SL1", "--ignore", "SL1009", str(project)], capsys
    )
    codes = {f["code"] for f in json.loads(out)["findings"]}
    assert codes and all(c.startswith("SL1") for c in codes) and "SL1009" not in codes


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["lint", "--format", "xml"], "--format 'xml'"),
        (["lint", "--select", "SL9999"], "'SL9999' matches no rule"),
        (["lint", "--select", "DL3008"], "not a rule code"),
        (["lint", "--unsafe-fixes"], "--unsafe-fixes needs --fix or --diff"),
        (["lint", "--build-arg", "=x"], "--build-arg"),
    ],
)
def test_usage_errors_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, _, err = run([*argv, str(project)], capsys)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_bad_config_exits_2_naming_file_and_key(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".slimage.toml").write_text('selct = ["SL1"]\n')
    code, _, err = run(["lint", str(project)], capsys)
    assert code == 2
    assert ".slimage.toml" in err and "selct" in err
    code, _, err = run(["lint", "--config", str(project / "missing.toml"), str(project)], capsys)
    assert code == 2 and "missing.toml" in err


def test_config_file_is_used(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.slimage]\nselect = ["SL2002"]\nseverity = { SL2002 = "info" }\n'
    )
    code, out, _ = run(["lint", "--format", "json", str(project)], capsys)
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("SL2002", "info")]
    assert code == 0  # info is below the default fail level (warning)


def test_missing_path_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["lint", str(tmp_path / "nope")], capsys)
    assert code == 3
    assert err == f"slimage: error: {tmp_path / 'nope'}: no such file or directory\n"


def test_syntax_error_exits_3_but_other_files_are_linted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "broken.Dockerfile").write_text("# nothing but a comment\n")
    code, out, err = run(["lint", "--format", "json", str(project)], capsys)
    assert code == 3
    document = json.loads(out)
    assert len(document["errors"]) == 1 and "broken.Dockerfile" in document["errors"][0]
    assert document["findings"]
    assert "Traceback" not in err


def test_binary_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"\x00\xff\xfe binary")
    code, _, err = run(["lint", str(tmp_path / "Dockerfile")], capsys)
    assert code == 3 and "Dockerfile" in err


def test_fix_writes_and_reports_the_rest(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "Dockerfile"
    code, out, _ = run(["lint", "--fix", "--select", "SL3001", str(path)], capsys)
    assert path.read_text() == FAT.replace("CMD node server.js", 'CMD ["node", "server.js"]')
    assert code == 0
    assert "Applied 1 fix." in out


def test_diff_prints_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "Dockerfile"
    code, out, _ = run(["lint", "--diff", "--select", "SL3001", str(path)], capsys)
    assert code == 1
    assert path.read_text() == FAT
    assert out.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert '+CMD ["node", "server.js"]' in out
    code, out, _ = run(["lint", "--diff", "--select", "SL2006", str(path)], capsys)
    assert (code, out) == (0, "")


def test_target_changes_the_runtime_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(
        'FROM alpine:3.20 AS dev\nCMD ["sh"]\n\nFROM alpine:3.20\nUSER 65532\nCMD ["true"]\n'
    )
    args = ["lint", "--format", "json", "--select", "SL2001", str(tmp_path)]
    assert json.loads(run(args, capsys)[1])["findings"] == []
    found = json.loads(run([*args, "--target", "dev"], capsys)[1])["findings"]
    assert [f["line"] for f in found] == [1]
    code, _, err = run([*args, "--target", "prod"], capsys)
    assert code == 2 and "--target prod: no such stage" in err


def test_build_arg_expands_base_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text('ARG BASE=alpine:3.20\nFROM $BASE\nCMD ["true"]\n')
    args = ["lint", "--format", "json", "--select", "SL2006", str(tmp_path)]
    assert json.loads(run(args, capsys)[1])["findings"] == []
    latest = json.loads(run([*args, "--build-arg", "BASE=alpine:latest"], capsys)[1])
    assert [f["code"] for f in latest["findings"]] == ["SL2006"]


def test_directory_discovery(tmp_path: Path) -> None:
    for name in [
        "Dockerfile",
        "Containerfile",
        "api.Dockerfile",
        "Dockerfile.dev",
        "Dockerfile.dockerignore",
        "README.md",
        ".git/Dockerfile",
        "node_modules/x/Dockerfile",
        "sub/dir/Dockerfile",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PINNED)
    found = [p.relative_to(tmp_path).as_posix() for p in find_dockerfiles([tmp_path])]
    assert found == [
        "Containerfile",
        "Dockerfile",
        "Dockerfile.dev",
        "api.Dockerfile",
        "sub/dir/Dockerfile",
    ]
    assert is_dockerfile_name("prod.containerfile")
    assert not is_dockerfile_name("Dockerfiles")


def test_a_directory_without_dockerfile_is_nothing_to_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text("no Dockerfile here\n")
    code, out, err = run(["lint", str(tmp_path)], capsys)
    assert code == 3
    assert out == ""
    assert err == (
        "slimage: error: nothing to lint: no Dockerfile, Containerfile, *.Dockerfile or "
        f"Dockerfile.* in {tmp_path}\n"
    )


def test_dash_lints_standard_input(tmp_path: Path) -> None:
    """As hadolint and `slimage parse -`: the file comes from stdin, named <stdin>."""
    result = subprocess.run(
        [sys.executable, "-m", "slimage", "lint", "--format", "json", "-"],
        input=FAT.encode(),
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["files"] == ["<stdin>"]
    assert {f["path"] for f in report["findings"]} == {"<stdin>"}
    assert report["findings"]
    broken = subprocess.run(
        [sys.executable, "-m", "slimage", "lint", "-"],
        input=b"FROM alpine:3.20\nEXPOSE\n",
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert broken.returncode == 3
    assert broken.stderr.decode().startswith(
        "slimage: error: <stdin>:2:1: error: EXPOSE requires at least one argument"
    )
    refused = subprocess.run(
        [sys.executable, "-m", "slimage", "lint", "--fix", "-"],
        input=FAT.encode(),
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert refused.returncode == 2
    assert b"--fix cannot write back to standard input" in refused.stderr


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from slimage.rules.registry import all_rules

    code, out, _ = run(["rules"], capsys)
    assert code == 0
    assert out.splitlines()[0].split() == ["CODE", "NAME", "SEVERITY", "FIX", "TITLE"]
    assert len(out.splitlines()) == len(all_rules()) + 1
    code, out, _ = run(["rules", "--format", "json"], capsys)
    listed = json.loads(out)["rules"]
    assert [r["code"] for r in listed] == [r.code for r in all_rules()]
    assert {"code", "name", "title", "severity", "fix", "hadolint"} <= set(listed[0])


def test_rule_shows_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rule", "SL1009"], capsys)
    assert code == 0
    assert out.startswith("# SL1009 apt-lists-kept")
    assert "## Why is this bad?" in out
    assert run(["rule", "apt-lists-kept"], capsys)[1] == out
    code, _, err = run(["rule", "SL0000"], capsys)
    assert code == 2 and "unknown rule" in err


def test_real_entry_point_subprocess(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slimage", "lint", "--format", "github", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::")


def test_fix_keeps_crlf_bom_and_non_utf8_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    original = b"\xef\xbb\xbfFROM alpine:3.20\r\nLABEL note=caf\xe9\r\nCMD node server.js\r\n"
    path.write_bytes(original)
    code, _out, err = run(["lint", "--fix", "--select", "SL3001,SL2006", str(path)], capsys)
    assert code == 0, err
    assert path.read_bytes() == original.replace(
        b"CMD node server.js", b'CMD ["node", "server.js"]'
    )
    code, _, err = run(["lint", "--diff", "--unsafe-fixes", str(path)], capsys)
    assert code in (0, 1) and "Traceback" not in err


def test_command_modules_import_nothing_heavy() -> None:
    # `slimage lint` in a pre-commit hook pays for every import: command modules must
    # defer the engine, the rules, bashlex and Rich to the command functions.
    code = (
        "import sys, slimage.cli; slimage.cli._load_commands(); "
        "print(sorted(m for m in sys.modules if m.startswith("
        "('slimage.rules', 'slimage.report', 'bashlex', 'rich'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_parallel_run_matches_the_serial_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for index in range(30):
        directory = tmp_path / f"svc{index:02}"
        directory.mkdir()
        (directory / "Dockerfile").write_text(FAT if index % 2 else PINNED)
    (tmp_path / "svc07" / "broken.Dockerfile").write_text("# nothing but a comment\n")
    serial = run(["lint", "--format", "json", "--jobs", "1", str(tmp_path)], capsys)
    parallel = run(["lint", "--format", "json", "--jobs", "2", str(tmp_path)], capsys)
    assert serial[0] == parallel[0] == 3
    assert serial[1] == parallel[1]
    assert len(json.loads(parallel[1])["files"]) == 31
    assert serial[2] == parallel[2]  # the same error line, once


def test_parallel_fix_and_fatal_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for index in range(4):
        (tmp_path / f"{index}.Dockerfile").write_text(FAT)
    code, _, _ = run(["lint", "-j", "2", "--fix", "--select", "SL3001", str(tmp_path)], capsys)
    assert code == 0
    assert all('CMD ["node", "server.js"]' in p.read_text() for p in tmp_path.iterdir())
    code, _, err = run(["lint", "-j", "2", "--target", "nope", str(tmp_path)], capsys)
    assert code == 2 and "--target nope: no such stage" in err


def test_three_processes_with_uneven_shares_match_the_serial_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 8 files over 3 processes: the first is linted before forking, the other 7 split 3/2/2.
    for index in range(8):
        (tmp_path / f"{index}.Dockerfile").write_text(FAT if index % 3 else PINNED)
    serial = run(["lint", "--format", "json", "-j", "1", str(tmp_path)], capsys)
    parallel = run(["lint", "--format", "json", "-j", "3", str(tmp_path)], capsys)
    assert serial == parallel
    assert len(json.loads(parallel[1])["files"]) == 8
