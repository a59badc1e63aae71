from __future__ import annotations

import pytest

from slimage.reference import image_ref
from slimage.rules.catalog import load_catalog


@pytest.mark.parametrize(
    ("image", "variant"),
    [
        ("node:20", "node/full"),
        ("node:20-bookworm", "node/full"),
        ("node:20-slim", "node/slim"),
        ("node:20-alpine3.19", "node/alpine"),
        ("docker.io/library/python:3.12-slim-bookworm", "python/slim"),
        ("python:3.12", "python/full"),
        ("golang:1.22-alpine", "golang/alpine"),
        ("rust:1.77-slim", "rust/slim"),
        ("debian:bookworm-slim", "debian/slim"),
        ("debian:12", "debian/full"),
        ("ubuntu", "ubuntu/full"),
        ("rockylinux:9-minimal", "rockylinux/minimal"),
        ("eclipse-temurin:21-jre-alpine", "eclipse-temurin/jre-alpine"),
        ("eclipse-temurin:21", "eclipse-temurin/jdk"),
        ("openjdk:11-jre-slim", "eclipse-temurin/jre"),
        ("maven:3.9-eclipse-temurin-21", "maven/full"),
        ("gcr.io/distroless/static-debian12:nonroot", "distroless/static"),
        ("gcr.io/distroless/java17-debian12", "distroless/java"),
        ("gcr.io/distroless/python3-debian12", "distroless/python3"),
        ("gcr.io/distroless/nodejs20-debian12", "distroless/nodejs"),
        ("scratch", "scratch/scratch"),
        ("golang:1.22@sha256:0123", "golang/full"),
    ],
)
def test_lookup_maps_references_to_variants(image: str, variant: str) -> None:
    found = load_catalog().lookup(image)
    assert found is not None
    assert found.id == variant


@pytest.mark.parametrize(
    "image", ["bitnami/node:20", "localhost:5000/node:20", "myimage", "ghcr.io/x/y"]
)
def test_unknown_images_are_not_guessed(image: str) -> None:
    assert load_catalog().lookup(image) is None


def test_image_ref_splits_registry_port_tag_and_digest() -> None:
    ref = image_ref("localhost:5000/team/app:1.2@sha256:ab")
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        "localhost:5000",
        "team/app",
        "1.2",
        "sha256:ab",
    )
    assert image_ref("registry:5000/app").tag is None


def test_every_variant_has_a_source_and_sane_sizes() -> None:
    catalog = load_catalog()
    assert len(catalog.variants) >= 35
    for variant in catalog.variants:
        assert variant.source
        assert 0 <= variant.compressed_bytes <= variant.uncompressed_bytes
        assert variant.libc in ("glibc", "musl", "none")
    for stack in catalog.stacks:
        assert catalog.suggestions(stack), stack


def test_suggest_skips_musl_when_glibc_is_needed() -> None:
    catalog = load_catalog()
    node_free = catalog.suggest("node", needs_glibc=False)
    node_glibc = catalog.suggest("node", needs_glibc=True)
    assert node_free is not None and node_free.id == "node/alpine"
    assert node_glibc is not None and node_glibc.id == "node/slim"
    assert (
        catalog.variant("node/full").uncompressed_bytes
        > 5 * catalog.variant("node/slim").compressed_bytes
    )


def test_full_language_and_sdk_images_are_heavy_slim_ones_not() -> None:
    catalog = load_catalog()
    assert catalog.variant("node/full").heavy
    assert catalog.variant("golang/alpine").heavy
    assert not catalog.variant("python/slim").heavy
    assert not catalog.variant("distroless/static").heavy
