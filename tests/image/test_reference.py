"""Reference normalisation, checked against Docker's own rules."""

from __future__ import annotations

import pytest

from slimage.errors import UsageError
from slimage.reference import (
    image_ref,
    is_local_host,
    parse_image_ref,
    parse_reference,
    split_reference,
)

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
        ("nginx@", "invalid digest"),
        ("bad_host:5000/app", "invalid registry host"),
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


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("node", ("docker.io", "library/node", None, None)),
        ("node:", ("docker.io", "library/node", "", None)),
        ("node@", ("docker.io", "library/node", None, "")),
        ("registry-1.docker.io/node:20", ("docker.io", "library/node", "20", None)),
        ("host:5000/app", ("host:5000", "app", None, None)),
        (":1", ("docker.io", "", "1", None)),
    ],
)
def test_split_without_validating(text: str, parts: tuple[object, ...]) -> None:
    assert split_reference(text) == parts


@pytest.mark.parametrize(
    "text",
    ["nginx", "team/app:1", "docker.io/library/node:20", "ghcr.io/o/app:1@" + DIGEST, "l:5/a"],
)
def test_lint_parsers_agree_with_the_pull_parser(text: str) -> None:
    """The rules read a FROM as the registry client would pull it."""
    pulled = parse_reference(text)
    strict = parse_image_ref(text)
    assert strict is not None
    assert (strict.registry, strict.repository, strict.digest) == (
        pulled.registry,
        pulled.repository,
        pulled.digest,
    )
    # One ImageRef: the catalog's reading (image_ref) has the same parts.
    assert image_ref(text) == strict
