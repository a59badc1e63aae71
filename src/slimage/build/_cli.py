"""Running a builder's command line: ``buildah bud`` and ``podman build`` take the same
options (podman builds with buildah's code), so their back-ends share this."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TextIO

from slimage.build.base import BuildRequest, BuiltImage
from slimage.build.steps import StepTracker
from slimage.errors import ToolError


def find_tool(name: str) -> str | None:
    return shutil.which(name)


def build_options(request: BuildRequest) -> list[str]:
    """The ``build`` options both CLIs (and ``docker buildx build``) understand."""
    options: list[str] = []
    if request.dockerfile is not None:
        options += ["-f", str(request.dockerfile)]
    for tag in request.tags:
        options += ["-t", tag]
    for key, value in request.build_args:
        options += ["--build-arg", f"{key}={value}"]
    if request.target:
        options += ["--target", request.target]
    if request.platform:
        options += ["--platform", request.platform]
    return options


def stream_command(command: list[str], tracker: StepTracker) -> int:
    """Run ``command``, feeding its merged output to ``tracker`` line by line."""
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
        )
    except OSError as error:
        raise ToolError(f"{command[0]}: cannot run ({error.strerror or error})") from None
    assert process.stdout is not None
    try:
        for line in process.stdout:
            tracker.feed(line)
        return process.wait()
    finally:
        # Interrupted (Ctrl-C): the builder is in our process group and got the signal too;
        # wait a moment for it to stop rather than leave it running.
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def quiet_command(command: list[str], what: str, timeout: float = 3600) -> str:
    """Run a short command (an export, an inspect); ToolError with its last line if it fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except OSError as error:
        raise ToolError(f"{what}: cannot run {command[0]} ({error.strerror or error})") from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"{what}: {command[0]} did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise ToolError(f"{what} failed (exit status {done.returncode}): {lines[-1]}")
    return done.stdout


def build_with_cli(
    tool: str,
    name: str,
    build_verb: list[str],
    export: list[str],
    request: BuildRequest,
    progress: TextIO | None,
) -> BuiltImage:
    """``TOOL BUILD_VERB ... --iidfile F CONTEXT``, then ``TOOL EXPORT... IID ARCHIVE``.

    ``export`` is the command that writes the image as an oci-archive, with ``{id}`` and
    ``{archive}`` placeholders: the builder writes the file itself, no daemon in between.
    """
    workdir = Path(tempfile.mkdtemp(prefix="slimage-build-"))
    iidfile = workdir / "iid"
    archive = workdir / "image.oci.tar"
    tracker = StepTracker(progress)
    started = time.monotonic()
    try:
        command = [tool, *build_verb, *build_options(request), "--iidfile", str(iidfile)]
        status = stream_command([*command, str(request.context)], tracker)
        seconds = time.monotonic() - started
        if status != 0 or not iidfile.exists():
            raise tracker.failure(name, status)
        image_id = iidfile.read_text().strip()
        words = [word.format(id=image_id, archive=archive) for word in export]
        quiet_command([tool, *words], f"{name}: exporting {image_id[:19]}")
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return BuiltImage(
        builder=name,
        reference=f"oci-archive:{archive}",
        image_id=image_id,
        tags=request.tags,
        seconds=seconds,
        location=f"containers-storage:{request.tags[0] if request.tags else image_id}",
        temporary=[workdir],
    )
