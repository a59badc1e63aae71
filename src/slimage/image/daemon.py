"""Images held by a daemon (Docker Engine API, podman's compatible API) or in
containers-storage (buildah, podman).

The Engine API exports an image (``GET /images/NAME/get``) as a docker-archive whose
layers come in file-name order, not layer order, and containers-storage has no API of
its own; so both exports are spooled into a private temporary directory (mode 0700,
removed when the image is closed or the process exits) and then read as a docker-archive.
Registries and archive files on disk are streamed without that copy.

Daemons are tried in this order: ``DOCKER_HOST``; the current docker context
(``DOCKER_CONTEXT`` or ``currentContext`` in the Docker config); the default Docker socket;
podman's rootful and rootless sockets.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from slimage.errors import DaemonUnavailable, ImageNotFound, ImageSourceError
from slimage.image.docker_archive import open_docker_archive
from slimage.image.stored import StoredImage


def daemon_endpoints(environ: Mapping[str, str] | None = None) -> list[str]:
    """Where a Docker-compatible daemon may listen, in the order they are tried."""
    env = os.environ if environ is None else environ
    endpoints: list[str] = []
    if env.get("DOCKER_HOST"):
        endpoints.append(env["DOCKER_HOST"])
    context_host = _context_host(env)
    if context_host:
        endpoints.append(context_host)
    endpoints.append("unix:///var/run/docker.sock")
    endpoints.append("unix:///run/podman/podman.sock")
    if env.get("XDG_RUNTIME_DIR"):
        endpoints.append(f"unix://{env['XDG_RUNTIME_DIR']}/podman/podman.sock")
    return list(dict.fromkeys(endpoints))  # in order, without repeats


def _context_host(env: Mapping[str, str]) -> str | None:
    home = Path(env.get("HOME", str(Path.home())))
    config_dir = Path(env["DOCKER_CONFIG"]) if env.get("DOCKER_CONFIG") else home / ".docker"
    name = env.get("DOCKER_CONTEXT")
    if not name:
        try:
            config = json.loads((config_dir / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        name = config.get("currentContext") if isinstance(config, dict) else None
    if not isinstance(name, str) or not name or name == "default":
        return None
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    try:
        data = json.loads((meta / "meta.json").read_text(encoding="utf-8"))
        host = data["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return host if isinstance(host, str) else None


def open_daemon_image(name: str, *, endpoints: Iterable[str] | None = None) -> StoredImage:
    """Export ``name`` from the first daemon that answers; DaemonUnavailable if none does."""
    from slimage.extras import require

    docker = require("docker", "docker", "reading an image from a Docker daemon")
    from docker.errors import DockerException
    from docker.errors import ImageNotFound as SdkImageNotFound

    tried: list[str] = []
    for endpoint in endpoints if endpoints is not None else daemon_endpoints():
        if endpoint.startswith("unix://") and not os.path.exists(endpoint[len("unix://") :]):
            tried.append(f"{endpoint} (no socket)")
            continue
        try:
            client = docker.DockerClient(base_url=endpoint, timeout=60)
            client.ping()
        except (DockerException, OSError) as error:
            tried.append(f"{endpoint} ({type(error).__name__})")
            continue
        try:
            try:
                image = client.images.get(name)
            except SdkImageNotFound:
                raise ImageNotFound(f"{name}: no such image in the daemon at {endpoint}") from None
            directory = _private_directory()
            archive = directory / "image.tar"
            try:
                with archive.open("wb") as out:
                    for chunk in image.save(chunk_size=1 << 20, named=True):
                        out.write(chunk)
            except (DockerException, OSError) as error:
                raise ImageSourceError(
                    f"{name}: export from {endpoint} failed ({type(error).__name__})"
                ) from None
        finally:
            client.close()
        return _open_spooled(archive, f"docker-daemon:{name}", name)
    raise DaemonUnavailable(
        f"{name}: no Docker-compatible daemon answered (tried {', '.join(tried)}); "
        "set DOCKER_HOST, or start podman with `podman system service`"
    )


def open_containers_storage(reference: str) -> StoredImage:
    """``containers-storage:REF`` (buildah/podman storage), copied out by skopeo."""
    tool = shutil.which("skopeo")
    if tool is None:
        raise DaemonUnavailable(
            f"containers-storage:{reference}: needs skopeo (apt-get install skopeo)"
        )
    directory = _private_directory()
    archive = directory / "image.tar"
    result = subprocess.run(
        [tool, "copy", "--quiet", f"containers-storage:{reference}", f"docker-archive:{archive}"],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["skopeo failed"])[-1]
        if "does not resolve to an image" in reason or "unknown" in reason.lower():
            raise ImageNotFound(f"containers-storage:{reference}: {reason}")
        raise ImageSourceError(f"containers-storage:{reference}: {reason}")
    return _open_spooled(archive, f"containers-storage:{reference}", None)


# The spooled exports live as long as the process needs them (images keep no handle).
_KEEP: list[Path] = []


def _private_directory() -> Path:
    if not _KEEP:
        atexit.register(close_spooled)
    directory = Path(tempfile.mkdtemp(prefix="slimage-"))  # mkdtemp makes it 0700
    _KEEP.append(directory)
    return directory


def _open_spooled(archive: Path, source: str, name: str | None) -> StoredImage:
    image = open_docker_archive(str(archive), name)
    image.source = source
    return image


def close_spooled() -> None:
    """Remove every spooled export now (the CLI calls this when it is done)."""
    while _KEEP:
        shutil.rmtree(_KEEP.pop(), ignore_errors=True)
