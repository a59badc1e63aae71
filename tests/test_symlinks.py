"""The one walk through an image's symbolic links (slimage.symlinks), over a lookup table."""

from __future__ import annotations

import pytest

from slimage.symlinks import (
    MAX_SYMLINK_HOPS,
    MISSING,
    OTHER,
    Component,
    Kind,
    resolve_path,
)


class Table:
    """A lookup over ``{path: Component}`` that remembers what it was asked about."""

    def __init__(self, entries: dict[str, Component]) -> None:
        self.entries = entries
        self.asked: list[tuple[str, ...]] = []

    def __call__(self, components: tuple[str, ...]) -> Component:
        self.asked.append(components)
        return self.entries.get("/".join(components), MISSING)


def link(target: str) -> Component:
    return Component(Kind.SYMLINK, target)


def image() -> Table:
    return Table(
        {
            "usr": OTHER,
            "usr/bin": OTHER,
            "usr/bin/dash": OTHER,
            "usr/bin/sh": link("dash"),
            "usr/bin/ash": Component(Kind.HARDLINK, "usr/bin/dash"),
            "bin": link("usr/bin"),
            "etc": OTHER,
            "etc/passwd": OTHER,
            "etc/alt": link("/usr/bin"),
            "etc/up": link("../../../.."),
            "etc/escape": link("../../../etc/passwd"),
            "etc/absolute": link("/etc/passwd"),
            "etc/dot": link("./../usr/./bin//dash"),
            "loop": OTHER,
            "loop/a": link("b"),
            "loop/b": link("a"),
        }
    )


def follow(path: str, table: Table | None = None, **options: bool) -> str | None:
    settings = {"follow_last": True, "implicit_dirs": False, **options}
    found = resolve_path(path, table or image(), **settings)
    return None if found is None else "/".join(found)


def test_links_in_any_component() -> None:
    assert follow("/bin/sh") == "usr/bin/dash"
    assert follow("bin/sh") == "usr/bin/dash"  # relative to the image root as well
    assert follow("/etc/alt/sh") == "usr/bin/dash"
    assert follow("/etc/dot") == "usr/bin/dash"
    assert follow("/") == ""
    assert follow("/usr/./bin/../bin/dash") == "usr/bin/dash"


def test_the_last_component_left_alone_when_asked() -> None:
    assert follow("/bin/sh", follow_last=False) == "usr/bin/sh"
    assert follow("/etc/alt/sh", follow_last=False) == "usr/bin/sh"
    assert follow("/usr/bin/ash", follow_last=False) == "usr/bin/ash"
    assert follow("/loop/a", follow_last=False) == "loop/a"


def test_never_above_the_root() -> None:
    assert follow("/../../etc/passwd") == "etc/passwd"
    assert follow("/etc/up") == ""
    assert follow("/etc/up/etc/passwd") == "etc/passwd"
    assert follow("/etc/escape") == "etc/passwd"
    assert follow("/etc/absolute") == "etc/passwd"
    assert follow("/etc/up/../../outside") is None


def test_the_lookup_only_sees_plain_names() -> None:
    table = image()
    for path in ["/etc/up/../etc/escape", "/etc/absolute", "/../bin/./sh", "/etc/dot"]:
        follow(path, table)
        follow(path, table, follow_last=False)
    assert table.asked
    for components in table.asked:
        for name in components:
            assert name not in ("", ".", "..") and "/" not in name


def test_loops_and_the_hop_limit() -> None:
    assert follow("/loop/a") is None
    assert follow("/loop/a/x", follow_last=False) is None
    chain = {f"l{i}": link(f"l{i + 1}") for i in range(MAX_SYMLINK_HOPS)}
    chain[f"l{MAX_SYMLINK_HOPS}"] = OTHER
    assert follow("/l0", Table(chain)) == f"l{MAX_SYMLINK_HOPS}"
    chain = {f"l{i}": link(f"l{i + 1}") for i in range(MAX_SYMLINK_HOPS + 1)}
    chain[f"l{MAX_SYMLINK_HOPS + 1}"] = OTHER
    assert follow("/l0", Table(chain)) is None


@pytest.mark.parametrize("implicit_dirs", [True, False])
def test_a_missing_last_component(implicit_dirs: bool) -> None:
    assert follow("/usr/bin/missing", implicit_dirs=implicit_dirs) is None
    assert follow("/missing", implicit_dirs=implicit_dirs, follow_last=False) is None


def test_a_missing_directory_on_the_way() -> None:
    table = Table({"opt/app/run": OTHER, "opt/app/link": link("run")})
    assert follow("/opt/app/run", table, implicit_dirs=True) == "opt/app/run"
    assert follow("/opt/app/link", table, implicit_dirs=True) == "opt/app/run"
    assert follow("/opt/app/run", table, implicit_dirs=False) is None


def test_hard_links() -> None:
    assert follow("/usr/bin/ash") == "usr/bin/dash"
    table = Table(
        {
            "a": Component(Kind.HARDLINK, ""),
            "b": Component(Kind.HARDLINK, "/../x/../y"),
            "d": Component(Kind.HARDLINK, "e"),
            "d/f": OTHER,
        }
    )
    assert follow("/a", table) == "a"  # no target: the link itself
    assert follow("/b", table) == "y"  # a target from the root, never above it
    assert follow("/d/f", table) == "d/f"  # on the way, a hard link is a directory
