"""BuildKit's own parser test files: every positive case dumps to its ``result`` byte for
byte, every negative case is rejected (parser_test.go TestParseCases / TestParseErrorCases).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from slimage.dockerfile import dump_buildkit, parse_dockerfile
from slimage.errors import DockerfileSyntaxError

DATA = Path(__file__).parent.parent / "data" / "conformance"
POSITIVE = sorted(path.name for path in (DATA / "buildkit-parser").iterdir())
NEGATIVE = sorted(path.name for path in (DATA / "buildkit-parser-negative").iterdir())


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


def test_all_cases_are_present() -> None:
    assert len(POSITIVE) == 33
    assert len(NEGATIVE) == 4


@pytest.mark.parametrize("case", POSITIVE)
def test_positive_case_dumps_exactly(case: str) -> None:
    directory = DATA / "buildkit-parser" / case
    source = _read(directory / "Dockerfile")
    df = parse_dockerfile(source, path=f"{case}/Dockerfile")
    assert dump_buildkit(df) + "\n" == _read(directory / "result")
    assert df.to_text() == source


@pytest.mark.parametrize("case", NEGATIVE)
def test_negative_case_is_rejected(case: str) -> None:
    source = _read(DATA / "buildkit-parser-negative" / case / "Dockerfile")
    with pytest.raises(DockerfileSyntaxError) as caught:
        parse_dockerfile(source, path=f"{case}/Dockerfile")
    assert caught.value.path == f"{case}/Dockerfile"
    assert caught.value.line >= 1
