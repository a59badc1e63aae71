"""Mutated and hand-made images: docker-archive (old and Docker 25 shapes), OCI archive
and OCI layout directory; layers uncompressed, gzip (one or several members) or zstd.

An image is first built as a dict of member name -> bytes (with ``support.images``, the
writers the regular tests use), then mutated: a JSON field given another type or a deep
nesting, a blob truncated or flipped (with or without re-stating its digest), a layer
made hostile (traversal, links out and in loops, many entries, long names, huge size
fields), a blob replaced by a FIFO or a link to /dev/zero. The result is written as a
directory or a tar and named as ``analyze`` takes it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import tarfile
from pathlib import Path
from typing import Any

from support.images import _layout_files, make_config, write_docker_archive

LAYER_MEDIA = "application/vnd.oci.image.layer.v1.tar"


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _tar(entries: list[tarfile.TarInfo], contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info in entries:
            data = contents.get(info.name)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _info(
    name: str, kind: bytes = tarfile.REGTYPE, size: int = 0, link: str = ""
) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname, info.mtime, info.mode = (
        kind,
        size,
        link,
        1_700_000_000,
        0o644,
    )
    return info


def layer(rng: random.Random) -> bytes:
    """A small layer, hostile in one way or another a third of the time."""
    entries: list[tarfile.TarInfo] = []
    contents: dict[str, bytes] = {}

    def add_file(name: str, data: bytes) -> None:
        entries.append(_info(name, size=len(data)))
        contents[name] = data

    entries.append(_info("etc", tarfile.DIRTYPE))
    add_file("etc/os-release", b"ID=debian\nVERSION_ID=12\n")
    add_file("app/main.py", b"print('hi')\n" * rng.randrange(1, 50))
    kind = rng.randrange(12)
    if kind == 0:
        add_file("../../escape", b"x")
        add_file("/abs/path", b"y")
    elif kind == 1:
        entries.append(_info("etc/loop1", tarfile.SYMTYPE, link="loop2"))
        entries.append(_info("etc/loop2", tarfile.SYMTYPE, link="loop1"))
        entries.append(_info("out", tarfile.SYMTYPE, link="../../../../etc/passwd"))
        entries.append(_info("hard", tarfile.LNKTYPE, link="missing/file"))
    elif kind == 2:
        for index in range(rng.choice([1_000, 10_000, 50_000])):
            entries.append(_info(f"many/{index}", size=0))
    elif kind == 3:
        add_file("d/" + "n" * rng.choice([255, 1000, 5000]), b"z")
        add_file("/".join(["deep"] * 500) + "/f", b"z")
    elif kind == 4:
        entries.append(_info("etc/.wh..wh..opq", size=0))
        entries.append(_info("app/.wh.main.py", size=0))
        entries.append(_info(".wh.", size=0))
    elif kind == 5:
        entries.append(_info("dev/null", tarfile.CHRTYPE))
        entries.append(_info("fifo", tarfile.FIFOTYPE))
    elif kind == 6:
        add_file("usr/lib/python3/dist-packages/x/__init__.py", b"")
        add_file("var/lib/dpkg/status", b"Package: x\nStatus: install ok installed\n\n" * 20)
        add_file("app/package.json", b"[" * 5000 + b"]" * 5000)
    elif kind == 7:
        add_file("same", b"a")
        add_file("same", b"b")
        entries.append(_info("same", tarfile.DIRTYPE))
    data = _tar(entries, contents)
    if kind == 8:
        # A huge size field: the stated size far past the end of the data.
        data = data[:512] + data[512:]
        header = bytearray(data[:512])
        header[124:136] = b"77777777777\x00"
        checksum = sum(header[:148]) + 8 * 32 + sum(header[156:])
        header[148:156] = b"%06o\x00 " % checksum
        data = bytes(header) + data[512:]
    return data


def compress(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The blob and its media type suffix: none, gzip, multi-member gzip or zstd."""
    choice = rng.randrange(5)
    if choice == 0:
        return data, ""
    if choice in (1, 2):
        return gzip.compress(data, mtime=0), "+gzip"
    if choice == 3:
        cut = rng.randrange(len(data) + 1)
        return gzip.compress(data[:cut], mtime=0) + gzip.compress(data[cut:], mtime=0), "+gzip"
    import zstandard

    return zstandard.ZstdCompressor().compress(data), "+zstd"


def bomb(rng: random.Random) -> tuple[bytes, bytes, str]:
    """A layer that inflates far more than it weighs, in one or many gzip members."""
    size = rng.choice([64, 256]) << 20
    header = _info("zeros", size=size)
    tar_head = header.tobuf(tarfile.USTAR_FORMAT)  # the header alone
    zeros = b"\x00" * (1 << 20)
    members = rng.choice([1, 2, 16])
    compressor_out = []
    per_member = size // members
    for _ in range(members):
        stream = gzip.GzipFile(fileobj=(out := io.BytesIO()), mode="wb", mtime=0)
        for _ in range(per_member >> 20):
            stream.write(zeros)
        stream.close()
        compressor_out.append(out.getvalue())
    blob = gzip.compress(tar_head, mtime=0) + b"".join(compressor_out) + gzip.compress(b"\0" * 1024)
    # diff_id unknown without inflating: state a wrong one; the reader must still be bounded.
    return blob, b"", "+gzip"


# --- JSON mutations -------------------------------------------------------------------

