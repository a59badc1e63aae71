"""Layers in files: hashed on another thread, contents skipped unread, re-read on demand."""

from __future__ import annotations

import hashlib
import mmap
import os
from pathlib import Path

import pytest

from slimage.errors import DigestMismatch, ImageFormatError
from slimage.image import stored
from slimage.image.open import open_image
from slimage.image.stored import StoredImage, StoredLayer
from slimage.image.tarstream import TarEntry, scan_tar
from support.images import make_layer, sha256, write_docker_archive, write_oci_layout

BIG = bytes(range(256)) * 12_000  # 3 MB: more than a read chunk, so it is skipped
LAYER = make_layer(
    [
        ("dir", "data"),
        ("file", "data/big", BIG),
        ("file", "data/small", b"s" * 700),
        ("file", "data/last", b"tail"),
    ]
)


def read_layer(layer: StoredLayer) -> tuple[list[TarEntry], bool]:
    found: list[TarEntry] = []
    with layer.open_uncompressed() as stream:
        scan_tar(stream, lambda entry: found.append(entry))
        stream.finish()
        assert stream.uncompressed_size == len(LAYER)
        return found, stream.rereadable


def stored_image(path: Path) -> StoredImage:
    image = open_image(str(path))
    assert isinstance(image, StoredImage)
    return image


@pytest.mark.parametrize("shape", ["legacy", "podman", "docker25"])
def test_planned_layers_skip_contents_and_still_verify_them(tmp_path: Path, shape: str) -> None:
    image = stored_image(write_docker_archive(tmp_path / "img.tar", [LAYER], shape=shape))
    image.plan_reads([0])
    found, rereadable = read_layer(image.layers[0])
    assert rereadable
    assert [(entry.path, entry.size) for entry in found] == [
        ("data", 0),
        ("data/big", len(BIG)),
        ("data/small", 700),
        ("data/last", 4),
    ]
    # Offsets point at each file's bytes in the tar.
    starts = {"data/big": BIG[:4], "data/small": b"ssss", "data/last": b"tail"}
    for entry in found[1:]:
        assert LAYER[entry.offset : entry.offset + 4] == starts[entry.path]
    image.close()

    # A flipped byte deep inside the skipped file is still caught.
    archive = tmp_path / "img.tar"
    data = bytearray(archive.read_bytes())
    data[data.find(BIG[:4096]) + 2_000_000] ^= 1
    archive.write_bytes(bytes(data))
    image = stored_image(archive)
    image.plan_reads([0])
    with pytest.raises(DigestMismatch, match="mismatch"):
        read_layer(image.layers[0])
    image.close()


def test_unplanned_layers_stream_as_before(tmp_path: Path) -> None:
    image = stored_image(write_docker_archive(tmp_path / "img.tar", [LAYER]))
    found, rereadable = read_layer(image.layers[0])
    assert not rereadable and len(found) == 4


