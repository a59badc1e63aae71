"""The shared helpers of the SL2xxx/SL3xxx rules (dockerfile spans and variables, the
reference, rules/_secrets.py, rules/_checks.py)."""

from __future__ import annotations

from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.spans import rest_span, span_at, stage_name_span
from slimage.dockerfile.variables import key_values
from slimage.reference import parse_image_ref
from slimage.rules._checks import BUILDKIT_CHECKS
from slimage.rules._secrets import mask, secret_value_kind
from slimage.rules.registry import get_rule


def test_parse_image_ref_normalises_like_docker() -> None:
    ref = parse_image_ref("node:20-slim")
    assert ref is not None
    assert (ref.registry, ref.repository, ref.tag, ref.short_name) == (
        "docker.io",
        "library/node",
        "20-slim",
        "node",
    )
    ref = parse_image_ref("localhost:5000/team/app")
    assert ref is not None and (ref.registry, ref.repository, ref.tag) == (
        "localhost:5000",
        "team/app",
        None,
    )
    ref = parse_image_ref("gcr.io/distroless/static@sha256:" + "0" * 64)
    assert ref is not None and ref.digest is not None and ref.tag is None
    assert parse_image_ref("node:") is None
    assert parse_image_ref("$IMAGE") is None


def test_spans_follow_continuations() -> None:
    text = "FROM a:1\nRUN echo \\\n  hi\n"
    df = parse_dockerfile(text)
    run = df.instructions[1]
    index = run.rest.index("hi")
    span = rest_span(df, run, index, index + 2)
    assert (span.line, span.column, span.end_line, span.end_column) == (3, 3, 3, 5)
    assert text[span.start : span.end] == "hi"
    whole = span_at(df, 0, len(text))
    assert (whole.line, whole.end_line) == (1, 3)


def test_stage_name_span_and_key_values() -> None:
    df = parse_dockerfile("FROM --platform=$X img AS Build\nENV A=1 B=2\nENV C d e\nARG X Y=1\n")
    span = stage_name_span(df, df.instructions[0])
    assert df.source[span.start : span.end] == "Build"
    assert [(p.key, p.value, p.legacy) for p in key_values(df.instructions[1])] == [
        ("A", "1", False),
        ("B", "2", False),
    ]
    assert [(p.key, p.value, p.legacy) for p in key_values(df.instructions[2])] == [
        ("C", "d e", True)
    ]
    assert [(p.key, p.value) for p in key_values(df.instructions[3])] == [("X", None), ("Y", "1")]


def test_secret_values_and_masking() -> None:
    assert secret_value_kind("-----BEGIN OPENSSH PRIVATE KEY-----\nabc") is not None
    assert secret_value_kind("https://example.com/path") is None
    assert secret_value_kind("https://user:${PASS}@example.com") is None
    assert mask("hunter22secret") == "hunt****"
    assert mask("short") == "****"


def test_buildkit_check_names_map_to_registered_rules() -> None:
    for name, code in BUILDKIT_CHECKS.items():
        assert get_rule(code).code == code, name
