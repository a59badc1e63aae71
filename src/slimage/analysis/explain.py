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
from slimage.analysis.claimers import CLAIMERS
from slimage.analysis.claims import PACKAGE_GROUP, Claims, ImageFacts, merged_dirs
from slimage.analysis.classify import WasteClass
from slimage.analysis.inventory import InstalledPackage, Inventory, build_inventory
from slimage.analysis.node_deps import package_directory
from slimage.analysis.package_db import read_package_db
from slimage.analysis.runtime import find_entry_point
from slimage.analysis.steps import StepMap
from slimage.filesystem import FileKind, FileRecord
from slimage.findings import Finding, Location, Severity
from slimage.units import human_bytes

RPM_DATABASES = ("var/lib/rpm/", "usr/lib/sysimage/rpm/")


@dataclass
class Explanation:
    """The final filesystem's bytes explained: findings, bytes per waste class, the inventory."""

    findings: list[Finding]
    classes: dict[str, int]  # waste class -> bytes, every class present (0 when none)
    inventory: Inventory
    explained_bytes: int
    unexplained_bytes: int
    total_bytes: int
    notes: list[str] = field(default_factory=list)  # limits of this analysis for this image
    # The cause each classified file is charged to (path -> claim: ``slimage diff`` groups the
    # files it finds added or removed by them; the HTML treemap colours by it).
    claims: Claims = field(default_factory=Claims)

    @property
    def explained_share(self) -> float:
        return self.explained_bytes / self.total_bytes if self.total_bytes else 0.0


def _files(count: int) -> str:
    from slimage.wording import plural

    return plural(count, "file")


# Whether the streaming pass must keep this final-filesystem file's bytes for explain();
# the function itself, not a wrapper: the pass asks once per regular file.
content_wanted = wanted.content_wanted


def _group_entry(group: str, size: int, files: int) -> dict[str, object]:
    if group.startswith(PACKAGE_GROUP):
        return {"package": group[len(PACKAGE_GROUP) :], "bytes": size, "files": files}
    return {"path": f"/{group}", "bytes": size, "files": files}


def _group_label(group: str) -> str:
    return group[len(PACKAGE_GROUP) :] if group.startswith(PACKAGE_GROUP) else f"/{group}"


@dataclass
class _Tally:
    """Per cause: bytes and files per group and per layer, and the biggest file."""

    waste_class: WasteClass
    groups: dict[str, list[int]] = field(default_factory=dict)
    layers: dict[int, int] = field(default_factory=dict)
    biggest: tuple[int, str] = (-1, "")

    def add(self, group: str, record: FileRecord) -> None:
        entry = self.groups.setdefault(group, [0, 0])
        entry[0] += record.size
        entry[1] += 1
        self.layers[record.layer_index] = self.layers.get(record.layer_index, 0) + record.size
        self.biggest = max(self.biggest, (record.size, record.path))


def _findings(regular: Mapping[str, FileRecord], claims: Claims, steps: StepMap) -> list[Finding]:
    tallies: dict[str, _Tally] = {}
    for path, claim in claims.by_path.items():
        tally = tallies.setdefault(claim.cause, _Tally(claim.waste_class))
        tally.add(claim.group, regular[path])
    findings: list[Finding] = []
    for cause_id, tally in tallies.items():
        cause = claims.causes[cause_id]
        total = sum(size for size, _ in tally.groups.values())
        count = sum(files for _, files in tally.groups.values())
        if total == 0:
            continue  # empty files (apt's lists/lock): nothing to save, nothing to say
        ranked = sorted(tally.groups.items(), key=lambda item: (-item[1][0], item[0]))
        top_group = ranked[0][0]
        more = f" and {len(ranked) - 1} more" if len(ranked) > 1 else ""
        where = _group_label(top_group) + more
        # A package group has no single directory: point at its biggest file.
        location = tally.biggest[1] if top_group.startswith(PACKAGE_GROUP) else top_group
        main_layer = max(tally.layers, key=lambda index: (tally.layers[index], -index))
        findings.append(
            Finding(
                code=cause.code,
                name=cause.name or cause_id,
                message=f"{cause.title}: {human_bytes(total)} in {_files(count)} ({where})",
                severity=cause.severity,
                location=Location(path=f"/{location}"),
                help=f"{cause.help} ({steps.describe(main_layer, cause.keywords)})",
                bytes_saved=total,
                extra={
                    "class": str(tally.waste_class),
                    "files": count,
                    "groups": [_group_entry(g, size, n) for g, (size, n) in ranked[:20]],
                    "layers": {str(index): size for index, size in sorted(tally.layers.items())},
                    "layer_index": main_layer,
                },
            )
        )
    findings.sort(key=lambda f: (-(f.bytes_saved or 0), f.code, f.name))
    return findings


