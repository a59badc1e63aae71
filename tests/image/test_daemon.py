"""Images from a real Docker-compatible Engine API (podman's) and containers-storage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slimage.analysis.layers import analyze_layers
from slimage.errors import DaemonUnavailable, ImageNotFound
from slimage.image.daemon import daemon_endpoints, open_containers_storage, open_daemon_image
from slimage.image.open import open_image
from support.images import make_layer, write_oci_layout
from support.podman import Podman, run_podman_service

LAYERS = [
    make_layer(
        [
            ("file", "etc/os-release", b"ID=debian\n"),
            ("file", "var/cache/apt/pkgcache.bin", b"p" * 40_000),
        ]
    ),
    make_layer([("whiteout", "var/cache/apt/pkgcache.bin"), ("file", "app/run", b"r" * 9000)]),
]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_oci_layout(
        tmp_path_factory.mktemp("layout") / "img",
        LAYERS,
        history=[{"created_by": "ADD rootfs"}, {"created_by": "RUN x"}],
    )


@pytest.fixture(scope="module")
def podman(tmp_path_factory: pytest.TempPathFactory, layout: Path) -> Iterator[Podman]:
    with run_podman_service(tmp_path_factory.mktemp("podman")) as service:
        service.load_oci(layout, "localhost/slimage-test/app:1")
        yield service


def _summary(image: object) -> tuple[object, ...]:
    analysis = analyze_layers(image, content_wanted=lambda path, size: False)  # type: ignore[arg-type]
    return (
        [s.diff_id for s in analysis.layers],
        sorted((f.path, f.size) for f in analysis.files.values()),
        analysis.hidden,
    )


@pytest.mark.integration
def test_engine_api_matches_the_layout(podman: Podman, layout: Path) -> None:
    image = open_daemon_image("localhost/slimage-test/app:1", endpoints=[podman.docker_host])
    assert image.source == "docker-daemon:localhost/slimage-test/app:1"
    assert _summary(image) == _summary(open_image(f"oci:{layout}"))


@pytest.mark.integration
def test_engine_api_unknown_image(podman: Podman) -> None:
    with pytest.raises(ImageNotFound, match="no such image"):
        open_daemon_image("localhost/nope:1", endpoints=[podman.docker_host])


@pytest.mark.integration
def test_containers_storage(podman: Podman, layout: Path) -> None:
    image = open_containers_storage(
        f"[vfs@{podman.root}+{podman.runroot}]localhost/slimage-test/app:1"
    )
    assert _summary(image) == _summary(open_image(f"oci:{layout}"))


def test_no_daemon_names_what_was_tried(tmp_path: Path) -> None:
    missing = f"unix://{tmp_path}/none.sock"
    with pytest.raises(DaemonUnavailable) as caught:
        open_daemon_image("app:1", endpoints=[missing])
    assert missing in str(caught.value) and "podman system service" in str(caught.value)


def test_endpoint_order(tmp_path: Path) -> None:
    import hashlib
    import json

    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    meta = tmp_path / "contexts" / "meta" / hashlib.sha256(b"remote").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps({"Endpoints": {"docker": {"Host": "tcp://10.1.2.3:2376"}}})
    )
    endpoints = daemon_endpoints(
        {"DOCKER_HOST": "unix:///x.sock", "DOCKER_CONFIG": str(tmp_path), "HOME": str(tmp_path)}
    )
    assert endpoints[:3] == ["unix:///x.sock", "tcp://10.1.2.3:2376", "unix:///var/run/docker.sock"]
