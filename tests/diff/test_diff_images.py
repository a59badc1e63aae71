"""slimage.diff on hand-built archives whose differences are known exactly.

The two images share their base layer; the after image rewrites the application layer
(one file changed with its size kept, a small one too, one unchanged file in a layer of
its own, one added), upgrades, removes and adds dpkg packages, deletes a file and the
setuid ``su`` by whiteout, and runs as another user with another entry point. Every
number below follows from the bytes written here, in uncompressed archives (files hashed
after the pass, only where needed) and gzip OCI layouts (hashed as they stream) alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from slimage.api import AnalyzeOptions, analyze, open_image
from slimage.diff import DiffOptions, ImageDiff, compare, diff_images
from support.images import make_layer, write_docker_archive, write_oci_layout


def status(*packages: tuple[str, str]) -> bytes:
    return "\n".join(
        f"Package: {name}\nStatus: install ok installed\nInstalled-Size: 10\n"
        f"Architecture: amd64\nVersion: {version}\nDescription: {name}\n"
        for name, version in packages
    ).encode()


OS_RELEASE = b"ID=debian\nVERSION_ID=12\n"
BEFORE_STATUS = status(("pkg-a", "1.0-1"), ("pkg-b", "2.0"))
AFTER_STATUS = status(("pkg-a", "1.10-1"), ("pkg-c", "0.5"))
BASE = make_layer(
    [
        ("file", "etc/os-release", OS_RELEASE),
        ("file", "var/lib/dpkg/status", BEFORE_STATUS),
        ("file", "usr/bin/tool", b"t" * 5000),
        ("file", "bin/sh", b"s" * 100),
        ("file", "usr/bin/su", b"u" * 50, 0o4755),
    ]
)
BEFORE_APP = make_layer(
    [
        ("file", "app/data.bin", b"A" * 8000),
        ("file", "app/same.txt", b"same-same!"),
        ("file", "app/small.txt", b"0123456789"),
        ("file", "app/gone.txt", b"g" * 300),
        ("file", "var/cache/apt/archives/x.deb", b"d" * 20_000),
    ]
)
AFTER_APP = make_layer(
    [
        ("file", "app/data.bin", b"B" * 8000),
        ("file", "app/same.txt", b"same-same!"),
        ("file", "app/small.txt", b"9876543210"),
        ("file", "app/gone.txt", b"g" * 300),
        ("file", "app/new.txt", b"n" * 1234),
        ("file", "usr/bin/tool", b"t" * 5000),
        ("file", "var/lib/dpkg/status", AFTER_STATUS),
    ]
)
AFTER_CLEANUP = make_layer([("whiteout", "app/gone.txt"), ("whiteout", "usr/bin/su")])
BEFORE_BODY = {"Entrypoint": ["/app/start"], "Env": ["FOO=1"], "ExposedPorts": {"8080/tcp": {}}}
AFTER_BODY = {
    "User": "1000",
    "Entrypoint": ["/app/run"],
    "Env": ["FOO=2", "API_TOKEN=s3cr3t-value-long-enough"],
    "ExposedPorts": {"8080/tcp": {}, "9090/tcp": {}},
}

BASE_BYTES = len(OS_RELEASE) + len(BEFORE_STATUS) + 5000 + 100 + 50
BEFORE_SIZE = BASE_BYTES + 8000 + 10 + 10 + 300 + 20_000
AFTER_SIZE = BASE_BYTES + 8000 + 10 + 10 + 300 + 1234 + 5000 + len(AFTER_STATUS)


def _write(directory: Path, fmt: str, name: str, layers: list[bytes], body: dict) -> str:
    if fmt == "docker-archive":
        path = write_docker_archive(directory / f"{name}.tar", layers, config_body=body)
        return str(path)
    path = write_oci_layout(directory / name, layers, compress="gzip", config_body=body)
    return f"oci:{path}"


@pytest.fixture(scope="module", params=["docker-archive", "oci-gzip", "mixed"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    directory = tmp_path_factory.mktemp("diff")
    before_format = "oci-gzip" if request.param == "oci-gzip" else "docker-archive"
    after_format = "docker-archive" if request.param == "docker-archive" else "oci-gzip"
    before = _write(directory, before_format, "before", [BASE, BEFORE_APP], BEFORE_BODY)
    after = _write(directory, after_format, "after", [BASE, AFTER_APP, AFTER_CLEANUP], AFTER_BODY)
    return before, after


@pytest.fixture(scope="module")
def diff(pair: tuple[str, str]) -> ImageDiff:
    return diff_images(*pair, DiffOptions(bandwidth_bits=8_000))


def test_totals(diff: ImageDiff) -> None:
    assert diff.before.size_bytes == BEFORE_SIZE
    assert diff.after.size_bytes == AFTER_SIZE
    assert diff.size_delta == AFTER_SIZE - BEFORE_SIZE
    assert (diff.before.layers, diff.after.layers, diff.shared_layers) == (2, 3, 1)
    assert diff.before.files == 10
    assert diff.after.files == 8  # su and gone.txt deleted, new.txt added
    # 8,000 bit/s is 1,000 bytes a second.
    assert diff.before.pull_seconds == pytest.approx(diff.before.compressed_bytes / 1000)


def test_files_by_content(diff: ImageDiff) -> None:
    changes = {change.path: change for change in diff.files}
    assert {path: change.change for path, change in changes.items()} == {
        "/app/gone.txt": "removed",
        "/usr/bin/su": "removed",
        "/var/cache/apt/archives/x.deb": "removed",
        "/app/new.txt": "added",
        "/app/data.bin": "changed",
        "/app/small.txt": "changed",
        "/var/lib/dpkg/status": "changed",
    }
    assert (changes["/app/data.bin"].before_bytes, changes["/app/data.bin"].after_bytes) == (
        8000,
        8000,
    )
    totals = diff.file_totals
    assert (totals.removed_files, totals.removed_bytes) == (3, 20_350)
    assert (totals.added_files, totals.added_bytes) == (1, 1234)
    assert totals.changed_files == 3
    assert totals.changed_before_bytes == 8010 + len(BEFORE_STATUS)
    assert totals.changed_after_bytes == 8010 + len(AFTER_STATUS)
    # os-release and sh (shared layer), tool (rewritten, same bytes), same.txt (same bytes).
    assert (totals.unchanged_files, totals.unchanged_bytes) == (4, len(OS_RELEASE) + 5110)
    assert [change.path for change in diff.files[:2]] == [
        "/var/cache/apt/archives/x.deb",
        "/app/data.bin",
    ]


def test_groups(diff: ImageDiff) -> None:
    directories = {group.key: group for group in diff.directories}
    assert directories["/app"].delta == 1234 - 300
    assert directories["/app"].changed_files == 2
    assert directories["/var/cache/apt"].removed_bytes == 20_000
    causes = {group.key: group for group in diff.causes}
    assert causes["apt-archives"].removed_bytes == 20_000
    assert causes["apt-archives"].waste_class == "package-cache"
    classes = {change.waste_class: change for change in diff.waste_classes}
    assert classes["package-cache"].before_bytes == 20_000
    assert classes["package-cache"].after_bytes == 0


def test_packages_inventory_and_config(diff: ImageDiff) -> None:
    assert [(p.name, p.change, p.before_version, p.after_version) for p in diff.packages] == [
        ("pkg-a", "upgraded", "1.0-1", "1.10-1"),
        ("pkg-b", "removed", "2.0", ""),
        ("pkg-c", "added", "", "0.5"),
    ]
    sets = {item.name: item for item in diff.inventory}
    assert sets["setuid files"].removed == ["/usr/bin/su"]
    assert sets["shell"].before == sets["shell"].after == ["/bin/sh"]
    config = {change.key: change for change in diff.config}
    assert (config["User"].before, config["User"].after, config["User"].notable) == (
        None,
        "1000",
        True,
    )
    assert config["Entrypoint"].notable
    assert config["Entrypoint"].after == '["/app/run"]'
    assert (config["Env FOO"].before, config["Env FOO"].after) == ("1", "2")
    assert config["Env API_TOKEN"].after == "s3cr" + "*" * 16 + "ough"  # masked
    assert config["ExposedPorts"].after == "8080/tcp 9090/tcp"
    assert set(config) == {"User", "Entrypoint", "Env FOO", "Env API_TOKEN", "ExposedPorts"}


def test_growth_gates(pair: tuple[str, str]) -> None:
    growth = AFTER_SIZE - BEFORE_SIZE
    assert growth < 0  # the after image is smaller: every gate passes
    assert diff_images(*pair, DiffOptions(max_growth_bytes=0)).gates_passed
    # Swapped, the image grows by -growth bytes.
    swapped = diff_images(pair[1], pair[0], DiffOptions(max_growth_bytes=-growth - 1))
    assert not swapped.gates_passed
    assert swapped.gates[0].value == -growth
    assert diff_images(pair[1], pair[0], DiffOptions(max_growth_bytes=-growth)).gates_passed
    ratio = -growth / AFTER_SIZE
    gate = diff_images(pair[1], pair[0], DiffOptions(max_growth_ratio=0.001)).gates[0]
    assert (gate.unit, gate.passed) == ("ratio", ratio <= 0.001)
    assert gate.value == pytest.approx(ratio)


def test_same_image_has_no_changes(pair: tuple[str, str]) -> None:
    same = diff_images(pair[0], pair[0])
    assert same.files == [] and same.packages == [] and same.config == []
    assert same.file_totals.unchanged_files == 10
    assert same.shared_layers == 2


def test_uncompressed_pairs_are_compared_without_hashing(tmp_path: Path) -> None:
    """Uncompressed archives: the pass hashes no file, and the diff compares same-size
    pairs byte for byte instead of hashing them (the shared base layer's not at all)."""
    before = open_image(write_docker_archive(tmp_path / "b.tar", [BASE, BEFORE_APP]).as_posix())
    after = open_image(
        write_docker_archive(tmp_path / "a.tar", [BASE, AFTER_APP, AFTER_CLEANUP]).as_posix()
    )
    options = AnalyzeOptions(digest_files=True, use_cache=False)
    before_result, after_result = analyze(before, options), analyze(after, options)
    assert "app/data.bin" in before_result.layers.unhashed
    assert "app/small.txt" in after_result.layers.unhashed  # small files too
    diff = compare(before, before_result, after, after_result, DiffOptions())
    for result in (before_result, after_result):
        assert all(record.digest is None for record in result.layers.files.values())
    changed = {change.path for change in diff.files if change.change == "changed"}
    assert changed == {"/app/data.bin", "/app/small.txt", "/var/lib/dpkg/status"}
    assert diff.file_totals.unchanged_files == 4


def test_big_files_compared_piece_by_piece(tmp_path: Path) -> None:
    """Files bigger than one comparison step: a difference in the last byte is found, and
    equal ones in layers of their own are equal."""
    big = bytes(range(256)) * (3 * 4096 + 7)
    changed = big[:-1] + b"!"
    base = make_layer([("file", "etc/os-release", OS_RELEASE)])
    before = write_docker_archive(
        tmp_path / "b.tar", [base, make_layer([("file", "a", big), ("file", "b", big)])]
    )
    after = write_docker_archive(
        tmp_path / "a.tar", [base, make_layer([("file", "b", big), ("file", "a", changed)])]
    )
    diff = diff_images(str(before), str(after))
    assert [(change.path, change.change) for change in diff.files] == [("/a", "changed")]
    assert diff.file_totals.unchanged_files == 2


@pytest.mark.integration
def test_after_image_from_a_registry(tmp_path: Path) -> None:
    """The after image read from a real registry by the CLI (in its forked child, layers
    hashed as they download) gives the same diff as the same image read from disk."""
    import json
    import subprocess
    import sys

    from slimage.report.diff_json import diff_document
    from support.registry import run_registry

    before = write_docker_archive(
        tmp_path / "before.tar", [BASE, BEFORE_APP], config_body=BEFORE_BODY
    )
    layout = write_oci_layout(
        tmp_path / "after",
        [BASE, AFTER_APP, AFTER_CLEANUP],
        compress="gzip",
        config_body=AFTER_BODY,
    )
    (tmp_path / "registry").mkdir()
    with run_registry(tmp_path / "registry") as registry:
        reference = registry.push_oci(layout, "team/app", "after")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "slimage",
                "diff",
                "--format",
                "json",
                str(before),
                f"docker://{reference}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    remote = json.loads(done.stdout)
    local = json.loads(
        json.dumps(
            diff_document(diff_images(str(before), f"oci:{layout}", DiffOptions(parallel=False)))
        )
    )
    for document in (remote, local):
        document["after"].pop("source")
    assert remote["after"]["compressed_bytes"] == local["after"]["compressed_bytes"]
    assert remote == local
    assert remote["files"]["totals"]["changed_files"] == 3
