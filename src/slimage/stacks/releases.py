"""The language and OS releases slimage picks by default, with their upstream end of life.

One table, checked by ``tests/stacks/test_releases.py``: the test fails once an entry is
past its end of life, so the defaults cannot silently go stale. Dates are upstream's
published end of support (the last day a release gets security fixes), as of December
2026:

- Debian 13 "trixie" (released 2025-08-09): security support until 2028-08-09 (three
  years), LTS until 2030-06-30. Official images use ``-trixie`` tags; distroless images
  ``-debian13``.
- Go: a release is supported until the second newer one ships (February and August each
  year); 1.27 (August 2026) until 1.29, due August 2027.
- Node.js 24 "Krypton": LTS until 2028-04-30.
- Python 3.14 (October 2025): security fixes until 2030-10.
- Rust: only the latest stable is supported; ``rust:1`` always names it, so the entry
  tracks the ``1`` line (no end of life of its own).
- Java 25 LTS (September 2025): Eclipse Temurin supports it until at least 2031-09-30;
  Java 21 LTS until at least 2029-12-31.
- Alpine 3.23 (December 2025): until 2027-11-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Release:
    """One default release: what it is, the tag part slimage writes, and its end of life."""

    product: str
    version: str
    end_of_life: date | None  # None: a moving tag that always names a supported release


DEBIAN = Release("Debian", "trixie", date(2028, 8, 9))
DEBIAN_NUMBER = "13"  # distroless names Debian releases by number: static-debian13
# Debian 12 "bookworm", under LTS until 2028-06-30: only for distroless's java17 image,
# which has no Debian 13 build.
DEBIAN_PREVIOUS = Release("Debian LTS", "bookworm", date(2028, 6, 30))
GO = Release("Go", "1.27", date(2027, 8, 31))
NODE = Release("Node.js LTS", "24", date(2028, 4, 30))
PYTHON = Release("Python", "3.14", date(2030, 10, 31))
RUST = Release("Rust", "1", None)
JAVA = Release("Java LTS", "25", date(2031, 9, 30))
JAVA_PREVIOUS = Release("Java LTS", "21", date(2029, 12, 31))
ALPINE = Release("Alpine", "3.23", date(2027, 11, 1))

RELEASES = (DEBIAN, DEBIAN_PREVIOUS, GO, NODE, PYTHON, RUST, JAVA, JAVA_PREVIOUS, ALPINE)

# The Java versions distroless publishes, and on which Debian: java<v>-debian<n>.
DISTROLESS_JAVA = {"17": "12", JAVA_PREVIOUS.version: DEBIAN_NUMBER, JAVA.version: DEBIAN_NUMBER}


def version_tuple(text: str) -> tuple[int, ...]:
    """'1.22.3' -> (1, 22, 3); non-numeric parts end the tuple."""
    parts: list[int] = []
    for part in text.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def at_least(minimum: str | None, default: str) -> str:
    """The default release, unless the project's minimum (a ``go.mod`` ``go`` line, a
    ``rust-version``) asks for a newer one: a minimum is not the toolchain to pick."""
    if minimum and version_tuple(minimum) > version_tuple(default):
        return minimum
    return default
