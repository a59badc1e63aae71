"""`slimage rewrite` over the 191 real Dockerfiles of the corpus: it never crashes, every
file it writes parses with BuildKit's own parser, and every file it leaves has a reason."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import dockerfile as buildkit
from slimage.errors import SlimageError
from slimage.rewrite import rewrite_text

CORPUS = Path(__file__).parent.parent / "data" / "corpus" / "dockerfiles"


def _reason(error: SlimageError) -> str:
    """The reason without the file name: 'unknown stack', 'already slim', ..."""
    text = str(error).split(": ", 1)[-1]
    for key in (
        "unknown stack",
        "already slim",
        "development server",
        "pip installs into the system Python in a stage",
        "no pip install",
        "no npm/yarn/pnpm install",
        "no ENTRYPOINT or CMD",
        "cannot tell what the build produces",
        "unknown instruction",
        "several final-stage candidates",
    ):
        if key in text:
            return key
    return text[:50]


def test_corpus_never_crashes_and_output_parses() -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    assert len(files) == 191
    outcome: Counter[str] = Counter()
    for path in files:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        try:
            result = rewrite_text(text, path=str(path), context_dir=None)
        except SlimageError as error:
            assert str(error).strip() and "\n" not in str(error)
            outcome["refused: " + _reason(error)] += 1
            continue
        buildkit.parse_string(result.text)  # BuildKit's parser accepts every rewrite
        outcome["rewritten"] += 1
    assert sum(outcome.values()) == 191
    # The figures docs/rewrite.md records.
    print(dict(outcome))
    assert outcome["rewritten"] >= 4
