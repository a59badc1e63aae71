from rule_helpers import findings, fixed, lines

from slimage.findings import Applicability
from slimage.rules.sl3001_shell_form_cmd_entrypoint import ShellFormCmdEntrypoint, exec_form


def test_shell_form_cmd_fires_with_safe_fix() -> None:
    text = "FROM eclipse-temurin:21\nCMD java -jar /app.jar\n"
    found = findings(ShellFormCmdEntrypoint, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 5)]
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.SAFE
    assert fixed(ShellFormCmdEntrypoint, text) == (
        'FROM eclipse-temurin:21\nCMD ["java", "-jar", "/app.jar"]\n'
    )


def test_entrypoint_fix_is_unsafe() -> None:
    text = "FROM alpine:3.20\nENTRYPOINT my-program start\n"
    found = findings(ShellFormCmdEntrypoint, text)
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE
    assert fixed(ShellFormCmdEntrypoint, text) == text
    assert fixed(ShellFormCmdEntrypoint, text, unsafe=True) == (
        'FROM alpine:3.20\nENTRYPOINT ["my-program", "start"]\n'
    )


def test_cmd_after_entrypoint_is_unsafe() -> None:
    text = 'FROM alpine:3.20\nENTRYPOINT ["tini", "--"]\nCMD node app.js\n'
    found = findings(ShellFormCmdEntrypoint, text)
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE


def test_shell_syntax_gets_no_fix() -> None:
    for cmd in (
        "node $APP",
        'echo "hi"',
        "a && b",
        "cat *.txt",
        "exec node app.js",
        "FOO=1 node app.js",
        "node app.js > /log",
        "cd /app; node x",
    ):
        found = findings(ShellFormCmdEntrypoint, f"FROM alpine:3.20\nCMD {cmd}\n")
        assert len(found) == 1 and found[0].fix is None, cmd
        assert exec_form(cmd) is None, cmd


def test_multi_line_command() -> None:
    text = "FROM alpine:3.20\nCMD gunicorn \\\n    -b 0.0.0.0:80 app:app\n"
    assert fixed(ShellFormCmdEntrypoint, text) == (
        'FROM alpine:3.20\nCMD ["gunicorn", "-b", "0.0.0.0:80", "app:app"]\n'
    )


def test_exec_form_and_explicit_shell_pass() -> None:
    assert lines(ShellFormCmdEntrypoint, 'FROM alpine:3.20\nCMD ["node", "app.js"]\n') == []
    text = 'FROM alpine:3.20\nSHELL ["/bin/bash", "-c"]\nCMD echo hello\n'
    assert lines(ShellFormCmdEntrypoint, text) == []


def test_cmd_fix_is_unsafe_on_bases_whose_entrypoint_reads_argv() -> None:
    for base in ("nginx:1.27", "postgres:16", "example.com/team/app:1", "gcr.io/distroless/java21"):
        found = findings(ShellFormCmdEntrypoint, f"FROM {base}\nCMD run-it now\n")
        assert found[0].fix is not None, base
        assert found[0].fix.applicability is Applicability.UNSAFE, base
    for base in ("scratch", "python:3.12-slim", "gcr.io/distroless/static-debian12"):
        found = findings(ShellFormCmdEntrypoint, f"FROM {base}\nCMD run-it now\n")
        assert found[0].fix is not None, base
        assert found[0].fix.applicability is Applicability.SAFE, base
