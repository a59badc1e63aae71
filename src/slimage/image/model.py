"""The image model every back-end returns: two small protocols.

In the spirit of go-containerregistry's ``v1.Image`` and ``v1.Layer``: an :class:`Image`
gives its manifest, config, history and layers; a :class:`Layer` gives its two identities
(``digest`` of the bytes as stored, ``diff_id`` of the uncompressed tar) and a verified
stream of its uncompressed tar. Back-ends (``docker_archive``, ``oci_layout``; registries
and daemons later) implement only these; everything else (tar entries, analysis) is derived
from ``open_uncompressed()`` so a new back-end has nothing more to write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

from slimage.image.tarstream import LayerStream, TarEntry, iter_entries


@runtime_checkable
class Layer(Protocol):
    """One filesystem changeset of an image."""

    @property
    def digest(self) -> str:
        """``sha256:...`` of the layer bytes as stored (compressed or not)."""

    @property
    def diff_id(self) -> str:
        """``sha256:...`` of the uncompressed tar (the config's ``rootfs.diff_ids``)."""

    @property
    def compressed_size(self) -> int:
        """Bytes of the layer as stored."""

    @property
    def media_type(self) -> str:
        """The descriptor's media type (``application/vnd.oci.image.layer.v1.tar+gzip``...)."""

    def open_uncompressed(self) -> AbstractContextManager[LayerStream]:
        """The uncompressed tar as a stream; digest and diff_id are checked as it is read.

        Reading it to the end raises :class:`~slimage.errors.DigestMismatch` when either
        identity is wrong; :meth:`LayerStream.finish` drains and checks early-stopped reads.
        """


@runtime_checkable
class Image(Protocol):
    """A single-platform image, ready to be read layer by layer."""

    @property
    def manifest(self) -> Mapping[str, Any]:
        """The image manifest (OCI or Docker schema 2 shape; synthesised for old archives)."""

    @property
    def config(self) -> Mapping[str, Any]:
        """The image configuration (``config``, ``history``, ``rootfs`` ...)."""

    @property
    def history(self) -> Sequence[Mapping[str, Any]]:
        """``config.history``, oldest first (may be empty: history is optional)."""

    @property
    def layers(self) -> Sequence[Layer]:
        """Layers from the base upwards, in the order the manifest lists them."""

    @property
    def platform(self) -> str | None:
        """``os/arch[/variant]`` from the config, when it says."""

    @property
    def source(self) -> str:
        """A human description: ``docker-archive:app.tar``, ``oci:dir:tag``."""


# -- optional features: a back-end has them or not; callers test with isinstance ----------


@runtime_checkable
class PlansReads(Protocol):
    """A source told in advance which layers will be read, so it can start early: a
    registry fetches the next layer while this one is analysed; a file source hashes
    the stored bytes on another thread (the digest check)."""

    def plan_reads(self, indices: Sequence[int]) -> None:
        """Layers (by index) that will be read, in order."""


@runtime_checkable
class Closable(Protocol):
    """A source holding files, sockets or threads until closed."""

    def close(self) -> None: ...


@runtime_checkable
class ContentReader(Protocol):
    """Random access to the contents of a layer's files, by their offset in its tar."""

    def read(self, offset: int, size: int) -> memoryview:
        """``size`` bytes at ``offset`` (valid until the next call)."""

    def digest(self, offset: int, size: int) -> str:
        """``sha256:`` of ``size`` bytes at ``offset``."""

    def close(self) -> None: ...


@runtime_checkable
class RereadableLayer(Protocol):
    """A layer whose uncompressed tar can be read again at any offset (an uncompressed
    layer stored in a file): files are then hashed after the pass, only when needed."""

    def open_contents(self) -> ContentReader: ...


def layer_entries(layer: Layer) -> Iterator[TarEntry]:
    """The entries of ``layer``'s tar, metadata only, verifying its identities at the end."""
    with layer.open_uncompressed() as stream:
        yield from iter_entries(stream)
        stream.finish()


def config_history(config: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``config.history`` as a list of mappings, ignoring malformed items."""
    history = config.get("history")
    if not isinstance(history, list):
        return []
    return [item for item in history if isinstance(item, Mapping)]
