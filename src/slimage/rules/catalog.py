"""The built-in catalog of official base images and their typical sizes.

The data lives in ``data/base_images.toml`` (with a source for every figure) and is
read once, on first use, so that linting a file whose rules never ask for it pays
nothing. :func:`load_catalog` is the entry point; :meth:`BaseImageCatalog.lookup`
maps an image reference as written in ``FROM`` to a catalog variant.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from slimage.reference import ImageRef, image_ref

MEGABYTE = 1_000_000

# Kinds that make a runtime stage heavier than it needs to be (see the data file).
HEAVY_KINDS = frozenset({"os-full", "lang-full", "sdk"})


@dataclass(frozen=True, slots=True)
class ImageVariant:
    """One base image variant of the catalog: its kind, libc, an example tag and typical sizes."""

    id: str  # "node/slim"
    family: str  # "node"
    kind: str  # "lang-slim"
    libc: str  # "glibc", "musl" or "none"
    example: str  # a tag to suggest: "node:20-slim"
    compressed_bytes: int
    uncompressed_bytes: int
    source: str

    @property
    def heavy(self) -> bool:
        return self.kind in HEAVY_KINDS


class BaseImageCatalog:
    def __init__(self, variants: list[ImageVariant], suggestions: dict[str, list[str]]):
        self._variants = {v.id: v for v in variants}
        self._suggestions = suggestions

    @property
    def variants(self) -> list[ImageVariant]:
        return list(self._variants.values())

    @property
    def stacks(self) -> list[str]:
        return list(self._suggestions)

    def variant(self, variant_id: str) -> ImageVariant:
        return self._variants[variant_id]

    def lookup(self, image: str) -> ImageVariant | None:
        """The catalog variant ``image`` (as written after FROM, ARGs expanded) is, if any."""
        if image.strip().lower() == "scratch":
            return self._variants["scratch/scratch"]
        ref = image_ref(image)
        variant_id = _variant_id(ref)
        return self._variants.get(variant_id) if variant_id else None

    def suggestions(self, stack: str) -> list[ImageVariant]:
        """Runtime variants for ``stack`` ("node", "python", "go", ...), best first."""
        return [self._variants[i] for i in self._suggestions.get(stack, [])]

    def suggest(self, stack: str, *, needs_glibc: bool) -> ImageVariant | None:
        """The smallest fitting runtime variant: musl ones only when nothing needs glibc."""
        for variant in self.suggestions(stack):
            if needs_glibc and variant.libc == "musl":
                continue
            return variant
        return None


def _variant_id(ref: ImageRef) -> str | None:
    tag = (ref.tag or "").lower()
    name = ref.name
    if ref.registry == "gcr.io" and ref.repository.startswith("distroless/"):
        return _distroless_id(name)
    if not ref.on_hub:
        return None
    if "/" in ref.repository.removeprefix("library/"):
        return None  # a user's or vendor's image: its size is unknown
    alpine = "alpine" in tag
    slim = "slim" in tag
    match name:
        case "node" | "python" | "ruby":
            return f"{name}/alpine" if alpine else f"{name}/slim" if slim else f"{name}/full"
        case "golang":
            return "golang/alpine" if alpine else "golang/full"
        case "rust":
            return "rust/alpine" if alpine else "rust/slim" if slim else "rust/full"
        case "debian":
            return "debian/slim" if slim else "debian/full"
        case "alpine":
            return "alpine/alpine"
        case "ubuntu" | "centos" | "fedora" | "amazonlinux":
            return f"{name}/full"
        case "rockylinux":
            return "rockylinux/minimal" if "minimal" in tag else "rockylinux/full"
        case "eclipse-temurin" | "openjdk" | "amazoncorretto":
            if "jre" in tag:
                return "eclipse-temurin/jre-alpine" if alpine else "eclipse-temurin/jre"
            if name == "openjdk":
                return "openjdk/full"
            return "eclipse-temurin/jdk-alpine" if alpine else "eclipse-temurin/jdk"
        case "maven" | "gradle":
            return f"{name}/full"
        case "php" | "nginx":
            return f"{name}/alpine" if alpine else f"{name}/full"
    return None


def _distroless_id(name: str) -> str | None:
    # gcr.io/distroless/<kind>[<version>][-debianNN], e.g. "java21-debian12", "static".
    base = name.split("-", 1)[0].rstrip("0123456789")
    if base in ("static", "base", "cc", "java", "nodejs"):
        return f"distroless/{base}"
    if base.startswith("python"):
        return "distroless/python3"
    return None


def _megabytes(value: object) -> int:
    if not isinstance(value, int | float):
        raise ValueError(f"size {value!r} is not a number")
    return round(float(value) * MEGABYTE)


def _data_text() -> str:
    # The file beside this module; importlib.resources (slower to import: every lint pays
    # for it at start-up) only when the package is not on a file system (a zip import).
    try:
        return (Path(__file__).parent / "data" / "base_images.toml").read_text("utf-8")
    except OSError:
        from importlib import resources

        data = resources.files("slimage.rules").joinpath("data/base_images.toml")
        return data.read_text("utf-8")


@functools.cache
def load_catalog() -> BaseImageCatalog:
    """Read the packaged catalog once per process."""
    data = tomllib.loads(_data_text())
    variants = [
        ImageVariant(
            id=str(entry["id"]),
            family=str(entry["family"]),
            kind=str(entry["kind"]),
            libc=str(entry["libc"]),
            example=str(entry["example"]),
            compressed_bytes=_megabytes(entry["compressed"]),
            uncompressed_bytes=_megabytes(entry["uncompressed"]),
            source=str(entry["source"]),
        )
        for entry in data["variant"]
    ]
    suggestions = {str(k): [str(i) for i in v] for k, v in data["runtime_suggestions"].items()}
    return BaseImageCatalog(variants, suggestions)
