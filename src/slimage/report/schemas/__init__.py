"""The published JSON Schemas (draft 2020-12) of every ``--format json`` output.

One file per output, named ``NAME-v1.schema.json``: ``lint``, ``rules``, ``analyze``,
``analyze-quick``, ``context``, ``parse``, ``audit``, ``build``, ``diff``, ``verify`` and
``rewrite``. Every document carries ``"schema_version": 1`` (an integer,
:data:`SCHEMA_VERSION`) at the top. New fields
may appear within a version; removing or renaming one bumps it. The tests validate real
output of each command against its file.

``gitlab-codequality.schema.json`` is not one of them: it describes GitLab's own Code
Quality format (``lint --format gitlab``, a bare array), as GitLab documents it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_VERSION = 1

SCHEMA_NAMES = (
    "lint",
    "rules",
    "analyze",
    "analyze-quick",
    "context",
    "parse",
    "audit",
    "build",
    "diff",
    "verify",
    "rewrite",
)


def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of output ``name`` (one of :data:`SCHEMA_NAMES`)."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"no schema named {name!r} (expected one of {', '.join(SCHEMA_NAMES)})")
    text = (
        resources.files(__name__)
        .joinpath(f"{name}-v{SCHEMA_VERSION}.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
