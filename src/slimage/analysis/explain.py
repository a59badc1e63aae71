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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slimage.analysis import node_deps, python_deps, secrets, wanted
from slimage.analysis.base_os import SLIM_BASES, base_waste, judge_base
from slimage.analysis.classify import PRECEDENCE, WasteClass, classify_path
from slimage.analysis.duplicates import find_duplicates
from slimage.analysis.inventory import (
    MERGED_DIRS,
    InstalledPackage,
    Inventory,
    build_inventory,
    image_config_body,
)
from slimage.analysis.packages import PackageDb, read_package_db, removable_packages
from slimage.analysis.records import FileKind, FileRecord
from slimage.analysis.runtime import PACKAGE_MANAGER_RUNNERS, EntryPoint, find_entry_point
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


# Build-only package categories (packages.BUILD_ONLY_CATEGORIES) -> the cause they report.
PACKAGE_CAUSES: dict[str, tuple[str, Cause]] = {
    "compilers and build tools": (
        "build-toolchain-packages",
        Cause(
            "SA104",
            "build toolchain packages (compilers, headers, -dev packages) and what they pulled in",
            "build in a builder stage and copy only the results into a runtime stage; or "
            "`apt-get purge -y --auto-remove {names}` in the RUN that installed them",
        ),
    ),
    "version control": (
        "vcs-packages",
        Cause(
            "SA104",
            "version control tools (git, subversion, mercurial) and their dependencies",
            "fetch sources in a builder stage; or `apt-get purge -y --auto-remove {names}`",
        ),
    ),
    "npm (install-time only)": (
        "npm-package",
        Cause(
            "SA119",
            "the distribution's npm and the hundreds of node-* packages it depends on",
            "run `npm ci` in a builder stage and copy node_modules; or "
            "`apt-get purge -y --auto-remove {names}` after installing dependencies",
        ),
    ),
    "download tools": (
        "download-tool-packages",
        Cause(
            "SA104",
            "download tools (curl, wget, gnupg) used only while building",
            "download in a builder stage (or `ADD <url>`); or "
            "`apt-get purge -y --auto-remove {names}`",
            Severity.INFO,
        ),
    ),
    "no longer needed": (
        "autoremovable-packages",
        Cause(
            "SA104",
            "packages installed as dependencies that nothing installed needs any more",
            "run `apt-get autoremove -y` in the RUN that removed their users ({names})",
            Severity.INFO,
        ),
    ),
}


PYTHON_CAUSES: dict[str, tuple[str, Cause]] = {
    "dev-tool": (
        "python-dev-dependencies",
        Cause(
            "SA113",
            "Python test, lint and type-check tools (and what only they require)",
            "install only runtime requirements in the runtime stage (keep dev tools in a "
            "separate requirements file or dependency group)",
        ),
    ),
    "packaging-tool": (
        "python-packaging-tools",
        Cause(
            "SA113",
            "Python installers (pip, setuptools, wheel) not needed to run the app",
            "install into a virtualenv in a builder stage and copy it into a runtime base "
            "without pip (e.g. distroless/python3)",
            Severity.INFO,
        ),
    ),
}


@dataclass
class ImageFacts:
    """What the claimers share: the final filesystem and what was learnt about it."""

    files: Mapping[str, FileRecord]
    regular: Mapping[str, FileRecord]
    contents: Mapping[str, bytes]
    config: Mapping[str, Any]
    db: PackageDb | None
    owners: dict[str, str]
    entry: EntryPoint
    notes: list[str]
    secret_hits: list[secrets.SecretHit] = field(default_factory=list)
    node_packages: list[node_deps.NodePackage] = field(default_factory=list)
    python_distributions: list[python_deps.Distribution] = field(default_factory=list)


def _merged_dirs(files: Mapping[str, FileRecord]) -> list[str]:
    """usrmerge: top-level directories that are symlinks into /usr (bin -> usr/bin)."""
    merged = []
    for name in MERGED_DIRS:
        record = files.get(name)
        if (
            record is not None
            and record.kind is FileKind.SYMLINK
            and record.link_target.strip("/") in {f"usr/{name}", f"./usr/{name}"}
        ):
            merged.append(name)
    return merged


def _claim_paths(facts: ImageFacts, claims: Claims) -> None:
    locales = used_locales(facts.config)
    skip: frozenset[str] = frozenset()
    if facts.entry.program_name in PACKAGE_MANAGER_RUNNERS:
        skip = frozenset({"node-package-manager"})  # `npm start` needs npm
    for path in facts.regular:
        match = classify_path(path, used_locales=locales, skip_rules=skip)
        if match is None:
            continue
        rule = match.rule
        claims.offer(
            path,
            Claim(rule.waste_class, rule.id, match.group),
            Cause(rule.code, rule.title, rule.help),
        )


def _claim_os_packages(facts: ImageFacts, claims: Claims) -> None:
    if facts.db is None:
        return
    removal = removable_packages(facts.db)
    if facts.entry.program_name in PACKAGE_MANAGER_RUNNERS:
        removal.removable = {
            name: category
            for name, category in removal.removable.items()
            if category != "npm (install-time only)"
        }
    named: dict[str, list[str]] = {}
    for name in removal.build_only:
        if name in removal.removable:
            named.setdefault(removal.removable[name], []).append(name)
    for path in facts.regular:
        owner = facts.owners.get(path)
        if owner is None or owner not in removal.removable:
            continue
        category = removal.removable[owner]
        cause_id, cause = PACKAGE_CAUSES[category]
        names = sorted(named.get(category, []))
        if not names:  # "no longer needed": name the packages themselves
            names = sorted({n for n, c in removal.removable.items() if c == category})
        shown = " ".join(names[:8]) + (" ..." if len(names) > 8 else "")
        claims.offer(
            path,
            Claim(WasteClass.BUILD_TOOLCHAIN, cause_id, owner),
            Cause(cause.code, cause.title, cause.help.format(names=shown), cause.severity),
        )
    if removal.kept_build_only:
        kept = ", ".join(removal.kept_build_only[:10])
        facts.notes.append(f"build-only packages kept because a runtime package needs them: {kept}")


