"""The ENTRYPOINT of well-known base images that run an interpreter themselves.

A base image whose ENTRYPOINT is ``node`` (or ``python3``, or ``java -jar``) takes CMD as
the interpreter's arguments: ``CMD ["node", "server.js"]`` on it runs
``node node server.js``. Lint (SL3028) and ``init`` read this table; it holds only images
whose configuration is published and stable (gcr.io/distroless, every tag and the
``:nonroot`` / ``:debug`` variants alike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slimage.reference import split_reference


@dataclass(frozen=True, slots=True)
class BaseEntrypoint:
    """The interpreter a base image's ENTRYPOINT runs."""

    entrypoint: tuple[str, ...]  # as the image configuration has it
    interpreter: str  # "node", "python3", "java"
    # A CMD's first word naming the same interpreter (compared by file name).
    names: re.Pattern[str]

    @property
    def options(self) -> tuple[str, ...]:
        """What the ENTRYPOINT passes after the interpreter (``-jar`` for java)."""
        return self.entrypoint[1:]

    def repeats(self, word: str) -> bool:
        """Whether ``word`` (a CMD's first word) names the interpreter again."""
        return self.names.fullmatch(word.rsplit("/", 1)[-1]) is not None


_NODE = re.compile(r"node(js)?")
_PYTHON = re.compile(r"python(3(\.\d+)?)?")
_JAVA = re.compile(r"java")

# gcr.io/distroless/<flavour>: GoogleContainerTools/distroless, nodejs/BUILD,
# python3/python.bzl and java/BUILD (the `entrypoint` of each image rule).
_DISTROLESS = (
    (re.compile(r"nodejs\d*-debian\d+"), ("/nodejs/bin/node",), "node", _NODE),
    (re.compile(r"python3-debian11"), ("/usr/bin/python3.9",), "python3", _PYTHON),
    (re.compile(r"python3-debian12"), ("/usr/bin/python3.11",), "python3", _PYTHON),
    (re.compile(r"python3-debian13"), ("/usr/bin/python3.13",), "python3", _PYTHON),
    (re.compile(r"java\d+-debian\d+"), ("/usr/bin/java", "-jar"), "java", _JAVA),
)


def base_entrypoint(image: str) -> BaseEntrypoint | None:
    """The interpreter ENTRYPOINT of ``image`` (as written after FROM), when known."""
    registry, repository, _tag, _digest = split_reference(image.strip())
    if registry != "gcr.io" or not repository.startswith("distroless/"):
        return None
    flavour = repository.removeprefix("distroless/")
    for pattern, entrypoint, interpreter, names in _DISTROLESS:
        if pattern.fullmatch(flavour):
            return BaseEntrypoint(entrypoint, interpreter, names)
    return None
