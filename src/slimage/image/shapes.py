"""The types of every field slimage reads from image JSON, checked once on arrival.

Manifests, indexes, image configs and docker-archive ``manifest.json`` are decoded by Go
tools into typed structs: a field of the wrong type makes them fail. slimage does the
same here, so the code that uses a document can trust its shape: a ``"mediaType": {}``
is an :class:`ImageFormatError` naming the field, never a ``TypeError`` deep inside.
As in Go, ``null`` stands for an absent field, and unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slimage.errors import ImageFormatError

Check = Callable[[Any, str], None]


def _fail(where: str, expected: str, value: Any) -> ImageFormatError:
    found = type(value).__name__ if value is not None else "null"
    found = {"dict": "object", "list": "array", "str": "string", "int": "integer"}.get(found, found)
    return ImageFormatError(f"{where}: expected {expected}, found {found}")


def string(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise _fail(where, "a string", value)


def integer(value: Any, where: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, "an integer", value)


def size(value: Any, where: str) -> None:
    integer(value, where)
    if value < 0:
        raise ImageFormatError(f"{where}: a negative size")


def boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise _fail(where, "true or false", value)


def any_object(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise _fail(where, "an object", value)


def list_of(item: Check) -> Check:
    def check(value: Any, where: str) -> None:
        if not isinstance(value, list):
            raise _fail(where, "an array", value)
        for position, element in enumerate(value):
            item(element, f"{where}[{position}]")

    return check


def map_of(item: Check) -> Check:
    def check(value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise _fail(where, "an object", value)
        for key, element in value.items():
            item(element, f"{where}.{key}")

    return check


def obj(fields: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    """An object whose listed fields, when present and not null, have these types."""

    def check(value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise _fail(where, "an object", value)
        for name in required:
            if value.get(name) is None:
                raise ImageFormatError(f"{where}: no {name!r}")
        for name, field_check in fields.items():
            element = value.get(name)
            if element is not None:
                field_check(element, f"{where}.{name}")

    return check


def _nullable_strings(value: Any, where: str) -> None:
    # Go decodes null items of []string as "": accept them as Go does.
    if not isinstance(value, list):
        raise _fail(where, "an array", value)
    for position, element in enumerate(value):
        if element is not None and not isinstance(element, str):
            raise _fail(f"{where}[{position}]", "a string", element)


PLATFORM = obj(
    {
        "architecture": string,
        "os": string,
        "variant": string,
        "os.version": string,
        "os.features": list_of(string),
        "features": list_of(string),
    }
)

DESCRIPTOR = obj(
    {
        "mediaType": string,
        "digest": string,
        "size": size,
        "urls": list_of(string),
        "annotations": map_of(string),
        "platform": PLATFORM,
        "artifactType": string,
    },
    required=("digest",),
)

INDEX = obj(
    {
        "schemaVersion": integer,
        "mediaType": string,
        "manifests": list_of(DESCRIPTOR),
        "annotations": map_of(string),
    },
    required=("manifests",),
)

MANIFEST = obj(
    {
        "schemaVersion": integer,
        "mediaType": string,
        "config": DESCRIPTOR,
        "layers": list_of(DESCRIPTOR),
        "annotations": map_of(string),
    },
    required=("config", "layers"),
)

_RUN_CONFIG = obj(
    {
        "User": string,
        "Env": _nullable_strings,
        "Cmd": _nullable_strings,
        "Entrypoint": _nullable_strings,
        "Shell": _nullable_strings,
        "WorkingDir": string,
        "StopSignal": string,
        "ExposedPorts": map_of(any_object),
        "Volumes": map_of(any_object),
        "Labels": map_of(string),
        "OnBuild": _nullable_strings,
    }
)

CONFIG = obj(
    {
        "architecture": string,
        "os": string,
        "variant": string,
        "os.version": string,
        "created": string,
        "author": string,
        "config": _RUN_CONFIG,
        "rootfs": obj({"type": string, "diff_ids": list_of(string)}),
        "history": list_of(
            obj(
                {
                    "created": string,
                    "created_by": string,
                    "author": string,
                    "comment": string,
                    "empty_layer": boolean,
                }
            )
        ),
    }
)

# docker save's manifest.json: a list of these.
ARCHIVE_ENTRY = obj(
    {
        "Config": string,
        "RepoTags": _nullable_strings,
        "Layers": list_of(string),
        "LayerSources": map_of(DESCRIPTOR),
    },
    required=("Config", "Layers"),
)


def check(shape: Check, value: Any, where: str) -> Any:
    """``value`` if it has ``shape``, else an ImageFormatError naming the field."""
    shape(value, where)
    return value
