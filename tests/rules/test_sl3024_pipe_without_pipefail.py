from rule_helpers import findings, lines

from slimage.rules.sl3024_pipe_without_pipefail import PipeWithoutPipefail


def test_pipe_fires_on_the_pipeline() -> None:
    text = "FROM debian:12\nRUN set -e; curl -fsSL https://x/t.tgz | tar -xz\n"
    found = findings(PipeWithoutPipefail, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 13)]
    assert "curl" in found[0].message and "tar" in found[0].message


def test_pipefail_in_shell_or_script_passes() -> None:
    assert lines(PipeWithoutPipefail, "FROM debian:12\nRUN set -eo pipefail; a | b\n") == []
    text = 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a | b\n'
    assert lines(PipeWithoutPipefail, text) == []
    text = 'FROM debian:12 AS base\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
    text += "FROM base\nRUN a | b\n"
    assert lines(PipeWithoutPipefail, text) == []


def test_echo_fed_pipes_and_powershell_pass() -> None:
    text = "FROM debian:12\nRUN echo 'abc  f' | sha256sum -c -\n"
    assert lines(PipeWithoutPipefail, text) == []
    text = 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
    text += "RUN Get-Item x | Remove-Item\n"
    assert lines(PipeWithoutPipefail, text) == []
