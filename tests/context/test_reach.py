"""analyse_reach: what of the context each stage copies and what reaches the target."""

from __future__ import annotations

from pathlib import Path

from slimage.context.ignore import PatternMatcher
from slimage.context.reach import ReachReport, analyse_reach
from slimage.context.scan import scan_context
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import build_stage_graph


def _context(root: Path, files: list[str]) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)


def _reach(
    root: Path, dockerfile: str, ignore: list[str] | None = None, target: str | None = None
) -> ReachReport:
    df = parse_dockerfile(dockerfile)
    scan = scan_context(root, PatternMatcher(ignore) if ignore else None)
    return analyse_reach(df, build_stage_graph(df), scan, target=target)


FILES = [
    "package.json",
    "package-lock.json",
    "src/index.js",
    "src/lib/util.js",
    "src/lib/util.test.js",
    "README.md",
    "docs/guide.md",
    ".env",
    "requirements-dev.txt",
    "requirements.txt",
]


def test_single_stage_copies(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    report = _reach(
        tmp_path,
        "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nCOPY src/ ./src\n",
    )
    assert set(report.reached) == {
        "package.json",
        "package-lock.json",
        "src/index.js",
        "src/lib/util.js",
        "src/lib/util.test.js",
    }
    assert report.reached["src/index.js"] == 4
    assert report.required == {"package.json", "package-lock.json", "src"}
    assert report.copies[0].destination == "/app"


def test_copy_dot_sends_everything_not_ignored(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    report = _reach(tmp_path, "FROM scratch\nCOPY . /ctx/\n", ignore=["docs", ".env"])
    assert "docs/guide.md" not in report.reached
    assert ".env" not in report.reached
    assert "README.md" in report.reached
    assert report.required == set()


def test_multi_stage_chain_reaches_only_what_is_copied_on(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    dockerfile = """\
FROM node:20 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
FROM deps AS build
COPY src ./src
COPY README.md /notes/
FROM node:20-slim
COPY --from=build /app/src/lib /srv/lib
COPY --from=build /app/package.json /srv/
"""
    report = _reach(tmp_path, dockerfile)
    assert set(report.reached) == {
        "src/lib/util.js",
        "src/lib/util.test.js",
        "package.json",
    }
    # Builder stages still read these from the context.
    assert {"README.md", "src/index.js", "package-lock.json"} <= report.needed
    build = _reach(tmp_path, dockerfile, target="build")
    assert "README.md" in build.reached and "package-lock.json" in build.reached


def test_unused_stage_is_ignored(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    report = _reach(tmp_path, "FROM a AS unused\nCOPY docs /docs\nFROM b\nCOPY README.md /\n")
    assert set(report.reached) == {"README.md"}
    assert "docs/guide.md" not in report.needed


def test_exclude_flag_globs_variables_and_file_destinations(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    dockerfile = """\
FROM python:3.12
ARG REQ=requirements
COPY ${REQ}.txt /app/req.txt
COPY --exclude=**/*.test.js src /app/src
COPY requirements-*.txt /app/extra/
"""
    report = _reach(tmp_path, dockerfile)
    assert "src/lib/util.test.js" not in report.reached
    assert "src/lib/util.js" in report.reached
    assert report.reached["requirements.txt"] == 3
    assert report.reached["requirements-dev.txt"] == 5


def test_missing_and_ignored_sources(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    report = _reach(
        tmp_path, "FROM scratch\nCOPY docs/guide.md /\nCOPY nothere /\n", ignore=["docs"]
    )
    assert [(m.line, m.source, m.excluded) for m in report.missing] == [
        (2, "docs/guide.md", True),
        (3, "nothere", False),
    ]


def test_remote_heredoc_and_external_sources(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    dockerfile = """\
FROM alpine
ADD https://example.com/x.tgz /x/
COPY --from=busybox /bin/sh /sh
COPY <<EOF /etc/conf
hello
EOF
RUN --mount=type=bind,source=docs,target=/d true
"""
    report = _reach(tmp_path, dockerfile)
    assert report.reached == {}
    assert report.missing == []
    assert "docs/guide.md" in report.needed
    assert any("https://example.com/x.tgz" in note for note in report.notes)


def test_destinations_into_directories(tmp_path: Path) -> None:
    _context(tmp_path, FILES)
    dockerfile = """\
FROM python:3.12 AS build
WORKDIR /app
COPY requirements.txt .
COPY README.md /app
COPY package.json /opt/pkg.json
FROM scratch
COPY --from=build /app/requirements.txt /app/README.md /out/
COPY --from=build /opt/pkg.json /pkg.json
"""
    report = _reach(tmp_path, dockerfile)
    assert set(report.reached) == {"requirements.txt", "README.md", "package.json"}


def test_workdir_is_expanded_cleaned_and_inherited_from_the_base_stage(tmp_path: Path) -> None:
    """The replay reads WORKDIR through slimage.dockerfile.workdir, expanding variables
    as the build does: ``${ROOT}/srv`` with ROOT=/ is ``//srv``, which BuildKit cleans to
    ``/srv``, and the stage built FROM base starts there."""
    _context(tmp_path, ["main.py", "README.md"])
    dockerfile = """\
FROM alpine AS base
ARG ROOT=/
WORKDIR ${ROOT}/srv
FROM base
WORKDIR app
COPY main.py .
COPY README.md ../docs/
"""
    report = _reach(tmp_path, dockerfile)
    assert report.placed == {"/srv/app/main.py": "main.py", "/srv/docs/README.md": "README.md"}
    assert [copy.destination for copy in report.copies] == ["/srv/app", "/srv/docs"]
