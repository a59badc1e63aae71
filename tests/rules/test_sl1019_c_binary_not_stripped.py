from __future__ import annotations

import pytest
from rule_helpers import findings, lines

from slimage.findings import Severity
from slimage.rules.sl1019_c_binary_not_stripped import CBinaryNotStripped

RULE = CBinaryNotStripped
RUNTIME = "FROM debian:12-slim\nCOPY --from=b /src/app /app\n"


@pytest.mark.parametrize(
    "build",
    [
        "RUN make -C /src",
        "RUN gcc -O2 -o /src/app /src/main.c",
        "RUN cmake -S /src -B /b && cmake --build /b",
    ],
)
def test_fires(build: str) -> None:
    text = f"FROM debian:12 AS b\nRUN apt-get install -y build-essential\n{build}\n" + RUNTIME
    (finding,) = findings(RULE, text)
    assert finding.location.line == 3
    assert finding.severity is Severity.INFO


@pytest.mark.parametrize(
    "build",
    [
        "RUN make -C /src && strip /src/app",
        "RUN gcc -s -O2 -o /src/app /src/main.c",
        "RUN make && make install-strip",
        "RUN make && install -s -m 755 app /src/app",
        'ENV LDFLAGS="-s"\nRUN make',
    ],
)
def test_stripped_builds_pass(build: str) -> None:
    assert findings(RULE, f"FROM debian:12 AS b\n{build}\n" + RUNTIME) == []


def test_language_images_and_unused_stages_are_ignored() -> None:
    assert findings(RULE, "FROM golang:1.22 AS b\nRUN make build\n" + RUNTIME) == []
    assert findings(RULE, "FROM debian:12 AS t\nRUN make\nFROM alpine\nCMD x\n") == []
    assert lines(RULE, "FROM debian:12\nRUN make\n") == [2]


@pytest.mark.parametrize(
    "build",
    [
        "RUN make && find /usr/local -type f -exec sh -c 'strip --strip-all \"$@\" || :' -- {} +",
        'RUN LDFLAGS="-Wl,--strip-all" make',
    ],
)
def test_nested_and_linker_strips_count(build: str) -> None:
    assert findings(RULE, f"FROM debian:12 AS b\n{build}\n" + RUNTIME) == []


def test_tar_strip_components_is_not_a_strip() -> None:
    text = "FROM debian:12 AS b\nRUN tar --strip-components=1 -xf s.tgz && make\n" + RUNTIME
    assert lines(RULE, text) == [2]
