from pathlib import Path

import pytest
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


CORPUS = Path(__file__).parents[1] / "data" / "corpus" / "dockerfiles"


def test_checksum_check_at_the_end_catches_a_failing_producer() -> None:
    # `sha256sum -c` fails on empty input (GNU and BusyBox), so grep finding nothing fails
    # the step anyway: the official node images' pattern (issue 15).
    text = 'FROM debian:12\nRUN grep " node.tar.xz$" SHASUMS256.txt | sha256sum -c -\n'
    assert lines(PipeWithoutPipefail, text) == []
    text = "FROM debian:12\nRUN curl -fsSL https://x/sums | sha512sum --check --strict\n"
    assert lines(PipeWithoutPipefail, text) == []
    # Without -c, sha256sum hashes whatever it gets: the producer's failure is lost.
    text = "FROM debian:12\nRUN curl -fsSL https://x/t.tgz | sha256sum\n"
    assert lines(PipeWithoutPipefail, text) == [2]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("nodejs+docker-node__*")))
def test_official_node_dockerfiles_checksum_lines_pass(name: str) -> None:
    text = (CORPUS / name).read_text()
    assert not [f for f in findings(PipeWithoutPipefail, text) if "sha256sum" in f.message]


@pytest.mark.parametrize(
    "base", ["alpine:3.20", "python:3.12-alpine3.20", "node:22-alpine", "busybox:1.36"]
)
def test_alpine_help_suggests_set_pipefail_not_bash(base: str) -> None:
    # Alpine has no bash: SHELL ["/bin/bash", ...] would break every later RUN.
    text = f"FROM {base}\nRUN wget -qO- https://x/t.tgz | tar -xz\n"
    (finding,) = findings(PipeWithoutPipefail, text)
    assert "bash" not in (finding.help or "")
    assert "set -o pipefail" in (finding.help or "")


def test_alpine_help_through_a_stage_chain_and_debian_keeps_bash() -> None:
    text = "FROM alpine:3.20 AS base\nFROM base\nRUN wget -qO- https://x | tar -x\n"
    (finding,) = findings(PipeWithoutPipefail, text)
    assert "bash" not in (finding.help or "")
    (finding,) = findings(PipeWithoutPipefail, "FROM debian:12\nRUN curl x | tar -x\n")
    assert "/bin/bash" in (finding.help or "")


def test_alpine_corpus_files_never_suggest_bash() -> None:
    found = [
        f
        for path in sorted(CORPUS.glob("*alpine*"))
        for f in findings(PipeWithoutPipefail, path.read_text())
    ]
    assert found, "the Alpine corpus files have real pipelines without pipefail"
    assert all("bash" not in (f.help or "") for f in found)
