"""An existing ignore file checked against a suggestion: what it lacks, what it hides.

``slimage init`` never replaces a user's ``.dockerignore`` silently. It compares it with
the suggestion made for the generated Dockerfile (:mod:`slimage.context.suggest`):

* a suggested pattern is *lacking* when something it excludes is still sent with the
  existing file (a local ``node_modules`` that the runtime stage's ``COPY . .`` would
  copy over the production one), or, for patterns written even before anything matches
  (``node_modules``, ``.env``), when the existing file would send that name;
* a COPY/ADD source of the Dockerfile is *hidden* when the existing file excludes it,
  so the build fails.

:func:`merged_ignore_text` appends what is lacking (and ``!`` exceptions for what is
hidden) to the user's file, keeping every line of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slimage.context.ignore import PatternMatcher
from slimage.context.reach import analyse_reach
from slimage.context.scan import ContextScan
from slimage.dockerfile.model import Dockerfile
from slimage.dockerfile.stages import StageGraph


@dataclass
class IgnoreCheck:
    """What an existing ignore file lacks and hides, compared with a suggestion."""

    lacking: list[str] = field(default_factory=list)  # suggested patterns to add
    hidden: list[str] = field(default_factory=list)  # COPY sources it excludes

    @property
    def ok(self) -> bool:
        return not self.lacking and not self.hidden


def check_ignore_file(
    existing: PatternMatcher,
    suggested: list[str],
    raw_scan: ContextScan,
    dockerfile: Dockerfile,
    graph: StageGraph,
) -> IgnoreCheck:
    """Compare the ``existing`` ignore file with the ``suggested`` patterns.

    ``raw_scan`` is the context walked without any ignore file (what could be sent).
    """
    check = IgnoreCheck()
    paths = [entry.path for entry in raw_scan.entries]
    for pattern in suggested:
        if pattern.startswith("!"):
            continue
        single = PatternMatcher([pattern])
        targets = [path for path in paths if single.matches(path)]
        if not targets:
            # Nothing there yet (node_modules before the first install): judge the name.
            targets = [pattern.removeprefix("**/")]
        if any(not existing.matches(path) for path in targets):
            check.lacking.append(pattern)
    reach = analyse_reach(dockerfile, graph, _rescan(raw_scan, existing))
    check.hidden = sorted({m.source for m in reach.missing if m.excluded})
    return check


def merged_ignore_text(existing_text: str, check: IgnoreCheck) -> str:
    """The user's ignore file with what it lacks appended, every line of it kept."""
    if check.ok:
        return existing_text
    added = ["# Added by `slimage init` for the generated Dockerfile", *check.lacking]
    added += [f"!{source.removeprefix('./').rstrip('/')}" for source in check.hidden]
    kept = existing_text.rstrip("\n")
    return (kept + "\n\n" if kept else "") + "\n".join(added) + "\n"


def _rescan(raw_scan: ContextScan, matcher: PatternMatcher) -> ContextScan:
    from slimage.context.scan import scan_context

    return scan_context(raw_scan.root, matcher)