VALUES: list[Any] = [
    {}, [], "", "x", -1, 0, 2**70, 1.5, None, True, False, [[]], {"a": {}},
    "sha256:" + "0" * 64, "application/vnd.oci.image.index.v1+json", "../../etc/passwd",
]  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:20]):
            found += _paths(item, (*prefix, index))
    return found


def mutate_json(rng: random.Random, data: bytes) -> bytes:
    try:
        document = json.loads(data)
    except ValueError:
        return data
    choice = rng.randrange(10)
    if choice == 0:
        depth = rng.choice([50, 1_000, 100_000])
        return b"[" * depth + b"]" * depth
    if choice == 1:
        return data[: rng.randrange(len(data) + 1)]
    path = rng.choice(_paths(document))
    if not path:
        return json.dumps(rng.choice(VALUES)).encode()
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if choice == 2 and isinstance(parent, dict):
        del parent[path[-1]]
    elif choice == 3 and isinstance(parent, list):
        parent.extend([parent[path[-1]]] * rng.choice([2, 100, 10_000]))
    else:
        parent[path[-1]] = rng.choice(VALUES)
    return json.dumps(document).encode()


# --- whole images -----------------------------------------------------------------------


def oci_files(rng: random.Random) -> dict[str, bytes]:
    layers = [layer(rng) for _ in range(rng.randint(1, 3))]
    config = make_config([_sha(item) for item in layers])
    files = _layout_files(layers, config)
    # Re-compress each layer with a random codec, re-stating digests as a writer would.
    manifest_name = next(n for n in files if n.startswith("blobs/") and b'"layers": [' in files[n])
    manifest = json.loads(files.pop(manifest_name))
    for descriptor, raw in zip(manifest["layers"], layers, strict=True):
        # Two identical layers share one blob: it is gone after the first.
        files.pop("blobs/sha256/" + descriptor["digest"][7:], None)
        if rng.random() < 0.03:
            blob, _, suffix = bomb(rng)
        else:
            blob, suffix = compress(rng, raw)
        descriptor.update(mediaType=LAYER_MEDIA + suffix, digest=_sha(blob), size=len(blob))
        files["blobs/sha256/" + _sha(blob)[7:]] = blob
    body = json.dumps(manifest).encode()
    files["blobs/sha256/" + _sha(body)[7:]] = body
    index = json.loads(files["index.json"])
    index["manifests"][0].update(digest=_sha(body), size=len(body))
    files["index.json"] = json.dumps(index).encode()
    return files


def docker_files(rng: random.Random, work: Path) -> dict[str, bytes]:
    layers = [layer(rng) for _ in range(rng.randint(1, 3))]
    shape = rng.choice(["legacy", "podman", "docker25", "tarball", "tarball-unnamed"])
    path = write_docker_archive(work / "base.tar", layers, shape=shape)
    files: dict[str, bytes] = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            if handle is not None:
                files[member.name] = handle.read()
    path.unlink()
    return files


def _mutate_files(rng: random.Random, files: dict[str, bytes], restate: bool) -> None:
    names = sorted(files)
    json_names = [n for n in names if files[n][:1] in (b"{", b"[")]
    choice = rng.randrange(4)
    if choice <= 1 and json_names:
        name = rng.choice(json_names)
        files[name] = mutate_json(rng, files[name])
    elif choice == 2 and names:
        name = rng.choice(names)
        data = files[name]
        if data:
            index = rng.randrange(len(data))
            files[name] = data[:index] + bytes([rng.randrange(256)]) + data[index + 1 :]
    elif names:
        name = rng.choice(names)
        files[name] = files[name][: rng.randrange(len(files[name]) + 1)]
    if restate:
        # Re-state blob digests so the mutation gets past digest checks.
        for name in list(files):
            if name.startswith("blobs/sha256/"):
                digest = _sha(files[name])
                old = name.rsplit("/", 1)[1]
                if digest[7:] != old:
                    files["blobs/sha256/" + digest[7:]] = files.pop(name)
                    for other in files:
                        if files[other][:1] == b"{":
                            files[other] = files[other].replace(old.encode(), digest[7:].encode())


def image(rng: random.Random, work: Path) -> str:
    """Write one mutated image under ``work``; return the reference ``analyze`` takes."""
    work.mkdir(parents=True, exist_ok=True)
    kind = rng.choice(["oci-dir", "oci-archive", "docker-archive"])
    files = docker_files(rng, work) if kind == "docker-archive" else oci_files(rng)
    if rng.random() < 0.7:
        _mutate_files(rng, files, restate=rng.random() < 0.5)
    if kind == "oci-dir":
        root = work / "layout"
        for name, data in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        blobs = sorted((root / "blobs" / "sha256").glob("*")) if (root / "blobs").is_dir() else []
        if blobs and rng.random() < 0.1:
            victim = rng.choice(blobs)
            victim.unlink()
            if rng.random() < 0.5:
                os.mkfifo(victim)
            else:
                victim.symlink_to(rng.choice(["/dev/zero", "/dev/urandom", "/dev/null"]))
        return f"oci:{root}"
    path = work / "image.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = _info(name, size=len(data))
            tar.addfile(info, io.BytesIO(data))
    if rng.random() < 0.05:
        with open(path, "r+b") as handle:
            handle.truncate(rng.randrange(os.path.getsize(path) + 1))
    return f"{kind}:{path}"
