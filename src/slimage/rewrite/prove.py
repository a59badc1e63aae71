"""``rewrite --verify``: build the original and the rewrite, run both, compare them.

:func:`prove_rewrite` is the loop the product is about, in one call: the original
Dockerfile and the rewritten one are built with the machine's own builder
(:mod:`slimage.build`), both images are started with their own entry points and asked the
same probes (:func:`slimage.verify.verify_like`: same HTTP status and body, same command
status and output), and the two are compared by content (:func:`slimage.diff.diff_images`,
with a gate that fails when the rewrite is not smaller). The rewrite is proven when both
hold; ``--write`` replaces the file only then.

Without a probe from the caller, each port the original image exposes is asked ``GET /``
and both images must give the same answer, whatever its status; an image that exposes
nothing is only required to start (and keep running, or end with status 0) as the
original does. The rewritten file is built from a temporary directory outside the
context, so nothing is written into the project; the two images stay in the builder's
store as ``localhost/slimage-rewrite/NAME:before`` and ``:after`` for the user to inspect.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from slimage.errors import ToolError

if TYPE_CHECKING:
    from slimage.build.base import BuiltImage
    from slimage.diff.model import ImageDiff
    from slimage.rewrite.model import RewriteResult
    from slimage.verify.model import HttpProbe, VerifyReport, VerifySpec


@dataclass(frozen=True)
class ProofOptions:
    """How to build and what to ask. An empty ``spec`` (no probe, command or test file)
    gets the probes derived from the original image's exposed ports."""

    spec: VerifySpec
    builder: str = "auto"
    build_args: tuple[tuple[str, str], ...] = ()
    bandwidth_bits: int | None = None


@dataclass
class BuildOutcome:
    """One side's build: the image, or why it did not build."""

    dockerfile: str  # "original" or "rewritten"
    tag: str
    builder: str = ""
    seconds: float = 0.0
    error: str = ""


@dataclass
class Proof:
    """What the proof found. ``failure`` says, in one line, why it did not pass."""

    builds: list[BuildOutcome]
    verify: VerifyReport | None = None
    diff: ImageDiff | None = None
    probes: list[str] = field(default_factory=list)  # the probes asked, as --http writes them
    derived: bool = False  # the probes came from the original image's EXPOSE
    failure: str = ""

    @property
    def passed(self) -> bool:
        return not self.failure


def prove_rewrite(
    result: RewriteResult,
    dockerfile: Path,
    context: Path,
    options: ProofOptions,
    progress: TextIO | None = None,
) -> Proof:
    """Build ``dockerfile`` as written and as ``result`` rewrites it, verify the rewrite
    answers like the original, and diff the two. A build of the original that fails
    raises :class:`~slimage.errors.ToolError` (the user's file must build first); a
    rewrite that fails to build, answers differently or is not smaller is a failed
    :class:`Proof`."""
    from slimage.build import BuildRequest, build_image, choose_builder

    builder = choose_builder(options.builder).name  # none here: ToolError before any build
    name = _image_name(context)
    before = BuildOutcome("original", f"localhost/slimage-rewrite/{name}:before")
    after = BuildOutcome("rewritten", f"localhost/slimage-rewrite/{name}:after")
    proof = Proof([before, after])
    workdir = Path(tempfile.mkdtemp(prefix="slimage-rewrite-"))
    built: list[BuiltImage] = []
    try:
        rewritten = workdir / "Dockerfile"
        rewritten.write_text(result.text, encoding="utf-8")
        for outcome, file in ((before, dockerfile), (after, rewritten)):
            request = BuildRequest(
                context=context, dockerfile=file, tags=(outcome.tag,), build_args=options.build_args
            )
            try:
                image = build_image(request, builder, progress)
            except ToolError as error:
                if outcome is before:
                    raise ToolError(f"{dockerfile}: the original does not build: {error}") from None
                outcome.error = str(error)
                proof.failure = f"the rewritten Dockerfile does not build: {error}"
                return proof
            built.append(image)
            outcome.builder, outcome.seconds = image.builder, image.seconds
        spec = options.spec
        if _empty(spec):
            spec = replace(spec, http=_derived_probes(built[0].reference))
            proof.derived = bool(spec.http)
        proof.probes = [str(probe) for probe in spec.http]
        proof.diff = diff = _diff(built[0], built[1], options)
        proof.verify = verify = _verify(built[1], built[0], spec)
    finally:
        for image in built:
            image.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    if not verify.passed:
        first = verify.failed[0]
        proof.failure = (
            f"the rewrite does not answer like the original ({first.name}: {first.reason})"
        )
    elif not diff.gates_passed:
        proof.failure = "the rewritten image is not smaller than the original"
    return proof


def _image_name(context: Path) -> str:
    """The context directory's name as a repository path component."""
    text = re.sub(r"[^a-z0-9._-]+", "-", context.resolve().name.lower()).strip("._-")
    return text or "app"


def _empty(spec: VerifySpec) -> bool:
    return not (spec.http or spec.commands or spec.expect_stdout or spec.structure_tests)


def _derived_probes(reference: str) -> tuple[HttpProbe, ...]:
    """``GET /`` on every TCP port the original image exposes, any answer accepted (the
    comparison with the rewrite's answer is the check)."""
    from slimage.analysis.inventory import image_config_body
    from slimage.image.model import Closable
    from slimage.image.open import open_image
    from slimage.verify.model import HttpProbe

    image = open_image(reference)
    try:
        exposed = image_config_body(image.config).get("ExposedPorts")
    finally:
        if isinstance(image, Closable):
            image.close()
    ports = set()
    for key in exposed if isinstance(exposed, dict) else ():
        number, _, protocol = str(key).partition("/")
        if number.isdigit() and protocol in ("", "tcp") and 0 < int(number) < 65536:
            ports.add(int(number))
    return tuple(HttpProbe(port, "/", any_status=True) for port in sorted(ports))


def _diff(before: BuiltImage, after: BuiltImage, options: ProofOptions) -> ImageDiff:
    from slimage.diff import DiffOptions, diff_images

    diff_options = DiffOptions(max_growth_bytes=0)
    if options.bandwidth_bits is not None:
        diff_options = replace(diff_options, bandwidth_bits=options.bandwidth_bits)
    diff = diff_images(before.reference, after.reference, diff_options)
    # Named as the images stay, not as the temporary exports they were read from.
    diff.before.source = before.location or diff.before.source
    diff.after.source = after.location or diff.after.source
    return diff


def _verify(image: BuiltImage, original: BuiltImage, spec: VerifySpec) -> VerifyReport:
    """Run both images where the builder left them: podman (or buildah) for
    containers-storage, docker for a Docker daemon; else load the exported archives."""
    from slimage.verify import verify_like

    mine, theirs, runtime = image.location, original.location, "auto"
    if mine.startswith("containers-storage:"):
        runtime = "podman" if shutil.which("podman") else "buildah"
    elif mine.startswith("docker-daemon:") and shutil.which("docker"):
        runtime = "docker"
    else:
        mine, theirs = image.reference, original.reference
    return verify_like(mine, theirs, spec, runtime)
