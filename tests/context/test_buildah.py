"""Cross-check against a real builder: buildah builds, slimage predicts, both must agree.

Each case builds ``FROM scratch`` + ``COPY . /ctx/`` from a context holding a tricky
``.dockerignore`` and compares what reached the image layer with what
:func:`scan_context` says the build sends. The suggestion tests build the sample
projects' own COPY lines (on ``scratch``) with the suggested ignore file: the build must
succeed and the files the build needs must be in the image.

buildah runs with the vfs driver, chroot isolation and a private storage root per test
session, so it does not touch other users of buildah on the machine.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slimage.context.ignore_file import load_matcher
from slimage.context.inspect import inspect_context
from slimage.context.reach import analyse_reach
from slimage.context.scan import scan_context
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import build_stage_graph
from slimage.errors import IgnoreFileError
from support.buildah import Buildah, BuildError
from support.tools import require_root, require_tool

from .test_suggest import go_sample, node_sample, python_sample

pytestmark = pytest.mark.integration


def build_listing(buildah: Buildah, context: Path, dockerfile: Path) -> set[str]:
    """Build, export to an OCI layout, and list every path in the layers."""
    name = f"localhost/slimage-test-{uuid.uuid4().hex[:12]}"
    layout = buildah.root / f"oci-{uuid.uuid4().hex[:8]}"
    try:
        buildah.build(context, name, layers=False, dockerfile=dockerfile)
        buildah.push(name, f"oci:{layout}")
        return _layout_paths(layout)
    finally:
        buildah.remove_image(name)
        shutil.rmtree(layout, ignore_errors=True)


def _layout_paths(layout: Path) -> set[str]:
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":", 1)[1]
    manifest = json.loads((layout / "blobs" / "sha256" / digest).read_text())
    paths: set[str] = set()
    for layer in manifest["layers"]:
        blob = layout / "blobs" / "sha256" / layer["digest"].split(":", 1)[1]
        with tarfile.open(blob) as archive:
            for member in archive.getmembers():
                name = member.name.removeprefix("./").rstrip("/")
                if name and name != ".":
                    paths.add(name)
    return paths


@pytest.fixture(scope="module")
def buildah(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Buildah]:
    require_tool("buildah")
    require_root()
    storage = tmp_path_factory.mktemp("buildah-storage")
    tool = Buildah(storage)
    try:
        yield tool
    finally:
        with contextlib.suppress(BuildError):
            tool("rmi", "--all", "--force")
        shutil.rmtree(storage, ignore_errors=True)


FILES = [
    "Dockerfile",
    "README.md",
    "a5.txt",
    "ad.txt",
    "app.log",
    "b.md",
    "build/out.bin",
    "c.txt",
    "d.txt",
    "dir/sub/deep.txt",
    "dist/app.js",
    "docs/README.md",
    "docs/guide.md",
    "file[1].txt",
    "important/keep.log",
    "nested/.git/HEAD",
    "nested/code.py",
    "node_modules/left-pad/index.js",
    "src/a.js",
    "src/a.test.js",
    "src/bad.js",
    "src/better.js",
    "src/keep.test.js",
    "src/lib/b.test.js",
    "trailing.txt",
]

# Each .dockerignore exercises different parts of the semantics.
IGNORE_FILES = {
    "exceptions": "docs\n!docs/README.md\nnode_modules\n",
    "allowlist": "*\n!src\nsrc/**/*.test.js\n!src/keep.test.js\n!Dockerfile\n",
    "globstar": "**/*.log\n!important/**\n**/.git\n",
    "cleaning": "  # not a comment\n#comment\n./build/../dist\n/build\ntrailing.txt   \n",
    "classes": "[a-c]*.txt\n?.md\nfile\\[1\\].txt\n",
    "everything-but": "**\n!Dockerfile\n!src/**\n",
    "order": "src/*\n!src/b*\nsrc/bad*\n",
    "dir-contents": "dir/**\n",
    "re2-leak": "a\\d.txt\n",
    "exception-then-reexclude": "nested\n!nested/code.py\n",
    # patternmatcher leaves '|' unescaped: RE2 alternation, searched without anchors.
    "unescaped-bar": "*.js|.md\n",
}


def _make_context(root: Path, ignore: str) -> None:
    for rel in FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{rel}\n")
    (root / "Dockerfile").write_text("FROM scratch\nCOPY . /ctx/\n")
    (root / "link-to-src").symlink_to("src")
    (root / ".dockerignore").write_text(ignore)


@pytest.mark.parametrize("name", sorted(IGNORE_FILES))
def test_builder_agrees_with_prediction(name: str, buildah: Buildah, tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    _make_context(context, IGNORE_FILES[name])
    scan = scan_context(context, load_matcher(context, context / "Dockerfile"))
    predicted = {entry.path for entry in scan.entries}
    listed = build_listing(buildah, context, context / "Dockerfile")
    built = {path.removeprefix("ctx/") for path in listed if path.startswith("ctx/")}
    difference = {"only built": built - predicted, "only predicted": predicted - built}
    assert built == predicted, difference


@pytest.mark.parametrize("ignore", ["!\n", "keep\n!x[z-a]\n", "[\n"])
def test_invalid_patterns_fail_both(ignore: str, buildah: Buildah, tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    _make_context(context, ignore)
    (context / "keep").write_text("k")
    with pytest.raises(IgnoreFileError, match=r"\.dockerignore:\d"):
        scan_context(context, load_matcher(context, context / "Dockerfile"))
    with pytest.raises(BuildError, match="buildah bud"):
        build_listing(buildah, context, context / "Dockerfile")


def test_known_difference_buildah_checks_parents(buildah: Buildah, tmp_path: Path) -> None:
    # BuildKit (fsutil) carries per-pattern MatchInfo down the walk, so with
    # "a, !a/b, a" it sends a/b/f; buildah 1.28 uses MatchesOrParentMatches and does
    # not. slimage predicts BuildKit and offers the parent check for comparison.
    context = tmp_path / "ctx"
    context.mkdir()
    _make_context(context, "a\n!a/b\na\n")
    (context / "a" / "b").mkdir(parents=True)
    (context / "a" / "b" / "f").write_text("f")
    matcher = load_matcher(context, context / "Dockerfile")
    assert matcher is not None
    predicted = {entry.path for entry in scan_context(context, matcher).entries}
    assert "a/b/f" in predicted
    listed = build_listing(buildah, context, context / "Dockerfile")
    built = {path.removeprefix("ctx/") for path in listed if path.startswith("ctx/")}
    parent_check = {path for path in predicted if not matcher.matches_or_parent_matches(path)}
    assert built == parent_check


MULTI_STAGE = """\
FROM scratch AS deps
WORKDIR /app
COPY package*.json ./
COPY src/lib lib
FROM deps AS build
COPY src/*.js /app/src/
COPY README.md .
COPY docs/guide.md /app/guide.txt
FROM scratch
COPY --from=build /app/lib /srv/lib
COPY --from=build /app/src/ /srv/code/
COPY --from=build /app/README.md /app/package.json /srv/
COPY d*.txt /extra/
"""


def test_reach_prediction_matches_multi_stage_build(buildah: Buildah, tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    _make_context(context, "docs\n!docs/guide.md\n")
    for rel in ("package.json", "package-lock.json", "src/lib/util.js"):
        (context / rel).parent.mkdir(parents=True, exist_ok=True)
        (context / rel).write_text(rel)
    (context / "Dockerfile").write_text(MULTI_STAGE)
    df = parse_dockerfile(MULTI_STAGE)
    scan = scan_context(context, load_matcher(context, context / "Dockerfile"))
    report = analyse_reach(df, build_stage_graph(df), scan)
    listed = build_listing(buildah, context, context / "Dockerfile")
    built_files = {
        path for path in listed if not any(other.startswith(path + "/") for other in listed)
    }
    predicted = {path.lstrip("/") for path in report.placed}
    assert built_files == predicted, built_files ^ predicted
    assert report.placed["/srv/package.json"] == "package.json"
    assert "package-lock.json" not in report.reached


SAMPLES: dict[str, Callable[[Path], None]] = {
    "node": node_sample,
    "python": python_sample,
    "go": go_sample,
}
MUST_REACH = {
    "node": ["app/package.json", "app/package-lock.json", "app/src/index.js", "app/bin/cli.js"],
    "python": ["src/README.md", "src/LICENSE.txt", "src/pyproject.toml", "src/demo/__init__.py"],
    "go": ["cmd/main.go", "cmd/main_test.go"],
}
MUST_NOT_REACH = {
    "node": ["app/node_modules", "app/.env"],
    "python": ["src/.venv", "src/.env", "src/.git", "src/demo/__pycache__"],
    "go": [],
}


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_suggested_ignore_file_builds(sample: str, buildah: Buildah, tmp_path: Path) -> None:
    context = tmp_path / sample
    SAMPLES[sample](context)
    report = inspect_context(context, suggest=True)
    assert report.suggestion is not None
    (context / ".dockerignore").write_text(report.suggestion.text)
    # The sample's own COPY lines on scratch: no base image or RUN needed.
    original = (context / "Dockerfile").read_text()
    scratch = re.sub(r"^FROM \S+", "FROM scratch", original, flags=re.MULTILINE)
    (context / "Dockerfile").write_text(scratch)
    listed = build_listing(buildah, context, context / "Dockerfile")
    for path in MUST_REACH[sample]:
        assert path in listed, (path, sorted(listed))
    for path in MUST_NOT_REACH[sample]:
        assert path not in listed, path
