"""argument_ranges: each argument found back in the source it came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slimage.dockerfile import parse_dockerfile
from slimage.dockerfile.positions import argument_ranges, span_for

DATA = Path(__file__).parent.parent / "data"


def _texts() -> list[str]:
    texts = [path.read_text() for path in sorted((DATA / "corpus" / "dockerfiles").iterdir())]
    texts += [
        (path / "Dockerfile").read_text()
        for path in sorted((DATA / "conformance" / "buildkit-parser").iterdir())
    ]
    return texts


def test_every_argument_maps_to_its_text() -> None:
    checked = 0
    for text in _texts():
        df = parse_dockerfile(text)
        for instruction in df.instructions:
            ranges = argument_ranges(instruction, df.escape)
            assert len(ranges) == (0 if instruction.trigger else len(instruction.args))
            for arg, where in zip(instruction.args, ranges, strict=False):
                if where is None:
                    continue
                written = text[where[0] : where[1]]
                if "\n" in written:
                    continue  # continuations join lines: the value differs from the text
                is_json_string = instruction.json and written.startswith('"')
                if is_json_string:
                    assert json.loads(written) == arg
                else:
                    assert written == arg
                checked += 1
    assert checked > 4500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('FROM a\nENV A=1 B="x y"\n', ["A", "1", "=", "B", '"x y"', "="]),
        ("FROM a\nLABEL k  v w\n", ["k", "v w", None]),
        ("FROM a\nARG X Y=2\n", ["X", "Y=2"]),
        ('FROM a\nCOPY ["a b", "c"]\n', ['"a b"', '"c"']),
        ("FROM a AS b\n", ["a", "AS", "b"]),
        ('FROM a\nHEALTHCHECK --interval=5s CMD ["x", "y"]\n', ["CMD", '"x"', '"y"']),
        ("FROM a\nHEALTHCHECK CMD x y\n", ["CMD", "x y"]),
        ("FROM a\nfoo bar\n", [None]),
    ],
)
def test_ranges(text: str, expected: list[str | None]) -> None:
    df = parse_dockerfile(text)
    instruction = df.instructions[-1]
    got = [None if r is None else text[r[0] : r[1]] for r in argument_ranges(instruction)]
    assert got == expected


def test_range_across_a_continuation_and_span() -> None:
    text = "FROM a\nCOPY --from=b \\\n   src \\\n   /dst\n"
    df = parse_dockerfile(text)
    source, destination = argument_ranges(df.instructions[1])
    assert source is not None and destination is not None
    assert text[source[0] : source[1]] == "src"
    span = span_for(df, *destination)
    assert (span.line, span.column, span.end_line, span.end_column) == (4, 4, 4, 8)