def test_compressed_layers_are_hashed_apart_but_not_skipped(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", [LAYER], compress="gzip")
    image = stored_image(layout)
    image.plan_reads([0])
    found, rereadable = read_layer(image.layers[0])
    assert not rereadable and [entry.path for entry in found][-1] == "data/last"
    image.close()


def test_a_blob_cut_short_after_opening_is_an_error(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", [LAYER])
    image = stored_image(layout)
    blob = layout / "blobs/sha256" / sha256(LAYER)[7:]
    os.truncate(blob, len(LAYER) - 5000)
    image.plan_reads([0])
    with pytest.raises(ImageFormatError, match="truncated"):
        read_layer(image.layers[0])
    image.close()


def test_a_second_plan_after_close_hashes_again(tmp_path: Path) -> None:
    image = stored_image(write_docker_archive(tmp_path / "img.tar", [LAYER]))
    for _ in range(2):
        image.plan_reads([0])
        assert image.layers[0].background is not None
        assert read_layer(image.layers[0])[1]
        image.close()
        assert image.layers[0].background is None


def test_content_digests_read_ranges_in_any_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored, "WINDOW", 4096)  # so that BIG takes the long path
    image = stored_image(write_docker_archive(tmp_path / "img.tar", [LAYER], shape="podman"))
    image.plan_reads([0])
    found, _ = read_layer(image.layers[0])
    image.close()
    files = {entry.path: entry for entry in found}
    ranges = [(files[name].offset, files[name].size) for name in ("data/last", "data/big")]
    ranges.append((files["data/small"].offset, 700))
    assert image.layers[0].content_digests(ranges) == [
        "sha256:" + hashlib.sha256(data).hexdigest() for data in (b"tail", BIG, b"s" * 700)
    ]
    with pytest.raises(ImageFormatError, match="outside the layer"):
        image.layers[0].content_digests([(len(LAYER) - 10, 4096)])


def test_several_workers_hash_layers_in_any_order(tmp_path: Path) -> None:
    layers = [make_layer([("file", f"f{number}", bytes([number]) * 9000)]) for number in range(5)]
    image = stored_image(write_docker_archive(tmp_path / "img.tar", layers, shape="podman"))
    jobs = [(layer.region, layer.label) for layer in image.layers]
    digests = stored.RegionDigests(jobs, workers=3)
    assert [digests.digest(region) for region, _ in reversed(jobs)] == [
        sha256(layer) for layer in reversed(layers)
    ]


def test_region_digest_mapped_read_and_mixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unaligned regions over several mapped windows, the read fallback, and a file that
    stops being mappable half-way all give the region's sha256."""
    data = os.urandom(300_000)
    path = tmp_path / "blob"
    path.write_bytes(data)
    region = stored.Region(str(path), 12_345, 250_000)
    expected = "sha256:" + hashlib.sha256(data[12_345 : 12_345 + 250_000]).hexdigest()
    monkeypatch.setattr(stored, "HASH_WINDOW", 65_536)
    assert stored._hash_region(region, "blob") == expected
    real_mmap, mapped = mmap.mmap, []

    def flaky(*args: object, **kwargs: object) -> object:
        if len(mapped) >= 2:
            raise OSError(19, "No such device")  # as a filesystem without mmap says
        mapped.append(args)
        return real_mmap(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mmap, "mmap", flaky)
    assert stored._hash_region(region, "blob") == expected
    assert len(mapped) == 2
    mapped.extend([(), ()])  # from now on nothing maps: all read
    assert stored._hash_region(region, "blob") == expected
    with pytest.raises(ImageFormatError, match="truncated"):
        stored._hash_region(stored.Region(str(path), 100_000, 200_001), "blob")


def test_mapped_windows_read_as_plain_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A layer parsed through many small mapped windows (pax records and file contents
    across window edges, big files skipped, wanted contents kept) gives the same entries,
    offsets and contents as when the file is read, and is still verified."""
    import random

    from slimage.analysis.layers import analyze_layers
    from slimage.image import layerstream, tarstream

    rng = random.Random(7)
    entries: list[tuple[object, ...]] = [("dir", "srv")]
    for number in range(120):
        name = f"srv/{'long-name-' * rng.randrange(0, 14)}{number}"  # some need pax records
        entries.append(("file", name, rng.randbytes(rng.choice([0, 5, 511, 512, 4096, 70_000]))))
    entries.append(("file", "etc/os-release", b"ID=debian\nVERSION_ID=12\n"))
    layer = make_layer(entries)  # type: ignore[arg-type]
    archive = write_docker_archive(tmp_path / "img.tar", [layer, LAYER])
    monkeypatch.setattr(layerstream, "MAPPED_CHUNK", 3 * 4096)
    mapped: list[int] = []
    real = tarstream.RegionReader.read_mapped

    def counting(self: tarstream.RegionReader, size: int) -> tarstream.Chunk:
        chunk = real(self, size)
        mapped.append(len(chunk))
        return chunk

    monkeypatch.setattr(tarstream.RegionReader, "read_mapped", counting)

    def run() -> tuple[object, ...]:
        image = stored_image(archive)
        image.plan_reads([0, 1])
        result = analyze_layers(image, content_wanted=lambda path, size: size < 600)
        image.close()
        files = {path: (r.size, r.digest, r.layer_index) for path, r in result.files.items()}
        return files, result.contents, [(s.entries, s.content_bytes) for s in result.layers]

    through_windows = run()
    assert len(mapped) > 20
    # The parser reads instead (as where the file cannot be mapped); the digests still map.
    monkeypatch.setattr(layerstream._HashingReader, "read_mapped", lambda self, size: None)
    assert run() == through_windows
    files, contents, _ = through_windows
    assert contents["etc/os-release"] == b"ID=debian\nVERSION_ID=12\n"
    assert len(files) == 126  # srv, 120 files, etc/os-release, and LAYER's four entries