def _claim_secrets(facts: ImageFacts, claims: Claims) -> None:
    for path, data in sorted(facts.contents.items()):
        if path not in facts.regular or not wanted.is_secret_candidate(path):
            continue
        hits = secrets.scan_file(path, data)
        if not hits:
            continue
        shown = "; ".join(f"{hit.kind} {hit.masked}" for hit in hits[:3])
        more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
        cause = Cause(
            "SA115",
            f"secret in the image ({shown}{more})",
            "delete it and rotate it; pass secrets with `RUN --mount=type=secret` and keep "
            "them out of the build context with .dockerignore",
            Severity.ERROR,
        )
        claims.offer(path, Claim(WasteClass.SECRETS, f"secret:{path}", path), cause)
        facts.secret_hits.extend(hits)
    env = image_config_body(facts.config).get("Env") or []
    facts.secret_hits.extend(secrets.scan_env([str(entry) for entry in env]))


def _claim_dev_dependencies(facts: ImageFacts, claims: Claims) -> None:
    for app in node_deps.find_apps(facts.contents):
        facts.node_packages.extend(app.packages.values())
        where = f"/{app.directory}" if app.directory else "/"
        cause = Cause(
            "SA112",
            "Node packages a production install would not keep (devDependencies and what "
            "only they need)",
            f"install with `npm ci --omit=dev` (yarn: `--production`) in {where}, or build "
            "in a builder stage and copy a production node_modules",
        )
        for path, package in node_deps.dev_only_files(app, facts.regular).items():
            claims.offer(
                path, Claim(WasteClass.DEV_DEPENDENCIES, "node-dev-dependencies", package), cause
            )
    distributions = python_deps.find_distributions(facts.contents)
    facts.python_distributions.extend(distributions)
    requested = {
        d.metadata_dir for d in distributions if f"{d.metadata_dir}/REQUESTED" in facts.files
    }
    verdict = python_deps.dev_only(distributions, requested)
    by_dir = {d.metadata_dir: d for d in distributions}
    for metadata_dir, kind in verdict.items():
        distribution = by_dir[metadata_dir]
        cause_id, cause = PYTHON_CAUSES[kind]
        group = f"{distribution.site_dir}/{distribution.display_name}"
        for path in distribution.files:
            if path in facts.regular:
                claims.offer(path, Claim(WasteClass.DEV_DEPENDENCIES, cause_id, group), cause)


def _claim_duplicates(facts: ImageFacts, claims: Claims) -> None:
    cause = Cause(
        "SA114",
        "files stored more than once under different paths",
        "copy each file once (or hard-link the copies in the same RUN)",
        Severity.INFO,
    )
    for duplicate in find_duplicates(facts.regular, claims.by_path.keys()):
        for path in duplicate.copies:
            claims.offer(path, Claim(WasteClass.DUPLICATES, "duplicates", duplicate.kept), cause)


def _claim_base(facts: ImageFacts, claims: Claims) -> None:
    go_app = any(p.endswith(".go") or p.startswith("usr/local/go/") for p in facts.regular)
    verdict = judge_base(facts.entry, facts.regular, facts.db, facts.owners, go_app=go_app)
    if verdict is None:
        facts.notes.append(
            "the entry program was not found in the image: the base OS is not judged"
        )
        return
    suggestion = SLIM_BASES.get(verdict.language, "a slim or distroless base")
    if verdict.compiled:
        title = "the base OS around a compiled binary (it needs only itself, CA certs, tzdata)"
    else:
        program = facts.entry.program_name or "the runtime"
        title = f"OS packages and files that `{program}` does not need at run time"
    cause = Cause("SA116", title, f"use {suggestion} as the runtime base", Severity.WARNING)
    for path, group in base_waste(verdict, facts.regular, facts.owners).items():
        claims.offer(path, Claim(WasteClass.HEAVY_BASE, "heavy-base", group), cause)
    source = Cause(
        "SA118",
        "source code and build inputs beside the compiled binary",
        "build in a builder stage and `COPY --from=builder` only the binary",
    )
    for path in verdict.app_source:
        claims.offer(
            path, Claim(WasteClass.BUILD_LEFTOVERS, "app-source", facts.entry.workdir), source
        )


# Order matters only where a claimer reads earlier claims (duplicates skip claimed files).
CLAIMERS: tuple[Callable[[ImageFacts, Claims], None], ...] = (
    _claim_secrets,
    _claim_paths,
    _claim_dev_dependencies,
    _claim_os_packages,
    _claim_duplicates,
    _claim_base,
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
            directory = node_deps.package_directory(path)
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
    notes = list(steps.notes)
    db = read_package_db(contents)
    owners = db.owners(_merged_dirs(files)) if db is not None else {}
    facts = ImageFacts(
        files, regular, contents, config, db, owners, find_entry_point(files, config), notes
    )
    claims = Claims()
    for claimer in CLAIMERS:
        claimer(facts, claims)
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
    )
