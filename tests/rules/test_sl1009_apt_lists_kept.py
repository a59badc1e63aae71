from __future__ import annotations

import pytest
from rule_helpers import findings, fixed, lines

from slimage.findings import Applicability
from slimage.rules.sl1009_apt_lists_kept import AptListsKept

RULE = AptListsKept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM debian\nRUN apt-get update && apt-get install -y curl\n", [2]),
        (
            "FROM debian\nRUN apt-get update\n"
            "RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            [2],
        ),
        ("FROM ubuntu\nRUN sudo apt update && sudo apt install -y curl\n", [2]),
        # A stage the image is built FROM ships its layers too.
        (
            "FROM debian AS base\nRUN apt-get update && apt-get install -y curl\n"
            "FROM base\nCMD x\n",
            [2],
        ),
        # Exec form runs apt-get directly.
        ('FROM debian\nRUN ["apt-get", "update"]\n', [2]),
        ("FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n", [3]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM debian\nRUN apt-get update && apt-get install -y curl"
        " && rm -rf /var/lib/apt/lists/*\n",
        "FROM debian\nRUN apt-get update && apt-get install -y curl \\\n"
        " && rm -rf /var/lib/apt/lists\n",
        "FROM debian\nRUN apt-get install -y curl\n",
        # A cache mount keeps the lists out of the layer (hadolint flags this: its #1139).
        "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
        "    --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl\n",
        "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n",
        # Build stages only hand over files they are asked for.
        "FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\n"
        "FROM debian:bookworm-slim\nCOPY --from=build /out /out\n",
        "FROM debian\nRUN echo apt-get update\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_fix_appends_after_the_last_command() -> None:
    text = (
        "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n# a comment\nCMD x\n"
    )
    assert fixed(RULE, text) == (
        "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl"
        " && rm -rf /var/lib/apt/lists/*\n# a comment\nCMD x\n"
    )


def test_fix_skips_comment_lines_inside_continuations() -> None:
    text = "FROM debian\nRUN apt-get update \\\n# not a command\n    && apt-get install -y curl\n"
    assert fixed(RULE, text) == (
        "FROM debian\nRUN apt-get update \\\n# not a command\n"
        "    && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    )


def test_fix_keeps_a_trailing_shell_comment_after_the_edit() -> None:
    text = "FROM debian\nRUN apt-get update && apt-get install -y curl # tools\n"
    assert fixed(RULE, text) == (
        "FROM debian\nRUN apt-get update && apt-get install -y curl"
        " && rm -rf /var/lib/apt/lists/* # tools\n"
    )


def test_fix_in_heredoc_adds_a_last_line() -> None:
    text = "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\nCMD x\n"
    assert fixed(RULE, text) == (
        "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\n"
        "rm -rf /var/lib/apt/lists/*\nEOF\nCMD x\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        # The last command runs inside a loop: appending there would repeat it.
        "FROM debian\nRUN apt-get update && for p in a b; do apt-get install -y $p; done\n",
        'FROM debian\nRUN ["apt-get", "update"]\n',
        # The heredoc is python's input, not the shell script.
        "FROM debian\nRUN apt-get update && python3 <<EOF\nprint(1)\nEOF\n",
    ],
)
def test_no_fix_where_appending_is_not_plainly_right(text: str) -> None:
    (finding,) = findings(RULE, text)
    assert finding.fix is None


def test_fix_is_unsafe_when_a_later_run_installs_without_update() -> None:
    text = "FROM debian\nRUN apt-get update && apt-get install -y a\nRUN apt-get install -y b\n"
    (finding,) = findings(RULE, text)
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.bytes_saved and finding.bytes_estimated


def test_points_at_the_update_command() -> None:
    (finding,) = findings(RULE, "FROM debian\nRUN set -x; apt-get -q update\n")
    assert finding.location.column == len("RUN set -x; ") + 1
