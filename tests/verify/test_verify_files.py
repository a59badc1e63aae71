"""Paths of a mounted image resolved inside it, and read as one tar member."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from slimage.verify.files import member_tar, resolve_inside


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "dash").write_bytes(b"\x7fELF")
    (root / "usr" / "bin" / "dash").chmod(0o755)
    (root / "usr" / "bin" / "sh").symlink_to("dash")
    (root / "bin").symlink_to("usr/bin")
    (root / "etc").mkdir()
    (root / "etc" / "alt").symlink_to("/usr/bin")  # absolute: inside the image
    (root / "etc" / "up").symlink_to("../../../..")
    (tmp_path / "outside").write_text("host file")
    return root


def test_links_on_the_way_stay_inside_the_root(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    assert resolve_inside(str(root), "/bin/dash") == os.path.join(root, "usr/bin/dash")
    assert resolve_inside(str(root), "/etc/alt/dash") == os.path.join(root, "usr/bin/dash")
    # The last component is not followed: the caller sees the link.
    assert resolve_inside(str(root), "/bin/sh") == os.path.join(root, "usr/bin/sh")
    # Neither .. nor a link of ..s climbs out of the root.
    assert resolve_inside(str(root), "/../outside") is None
    assert resolve_inside(str(root), "/etc/up/outside") is None
    assert resolve_inside(str(root), "/nope/dash") is None


def test_one_member_with_the_recorded_mode(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    with tarfile.open(fileobj=member_tar(str(root), "/bin/dash"), mode="r|") as archive:
        member = archive.next()
        assert member is not None
        assert (member.name, member.mode, member.size) == ("dash", 0o755, 4)
        handle = archive.extractfile(member)
        assert handle is not None and handle.read() == b"\x7fELF"
    with tarfile.open(fileobj=member_tar(str(root), "/bin/sh"), mode="r|") as archive:
        link = archive.next()
        assert link is not None and link.issym() and link.linkname == "dash"
    assert member_tar(str(root), "/missing").getvalue() == b""


def test_hostile_links_never_reach_the_host(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b" / "root"  # deep enough for ../../.. to land on tmp_path
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("image passwd")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("host passwd")
    (root / "up").symlink_to("../../../etc")
    (root / "abs").symlink_to("/etc")  # the host's /etc if it were followed outside
    (root / "escape").symlink_to("../../../etc/passwd")
    (root / "absolute").symlink_to("/etc/passwd")
    (root / "loop").mkdir()
    (root / "loop" / "a").symlink_to("b")
    (root / "loop" / "b").symlink_to("a")
    inside = os.path.join(root, "etc/passwd")
    assert resolve_inside(str(root), "/up/passwd") == inside
    assert resolve_inside(str(root), "/abs/passwd") == inside
    assert resolve_inside(str(root), "/../../../etc/passwd") == inside
    assert resolve_inside(str(root), "/loop/a/x") is None
    assert resolve_inside(str(root), "/loop/a") == os.path.join(root, "loop/a")
    for path in ["/up/passwd", "/abs/passwd", "/up/../../etc/passwd"]:
        with tarfile.open(fileobj=member_tar(str(root), path), mode="r|") as archive:
            member = archive.next()
            assert member is not None
            handle = archive.extractfile(member)
            assert handle is not None and handle.read() == b"image passwd"
    # A hostile link at the end is copied as the link it is, never read through.
    for name, target in [("escape", "../../../etc/passwd"), ("absolute", "/etc/passwd")]:
        with tarfile.open(fileobj=member_tar(str(root), "/" + name), mode="r|") as archive:
            member = archive.next()
            assert member is not None and member.issym() and member.linkname == target
    # Without the image's own /etc, the links lead nowhere rather than to the host's.
    (root / "etc" / "passwd").unlink()
    (root / "etc").rmdir()
    for path in ["/up/passwd", "/abs/passwd", "/escape/x", "/absolute/x"]:
        assert resolve_inside(str(root), path) is None
        assert member_tar(str(root), path).getvalue() == b""
