"""The Docker Engine API (Docker, or podman's compatible service) as a builder.

With the ``docker`` CLI and its buildx plugin, ``docker buildx build`` builds with BuildKit
and writes the image straight to an OCI archive (``--output type=oci``), no daemon round
trip; with ``-t`` it is loaded into the daemon instead (``--load``) and exported from it.
Without buildx the Engine API's own ``POST /build`` runs through the Docker SDK (the
classic builder, or podman's), and the image is exported with ``GET /images/ID/get``.
The daemon is the first of :func:`slimage.image.daemon.daemon_endpoints` that answers
(``DOCKER_HOST`` first).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from slimage.build._cli import build_options, find_tool, quiet_command, stream_command
from slimage.build.base import BuildRequest, BuiltImage
from slimage.build.steps import StepTracker
from slimage.errors import ToolError


def answering_endpoint() -> str | None:
    """The first Docker-compatible daemon that answers a ping, or None."""
    import docker
    from docker.errors import DockerException

    from slimage.image.daemon import daemon_endpoints

    for endpoint in daemon_endpoints():
        if endpoint.startswith("unix://") and not os.path.exists(endpoint[len("unix://") :]):
            continue
        try:
            client = docker.DockerClient(base_url=endpoint, timeout=10)
            try:
                client.ping()
            finally:
                client.close()
        except (DockerException, OSError):
            continue
        return endpoint
    return None


def buildx_available() -> bool:
    tool = find_tool("docker")
    if tool is None:
        return False
    done = subprocess.run([tool, "buildx", "version"], capture_output=True, timeout=30, check=False)
    return done.returncode == 0


class DockerBuilder:
    name = "docker"

    def __init__(self, endpoint: str | None = None, use_buildx: bool | None = None) -> None:
        self._endpoint = endpoint
        self._use_buildx = use_buildx

    def endpoint(self) -> str | None:
        if self._endpoint is None:
            self._endpoint = answering_endpoint()
        return self._endpoint

    def available(self) -> str | None:
        if self.endpoint() is None:
            return "no Docker Engine API answered (DOCKER_HOST, the docker socket, podman's)"
        return None

    def build(self, request: BuildRequest, progress: TextIO | None) -> BuiltImage:
        endpoint = self.endpoint()
        if endpoint is None:
            raise ToolError(
                "docker: no Docker Engine API answered; set DOCKER_HOST or start the daemon "
                "(or `podman system service`)"
            )
        use_buildx = buildx_available() if self._use_buildx is None else self._use_buildx
        workdir = Path(tempfile.mkdtemp(prefix="slimage-build-"))
        try:
            if use_buildx:
                return self._buildx(endpoint, request, progress, workdir)
            return self._engine_api(endpoint, request, progress, workdir)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise

    def _buildx(
        self, endpoint: str, request: BuildRequest, progress: TextIO | None, workdir: Path
    ) -> BuiltImage:
        tool = find_tool("docker") or "docker"
        archive = workdir / "image.oci.tar"
        iidfile = workdir / "iid"
        output = ["--load"] if request.tags else ["--output", f"type=oci,dest={archive}"]
        command = [
            tool,
            "--host",
            endpoint,
            "buildx",
            "build",
            "--progress",
            "plain",
            *build_options(request),
            *output,
            "--iidfile",
            str(iidfile),
            str(request.context),
        ]
        tracker = StepTracker(progress)
        started = time.monotonic()
        status = stream_command(command, tracker)
        seconds = time.monotonic() - started
        if status != 0:
            raise tracker.failure("docker buildx", status)
        image_id = iidfile.read_text().strip() if iidfile.exists() else ""
        if request.tags:
            archive = workdir / "image.docker.tar"
            quiet_command(
                [tool, "--host", endpoint, "save", "-o", str(archive), request.tags[0]],
                f"docker: exporting {request.tags[0]}",
            )
            reference = f"docker-archive:{archive}"
        else:
            reference = f"oci-archive:{archive}"
        location = f"docker-daemon:{request.tags[0]}" if request.tags else ""
        return BuiltImage(
            "docker-buildx", reference, image_id, request.tags, seconds, location, [workdir]
        )

    def _engine_api(
        self, endpoint: str, request: BuildRequest, progress: TextIO | None, workdir: Path
    ) -> BuiltImage:
        import docker
        from docker.errors import APIError, DockerException

        client = docker.DockerClient(base_url=endpoint, timeout=3600)
        tracker = StepTracker(progress)
        started = time.monotonic()
        try:
            image_id = ""
            try:
                events = client.api.build(**self._api_options(request), decode=True)
                for event in events:
                    image_id = self._follow(event, tracker) or image_id
            except APIError as error:
                raise tracker.failure(
                    "docker", error.status_code or "?", _api_reason(error)
                ) from None
            except DockerException as error:
                raise tracker.failure("docker", "?", str(error)) from None
            seconds = time.monotonic() - started
            if not image_id:
                raise tracker.failure("docker", "?", "the daemon reported no image ID")
            for tag in request.tags[1:]:
                repository, _, version = tag.rpartition(":") if ":" in tag else (tag, "", "")
                client.api.tag(image_id, repository or tag, version or "latest")
            archive = workdir / "image.docker.tar"
            try:
                with archive.open("wb") as out:
                    for chunk in client.images.get(image_id).save(chunk_size=1 << 20):
                        out.write(chunk)
            except (DockerException, OSError) as error:
                raise ToolError(f"docker: exporting {image_id[:19]} failed ({error})") from None
        finally:
            client.close()
        location = f"docker-daemon:{request.tags[0] if request.tags else image_id}"
        return BuiltImage(
            "docker",
            f"docker-archive:{archive}",
            image_id,
            request.tags,
            seconds,
            location,
            [workdir],
        )

    @staticmethod
    def _api_options(request: BuildRequest) -> dict[str, Any]:
        options: dict[str, Any] = {
            "path": str(request.context),
            "rm": True,
            "forcerm": True,
            "buildargs": dict(request.build_args) or None,
            "target": request.target,
            "platform": request.platform,
        }
        if request.dockerfile is not None:
            options["dockerfile"] = str(request.dockerfile.resolve())
        if request.tags:
            options["tag"] = request.tags[0]
        return options

    @staticmethod
    def _follow(event: Any, tracker: StepTracker) -> str | None:
        """One event of the build stream -> the image ID once it is known."""
        if not isinstance(event, dict):
            return None
        if "error" in event or "errorDetail" in event:
            detail = event.get("errorDetail") or {}
            message = str(detail.get("message") or event.get("error") or "build failed")
            tracker.feed(message)
            raise tracker.failure("docker", detail.get("code") or 1, message.strip())
        stream = event.get("stream")
        if isinstance(stream, str):
            tracker.feed(stream)
            built = stream.strip()
            if built.startswith("Successfully built "):
                return built.split()[-1]
        aux = event.get("aux")
        if isinstance(aux, dict) and isinstance(aux.get("ID"), str):
            return str(aux["ID"])
        status = event.get("status")
        if isinstance(status, str) and status.strip():
            tracker.feed(status)
        return None


def _api_reason(error: Any) -> str:
    explanation = getattr(error, "explanation", None)
    return str(explanation or error).strip()
