"""slimage diff on two images built for real with buildah from the Debian stand-in.

The after image differs from the before image by exactly: a file added, a file changed
in content with its size kept, a file removed by a whiteout (``RUN rm`` in a later
layer), a Debian package added (built with ``dpkg-deb`` and installed with ``dpkg -i``
in a RUN step) and ``USER`` changed. Everything else the diff reports must be dpkg's own
bookkeeping of that install, under /var/lib/dpkg and /var/log.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from slimage.diff import ImageDiff, diff_images
from slimage.report.diff_json import SCHEMA_PATH
from support.buildah import Buildah
from support.standins import ensure_standin, standin_store

# Two builds with RUN steps on a busy 2-core machine can take minutes.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1800)]

KEEP = b"kept as it is\n"
CHANGE_BEFORE = bytes(range(256)) * 20  # 5,120 bytes
CHANGE_AFTER = bytes(reversed(range(256))) * 20  # the same size, other bytes
GONE = b"g" * 3000
NEW = b"n" * 777
HELLO = b"hello\n"

BEFORE = """\
FROM {base}
COPY data/ /data/
CMD ["/bin/cat", "/data/keep.txt"]
"""
AFTER = """\
FROM {base}
COPY data/ /data/
RUN rm /data/gone.txt
RUN mkdir -p /tmp/pkg/DEBIAN /tmp/pkg/usr/share/slimage-hello \\
 && printf '%s\\n' 'Package: slimage-hello' 'Version: 1.2-3' 'Architecture: all' \\
    'Maintainer: T <t@example.org>' 'Description: a test package' > /tmp/pkg/DEBIAN/control \\
 && printf 'hello\\n' > /tmp/pkg/usr/share/slimage-hello/hello.txt \\
 && dpkg-deb --build /tmp/pkg /tmp/hello.deb && dpkg -i /tmp/hello.deb \\
 && rm -rf /tmp/pkg /tmp/hello.deb
USER 1000
CMD ["/bin/cat", "/data/keep.txt"]
"""
# Where dpkg -i keeps its books: the diff may report changes there, nowhere else...
DPKG_STATE = ("/var/lib/dpkg/", "/var/log/", "/var/cache/debconf/")
# ... and the empty files buildah's RUN leaves as mount points for the container's own.
RUN_MOUNTS = ("/etc/hosts", "/etc/hostname", "/etc/resolv.conf")
EXPECTED = {
    "/data/new.txt": ("added", 0, 777),
    "/data/change.bin": ("changed", 5120, 5120),
    "/data/gone.txt": ("removed", 3000, 0),
    "/usr/share/slimage-hello/hello.txt": ("added", 0, 6),
}


def _build(
    buildah: Buildah, base: str, root: Path, name: str, dockerfile: str, files: dict[str, bytes]
) -> str:
    context = root / name
    (context / "data").mkdir(parents=True)
    (context / "Dockerfile").write_text(dockerfile.replace("{base}", base))
    for relative, data in files.items():
        (context / "data" / relative).write_bytes(data)
    return buildah.build(context, f"localhost/slimage-test/diff-{name}:latest")


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    buildah = standin_store()
    base = ensure_standin(buildah, "debian")
    root = tmp_path_factory.mktemp("diff-real")
    before = _build(
        buildah,
        base,
        root,
        "before",
        BEFORE,
        {"keep.txt": KEEP, "change.bin": CHANGE_BEFORE, "gone.txt": GONE},
    )
    after = _build(
        buildah,
        base,
        root,
        "after",
        AFTER,
        {"keep.txt": KEEP, "change.bin": CHANGE_AFTER, "gone.txt": GONE, "new.txt": NEW},
    )
    try:
        yield {
            "before": buildah.export(before, "docker-archive", root / "before.tar"),
            "after": buildah.export(after, "docker-archive", root / "after.tar"),
            "after-oci": buildah.export(after, "oci-archive", root / "after-oci.tar"),
        }
    finally:
        buildah.remove_image(before)
        buildah.remove_image(after)


@pytest.fixture(scope="module", params=["docker-archive", "oci-archive"])
def diff(request: pytest.FixtureRequest, images: dict[str, Path]) -> ImageDiff:
    after = images["after"] if request.param == "docker-archive" else images["after-oci"]
    reference = str(after) if request.param == "docker-archive" else f"oci-archive:{after}"
    return diff_images(str(images["before"]), reference)


def test_files_known_exactly(diff: ImageDiff) -> None:
    found = {c.path: (c.change, c.before_bytes, c.after_bytes) for c in diff.files}
    assert {path: found.get(path) for path in EXPECTED} == EXPECTED
    extra = [change for change in diff.files if change.path not in EXPECTED]
    for change in extra:
        assert change.path.startswith(DPKG_STATE) or (
            change.path in RUN_MOUNTS and change.weight == 0
        ), change
    dpkg = {change.path: change.change for change in extra}
    assert dpkg["/var/lib/dpkg/status"] == "changed"
    assert dpkg["/var/lib/dpkg/info/slimage-hello.list"] == "added"
    totals = diff.file_totals
    assert totals.added_files == 2 + sum(1 for c in extra if c.change == "added")
    assert totals.removed_files == 1 + sum(1 for c in extra if c.change == "removed")
    assert totals.changed_files == 1 + sum(1 for c in extra if c.change == "changed")
    assert totals.added_bytes == 777 + 6 + sum(c.after_bytes for c in extra if c.change == "added")
    assert totals.removed_bytes == 3000 + sum(
        c.before_bytes for c in extra if c.change == "removed"
    )
    # keep.txt and every file of the base are unchanged.
    assert totals.unchanged_files == diff.before.files - totals.removed_files - totals.changed_files
    assert totals.unchanged_files > 1000
    data = next(group for group in diff.directories if group.key == "/data")
    assert (data.added_files, data.added_bytes, data.removed_files, data.removed_bytes) == (
        1,
        777,
        1,
        3000,
    )
    assert (data.changed_files, data.changed_delta) == (1, 0)


def test_totals_layers_package_and_user(diff: ImageDiff) -> None:
    assert (diff.before.layers, diff.after.layers) == (2, 4)
    assert diff.shared_layers == 1  # the stand-in's layer
    assert diff.size_delta == diff.after.size_bytes - diff.before.size_bytes
    # The later layers hold the bytes; gone.txt is hidden, not freed.
    assert diff.after.size_bytes - diff.after.final_bytes >= 3000
    assert [(p.manager, p.name, p.change, p.after_version) for p in diff.packages] == [
        ("dpkg", "slimage-hello", "added", "1.2-3")
    ]
    assert [(c.key, c.before, c.after, c.notable) for c in diff.config] == [
        ("User", None, "1000", True)
    ]
    sets = {item.name: item for item in diff.inventory}
    assert not sets["shell"].changed and not sets["setuid files"].changed
    assert sets["package managers"].after == sets["package managers"].before != []


def test_cli_json_and_gate(images: dict[str, Path]) -> None:
    command = [sys.executable, "-m", "slimage", "diff", "--format", "json"]
    done = subprocess.run(
        [*command, "--max-growth", "0", str(images["before"]), str(images["after"])],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    document = json.loads(done.stdout)
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    assert document["change"]["size_bytes"] > 0  # the after image grew
    assert done.returncode == 1 and document["gates"][0]["passed"] is False
    allowed = str(document["change"]["size_bytes"])
    done = subprocess.run(
        [*command, "--max-growth", allowed, str(images["before"]), str(images["after"])],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
