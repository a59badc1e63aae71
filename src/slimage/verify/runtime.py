"""The local container runtime (podman or docker, through their command lines), as
``slimage verify`` needs it: load an image, run it, probe it, copy files out, clean up.

Both CLIs share the commands used here (``run``, ``port``, ``inspect``, ``exec``, ``cp``,
``logs``, ``rm``). Every container gets a name and the label ``slimage.verify=RUN_ID``;
:meth:`ContainerRuntime.cleanup` removes all of them (by name and by label, so one whose
``run`` was interrupted half-way goes too), and the images it loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from slimage.errors import ToolError, UsageError

RUNTIMES = ("auto", "podman", "docker", "buildah")
LABEL = "slimage.verify"
# Starting a container may pull or copy its layers (vfs copies them whole): bounded on
# its own, apart from --timeout, which counts from when the container runs.
START_SECONDS = 900


@dataclass(frozen=True)
class Completed:
    status: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ContainerState:
    running: bool
    exit_code: int
    error: str


class ContainerRuntime:
    """One runtime CLI and what this run created with it."""

    def __init__(self, tool: str, name: str) -> None:
        self.tool = tool
        self.name = name
        self.run_id = uuid.uuid4().hex[:12]
        self.containers: list[str] = []
        self.loaded_images: list[str] = []
        self._count = 0

    # -- plumbing ---------------------------------------------------------------------
    def call(self, *args: str, timeout: float = 120, check: bool = False) -> Completed:
        try:
            done = subprocess.run(
                [self.tool, *args],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=max(timeout, 1),
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except OSError as error:
            raise ToolError(f"{self.name}: cannot run ({error.strerror or error})") from None
        except subprocess.TimeoutExpired:
            raise ToolTimeout(
                f"{self.name} {args[0]} did not finish within {timeout:.0f} s"
            ) from None
        result = Completed(done.returncode, done.stdout, done.stderr)
        if check and done.returncode != 0:
            raise ToolError(f"{self.name} {args[0]} failed: {last_line(result)}")
        return result

    def new_name(self) -> str:
        self._count += 1
        name = f"slimage-verify-{self.run_id}-{self._count}"
        self.containers.append(name)
        return name

    # -- images -----------------------------------------------------------------------
    def load(self, reference: str) -> str:
        """Make ``reference`` runnable here; the name (or ID) to run it by."""
        for prefix in ("containers-storage:", "docker-daemon:"):
            if reference.startswith(prefix):
                return reference[len(prefix) :]
        if reference.startswith("docker://"):
            return reference  # podman and docker pull it by themselves
        source = archive_transport(reference)
        if source is None:
            return reference  # a plain name: local, or pulled by the runtime
        present = set(self.call("images", "-q", "--no-trunc", check=True).stdout.split())
        if self.name == "podman":
            # podman reads every transport skopeo does; it prints the image ID.
            done = self.call("pull", "--quiet", source, timeout=START_SECONDS)
            if done.status != 0:
                raise ToolError(f"podman: loading {reference} failed: {last_line(done)}")
            image = done.stdout.strip().splitlines()[-1]
        else:
            image = self._docker_load(reference, source)
        # Removed afterwards only if this load added it (the same image may be stored
        # under a name already: removing it by ID would remove that name).
        inspected = self.call("image", "inspect", "--format", "{{.Id}}", image)
        image_id = inspected.stdout.strip() or image
        if not any(_same_id(image_id, known) for known in present):
            self.loaded_images.append(image)
        return image

    def _docker_load(self, reference: str, source: str) -> str:
        path = source.partition(":")[2]
        if not source.startswith("docker-archive:"):
            raise UsageError(
                f"{reference}: the docker runtime loads docker-archive files; use podman, or "
                "copy the image with `skopeo copy` first"
            )
        done = self.call("load", "-i", path, timeout=START_SECONDS)
        if done.status != 0:
            raise ToolError(f"docker: loading {reference} failed: {last_line(done)}")
        for line in reversed(done.stdout.splitlines()):
            for marker in ("Loaded image: ", "Loaded image ID: "):
                if line.startswith(marker):
                    return line[len(marker) :].strip()
        raise ToolError(f"docker: loading {reference}: no image in its answer")

    def image_config(self, image: str) -> dict[str, Any]:
        done = self.call("image", "inspect", image, check=True)
        data = json.loads(done.stdout)
        entry = data[0] if isinstance(data, list) and data else {}
        config = entry.get("Config") if isinstance(entry, dict) else None
        return config if isinstance(config, dict) else {}

    # -- containers -------------------------------------------------------------------
    def start(self, image: str, ports: Sequence[int]) -> str:
        """Run ``image`` detached with its own entry point and user, each of ``ports``
        published on a free port of 127.0.0.1; its name."""
        name = self.new_name()
        publish = [word for port in ports for word in ("-p", f"127.0.0.1::{port}")]
        done = self.call(
            "run",
            "-d",
            "--name",
            name,
            "--label",
            f"{LABEL}={self.run_id}",
            *publish,
            image,
            timeout=START_SECONDS,
        )
        if done.status in (126, 127):
            # The runtimes' convention: the image's command cannot be found (127) or run
            # (126), a fault of the image; 125 and others are the runtime's own failure.
            raise StartFailed(f"{self.name} run {image} failed: {last_line(done)}")
        if done.status != 0:
            raise ToolError(
                f"{self.name} run {image} failed (exit status {done.status}): {last_line(done)}"
            )
        return name

    def host_port(self, container: str, port: int) -> int:
        done = self.call("port", container, f"{port}/tcp", check=True)
        for line in done.stdout.splitlines():
            host, _, number = line.strip().rpartition(":")
            if number.isdigit() and host in ("127.0.0.1", "0.0.0.0", ""):
                return int(number)
        raise ToolError(f"{self.name} port {container} {port}: no published port")

    def state(self, container: str) -> ContainerState:
        done = self.call("inspect", "--type", "container", container)
        if done.status != 0:  # gone (removed from outside): it runs no more
            return ContainerState(False, -1, last_line(done))
        data = json.loads(done.stdout)
        state = data[0].get("State", {}) if isinstance(data, list) and data else {}
        return ContainerState(
            bool(state.get("Running")),
            int(state.get("ExitCode") or 0),
            str(state.get("Error") or ""),
        )

    def logs(self, container: str) -> Completed:
        return self.call("logs", container)

    def exec(self, container: str, argv: Sequence[str], timeout: float) -> Completed:
        return self.call("exec", container, *argv, timeout=timeout)

    def run_once(
        self,
        image: str,
        argv: Sequence[str],
        *,
        entrypoint: bool,
        env: Sequence[tuple[str, str]] = (),
        timeout: float,
    ) -> Completed:
        """A fresh container running ``argv``: as the entry point's arguments, or (with
        ``entrypoint``) in place of the entry point, as container-structure-test does.
        ``timeout`` bounds the run, not the creation (which may copy the layers)."""
        name = self.new_name()
        options = ["--name", name, "--label", f"{LABEL}={self.run_id}"]
        options += [word for key, value in env for word in ("-e", f"{key}={value}")]
        command = list(argv)
        if entrypoint and command:
            options += ["--entrypoint", command[0]]
            command = command[1:]
        try:
            created = self.call("create", *options, image, *command, timeout=START_SECONDS)
            if created.status != 0:
                return created
            # `start --attach` keeps stdout and stderr apart and exits with the command.
            return self.call("start", "--attach", name, timeout=timeout)
        except ToolTimeout:
            return Completed(-1, "", f"did not finish within {timeout:.0f} s")
        finally:
            self.remove(name)

    def create(self, image: str) -> str:
        """A container that is never started: the image's files, for ``cp``."""
        name = self.new_name()
        done = self.call(
            "create",
            "--name",
            name,
            "--label",
            f"{LABEL}={self.run_id}",
            image,
            timeout=START_SECONDS,
        )
        if done.status != 0:
            raise ToolError(f"{self.name} create {image} failed: {last_line(done)}")
        return name

    @contextmanager
    def copy_out(self, container: str, path: str) -> Iterator[IO[bytes]]:
        """A tar stream of ``path`` (read only what is needed). podman as root mounts the
        container and reads the image's own ownership; otherwise ``cp CONTAINER:PATH -``
        (docker's keeps ownership; rootless podman's reports its user's)."""
        if self.name == "podman":
            mounted = self.call("mount", container)
            if mounted.status == 0 and mounted.stdout.strip():
                from slimage.verify.files import member_tar

                yield member_tar(mounted.stdout.strip(), path)
                return
        process = subprocess.Popen(
            [self.tool, "cp", f"{container}:{path}", "-"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        assert process.stdout is not None
        try:
            yield process.stdout
        finally:
            process.stdout.close()
            if process.poll() is None:
                process.kill()
            process.wait()

    def remove(self, container: str) -> None:
        # --time 0 / docker's -f: the container is thrown away, no graceful stop needed.
        extra = ["--time", "0"] if self.name == "podman" else []
        self.call("rm", "-f", *extra, container, timeout=600)

    def cleanup(self) -> None:
        """Remove every container of this run and the images it loaded. Each removal is
        tried on its own (one that fails or times out does not stop the others), and the
        label is listed again until nothing of the run is left (a few rounds at most)."""
        pending = list(self.containers)
        for _ in range(3):
            for container in pending:
                with contextlib.suppress(ToolError):
                    self.remove(container)
            # One whose `run` was cut short may exist under no name we saw finish.
            with contextlib.suppress(ToolError):
                listed = self.call("ps", "-a", "-q", "--filter", f"label={LABEL}={self.run_id}")
                pending = listed.stdout.split()
            if not pending:
                break
        self.containers.clear()
        for image in self.loaded_images:
            with contextlib.suppress(ToolError):
                self.call("rmi", image, timeout=300)
        self.loaded_images.clear()


class ToolTimeout(ToolError):
    """A runtime command ran out of its time."""


class StartFailed(ToolError):
    """The runtime could not start the image (its entry point missing, say): a failed
    check, reported with the others, not an error of the tool."""


def _same_id(image: str, known: str) -> bool:
    """``podman pull`` prints a bare ID; ``images -q --no-trunc`` lists sha256:IDs."""
    return image.removeprefix("sha256:") == known.removeprefix("sha256:")


def last_line(done: Completed) -> str:
    lines = (done.stderr.strip() or done.stdout.strip()).splitlines()
    return lines[-1].strip() if lines else f"exit status {done.status}"


def archive_transport(reference: str) -> str | None:
    """A file or directory reference as a containers/image transport, else None."""
    from slimage.image.open import split_reference

    transport, path, tag = split_reference(reference)
    if transport is None:
        if not os.path.exists(path):
            return None
        transport = "oci" if os.path.isdir(path) else _sniff_archive(path)
    path = os.path.abspath(path)
    return f"{transport}:{path}" + (f":{tag}" if tag else "")


def _sniff_archive(path: str) -> str:
    """docker-archive has manifest.json at the top, oci-archive an index.json."""
    import tarfile

    try:
        with tarfile.open(path, "r:") as archive:
            names = set(archive.getnames())
    except (OSError, tarfile.TarError):
        return "docker-archive"
    return (
        "oci-archive"
        if "index.json" in names and "manifest.json" not in names
        else "docker-archive"
    )


def choose_runtime(name: str = "auto") -> ContainerRuntime:
    """podman, else docker when its daemon answers, else buildah; ToolError (exit 5) when
    none can run."""
    if name not in RUNTIMES:
        raise UsageError(f"--runtime: {name!r} is not one of {', '.join(RUNTIMES)}")
    candidates = ("podman", "docker", "buildah") if name == "auto" else (name,)
    reasons = []
    for candidate in candidates:
        tool = shutil.which(candidate)
        if tool is None:
            reasons.append(f"{candidate} is not installed")
            continue
        if candidate == "docker":
            done = subprocess.run(
                [tool, "version", "--format", "{{.Server.Version}}"],
                capture_output=True,
                timeout=30,
                check=False,
            )
            if done.returncode != 0:
                reasons.append("docker: no daemon answers")
                continue
        if candidate == "buildah":
            from slimage.verify.buildah_runtime import BuildahRuntime

            return BuildahRuntime(tool)
        return ContainerRuntime(tool, candidate)
    raise ToolError("no container runtime: " + "; ".join(reasons))
