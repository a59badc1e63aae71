from __future__ import annotations

import pytest
from rule_helpers import findings, fixed

from slimage.rules.sl1017_go_build_not_stripped import GoBuildNotStripped

RULE = GoBuildNotStripped
TO_SCRATCH = "FROM scratch\nCOPY --from=b /s /s\n"


def messages(text: str) -> list[str]:
    return [f.message for f in findings(RULE, text)]


def test_unstripped_build_copied_to_scratch_gets_both_findings() -> None:
    found = messages("FROM golang:1.22 AS b\nRUN go build -o /s .\n" + TO_SCRATCH)
    assert len(found) == 2
    assert "-s -w" in found[0]
    assert "CGO_ENABLED" in found[1]


@pytest.mark.parametrize(
    "build",
    [
        'RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /s .',
        "RUN CGO_ENABLED=0 go build -ldflags '-w -s -X main.v=1' -o /s .",
        'ENV CGO_ENABLED=0\nRUN go build -ldflags="-s -w" -o /s .',
        'RUN export CGO_ENABLED=0 && go build -ldflags="-s -w" -o /s .',
        'ENV GOFLAGS="-ldflags=-s -ldflags=-w"\nENV CGO_ENABLED=0\nRUN go build -o /s .',
        'RUN CGO_ENABLED=0 go build -ldflags="${LDFLAGS}" -o /s .',
    ],
)
def test_stripped_static_builds_pass(build: str) -> None:
    assert messages(f"FROM golang:1.22 AS b\n{build}\n" + TO_SCRATCH) == []


def test_alpine_builder_has_no_cgo_and_debian_runtime_has_libc() -> None:
    text = 'FROM golang:1.22-alpine AS b\nRUN go build -ldflags="-s -w" -o /s\n' + TO_SCRATCH
    assert messages(text) == []
    text = 'FROM golang:1.22 AS b\nRUN go build -ldflags="-s -w" -o /s\nFROM debian:12-slim\n'
    assert messages(text) == []


def test_partial_ldflags_are_reported_without_fix() -> None:
    text = (
        'FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -ldflags="-X main.v=1" -o /s\n'
        + TO_SCRATCH
    )
    (finding,) = findings(RULE, text)
    assert finding.fix is None


def test_builds_that_never_reach_the_image_are_ignored() -> None:
    text = "FROM golang:1.22 AS tools\nRUN go build -o /t ./tools\nFROM alpine\nCMD x\n"
    assert messages(text) == []


def test_fix_adds_ldflags_unsafely() -> None:
    text = "FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -o /s .\n" + TO_SCRATCH
    assert fixed(RULE, text) == text
    assert fixed(RULE, text, unsafe=True) == (
        'FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /s .\n' + TO_SCRATCH
    )


def test_only_binaries_copied_into_the_image_count() -> None:
    build = "FROM golang:1.22 AS b\nWORKDIR /code\nRUN go build -o bin/tool ./tool\n"
    other = build + "FROM debian:12-slim\nCOPY --from=b /etc/ssl/certs /etc/ssl/certs\n"
    assert messages(other) == []
    copied = build + "FROM debian:12-slim\nCOPY --from=b /code/bin/tool /usr/local/bin/\n"
    assert len(messages(copied)) == 1
    whole_dir = build + "FROM debian:12-slim\nCOPY --from=b /code/bin /app\n"
    assert len(messages(whole_dir)) == 1


def test_workdir_inherited_from_the_base_stage_places_the_output() -> None:
    # The build stage starts in /src, its base stage's WORKDIR (before, "/" was assumed:
    # the binary was placed at /app, which nothing copies, and the finding was missed).
    text = (
        "FROM golang:1.22 AS base\nWORKDIR /src\n"
        "FROM base AS b\nRUN go build -o app .\n"
        "FROM scratch\nCOPY --from=b /src/app /app\n"
    )
    assert len(messages(text)) == 2
