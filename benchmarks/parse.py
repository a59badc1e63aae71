"""Parse every corpus Dockerfile in one process with slimage and with the ``dockerfile``
package (BuildKit's Go parser, v0.12.5, through a Python binding); print the mean time per
file for each and the ratio.

    .venv/bin/python benchmarks/parse.py [--rounds N] [DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).parent.parent / "tests" / "data" / "corpus" / "dockerfiles"


def _time_per_file(parse: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """Best-of-``rounds`` mean seconds per file (the minimum is the least disturbed run)."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            parse(text)
        results.append((time.perf_counter() - start) / len(texts))
    return min(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args(argv)

    from slimage.dockerfile import parse_dockerfile

    files = sorted(path for path in options.corpus.iterdir() if path.is_file())
    texts = [path.read_bytes().decode("utf-8", "surrogateescape") for path in files]
    size = statistics.mean(len(text) for text in texts)
    print(f"corpus: {len(texts)} files, mean {size:.0f} characters")

    ours = _time_per_file(parse_dockerfile, texts, options.rounds)
    print(f"slimage parse_dockerfile: {ours * 1000:.3f} ms/file")
    try:
        import dockerfile
    except ImportError:
        print("dockerfile package not installed (pip install dockerfile==3.4.0): no comparison")
        return 0
    theirs = _time_per_file(dockerfile.parse_string, texts, options.rounds)
    print(f"dockerfile (BuildKit Go parser): {theirs * 1000:.3f} ms/file")
    print(f"ratio slimage / BuildKit: {ours / theirs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
