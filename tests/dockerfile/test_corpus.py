"""191 real Dockerfiles (tests/data/corpus): each parses, prints back byte for byte, and
yields the instructions, flags, arguments, line numbers and heredocs BuildKit's own parser
gives (through the ``dockerfile`` package)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _buildkit_oracle import oracle_rows, slimage_rows

from slimage.dockerfile import decode_dockerfile, dump_buildkit, parse_dockerfile, read_dockerfile

CORPUS = Path(__file__).parent.parent / "data" / "corpus" / "dockerfiles"
FILES = sorted(path.name for path in CORPUS.iterdir())


def test_corpus_is_complete() -> None:
    assert len(FILES) == 191


@pytest.mark.parametrize("name", FILES)
def test_corpus_file(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    text = decode_dockerfile(data, path=name)
    df = parse_dockerfile(text, path=name)
    assert df.to_text().encode("utf-8", "surrogateescape") == data
    assert slimage_rows(df) == oracle_rows(text)
    assert dump_buildkit(df).count("\n") + 1 == len(df.instructions)


def test_read_dockerfile_reads_the_same() -> None:
    path = CORPUS / FILES[0]
    df = read_dockerfile(path)
    assert df.path == str(path)
    assert df.source == path.read_text()
