"""Hostile build contexts: ignore files (backtracking, thousands of patterns, binary,
devices, FIFOs), odd files (FIFOs, devices, loops, long and deep names) and project
manifests (deep nesting, oversized, devices) next to a Dockerfile."""

from __future__ import annotations

import os
import random
from pathlib import Path

PATTERN_PARTS = [
    "*", "**", "?", "a", "b", "[a-c]", "[!x]", "\\*", "{", "}", "|", ".", "/", "!", "#",
    "node_modules", "*.log", "[[:alpha:]]", "\\d", "[z-a]", "\\p{L}", "(?i)", "^", "$",
]  # fmt: skip

DOCKERFILES = [
    "FROM alpine\nCOPY . /app/\n",
    "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n",
    "FROM python:3.12\nCOPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\nCOPY src/ /src/\n",
    "FROM alpine\nCOPY a* /x/\nADD *.tar /y/\nCOPY --from=other /z /z\n",
]


def _pattern(rng: random.Random) -> str:
    return "".join(rng.choice(PATTERN_PARTS) for _ in range(rng.randint(1, 6)))


def _ignore_text(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return "*a" * rng.randint(5, 20) + "*b\n"
    if kind == 1:
        count = rng.choice([1_000, 10_000])
        return "\n".join(f"dir{index % 97}/*{index}*.tmp" for index in range(count)) + "\n"
    return "\n".join(_pattern(rng) for _ in range(rng.randint(1, 30))) + "\n"


def context(rng: random.Random, root: Path) -> Path:
    """Write one hostile build context at ``root`` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Dockerfile").write_text(rng.choice(DOCKERFILES))
    ignore = root / ".dockerignore"
    choice = rng.randrange(10)
    if choice == 0:
        ignore.symlink_to(rng.choice(["/dev/zero", "/dev/urandom", "/dev/null"]))
    elif choice == 1:
        os.mkfifo(ignore)
    elif choice == 2:
        ignore.write_bytes(os.urandom(rng.randrange(1, 4096)))
    elif choice == 3:
        ignore.mkdir()
    else:
        ignore.write_text(_ignore_text(rng), encoding="utf-8", errors="surrogateescape")
    # Files the patterns run over.
    for index in range(rng.choice([5, 50, 3_000])):
        directory = root / f"dir{index % 97}"
        directory.mkdir(exist_ok=True)
        (directory / f"f{index}.tmp").write_bytes(b"")
    (root / ("a" * rng.choice([200, 255]))).write_bytes(b"x")
    deep = root
    for _ in range(rng.choice([1, 50])):
        deep = deep / "d"
    deep.mkdir(parents=True, exist_ok=True)
    (root / "loop").symlink_to("loop")
    (root / "up").symlink_to("..")
    if rng.random() < 0.3:
        os.mkfifo(root / "fifo")
    manifest = rng.choice(["package.json", "pyproject.toml", "setup.cfg", "requirements.txt"])
    body = rng.randrange(5)
    path = root / manifest
    if body == 0:
        path.symlink_to(rng.choice(["/dev/zero", "/dev/urandom"]))
    elif body == 1:
        os.mkfifo(path)
    elif body == 2:
        depth = rng.choice([100, 100_000])
        if manifest == "package.json":
            path.write_text('{"name": "x", "a": ' + "[" * depth + "]" * depth + "}")
        else:
            path.write_text('[project]\nname = "x"\nreadme = ' + "[" * depth + "]" * depth + "\n")
    elif body == 3:
        path.write_bytes(b"{" + b" " * (5 << 20) + b"}")
    else:
        path.write_text('{"name": "x", "main": "index.js", "scripts": {"start": "node ."}}')
    return root
