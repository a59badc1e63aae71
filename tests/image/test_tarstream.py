"""The layer tar reader on hostile and odd input."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest
import zstandard

from slimage.errors import DigestMismatch, ImageFormatError, UnsupportedMediaType
from slimage.filesystem import FileKind
from slimage.image import layerstream, tarstream
from slimage.image.tarstream import LayerStream, TarEntry, iter_entries, normalize_name, scan_tar
from support.images import make_layer, sha256


def stream(data: bytes, **kwargs: object) -> LayerStream:
    return LayerStream(io.BytesIO(data), label="layer", **kwargs)  # type: ignore[arg-type]


def entries(data: bytes, **kwargs: object) -> tuple[list[TarEntry], list[str]]:
    source = stream(data, **kwargs)
    found = list(iter_entries(source))
    source.finish()
    return found, source.warnings


def test_normalize_name() -> None:
    assert normalize_name("./usr//bin/") == "usr/bin"
    assert normalize_name("/etc/passwd") == "etc/passwd"
    assert normalize_name("./") == ""
    assert normalize_name("a/./b/.wh.c") == "a/b/.wh.c"
    assert normalize_name("a/../../etc") is None
    assert normalize_name("../x") is None


def test_kinds_and_long_names() -> None:
    long = "d/" + "n" * 150 + "/file"
    layer = make_layer(
        [
            ("dir", "d"),
            ("file", long, b"abc", 0o4755),
            ("symlink", "d/s", "../target"),
            ("hardlink", "d/h", long),
        ]
    )
    found, warnings = entries(layer)
    assert [(e.path, e.kind, e.size) for e in found] == [
        ("d", FileKind.DIR, 0),
        (long, FileKind.FILE, 3),
        ("d/s", FileKind.SYMLINK, 0),
        ("d/h", FileKind.HARDLINK, 0),
    ]
    assert found[1].mode == 0o4755
    assert found[2].link_target == "../target"
    assert found[3].link_target == long
    assert warnings == []


def test_gnu_long_names() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("x/" + "y" * 200)
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    found, _ = entries(buffer.getvalue())
    assert [e.path for e in found] == ["x/" + "y" * 200]


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_compressed_by_magic_and_verified(codec: str) -> None:
    layer = make_layer([("file", "a", b"1" * 10000)])
    blob = gzip.compress(layer) if codec == "gzip" else zstandard.ZstdCompressor().compress(layer)
    found, warnings = entries(blob, expected_digest=sha256(blob), expected_diff_id=sha256(layer))
    assert [e.path for e in found] == ["a"]
    assert warnings == []
    # Announced as plain but gzip in fact: the magic wins, with a warning.
    found, warnings = entries(blob, media_type="application/vnd.oci.image.layer.v1.tar")
    assert [e.path for e in found] == ["a"] and "reading it as" in warnings[0]


def test_multi_member_gzip() -> None:
    layer = make_layer([("file", "a", b"1" * 10000), ("file", "b", b"2" * 3000)])
    blob = gzip.compress(layer[:4096]) + gzip.compress(layer[4096:])
    found, _ = entries(blob, expected_diff_id=sha256(layer))
    assert [e.path for e in found] == ["a", "b"]


def test_digest_mismatch() -> None:
    layer = make_layer([("file", "a", b"1")])
    with pytest.raises(DigestMismatch, match="layer: diff_id mismatch"):
        entries(layer, expected_diff_id=sha256(b"other"))


def test_unknown_media_type() -> None:
    with pytest.raises(UnsupportedMediaType, match="'text/plain'"):
        stream(b"", media_type="text/plain")


def test_truncated_data_and_header() -> None:
    layer = make_layer([("file", "a", b"1" * 5000)])
    with pytest.raises(ImageFormatError, match="layer: truncated tar data"):
        entries(layer[:3000])
    with pytest.raises(ImageFormatError, match="truncated tar header"):
        entries(layer[: 512 + 5120 + 100])
    with pytest.raises(ImageFormatError, match="truncated gzip"):
        packed = gzip.compress(layer)
        entries(packed[: len(packed) // 2])


def test_garbage_is_not_a_tar() -> None:
    with pytest.raises(ImageFormatError, match="bad tar header checksum"):
        entries(b"\x01" * 2048)


def _header(name: str, size_field: bytes, typeflag: bytes = b"0") -> bytes:
    header = bytearray(512)
    header[0 : len(name)] = name.encode()
    header[100:108] = b"0000644\0"
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    header[124:136] = size_field
    header[136:148] = b"00000000000\0"
    header[156:157] = typeflag
    header[257:263] = b"ustar\0"
    header[263:265] = b"00"
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header)


def test_absurd_size_in_header() -> None:
    huge = bytes([0x80]) + (1 << 80).to_bytes(11, "big")
    with pytest.raises(ImageFormatError, match="absurd entry size"):
        entries(_header("big", huge) + bytes(1024))


def test_climbing_and_absolute_names_are_warned_not_read() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in ("../../etc/passwd", "/etc/shadow", "ok"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"bad"))
    found, warnings = entries(buffer.getvalue())
    assert [e.path for e in found] == ["etc/shadow", "ok"]
    assert any("climbs out of /" in w for w in warnings)
    assert any("absolute names" in w for w in warnings)


def test_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real floor is 1 GiB; the ratio test is the same at any floor.
    monkeypatch.setattr(layerstream, "BOMB_FLOOR", 1 << 20)
    layer = make_layer([("file", "zeros", bytes(8 << 20))])
    with pytest.raises(ImageFormatError, match="decompression bomb"):
        entries(gzip.compress(layer, 9))


def test_contents_reach_the_sink_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layerstream, "CHUNK", 1000)
    payload = bytes(range(256)) * 40
    layer = make_layer([("file", "a", payload), ("file", "b", b"tail")])
    got: dict[str, bytearray] = {}

    def handle(entry: TarEntry) -> tarstream.ContentSink:
        buffer = got.setdefault(entry.path, bytearray())
        return buffer.extend

    count = scan_tar(stream(layer), handle)
    assert count == 2
    assert got == {"a": bytearray(payload), "b": bytearray(b"tail")}


def test_negative_size_is_refused() -> None:
    with pytest.raises(ImageFormatError, match="negative number"):
        entries(_header("neg", b"-0000000005\0") + bytes(1024))
