"""The streaming pass: whiteouts as layer.md says, hidden bytes exact per cause."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from slimage.analysis.layers import LayerAnalysis, PendingChecks, analyze_layers, map_history
from slimage.errors import DigestMismatch
from slimage.filesystem import FileKind
from slimage.image.open import open_image
from support.images import (
    _layout_files,
    make_config,
    make_layer,
    sha256,
    write_docker_archive,
    write_oci_layout,
)


def never(path: str, size: int) -> bool:
    return False


def analyze(tmp_path: Path, layers: list[bytes], **kwargs: object) -> LayerAnalysis:
    layout = write_oci_layout(tmp_path / "layout", layers, **kwargs)  # type: ignore[arg-type]
    return analyze_layers(open_image(str(layout)), content_wanted=never)


def check_identity(result: LayerAnalysis) -> None:
    assert result.content_bytes == result.final_bytes + result.hidden_bytes
    per_layer_hidden = sum(layer.hidden_later_bytes for layer in result.layers)
    assert per_layer_hidden == result.hidden_bytes
    assert sum(layer.hides_bytes for layer in result.layers) == result.hidden_bytes


def test_overwritten_and_deleted_files(tmp_path: Path) -> None:
    result = analyze(
        tmp_path,
        [
            make_layer(
                [("dir", "app"), ("file", "app/a", b"a" * 100), ("file", "app/b", b"b" * 30)]
            ),
            make_layer([("file", "app/a", b"A" * 7), ("whiteout", "app/b")]),
        ],
    )
    assert result.hidden == {"overwritten": 100, "deleted_file": 30, "deleted_dir": 0, "opaque": 0}
    assert sorted(result.files) == ["app", "app/a"]
    assert result.files["app/a"].size == 7 and result.files["app/a"].layer_index == 1
    assert result.layers[0].hidden_later_bytes == 130
    assert result.layers[1].hides_bytes == 130
    check_identity(result)


def test_deleted_directory_counts_everything_below(tmp_path: Path) -> None:
    result = analyze(
        tmp_path,
        [
            make_layer(
                [
                    ("dir", "cache"),
                    ("dir", "cache/x"),
                    ("file", "cache/x/1", b"1" * 1000),
                    ("file", "cache/2", b"2" * 500),
                    ("symlink", "cache/l", "2"),
                ]
            ),
            make_layer([("file", "cache/3", b"3" * 50)]),
            make_layer([("whiteout", "cache"), ("file", "keep", b"k")]),
        ],
    )
    assert result.hidden["deleted_dir"] == 1550
    assert sorted(result.files) == ["keep"]
    item = result.hidden_items[0]
    assert (item.path, item.size, item.cause, item.from_layer, item.by_layer) == (
        "cache",
        1550,
        "deleted_dir",
        0,
        2,
    )
    check_identity(result)


def test_opaque_directory_hides_lower_children_only(tmp_path: Path) -> None:
    result = analyze(
        tmp_path,
        [
            make_layer(
                [
                    ("dir", "srv"),
                    ("file", "srv/old", b"o" * 80),
                    ("dir", "srv/sub"),
                    ("file", "srv/sub/deep", b"d" * 20),
                    ("file", "other", b"x"),
                ]
            ),
            make_layer(
                [
                    ("dir", "srv"),
                    ("opaque", "srv"),
                    ("file", "srv/new", b"n" * 5),
                    ("dir", "srv/sub"),
                    ("file", "srv/sub/fresh", b"f"),
                ]
            ),
        ],
    )
    assert result.hidden["opaque"] == 100
    assert sorted(result.files) == ["other", "srv", "srv/new", "srv/sub", "srv/sub/fresh"]
    assert result.layers[1].opaque_dirs == 1
    check_identity(result)


def test_opaque_marker_after_same_layer_entries(tmp_path: Path) -> None:
    # The marker may come after entries of its own layer: they survive (layer.md).
    result = analyze(
        tmp_path,
        [
            make_layer([("file", "d/old", b"o" * 10)]),
            make_layer([("file", "d/n/new", b"n" * 3), ("opaque", "d")]),
        ],
    )
    assert sorted(result.files) == ["d/n/new"]
    assert result.hidden["opaque"] == 10
    check_identity(result)


def test_whiteout_never_hides_its_own_layer(tmp_path: Path) -> None:
    # rm -rf dir && mkdir dir && echo > dir/f, as some builders write it.
    result = analyze(
        tmp_path,
        [
            make_layer([("dir", "d"), ("file", "d/old", b"o" * 40)]),
            make_layer([("whiteout", "d"), ("dir", "d"), ("file", "d/new", b"n" * 4)]),
        ],
    )
    assert sorted(result.files) == ["d", "d/new"]
    assert result.hidden["deleted_dir"] == 40
    check_identity(result)


def test_file_replaced_by_directory_and_back(tmp_path: Path) -> None:
    result = analyze(
        tmp_path,
        [
            make_layer([("file", "x", b"1" * 9), ("dir", "y"), ("file", "y/z", b"2" * 11)]),
            make_layer([("file", "x/inside", b"3"), ("file", "y", b"4" * 2)]),
        ],
    )
    assert result.hidden["overwritten"] == 20
    assert result.files["x/inside"].size == 1 and result.files["y"].kind is FileKind.FILE
    assert "y/z" not in result.files
    check_identity(result)


def test_same_path_twice_in_one_layer(tmp_path: Path) -> None:
    result = analyze(tmp_path, [make_layer([("file", "f", b"1" * 10), ("file", "f", b"2" * 3)])])
    assert result.hidden["overwritten"] == 10 and result.final_bytes == 3
    check_identity(result)


def test_whiteout_of_missing_path_is_harmless(tmp_path: Path) -> None:
    result = analyze(
        tmp_path, [make_layer([("file", "a", b"1")]), make_layer([("whiteout", "nothing/here")])]
    )
    assert result.hidden_bytes == 0 and sorted(result.files) == ["a"]


def test_layer_summary_counts_and_biggest(tmp_path: Path) -> None:
    result = analyze(
        tmp_path,
        [
            make_layer(
                [
                    ("dir", "usr"),
                    ("dir", "usr/lib"),
                    ("file", "usr/lib/big", b"b" * 9000),
                    ("file", "usr/lib/small", b"s" * 10),
                    ("symlink", "usr/l", "lib"),
                    ("hardlink", "usr/h", "usr/lib/big"),
                    ("hardlink", "usr/missing", "usr/nowhere"),
                ]
            )
        ],
    )
    layer = result.layers[0]
    assert (layer.files, layer.dirs, layer.symlinks, layer.hardlinks) == (2, 2, 1, 2)
    assert layer.content_bytes == 9010
    assert layer.biggest_files[0] == ("usr/lib/big", 9000)
    assert layer.biggest_dirs[:2] == [("usr", 9010), ("usr/lib", 9010)]
    # No other file has its size, so it cannot have a copy: not hashed.
    assert result.files["usr/lib/big"].digest is None
    assert result.files["usr/lib/small"].digest is None  # below the hashing threshold
    assert any("usr/nowhere" in warning for warning in result.warnings)


@pytest.mark.parametrize("compress", ["", "gzip"])
def test_duplicate_contents_share_a_digest(tmp_path: Path, compress: str) -> None:
    blob = bytes(range(256)) * 40
    other = bytes(reversed(blob))  # the same size, other bytes
    middle = bytearray(blob)
    middle[5000] ^= 1  # the same size and ends, one byte apart
    result = analyze(
        tmp_path,
        [
            make_layer([("file", "a", blob), ("file", "b/c", blob), ("file", "old", blob)]),
            make_layer(
                [("file", "d", other), ("file", "e", bytes(middle)), ("file", "old", b"x" * 5000)]
            ),
        ],
        compress=compress,
    )
    files = result.files
    assert files["a"].digest == files["b/c"].digest == sha256(blob)
    assert files["e"].digest == sha256(bytes(middle))
    # A gzip layer is hashed as it streams (reading it again means decompressing it
    # again); an uncompressed one only where a copy is possible: same size, same ends.
    assert files["d"].digest == (None if compress == "" else sha256(other))
    assert files["old"].digest == (None if compress == "" else sha256(b"x" * 5000))


def test_a_hard_link_that_outlives_its_target_keeps_the_place_of_its_bytes(
    tmp_path: Path,
) -> None:
    blob = b"\x01\x02" * 3000
    result = analyze(
        tmp_path,
        [
            make_layer([("file", "lib/a", blob), ("hardlink", "lib/b", "lib/a")]),
            make_layer([("file", "filler/x", b"y" * 1000), ("whiteout", "lib/a")]),
            make_layer([("file", "copy", blob)]),
        ],
    )
    assert "lib/a" not in result.files
    assert result.files["lib/b"].kind is FileKind.FILE
    assert result.files["lib/b"].digest == result.files["copy"].digest == sha256(blob)


def test_wanted_contents_are_kept_only_for_final_files(tmp_path: Path) -> None:
    layers = [
        make_layer([("file", "etc/os-release", b"ID=old\n"), ("file", "etc/gone", b"x")]),
        make_layer([("file", "etc/os-release", b"ID=debian\n"), ("whiteout", "etc/gone")]),
    ]
    layout = write_oci_layout(tmp_path / "layout", layers)
    result = analyze_layers(
        open_image(str(layout)), content_wanted=lambda path, size: path.startswith("etc/")
    )
    assert result.contents == {"etc/os-release": b"ID=debian\n"}


def test_symlink_loops_and_symlinked_dirs_do_not_hang(tmp_path: Path) -> None:
    result = analyze(
        tmp_path,
        [
            make_layer([("symlink", "a", "b"), ("symlink", "b", "a"), ("symlink", "c", "c")]),
            make_layer([("whiteout", "a"), ("file", "b/x", b"1")]),
        ],
    )
    assert "a" not in result.files and result.files["b/x"].size == 1
    check_identity(result)


def test_history_mapping_and_squash_note() -> None:
    history = [
        {"created_by": "ADD rootfs.tar /"},
        {"created_by": "ENV A=1", "empty_layer": True},
        {"created_by": "RUN one"},
        {"created_by": "RUN two"},
    ]
    mapping, notes = map_history(history, 3)
    assert [text for _, text, _ in mapping] == ["ADD rootfs.tar /", "RUN one", "RUN two"]
    assert notes == []
    mapping, notes = map_history(history, 2)
    assert mapping[1] == (2, "RUN one && RUN two", 2)
    assert "squashed the last 2 steps into layer 2" in notes[0]
    mapping, notes = map_history([], 2)
    assert mapping == [(None, None, 0), (None, None, 0)] and notes == []


@pytest.mark.parametrize("shape", ["legacy", "docker25"])
def test_same_numbers_from_every_format(tmp_path: Path, shape: str) -> None:
    layers = [
        make_layer([("dir", "d"), ("file", "d/a", b"a" * 700), ("file", "e", b"e" * 5)]),
        make_layer([("whiteout", "d"), ("file", "e", b"E" * 6)]),
    ]
    archive = write_docker_archive(tmp_path / "img.tar", layers, shape=shape)
    from_archive = analyze_layers(open_image(str(archive)), content_wanted=never)
    from_layout = analyze(tmp_path, layers, compress="gzip")
    assert from_archive.hidden == from_layout.hidden
    assert sorted(from_archive.files) == sorted(from_layout.files)
    assert from_archive.dive == from_layout.dive


def test_buildah_squash_marks_steps_empty_layer() -> None:
    # What `buildah bud` without --layers writes: one layer, earlier steps empty_layer.
    history = [
        {"created_by": "/bin/sh"},
        {"created_by": "/bin/sh -c #(nop) COPY dir:85 in /data/ ", "empty_layer": True},
        {"created_by": "/bin/sh -c #(nop) ENV A=1", "empty_layer": True},
        {"created_by": "/bin/sh -c rm /data/big.bin", "empty_layer": True},
        {"created_by": "/bin/sh -c echo done"},
    ]
    mapping, notes = map_history(history, 2)
    assert mapping[0] == (0, "/bin/sh", 1)
    assert mapping[1][0] == 4 and mapping[1][2] == 3
    assert "rm /data/big.bin" in (mapping[1][1] or "")
    assert "layer 2 also holds 2 earlier RUN/COPY/ADD steps" in notes[0]


def test_hard_links_keep_the_bytes_of_a_removed_target(tmp_path: Path) -> None:
    # git-core style: one file, several hard links; a later layer removes the file.
    result = analyze(
        tmp_path,
        [
            make_layer(
                [
                    ("file", "bin/tool", b"t" * 6000),
                    ("hardlink", "bin/alias1", "bin/tool"),
                    ("hardlink", "bin/alias2", "bin/alias1"),
                    ("file", "bin/lonely", b"l" * 10),
                ]
            ),
            make_layer([("whiteout", "bin/tool"), ("whiteout", "bin/lonely")]),
            make_layer([("file", "bin/alias1", b"new")]),
        ],
    )
    heir = result.files["bin/alias2"]
    assert (heir.kind, heir.size) == (FileKind.FILE, 6000)
    assert heir.link_target == ""
    assert result.hidden == {"overwritten": 0, "deleted_file": 10, "deleted_dir": 0, "opaque": 0}
    assert result.files["bin/alias1"].size == 3
    check_identity(result)


def _corrupt_first_layer(tmp_path: Path, broken_second: bool) -> Path:
    layers = [
        make_layer([("file", "a", b"A" * 6000)]),
        make_layer([("file", "b", b"B" * 6000)]),
    ]
    archive = write_docker_archive(tmp_path / "img.tar", layers, shape="podman")
    data = bytearray(archive.read_bytes())
    data[data.find(b"A" * 6000) + 3000] = ord("x")  # layer 1 still parses
    if broken_second:
        start = data.find(b"B" * 6000) - 512
        data[start : start + 8] = b"\xff" * 8  # layer 2's header checksum breaks
    archive.write_bytes(bytes(data))
    return archive


def test_digest_checks_can_wait_until_the_caller_runs_them(tmp_path: Path) -> None:
    image = open_image(str(_corrupt_first_layer(tmp_path, broken_second=False)))
    checks = PendingChecks()
    result = analyze_layers(image, content_wanted=never, checks=checks)
    assert sorted(result.files) == ["a", "b"]  # read, not yet verified
    with pytest.raises(DigestMismatch, match=r"layer 1 .*diff_id mismatch"):
        checks.run()
    with pytest.raises(DigestMismatch, match=r"layer 1 .*diff_id mismatch"):
        analyze_layers(open_image(str(tmp_path / "img.tar")), content_wanted=never)


def test_a_wrong_digest_is_reported_before_what_broke_after_it(tmp_path: Path) -> None:
    image = open_image(str(_corrupt_first_layer(tmp_path, broken_second=True)))
    with pytest.raises(DigestMismatch, match=r"layer 1 .*diff_id mismatch"):
        analyze_layers(image, content_wanted=never, checks=PendingChecks())


def test_a_copy_across_a_gzip_and_a_plain_layer_is_found(tmp_path: Path) -> None:
    # The gzip layer's files are hashed as they stream, the plain layer's after the pass:
    # a plain file whose size matches a streamed one must be hashed even when no other
    # plain file has its size.
    blob = bytes(range(256)) * 30
    layers = [make_layer([("file", "lib/a", blob)]), make_layer([("file", "opt/b", blob)])]
    plain = _layout_files(layers, make_config([sha256(layer) for layer in layers]))
    index = json.loads(plain["index.json"])
    manifest_name = "blobs/sha256/" + index["manifests"][0]["digest"][7:]
    manifest = json.loads(plain.pop(manifest_name))
    packed = gzip.compress(layers[0], mtime=0)
    del plain[f"blobs/sha256/{sha256(layers[0])[7:]}"]
    plain[f"blobs/sha256/{sha256(packed)[7:]}"] = packed
    manifest["layers"][0] = {
        "mediaType": manifest["layers"][0]["mediaType"] + "+gzip",
        "digest": sha256(packed),
        "size": len(packed),
    }
    data = json.dumps(manifest).encode()
    plain[f"blobs/sha256/{sha256(data)[7:]}"] = data
    index["manifests"][0].update(digest=sha256(data), size=len(data))
    plain["index.json"] = json.dumps(index).encode()
    for name, content in plain.items():
        (tmp_path / "layout" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "layout" / name).write_bytes(content)
    result = analyze_layers(open_image(str(tmp_path / "layout")), content_wanted=never)
    assert result.files["lib/a"].digest == result.files["opt/b"].digest == sha256(blob)
