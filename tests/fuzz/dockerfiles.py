"""Mutated Dockerfiles: a seeded mutator over the real corpus and the conformance cases.

Each mutation is one small edit a hostile or careless author could make (drop, repeat,
swap or splice lines, flip bytes, insert tokens the parser treats specially), plus a few
shapes known to stress linear-time guarantees (thousands of RUNs, chained stages, long
words, deep continuations).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

TOKENS = [
    "\\", "\\\n", "<<EOF", "<<-EOF\n", "\nEOF\n", "${", "${A:-", "}", "$", '"', "'", "[", "]",
    '["a", "b"]', "[\"unterminated", "\x00", "\ufeff", "\r\n", "\t", "#", "# syntax=x\n",
    "# escape=`\n", "# check=skip=all\n", "`", "--mount=type=cache,target=/x ", "--from=",
    "AS ", "ONBUILD ", "ONBUILD ONBUILD ", "FROM scratch\n", "COPY . /\n", "é", "\U0001f600",
    "\udcff", "a" * 300, "=", "--", " " * 64, "\n" * 3, "HEALTHCHECK CMD ", "SHELL [\"x\"]\n",
]  # fmt: skip

INSTRUCTIONS = [
    "FROM alpine", "FROM debian AS build", "FROM build",
    "RUN apt-get update && apt-get install -y curl",
    "RUN pip install -r requirements.txt", "COPY --from=build /a /b", "ADD http://x/y /z",
    "ENV A=1 B=2", "ARG V=1", "WORKDIR rel", "USER root", "EXPOSE 80/tcp", "CMD run",
    'ENTRYPOINT ["a"]', "ONBUILD RUN x", "LABEL a=b", "VOLUME /v", "STOPSIGNAL 9",
    "HEALTHCHECK --interval=5s CMD true", 'SHELL ["/bin/bash", "-c"]', "MAINTAINER me",
    "RUN <<EOF\nset -e\necho hi\nEOF", "COPY <<EOF /f\nx\nEOF",
]  # fmt: skip


def seeds() -> list[bytes]:
    """Every Dockerfile of the corpus and of the BuildKit parser conformance cases."""
    found: list[bytes] = []
    for path in sorted((DATA / "corpus" / "dockerfiles").iterdir()):
        if path.is_file():
            found.append(path.read_bytes())
    for directory in ("buildkit-parser", "buildkit-parser-negative"):
        for path in sorted((DATA / "conformance" / directory).glob("*/Dockerfile")):
            found.append(path.read_bytes())
    return found


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _drop_line(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    if len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def _repeat_line(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    index = rng.randrange(len(lines))
    lines[index:index] = [lines[index]] * rng.choice([2, 10, 100])
    return b"\n".join(lines)


def _swap_lines(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def _splice(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    other = rng.choice(pool)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


def _flip_byte(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    index = rng.randrange(len(data))
    return data[:index] + bytes([rng.randrange(256)]) + data[index + 1 :]


def _insert_token(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    token = rng.choice(TOKENS).encode("utf-8", "surrogateescape")
    index = rng.randrange(len(data) + 1)
    return data[:index] + token + data[index:]


def _insert_instruction(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(INSTRUCTIONS).encode())
    return b"\n".join(lines)


def _truncate(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _case_flip(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    return data.swapcase() if rng.random() < 0.5 else data.upper()


MUTATORS: list[Callable[[random.Random, bytes, list[bytes]], bytes]] = [
    _drop_line, _repeat_line, _swap_lines, _splice, _flip_byte, _insert_token,
    _insert_token, _insert_instruction, _truncate, _case_flip,
]  # fmt: skip


def stress(rng: random.Random) -> bytes:
    """A shape that stresses scaling: many RUNs, chained stages, long words, nesting."""
    kind = rng.randrange(6)
    n = rng.choice([1_000, 5_000, 20_000])
    if kind == 0:
        return b"FROM debian\n" + b"RUN a\n" * n
    if kind == 1:
        lines = ["FROM alpine AS s0"]
        for index in range(1, min(n, 2_000)):
            lines += [f"FROM s{index - 1} AS s{index}", "RUN a"]
        return "\n".join(lines).encode() + b"\n"
    if kind == 2:
        return b"FROM alpine\nCOPY " + b"a" * rng.choice([256, 4096, 70_000]) + b" /app/\n"
    if kind == 3:
        return b"FROM alpine\nRUN a \\\n" + b"  && b \\\n" * n + b"  && c\n"
    if kind == 4:
        return b"FROM alpine\n" + b"ONBUILD " * rng.choice([2, 50, 500]) + b"RUN x\n"
    return b"FROM alpine\nENV " + b" ".join(b"K%d=v" % i for i in range(n)) + b"\n"


def mutated(rng: random.Random, pool: list[bytes]) -> bytes:
    """One mutated Dockerfile: 1-4 mutations of a corpus file, or a stress shape."""
    if rng.random() < 0.03:
        return stress(rng)
    data = rng.choice(pool)
    for _ in range(rng.randint(1, 4)):
        data = rng.choice(MUTATORS)(rng, data, pool)
    return data[: 1 << 20]
