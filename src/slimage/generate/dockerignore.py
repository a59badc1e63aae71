"""The `.dockerignore` `slimage init` writes, or checks when the project has one.

A new file is the suggestion of :mod:`slimage.context.suggest`, verified against the
generated Dockerfile. An existing file is never replaced: it is checked against that
suggestion (:mod:`slimage.context.ignore_check`) and, with ``--force``, what it lacks is
appended to it, every line of the user's file kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slimage.context.ignore_check import IgnoreCheck, check_ignore_file, merged_ignore_text


@dataclass
class IgnorePlan:
    """What to do with the ignore file next to the generated Dockerfile."""

    path: Path
    text: str | None  # what to write; None leaves the file as it is
    existing: bool  # the file was there before
    check: IgnoreCheck | None = None  # the existing file against the suggestion


def plan_dockerignore(
    directory: Path, dockerfile_text: str, dockerfile_path: Path | None = None, *, force: bool
) -> IgnorePlan:
    """The ignore file for ``dockerfile_text``, to be written as ``dockerfile_path``
    (default ``directory/Dockerfile``) and built with ``directory`` as its context."""
    from slimage.context.ignore_file import find_ignore_file, load_matcher
    from slimage.context.inspect import suggest_for_build
    from slimage.context.scan import scan_context
    from slimage.dockerfile.parser import parse_dockerfile
    from slimage.dockerfile.stages import build_stage_graph

    dockerfile_path = dockerfile_path or directory / "Dockerfile"
    dockerfile = parse_dockerfile(dockerfile_text, path=str(dockerfile_path))
    graph = build_stage_graph(dockerfile)
    suggestion = suggest_for_build(directory, (dockerfile, graph), None)
    existing_path = find_ignore_file(directory, dockerfile_path)
    if existing_path is None:
        return IgnorePlan(directory / ".dockerignore", suggestion.text, existing=False)
    matcher = load_matcher(directory, dockerfile_path)
    assert matcher is not None  # the file exists
    check = check_ignore_file(
        matcher, suggestion.patterns, scan_context(directory, None), dockerfile, graph
    )
    existing_text = existing_path.read_text(encoding="utf-8", errors="replace")
    text = merged_ignore_text(existing_text, check) if force and not check.ok else None
    return IgnorePlan(existing_path, text, existing=True, check=check)


def advice(plan: IgnorePlan) -> list[str]:
    """What to tell the user about an existing ignore file (lines, no prefix)."""
    check = plan.check
    if not plan.existing or check is None:
        return []
    name = plan.path.name
    if check.ok:
        return [f"kept the existing {name}: it covers what the generated Dockerfile needs"]
    if plan.text is not None:
        added = len(check.lacking) + len(check.hidden)
        return [f"added {added} line{'s' if added != 1 else ''} to the existing {name}"]
    lines = [f"the existing {name} does not fit the generated Dockerfile; add these lines:"]
    lines += [f"    {pattern}" for pattern in check.lacking]
    lines += [f"    !{source}" for source in check.hidden]
    lines.append("(or run again with --force to append them; every line of yours is kept)")
    return lines
