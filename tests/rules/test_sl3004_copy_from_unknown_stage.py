from rule_helpers import findings, fixed, lines

from slimage.rules.sl3004_copy_from_unknown_stage import CopyFromUnknownStage


def test_typo_fires_with_suggestion() -> None:
    text = "FROM golang:1.22 AS builder\nFROM scratch\nCOPY --from=buidler /app /app\n"
    found = findings(CopyFromUnknownStage, text)
    assert [(f.location.line, f.location.column) for f in found] == [(3, 6)]
    assert "did you mean 'builder'" in found[0].message


def test_self_and_later_references_fire() -> None:
    text = (
        "FROM alpine:3.20 AS a\nCOPY --from=a /x /x\nCOPY --from=b /y /y\nFROM alpine:3.20 AS b\n"
    )
    found = findings(CopyFromUnknownStage, text)
    assert [f.location.line for f in found] == [2, 3]
    assert "its own stage" in found[0].message
    assert "later" in found[1].message


def test_index_out_of_range_and_mount_from() -> None:
    assert lines(CopyFromUnknownStage, "FROM alpine:3.20\nCOPY --from=3 /x /x\n") == [2]
    text = "FROM alpine:3.20 AS deps\nFROM alpine:3.20\nRUN --mount=from=dep,target=/d ls /d\n"
    assert lines(CopyFromUnknownStage, text) == [3]


def test_valid_references_pass() -> None:
    for ref in ("builder", "0", "nginx:1.27", "ghcr.io/org/tool:1", "docker/dockerfile", "BUILDER"):
        text = f"FROM golang:1.22 AS builder\nFROM scratch\nCOPY --from={ref} /a /a\n"
        assert lines(CopyFromUnknownStage, text) == [], ref


def test_typo_gets_an_unsafe_fix() -> None:
    text = "FROM golang:1.22 AS builder\nFROM scratch\nCOPY --from=buidler /app /app\n"
    assert fixed(CopyFromUnknownStage, text) == text
    assert fixed(CopyFromUnknownStage, text, unsafe=True) == (
        "FROM golang:1.22 AS builder\nFROM scratch\nCOPY --from=builder /app /app\n"
    )
