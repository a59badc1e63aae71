"""The claimers: each looks at the image one way and offers claims for the files it explains.

Paths (:mod:`~slimage.analysis.classify`), secrets, Node and Python dev dependencies, OS
packages only a build needs, duplicates, and last the base OS as a whole. Each cause a
claimer reports is a :class:`~slimage.analysis.claims.Cause`: a code (the lint rule's SL
code for the same cause where there is one, else an analysis SA code; docs/findings.md),
a title and the Dockerfile change that saves the bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from slimage.analysis import node_deps, python_deps, secrets, wanted
from slimage.analysis.base_os import SLIM_BASES, base_waste, has_native_extensions, judge_base
from slimage.analysis.claims import (
    PACKAGE_GROUP,
    Cause,
    Claim,
    Claims,
    ImageFacts,
    merged_dirs,
    used_locales,
)
from slimage.analysis.classify import PACKAGE_INSTALL, PathClassifier, WasteClass
from slimage.analysis.duplicates import find_duplicates
from slimage.analysis.inventory import image_config_body
from slimage.analysis.package_db import PackageDb
from slimage.analysis.packages import dev_runtime_libraries, removable_packages
from slimage.analysis.runtime import PACKAGE_MANAGER_RUNNERS
from slimage.findings import Severity

# How each package manager removes packages and what only they needed.
REMOVE_COMMANDS: dict[str, tuple[str, str]] = {
    "dpkg": ("apt-get purge -y --auto-remove {names}", "apt-get autoremove -y"),
    "apk": ("apk del {names}", "apk del {names}"),
}

# Build-only package groups (packages.REPORTED_CATEGORIES) -> the cause they report.
PACKAGE_CAUSES: dict[str, tuple[str, Cause]] = {
    "compilers and build tools": (
        "build-toolchain-packages",
        Cause(
            "SL1003",  # toolchain-in-runtime
            "build toolchain packages (compilers, headers, -dev packages) and what they pulled in",
            "build in a builder stage and copy only the results into a runtime stage; or "
            "`{remove}` in the RUN that installed them",
        ),
    ),
    "version control": (
        "vcs-packages",
        Cause(
            "SL1003",  # toolchain-in-runtime lists git too
            "version control tools (git, subversion, mercurial) and their dependencies",
            "fetch sources in a builder stage; or `{remove}`",
        ),
    ),
    "npm (install-time only)": (
        "npm-package",
        Cause(
            "SA119",
            "the distribution's npm (or yarn) and what it pulled in (hundreds of node-* packages)",
            "run `npm ci` in a builder stage and copy node_modules; or "
            "`{remove}` after installing dependencies",
        ),
    ),
    "download tools": (
        "download-tool-packages",
        Cause(
            "SA104",
            "download tools (curl, wget, gnupg) used only while building",
            "download in a builder stage (or `ADD <url>`); or `{remove}`",
            Severity.INFO,
        ),
    ),
    "no longer needed": (
        "autoremovable-packages",
        Cause(
            "SA104",
            "packages installed as dependencies that nothing installed needs any more",
            "run `{autoremove}` in the RUN that removed their users ({names})",
            Severity.INFO,
        ),
    ),
}


PYTHON_CAUSES: dict[str, tuple[str, Cause]] = {
    "dev-tool": (
        "python-dev-dependencies",
        Cause(
            "SL1005",  # dev-dependencies-in-runtime
            "Python test, lint and type-check tools (and what only they require)",
            "install only runtime requirements in the runtime stage (keep dev tools in a "
            "separate requirements file or dependency group)",
            keywords=("pip ", "uv ", "poetry "),
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
            ("pip ", "python"),
        ),
    ),
}


def claim_paths(facts: ImageFacts, claims: Claims) -> None:
    locales = used_locales(facts.config)
    skip: frozenset[str] = frozenset()
    if facts.entry.program_name in PACKAGE_MANAGER_RUNNERS:
        skip = frozenset({"node-package-manager"})  # `npm start` needs npm
    classifier = PathClassifier(used_locales=locales, skip_rules=skip, present=facts.files)
    classify, offer = classifier.classify, claims.offer
    # Claims and causes are values: one per rule and group, shared by the group's files.
    made: dict[tuple[str, str], tuple[Claim, Cause]] = {}
    for path in facts.regular:
        match = classify(path)
        if match is None:
            continue
        key = (match.rule.id, match.group)
        pair = made.get(key)
        if pair is None:
            rule = match.rule
            pair = made[key] = (
                Claim(rule.waste_class, rule.id, match.group),
                Cause(rule.code, rule.title, rule.help, rule.severity, rule.keywords),
            )
        offer(path, *pair)


def claim_os_packages(facts: ImageFacts, claims: Claims) -> None:
    if facts.db is None:
        return
    # Native extensions left in the app were most likely built against the -dev packages
    # installed alongside: the libraries behind those stay (libpq5 for psycopg2).
    unclaimed = (path for path in facts.regular if path not in claims.by_path)
    if has_native_extensions(unclaimed):
        facts.native_link_libraries = dev_runtime_libraries(facts.db)
    facts.run_time_tools = _run_time_tools(facts, facts.db)
    removal = removable_packages(facts.db, keep=facts.native_link_libraries | facts.run_time_tools)
    if facts.entry.program_name in PACKAGE_MANAGER_RUNNERS:
        removal.removable = {
            name: category
            for name, category in removal.removable.items()
            if category != "npm (install-time only)"
        }
    # Name what was asked for: build-only packages no other removable package depends on
    # (build-essential, not the gcc-12 it pulls in).
    required = {
        alternative
        for name in removal.removable
        for alternatives in facts.db.packages[name].depends
        for alternative in alternatives
    }
    named: dict[str, list[str]] = {}
    for name in removal.build_only:
        if name in removal.removable and name not in required:
            named.setdefault(removal.removable[name], []).append(name)
    remove, autoremove = REMOVE_COMMANDS[facts.db.manager]
    directories = _generated_file_owners(facts, set(removal.removable))
    for path in facts.regular:
        owner = facts.owners.get(path) or directories.get(path)
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
            Claim(WasteClass.BUILD_TOOLCHAIN, cause_id, PACKAGE_GROUP + owner),
            Cause(
                cause.code,
                cause.title,
                cause.help.format(
                    names=shown,
                    remove=remove.format(names=shown),
                    autoremove=autoremove.format(names=shown),
                ),
                cause.severity,
                PACKAGE_INSTALL,
            ),
        )
    facts.removable_packages = set(removal.removable)
    if removal.kept_build_only:
        kept = ", ".join(removal.kept_build_only[:10])
        facts.notes.append(
            f"build-only packages kept (runtime packages or the image's commands need them): {kept}"
        )


def _run_time_tools(facts: ImageFacts, db: PackageDb) -> set[str]:
    """Build-only-looking packages the image runs: `curl` in a HEALTHCHECK, `make` as the
    entry program. Their names appear as words of the healthcheck or entry command."""
    body = image_config_body(facts.config)
    healthcheck = body.get("Healthcheck") or {}
    words = (
        [str(word) for word in (healthcheck.get("Test") or [])]
        if isinstance(healthcheck, Mapping)
        else []
    )
    words += facts.entry.argv
    text = " ".join(words).replace("/", " ")
    names = set(text.split())
    if facts.entry.program and facts.entry.program in facts.owners:
        names.add(facts.owners[facts.entry.program])
    return {name for name in names if name in db.packages}


def _generated_file_owners(facts: ImageFacts, removable: set[str]) -> dict[str, str]:
    """Unowned files that maintainer scripts made inside a removable package's directories
    (py3compile's __pycache__, update-alternatives links' targets): path -> that package.

    The nearest ancestor directory a package lists decides, and only when every package
    listing it is removable (usr/lib is listed by hundreds of packages: it never decides).
    """
    if facts.db is None or not removable:
        return {}
    listed = facts.db.listings(merged_dirs(facts.files))
    found: dict[str, str] = {}
    for path in facts.regular:
        if path in facts.owners:
            continue
        directory = path.rpartition("/")[0]
        while directory and directory not in listed:
            directory = directory.rpartition("/")[0]
        packages = listed.get(directory)
        if packages and packages <= removable:
            found[path] = min(packages)
    return found


def claim_secrets(facts: ImageFacts, claims: Claims) -> None:
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
            ("COPY", "ADD"),
            name="secret-file",
        )
        claims.offer(path, Claim(WasteClass.SECRETS, f"secret:{path}", path), cause)
        facts.secret_hits.extend(hits)
    env = image_config_body(facts.config).get("Env") or []
    facts.secret_hits.extend(secrets.scan_env([str(entry) for entry in env]))


def claim_dev_dependencies(facts: ImageFacts, claims: Claims) -> None:
    for app in node_deps.find_apps(facts.contents):
        facts.node_packages.extend(app.packages.values())
        where = f"/{app.directory}" if app.directory else "/"
        cause = Cause(
            "SL1005",  # dev-dependencies-in-runtime
            "Node packages a production install would not keep (devDependencies and what "
            "only they need)",
            f"install with `npm ci --omit=dev` (yarn: `--production`) in {where}, or build "
            "in a builder stage and copy a production node_modules",
            keywords=("npm ", "yarn", "pnpm"),
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


def claim_duplicates(facts: ImageFacts, claims: Claims) -> None:
    cause = Cause(
        "SA114",
        "files stored more than once under different paths",
        "copy each file once (or hard-link the copies in the same RUN)",
        Severity.INFO,
    )
    keep = [facts.entry.program] if facts.entry.program else []
    for duplicate in find_duplicates(facts.regular, claims.by_path.keys(), keep):
        for path in duplicate.copies:
            claims.offer(path, Claim(WasteClass.DUPLICATES, "duplicates", duplicate.kept), cause)


def _is_go_marker(path: str) -> bool:
    """A Go SDK, or a Go module outside the system trees (git's docs carry .go examples)."""
    if path.startswith(("usr/local/go/bin/", "usr/lib/go-", "usr/lib/go/")):
        return True
    return path.endswith(("/go.mod", "/go.sum")) and not path.startswith("usr/")


def claim_base(facts: ImageFacts, claims: Claims) -> None:
    go_app = any(_is_go_marker(path) for path in facts.regular)
    verdict = judge_base(
        facts.entry,
        facts.regular,
        facts.db,
        facts.owners,
        go_app=go_app,
        removable=facts.removable_packages,
        native_link_libraries=facts.native_link_libraries | facts.run_time_tools,
    )
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
        title = (
            f"OS packages `{program}` does not depend on (a slim or distroless runtime "
            "ships without them)"
        )
    cause = Cause("SL1001", title, f"use {suggestion} as the runtime base", Severity.WARNING)
    for path, group in base_waste(verdict, facts.regular, facts.owners).items():
        claims.offer(path, Claim(WasteClass.HEAVY_BASE, "heavy-base", group), cause)
    source = Cause(
        "SL1002",  # single-stage-build
        "source code and build inputs beside the compiled binary",
        "build in a builder stage and `COPY --from=builder` only the binary",
        keywords=("COPY", "ADD"),
    )
    for path in verdict.app_source:
        claims.offer(
            path, Claim(WasteClass.BUILD_LEFTOVERS, "app-source", facts.entry.workdir), source
        )


# Order matters only where a claimer reads earlier claims: duplicates are looked for last,
# among the files no other cause removes (a copy of a file the base OS takes away is not
# a duplicate worth reporting).
CLAIMERS: tuple[Callable[[ImageFacts, Claims], None], ...] = (
    claim_secrets,
    claim_paths,
    claim_dev_dependencies,
    claim_os_packages,
    claim_base,
    claim_duplicates,
)
