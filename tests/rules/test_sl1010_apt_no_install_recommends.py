from __future__ import annotations

import pytest
from rule_helpers import findings, fixed, lines

from slimage.findings import Applicability
from slimage.rules.sl1010_apt_no_install_recommends import AptNoInstallRecommends

RULE = AptNoInstallRecommends


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM debian\nRUN apt-get update && apt-get install -y curl\n", [2]),
        ("FROM debian\nRUN apt-get -y install curl\nRUN apt install -y git\n", [2, 3]),
        ("FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n", [4]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM debian\nRUN apt-get install -y --no-install-recommends curl\n",
        "FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=false curl\n",
        "FROM debian\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/no-rec\n"
        "RUN apt-get install -y curl\n",
        "FROM debian AS build\nRUN apt-get install -y gcc\nFROM scratch\nCOPY --from=build /a /a\n",
        "FROM debian\nRUN apt-get update\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_fix_inserts_the_flag_after_install_and_is_unsafe() -> None:
    text = "FROM debian\nRUN apt-get update \\\n  && apt-get -q install -y curl\n"
    (finding,) = findings(RULE, text)
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(RULE, text) == text  # unsafe fixes are not applied by default
    assert fixed(RULE, text, unsafe=True) == (
        "FROM debian\nRUN apt-get update \\\n"
        "  && apt-get -q install --no-install-recommends -y curl\n"
    )


def test_fix_inside_heredoc_and_quoted_words() -> None:
    text = 'FROM debian\nRUN <<EOF\nsudo "apt-get" install -y curl\nEOF\n'
    assert fixed(RULE, text, unsafe=True) == (
        'FROM debian\nRUN <<EOF\nsudo "apt-get" install --no-install-recommends -y curl\nEOF\n'
    )
