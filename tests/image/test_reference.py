"""Reference normalisation, checked against Docker's own rules."""

from __future__ import annotations

import pytest

from slimage.errors import UsageError
from slimage.image.reference import is_local_host, parse_reference

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.27", "docker.io/library/nginx:1.27"),
        ("team/app", "docker.io/team/app:latest"),
        ("docker.io/nginx", "docker.io/library/nginx:latest"),
        ("index.docker.io/library/nginx", "docker.io/library/nginx:latest"),
        ("registry.example.com/team/app:1.4", "registry.example.com/team/app:1.4"),
        ("localhost/app", "localhost/app:latest"),
        ("localhost:5000/app:dev", "localhost:5000/app:dev"),
        ("127.0.0.1:5000/a/b/c", "127.0.0.1:5000/a/b/c:latest"),
        (f"app@{DIGEST}", f"docker.io/library/app@{DIGEST}"),
        (f"ghcr.io/o/app:1@{DIGEST}", f"ghcr.io/o/app:1@{DIGEST}"),
        ("my_app-x/z__w.y", "docker.io/my_app-x/z__w.y:latest"),
    ],
)
def test_normalisation(text: str, expected: str) -> None:
    assert str(parse_reference(text)) == expected


def test_digest_wins_over_tag() -> None:
    assert parse_reference(f"a:1@{DIGEST}").reference == DIGEST


def test_hub_api_host() -> None:
    assert parse_reference("nginx").api_host == "registry-1.docker.io"
    assert parse_reference("quay.io/a/b").api_host == "quay.io"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nginx", "lower-case"),
        ("nginx:", "invalid tag"),
        ("nginx:-bad", "invalid tag"),
        ("nginx@sha256:short", "invalid digest"),
        ("a//b", "invalid repository"),
        ("", "invalid repository"),
    ],
)
def test_invalid(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_reference(text)


def test_local_hosts() -> None:
    assert is_local_host("localhost:5000") and is_local_host("127.0.0.1:41234")
    assert not is_local_host("registry.example.com") and not is_local_host("10.0.0.1:5000")
