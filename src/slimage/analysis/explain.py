"""Explain the final filesystem's bytes: which are avoidable, why, and what change saves them.

The seam with the streaming pass (IMAGE-CORE) is two functions:

- :func:`content_wanted` tells the pass which final-filesystem files to keep the bytes of
  (package databases, package manifests, candidate secret files; each capped in size).
- :func:`explain` takes the final filesystem, those contents, the image config, its history
  and the layer sizes, and returns an :class:`Explanation`.

Every regular file's bytes go to at most one waste class (the candidate whose class comes
first in :data:`~slimage.analysis.classify.PRECEDENCE` wins), so the classes and the
findings add up to ``explained_bytes`` and ``explained + unexplained == total``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slimage.analysis import wanted
from slimage.analysis.classify import PRECEDENCE, WasteClass, classify_path
from slimage.analysis.inventory import Inventory, build_inventory, image_config_body
from slimage.analysis.records import FileKind, FileRecord
from slimage.analysis.steps import StepMap
from slimage.findings import Finding, Location, Severity


@dataclass(frozen=True)
class Claim:
    """Why one file's bytes are avoidable: its class, the cause (a rule id) and its group."""

    waste_class: WasteClass
    cause: str  # key into the causes table: "apt-lists", "toolchain-packages", ...
    group: str  # directory or package the finding names, e.g. "var/lib/apt/lists"


@dataclass(frozen=True)
class Cause:
    """What a finding says about a set of claimed files."""

    code: str
    title: str
    help: str
    severity: Severity = Severity.WARNING


@dataclass
class Explanation:
    findings: list[Finding]
    classes: dict[str, int]  # waste class -> bytes, every class present (0 when none)
    inventory: Inventory
    explained_bytes: int
    unexplained_bytes: int
    total_bytes: int
    notes: list[str] = field(default_factory=list)  # limits of this analysis for this image

    @property
    def explained_share(self) -> float:
        return self.explained_bytes / self.total_bytes if self.total_bytes else 0.0


def content_wanted(path: str, size: int) -> bool:
    """Whether the streaming pass must keep this final-filesystem file's bytes for explain()."""
    return wanted.content_wanted(path, size)


class Claims:
    """Per-path best claim: a new claim replaces the old one only if its class ranks first."""

    def __init__(self) -> None:
        self.by_path: dict[str, Claim] = {}
        self.causes: dict[str, Cause] = {}

    def offer(self, path: str, claim: Claim, cause: Cause) -> None:
        current = self.by_path.get(path)
        if current is None or PRECEDENCE[claim.waste_class] < PRECEDENCE[current.waste_class]:
            self.by_path[path] = claim
            self.causes.setdefault(claim.cause, cause)


def used_locales(config: Mapping[str, Any]) -> frozenset[str]:
    """Languages the image's environment selects (LANG/LC_ALL/LANGUAGE), C/POSIX excluded."""
    env = image_config_body(config).get("Env") or []
    languages: set[str] = set()
    for entry in env:
        name, _, value = str(entry).partition("=")
        if name not in {"LANG", "LC_ALL", "LANGUAGE", "LC_MESSAGES"}:
            continue
        for item in value.split(":"):
            language = item.split(".", 1)[0].split("@", 1)[0]
            if language and language.upper() not in {"C", "POSIX"}:
                languages.add(language)
                languages.add(language.split("_", 1)[0])
    return frozenset(languages)


def _claim_paths(
    regular: Mapping[str, FileRecord], config: Mapping[str, Any], claims: Claims
) -> None:
    locales = used_locales(config)
    for path in regular:
        match = classify_path(path, used_locales=locales)
        if match is None:
            continue
        rule = match.rule
        claims.offer(
            path,
            Claim(rule.waste_class, rule.id, match.group),
            Cause(rule.code, rule.title, rule.help),
        )


def _findings(regular: Mapping[str, FileRecord], claims: Claims, steps: StepMap) -> list[Finding]:
    # cause -> group -> [bytes, files]; cause -> layer -> bytes
    groups: dict[str, dict[str, list[int]]] = {}
    layers: dict[str, dict[int, int]] = {}
    classes: dict[str, WasteClass] = {}
    for path, claim in claims.by_path.items():
        record = regular[path]
        entry = groups.setdefault(claim.cause, {}).setdefault(claim.group, [0, 0])
        entry[0] += record.size
        entry[1] += 1
        per_layer = layers.setdefault(claim.cause, {})
        per_layer[record.layer_index] = per_layer.get(record.layer_index, 0) + record.size
        classes[claim.cause] = claim.waste_class
    findings: list[Finding] = []
    for cause_id, by_group in groups.items():
        cause = claims.causes[cause_id]
        total = sum(size for size, _ in by_group.values())
        count = sum(files for _, files in by_group.values())
        ranked = sorted(by_group.items(), key=lambda item: (-item[1][0], item[0]))
        top_group = ranked[0][0]
        where = f"/{top_group}" + (f" and {len(ranked) - 1} more" if len(ranked) > 1 else "")
        layer_bytes = layers[cause_id]
        main_layer = max(layer_bytes, key=lambda index: (layer_bytes[index], -index))
        help_text = f"{cause.help} ({steps.describe(main_layer)})"
        findings.append(
            Finding(
                code=cause.code,
                name=cause_id,
                message=f"{cause.title}: {_human(total)} in {count} files ({where})",
                severity=cause.severity,
                location=Location(path=f"/{top_group}"),
                help=help_text,
                bytes_saved=total,
                extra={
                    "class": str(classes[cause_id]),
                    "files": count,
                    "groups": [
                        {"path": f"/{group}", "bytes": size, "files": files}
                        for group, (size, files) in ranked[:20]
                    ],
                    "layers": {str(index): size for index, size in sorted(layer_bytes.items())},
                    "layer_index": main_layer,
                },
            )
        )
    findings.sort(key=lambda f: (-(f.bytes_saved or 0), f.code, f.name))
    return findings


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def explain(
    files: Mapping[str, FileRecord],
    contents: Mapping[str, bytes],
    config: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    layer_sizes: Sequence[int],
) -> Explanation:
    """Classify the final filesystem ``files`` (path -> record) into waste classes and findings."""
    regular = {path: record for path, record in files.items() if record.kind is FileKind.FILE}
    total = sum(record.size for record in regular.values())
    steps = StepMap.from_history(history, len(layer_sizes))
    claims = Claims()
    _claim_paths(regular, config, claims)
    classes = {str(waste): 0 for waste in WasteClass}
    for path, claim in claims.by_path.items():
        classes[str(claim.waste_class)] += regular[path].size
    explained = sum(classes.values())
    notes = list(steps.notes)
    inventory = build_inventory(files, contents, config, notes=notes)
    return Explanation(
        findings=_findings(regular, claims, steps),
        classes=classes,
        inventory=inventory,
        explained_bytes=explained,
        unexplained_bytes=total - explained,
        total_bytes=total,
        notes=notes,
    )