def _config_secret_findings(facts: ImageFacts) -> list[Finding]:
    findings = []
    for hit in facts.secret_hits:
        if hit.path != "config:Env":
            continue
        findings.append(
            Finding(
                code="SL2005",  # secret-in-arg-env: the lint rule for the same cause
                name="secret-in-config-env",
                message=f"secret in the image config's Env: {hit.kind} = {hit.masked}",
                severity=Severity.ERROR,
                location=Location(path="config:Env"),
                help="pass it at run time (or with `RUN --mount=type=secret` at build time), "
                "not with ENV or ARG",
            )
        )
    return findings


def _python_inventory(facts: ImageFacts) -> list[InstalledPackage]:
    packages = []
    for distribution in facts.python_distributions:
        size = sum(facts.regular[path].size for path in distribution.files if path in facts.regular)
        packages.append(
            InstalledPackage(
                distribution.display_name,
                distribution.version,
                size,
                "python",
                location=f"/{distribution.site_dir}",
            )
        )
    return packages


def _node_inventory(facts: ImageFacts) -> list[InstalledPackage]:
    if not facts.node_packages:
        return []
    sizes: dict[str, int] = {}
    for path, record in facts.regular.items():
        if "node_modules/" in path:
            directory = package_directory(path)
            if directory is not None:
                sizes[directory] = sizes.get(directory, 0) + record.size
    return [
        InstalledPackage(
            package.name,
            package.version,
            sizes.get(package.directory, 0),
            "node",
            location=f"/{package.directory}",
        )
        for package in facts.node_packages
    ]


def claim_files(
    files: Mapping[str, FileRecord], contents: Mapping[str, bytes], config: Mapping[str, Any]
) -> tuple[ImageFacts, Claims]:
    """Run every claimer: per regular file, the one cause its bytes are charged to
    (``Claims.by_path``), and what was learnt on the way. :func:`explain` summarises this;
    tools that need the per-file answer (benchmarks/explain_coverage.py) call it directly."""
    file_kind = FileKind.FILE  # a local name: an enum lookup per file costs more
    regular = {path: record for path, record in files.items() if record.kind is file_kind}
    notes: list[str] = []
    db = read_package_db(contents)
    if any(path.startswith(RPM_DATABASES) for path in files):
        notes.append("the rpm database is not read: RPM packages are classified by path only")
    owners = db.owners(merged_dirs(files)) if db is not None else {}
    facts = ImageFacts(
        files, regular, contents, config, db, owners, find_entry_point(files, config), notes
    )
    claims = Claims(frozenset({facts.entry.program} if facts.entry.program else ()))
    for claimer in CLAIMERS:
        claimer(facts, claims)
    return facts, claims


def explain(
    files: Mapping[str, FileRecord],
    contents: Mapping[str, bytes],
    config: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    layer_sizes: Sequence[int],
) -> Explanation:
    """Classify the final filesystem ``files`` (path -> record) into waste classes and findings."""
    steps = StepMap.from_history(history, len(layer_sizes))
    facts, claims = claim_files(files, contents, config)
    regular, db, notes = facts.regular, facts.db, facts.notes
    notes[:0] = steps.notes
    total = sum(record.size for record in regular.values())
    classes = {str(waste): 0 for waste in WasteClass}
    for path, claim in claims.by_path.items():
        classes[str(claim.waste_class)] += regular[path].size
    explained = sum(classes.values())
    os_packages = (
        [
            InstalledPackage(p.name, p.version, p.installed_bytes, db.manager)
            for p in db.packages.values()
        ]
        if db is not None
        else []
    )
    inventory = build_inventory(
        files,
        contents,
        config,
        os_packages=os_packages,
        python_packages=_python_inventory(facts),
        node_packages=_node_inventory(facts),
        notes=notes,
    )
    return Explanation(
        findings=_findings(regular, claims, steps) + _config_secret_findings(facts),
        classes=classes,
        inventory=inventory,
        explained_bytes=explained,
        unexplained_bytes=total - explained,
        total_bytes=total,
        notes=notes,
        claims=claims,
    )
