"""Reading images from a real registry (Debian's docker-registry) on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from slimage.analysis.layers import analyze_layers
from slimage.errors import ImageNotFound, RegistryAuthError
from slimage.image.credentials import Credentials
from slimage.image.open import open_image
from slimage.image.registry import open_registry_image
from support.images import make_layer, write_oci_layout
from support.registry import Registry, run_registry

pytestmark = pytest.mark.integration

LAYERS = [
    make_layer(
        [
            ("dir", "etc"),
            ("file", "etc/os-release", b"ID=debian\n"),
            ("file", "usr/bin/tool", b"x" * 50_000),
            ("file", "tmp/cache", b"c" * 20_000),
        ]
    ),
    make_layer([("whiteout", "tmp/cache"), ("file", "app/main.py", b"print('hi')\n" * 100)]),
]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layout")
    return write_oci_layout(
        root / "img",
        LAYERS,
        compress="gzip",
        history=[{"created_by": "ADD rootfs"}, {"created_by": "COPY app"}],
    )


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with run_registry(tmp_path_factory.mktemp("registry")) as running:
        yield running


@pytest.fixture(scope="module")
def private_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with run_registry(tmp_path_factory.mktemp("private"), htpasswd=("alice", "s3cret!")) as r:
        yield r


def _summary(image: object) -> dict[str, object]:
    analysis = analyze_layers(image, content_wanted=lambda path, size: False)  # type: ignore[arg-type]
    return {
        "layers": [(s.diff_id, s.uncompressed_size) for s in analysis.layers],
        "files": sorted((f.path, f.size) for f in analysis.files.values()),
        "hidden": analysis.hidden,
    }


def test_same_analysis_as_the_layout(registry: Registry, layout: Path) -> None:
    reference = registry.push_oci(layout, "team/app", "1.0")
    remote = open_registry_image(reference)
    assert remote.source == f"docker://{reference}"
    assert [layer.diff_id for layer in remote.layers] == [
        layer.diff_id for layer in open_image(f"oci:{layout}").layers
    ]
    assert _summary(remote) == _summary(open_image(f"oci:{layout}"))


def test_by_digest(registry: Registry, layout: Path) -> None:
    reference = registry.push_oci(layout, "team/app", "digest")
    digest = open_registry_image(reference).manifest_digest
    by_digest = open_registry_image(f"{registry.host}/team/app@{digest}")
    assert by_digest.manifest_digest == digest


def test_unknown_tag_is_not_found(registry: Registry, layout: Path) -> None:
    registry.push_oci(layout, "team/app", "1.0")
    with pytest.raises(ImageNotFound, match="nope not found"):
        open_registry_image(f"{registry.host}/team/app:nope")


def test_basic_auth_needs_credentials(private_registry: Registry, layout: Path) -> None:
    reference = private_registry.push_oci(layout, "secret/app")
    with pytest.raises(RegistryAuthError, match="needs credentials") as caught:
        open_registry_image(reference, credentials=None)
    assert "s3cret" not in str(caught.value)
    with pytest.raises(RegistryAuthError, match="rejected"):
        open_registry_image(reference, credentials=Credentials("alice", "wrong"))
    image = open_registry_image(reference, credentials=Credentials("alice", "s3cret!"))
    assert _summary(image) == _summary(open_image(f"oci:{layout}"))


def test_credentials_from_docker_config(
    private_registry: Registry, layout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    reference = private_registry.push_oci(layout, "secret/app", "cfg")
    auth = base64.b64encode(b"alice:s3cret!").decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {private_registry.host: {"auth": auth}}})
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    image = open_registry_image(reference)
    assert len(image.layers) == 2


def _cli_json(*args: str, stdin: str | None = None) -> dict[str, object]:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", *args, "--format", "json"],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _without_source(report: dict[str, object]) -> dict[str, object]:
    image = dict(report["image"])  # type: ignore[call-overload]
    image.pop("source")
    return {**report, "image": image}


def test_cli_registry_report_equals_the_file_report(registry: Registry, layout: Path) -> None:
    reference = registry.push_oci(layout, "team/cli", "1")
    remote = _cli_json(f"docker://{reference}")
    plain = _cli_json(reference)  # a plain name: no daemon answers here, so the registry
    local = _cli_json(f"oci:{layout}")
    assert remote["image"]["source"] == f"docker://{reference}"  # type: ignore[index]
    assert plain["image"]["source"] == f"docker://{reference}"  # type: ignore[index]
    assert _without_source(remote) == _without_source(local) == _without_source(plain)


def test_cli_password_stdin(private_registry: Registry, layout: Path) -> None:
    reference = private_registry.push_oci(layout, "secret/cli")
    report = _cli_json(
        f"docker://{reference}", "--username", "alice", "--password-stdin", stdin="s3cret!\n"
    )
    assert report["image"]["layer_count"] == 2  # type: ignore[index]


def test_cli_missing_credentials_is_one_line(
    private_registry: Registry, layout: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    reference = private_registry.push_oci(layout, "secret/cli2")
    result = subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", f"docker://{reference}"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "needs credentials" in result.stderr
