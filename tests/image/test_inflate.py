"""gzip layers: several members are one stream, and a bomb split into members stays bounded."""

from __future__ import annotations

import gzip
import io
import itertools
import random
import time
import tracemalloc

import pytest

from slimage.errors import ImageFormatError
from slimage.image import inflate, layerstream
from slimage.image.tarstream import LayerStream, iter_entries
from support.images import make_layer, sha256


def read_all(blob: bytes, **kwargs: object) -> tuple[list[str], LayerStream]:
    source = LayerStream(io.BytesIO(blob), label="layer", **kwargs)  # type: ignore[arg-type]
    paths = [entry.path for entry in iter_entries(source)]
    source.finish()
    return paths, source


def members(data: bytes, cuts: list[int], level: int = 6) -> bytes:
    bounds = [0, *cuts, len(data)]
    return b"".join(gzip.compress(data[a:b], level) for a, b in itertools.pairwise(bounds))


@pytest.mark.parametrize(
    "cuts", [[1], [4096], [700_000], [3, 5000, 600_000], [529379, 6407006, 6729888]]
)
def test_members_anywhere_give_the_diff_id_of_the_whole_tar(cuts: list[int]) -> None:
    # Before, zlib's unused_data was joined with input that held it already (the last
    # cuts, where a small member follows one that fills the output limit): the member
    # was read twice and a valid layer got a false "diff_id mismatch".
    data = random.Random(3)
    layer = make_layer(
        [
            ("file", "a", data.randbytes(3_000_000)),
            ("file", "b", b"x" * 5_000_000),
            ("file", "c", data.randbytes(10_000)),
        ]
    )
    blob = members(layer, cuts)
    paths, source = read_all(blob, expected_digest=sha256(blob), expected_diff_id=sha256(layer))
    assert paths == ["a", "b", "c"] and source.warnings == []


def test_thousands_of_tiny_members_stay_linear() -> None:
    layer = make_layer([("file", "zeros", bytes(64 << 20))])
    step = 16 << 10
    blob = members(layer, list(range(step, len(layer), step)), 9)  # ~4100 members
    tracemalloc.start()
    started = time.perf_counter()
    try:
        paths, _ = read_all(blob, expected_diff_id=sha256(layer))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert paths == ["zeros"]
    assert time.perf_counter() - started < 20  # quadratic copying took minutes
    assert peak < 64 << 20


def test_a_bomb_split_into_members_is_refused_with_bounded_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real floor is 1 GiB; the ratio test is the same at any floor.
    monkeypatch.setattr(layerstream, "BOMB_FLOOR", 8 << 20)
    zeros = gzip.compress(bytes(8 << 20), 9)  # ~8 kB each, a ratio over 1000
    blob = gzip.compress(make_layer([("file", "z", b"")])[:512]) + zeros * 64
    tracemalloc.start()
    try:
        with pytest.raises(ImageFormatError, match="decompression bomb"):
            read_all(blob)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


def test_pieces_are_joined_to_a_chunk_whatever_one_inflate_call_gives() -> None:
    # Each piece costs a hash update, a hand-off between threads and a tar-walk step, and
    # one inflate call yields little more than the 64 KiB it is fed.
    layer = make_layer([("file", "r", random.Random(5).randbytes(5_000_000))])
    blob = members(layer, [1_000_000, 1_000_100])
    reader = inflate.GzipMembers(
        io.BytesIO(blob).read, b"", label="layer", chunk=1 << 20, out_limit=1 << 20
    )
    sizes = list(iter(lambda: len(reader.read()), 0))
    assert sum(sizes) == len(layer)
    assert all(1 << 20 <= size <= 2 << 20 for size in sizes[:-1])


def test_data_after_the_last_member_is_hashed_not_read() -> None:
    layer = make_layer([("file", "a", b"1" * 5000)])
    blob = members(layer, [2048]) + b"\0" * 1000
    paths, source = read_all(blob, expected_digest=sha256(blob), expected_diff_id=sha256(layer))
    assert paths == ["a"]
    assert source.warnings == ["layer: ignoring data after the gzip stream"]


def test_truncated_member_is_an_error() -> None:
    layer = make_layer([("file", "a", bytes(range(256)) * 100)])
    blob = members(layer, [1000])
    with pytest.raises(ImageFormatError, match=r"truncated gzip data|corrupt gzip"):
        read_all(blob[:-20])


def test_the_inflater_is_named() -> None:
    assert inflate.INFLATER in {"isal_zlib", "zlib_ng", "zlib"}
