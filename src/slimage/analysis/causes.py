"""The registry of analysis causes: every code a finding of ``slimage analyze`` carries.

Like the lint rules, each cause has one entry here: its code, the finding names it
reports under, its waste class and its documentation. Where a lint rule names the same
cause from the Dockerfile, the finding uses the rule's code (SLxxxx) so that one
suppression or one fix covers both; the others have analysis codes (SA1xx). The path
rules (:mod:`slimage.analysis.path_rules`) and the claimers
(:mod:`slimage.analysis.claimers`) give each finding its code; a test checks that every
code they use is registered here with the names they report. The table of
``docs/findings.md`` and ``slimage rule SA102`` are generated from this registry
(``python scripts/gen_cause_docs.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

CODE_PATTERN = re.compile(r"^(SA1\d\d|SL\d{4})$")


@dataclass(frozen=True)
class AnalysisCause:
    """One cause of avoidable bytes (or of a risk) found in an image's final filesystem."""

    code: str  # "SA102", or the lint rule's code when it names the same cause
    names: tuple[str, ...]  # the finding names reported under this code
    classes: tuple[str, ...]  # waste classes of its bytes; () when it has no bytes
    title: str  # one line: what the bytes are
    documentation: str = ""  # what it finds and what saves the bytes (markdown)
    lint_rule: str = ""  # the lint rule reporting the same cause from the Dockerfile

    def markdown(self) -> str:
        """The page ``slimage rule CODE`` prints for an analysis code."""
        lines = [f"# {self.code}: {', '.join(self.names)}", "", self.title + "."]
        if self.documentation:
            lines += ["", self.documentation]
        lines += [
            "",
            f"Waste class: {', '.join(f'`{c}`' for c in self.classes) or '-- (no bytes)'}.",
        ]
        if self.lint_rule:
            lines.append(f"The lint rule {self.code} ({self.lint_rule}) names it in Dockerfiles.")
        lines += ["", "Found by `slimage analyze`; see docs/findings.md for how."]
        return "\n".join(lines) + "\n"


def _cause(
    code: str,
    names: str,
    classes: str,
    title: str,
    documentation: str = "",
    lint_rule: str = "",
) -> AnalysisCause:
    return AnalysisCause(
        code,
        tuple(names.split()),
        tuple(classes.split()),
        title,
        " ".join(documentation.split()),
        lint_rule,
    )


