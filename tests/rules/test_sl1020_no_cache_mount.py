from __future__ import annotations

import pytest
from rule_helpers import findings, fixed

from slimage.rules.sl1020_no_cache_mount import NoCacheMount

RULE = NoCacheMount
RUNTIME = "FROM scratch\nCOPY --from=b /out /out\n"


@pytest.mark.parametrize(
    ("build", "mount"),
    [
        ("RUN npm ci", "target=/root/.npm"),
        ("RUN pip install -r r.txt", "target=/root/.cache/pip"),
        ("RUN go mod download", "target=/go/pkg/mod"),
        ("RUN cargo build --release", "target=/usr/local/cargo/registry"),
        ("RUN mvn -B package", "target=/root/.m2"),
        ("RUN ./gradlew build", "target=/root/.gradle"),
        ("RUN apk add gcc", "target=/var/cache/apk"),
        ("RUN uv sync", "target=/root/.cache/uv"),
        ("RUN apt-get update && apt-get install -y gcc", "target=/var/lib/apt,sharing=locked"),
    ],
)
def test_suggests_the_tools_mount(build: str, mount: str) -> None:
    (finding,) = findings(RULE, f"FROM x AS b\n{build}\n" + RUNTIME)
    assert mount in finding.help


@pytest.mark.parametrize(
    "build",
    [
        "RUN --mount=type=cache,target=/root/.npm npm ci",
        "RUN --mount=type=cache,id=pip,target=/root/.cache pip install x",
        "RUN pip install --no-cache-dir x",
        "RUN apk add --no-cache gcc",
        "RUN go version",
    ],
)
def test_does_not_fire(build: str) -> None:
    assert findings(RULE, f"FROM x AS b\n{build}\n" + RUNTIME) == []


def test_runtime_stage_is_left_to_the_cache_rules() -> None:
    assert findings(RULE, "FROM node:20\nRUN npm ci\n") == []


def test_fix_adds_the_mount_flag_unsafely() -> None:
    text = "FROM node:20 AS b\nRUN --network=host npm ci\n" + RUNTIME
    assert fixed(RULE, text) == text
    assert fixed(RULE, text, unsafe=True) == (
        "FROM node:20 AS b\nRUN --mount=type=cache,target=/root/.npm --network=host npm ci\n"
        + RUNTIME
    )
    (apt,) = findings(RULE, "FROM debian AS b\nRUN apt-get install -y gcc\n" + RUNTIME)
    assert apt.fix is None
