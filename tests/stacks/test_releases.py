"""The default releases are current: an entry past its upstream end of life fails here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from slimage.stacks import all_stacks, detect_project
from slimage.stacks.images import default_images, default_runtime
from slimage.stacks.native import native_needs, requirement_names
from slimage.stacks.releases import RELEASES, Release, at_least


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: f"{r.product} {r.version}")
def test_release_is_supported_today(release: Release) -> None:
    if release.end_of_life is not None:
        assert date.today() <= release.end_of_life, (
            f"{release.product} {release.version} reached its end of life on "
            f"{release.end_of_life}: update slimage/stacks/releases.py"
        )


def test_go_line_is_a_minimum(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.19\n")
    (tmp_path / "main.go").write_text("package main\nfunc main() {}\n")
    project = detect_project(tmp_path)
    assert project.language_version == "1.27"
    images = default_images(project, default_runtime(project))
    assert images == {
        "build": "golang:1.27-trixie",
        "runtime": "gcr.io/distroless/static-debian13:nonroot",
    }
    assert at_least("1.30", "1.27") == "1.30"
    assert at_least("1.9", "1.27") == "1.27"


def test_every_default_image_is_debian_13_where_it_exists(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "a", "dependencies": {"bcrypt": "5"}}')
    project = detect_project(tmp_path)
    assert default_images(project, "distroless")["runtime"] == (
        "gcr.io/distroless/nodejs24-debian13:nonroot"
    )
    assert default_images(project, "slim")["runtime"] == "node:24-trixie-slim"


def test_stack_records_are_complete() -> None:
    stacks = all_stacks()
    assert list(stacks) == ["go", "node", "python", "rust", "java"]
    for stack in stacks.values():
        assert stack.markers and stack.pattern and stack.families


def test_native_table_finds_psycopg2() -> None:
    names = requirement_names("flask==3.0\npsycopg2>=2.9  # db\n-r other.txt\nlxml\n")
    needs = native_needs("pip", names)
    assert [n.name for n in needs] == ["psycopg2", "lxml"]
    assert needs[0].build == ("gcc", "libpq-dev") and needs[0].runtime == ("libpq5",)
    assert native_needs("pip", ["psycopg2-binary"]) == []