_CAUSES = (
    _cause(
        "SL1001",
        "heavy-base",
        "heavy-base",
        "the base OS the entry program does not need",
        "Every file of the base OS that the entry program's closure does not need; a slim "
        "or distroless base (or `scratch` for a static binary) would not ship it.",
        "heavy-base-image",
    ),
    _cause(
        "SL1002",
        "go-sdk rust-toolchain jdk-only rust-build-directory app-source",
        "build-toolchain build-leftovers",
        "SDKs and build outputs of a build done in the runtime stage",
        "Build in a builder stage and copy only the artifact into the runtime stage.",
        "single-stage-build",
    ),
    _cause(
        "SL1003",
        "build-toolchain-packages vcs-packages c-toolchain static-libraries node-gyp",
        "build-toolchain",
        "OS packages only a build needs, with what they pulled in; C toolchains, static "
        "libraries, node-gyp",
        "Install build tools in a builder stage; or purge them (and autoremove) in the same "
        "RUN that used them.",
        "toolchain-in-runtime",
    ),
    _cause(
        "SL1005",
        "node-dev-dependencies python-dev-dependencies",
        "dev-dependencies",
        "packages only development needs",
        "Install only runtime dependencies in the runtime stage (`npm ci --omit=dev`, a "
        "separate requirements file or dependency group).",
        "dev-dependencies-in-runtime",
    ),
    _cause(
        "SL1009",
        "apt-lists",
        "package-cache",
        "apt package lists kept",
        "",
        "apt-lists-kept",
    ),
    _cause("SL1011", "apk-cache", "package-cache", "apk's package cache", "", "apk-no-cache"),
    _cause(
        "SL1012",
        "pip-cache",
        "package-cache",
        "pip/uv/poetry caches",
        "",
        "pip-no-cache-dir",
    ),
    _cause(
        "SL1013",
        "node-cache",
        "package-cache",
        "npm/yarn/pnpm caches",
        "",
        "npm-cache-kept",
    ),
    _cause(
        "SL1014",
        "rpm-cache",
        "package-cache",
        "yum/dnf/zypper caches",
        "",
        "yum-dnf-zypper-clean",
    ),
    _cause(
        "SL2005",
        "secret-in-config-env",
        "",
        "a secret-looking variable in the config's Env",
        "The value is masked in the report. Pass secrets at run time, or as build secrets "
        "(`RUN --mount=type=secret`), never as ENV.",
        "secret-in-arg-env",
    ),
    _cause(
        "SA102",
        "apt-archives",
        "package-cache",
        "downloaded `.deb` files and apt's `*.bin` caches",
        "Files under `/var/cache/apt/` (and debconf's old templates). Run `apt-get clean` in "
        "the same RUN as `apt-get install`, or use `--mount=type=cache,target=/var/cache/apt`.",
    ),
    _cause(
        "SA103",
        "go-cache cargo-cache jvm-cache misc-cache",
        "package-cache",
        "language build caches",
        "Go's module and build caches, cargo's registry, maven and gradle caches, and other "
        "tool caches under home directories. Use a cache mount "
        "(`RUN --mount=type=cache,target=...`) or build in a builder stage.",
    ),
    _cause(
        "SA104",
        "download-tool-packages autoremovable-packages",
        "build-toolchain",
        "curl/wget/gnupg, unzip and repository set-up tools (software-properties-common), "
        "and packages nothing needs any more",
        "Download in a builder stage (or `ADD <url>`); run `apt-get autoremove` in the RUN "
        "that removed the packages' users.",
    ),
    _cause(
        "SA106",
        "vcs-directory",
        "vcs",
        "`.git` and friends",
        "Version control metadata copied into the image. In the Dockerfile: SL1006/SL1007, "
        "the .dockerignore rules.",
    ),
    _cause(
        "SA107",
        "documentation",
        "docs",
        "documentation",
        "`/usr/share/doc`, `man`, `info`; `docs/` and `examples/` in `node_modules`.",
    ),
    _cause(
        "SA108",
        "locales",
        "locales",
        "translations and locale data the configured `LANG` does not use",
    ),
    _cause(
        "SA109",
        "dependency-tests python-stdlib-tests",
        "tests",
        "tests of dependencies, and Python's own `test/` package",
        "`test/`, `tests/`, `__tests__/` inside `node_modules` and site-packages.",
    ),
    _cause(
        "SA110",
        "python-bytecode",
        "bytecode-cache",
        "`__pycache__` in app directories",
        "The standard library's and installed packages' `.pyc` are not counted: removing "
        "them slows every start-up, and a read-only filesystem could not rewrite them.",
    ),
    _cause("SA111", "source-maps", "source-maps", "`*.js.map`, `*.css.map`, `*.ts.map`"),
    _cause(
        "SA113",
        "python-packaging-tools",
        "dev-dependencies",
        "pip, setuptools, wheel in the runtime",
        "Install into a virtualenv in a builder stage and copy it into a runtime base without pip.",
    ),
    _cause(
        "SA114",
        "duplicates",
        "duplicates",
        "the second and later copies of identical files",
        "Files with the same digest and size at different paths; hard links are one file. "
        "The copy written by the earliest layer stays.",
    ),
    _cause(
        "SA115",
        "secret-file",
        "secrets",
        "a secret file, one finding per file (severity error)",
        "Private keys, `.env` files, cloud and registry credentials. Values are masked in "
        "the report. Keep them out of the build context, or use build secrets.",
    ),
    _cause(
        "SA118",
        "temporary-files package-logs",
        "build-leftovers",
        "`/tmp` and package manager logs",
    ),
    _cause(
        "SA119",
        "node-package-manager npm-package",
        "build-toolchain",
        "npm/yarn/corepack shipped in the runtime",
        "Not reported when the entry runs `npm`/`yarn`. Run `npm ci` in a builder stage and "
        "copy `node_modules`.",
    ),
)

CAUSES = MappingProxyType({cause.code: cause for cause in _CAUSES})


def find_cause(code_or_name: str) -> AnalysisCause | None:
    """The cause with this code (``SA102``, any case) or finding name, else None."""
    cause = CAUSES.get(code_or_name.upper())
    if cause is not None:
        return cause
    return next((c for c in _CAUSES if code_or_name in c.names), None)


def causes_table() -> str:
    """The markdown table of docs/findings.md ("Codes")."""
    rows = [
        "| code   | name(s)                                                     | class |",
        "|--------|-------------------------------------------------------------|-------|",
    ]
    for cause in _CAUSES:
        names = ", ".join(f"`{name}`" for name in cause.names)
        text = f"{names} -- {cause.title}"
        if cause.lint_rule:
            text += f" (lint: {cause.lint_rule})"
        classes = ", ".join(cause.classes) or "-- (no bytes)"
        rows.append(f"| {cause.code:<6} | {text} | {classes} |")
    return "\n".join(rows) + "\n"


__all__ = ["CAUSES", "AnalysisCause", "causes_table", "find_cause"]
