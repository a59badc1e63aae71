"""The new stages: the user's own steps as the build stage, a runtime stage on the smallest
base that fits, holding only what the app needs at run time.

The build stage is the original final stage, renamed, with its runtime-only metadata
removed and a few lines added where the runtime needs them (``CGO_ENABLED=0`` for a
static Go binary, a virtualenv for Python, a jlink runtime). Node gets one more stage: a
separate production install (``--omit=dev``) on top of the build. The runtime stage
repeats the user's ENV, WORKDIR and metadata, installs the runtime packages (those of the
user's that are not build tools, and the libraries of packages built from source), copies
the artifacts to the same paths and runs the same entry point as a non-root user.

This module holds the plan itself; :mod:`slimage.rewrite.planner` makes it (with
:mod:`~slimage.rewrite.stack_plans`, :mod:`~slimage.rewrite.runtime_stage` and
:mod:`~slimage.rewrite.build_order`) and :mod:`slimage.rewrite.emit` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slimage.errors import InputError

RUNTIMES = ("distroless", "scratch", "slim", "alpine", "jlink")
INTERPRETED = frozenset({"node", "python"})
APP_USER = "10001:10001"
NONROOT = "65532:65532"  # distroless's nonroot user
VENV = "/opt/venv"
JLINK_HOME = "/opt/java"

# apt's caches, /var/lib/apt locked (apt takes its own locks, and fails rather than wait,
# when two builds share them). Only the last cache mount of a RUN is locked: buildah before
# 1.29 (podman 4.3, Debian 12) releases only the last mount's lock after the step, so a
# second locked one would stay held and the build's next RUN that mounts it waits forever.
# Every RUN that mounts /var/cache/apt here locks /var/lib/apt with it, so apt never runs
# twice at once on these caches.
APT_MOUNTS = (
    "--mount=type=cache,target=/var/cache/apt \\\n"
    "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    "
)


class NotRewritable(InputError):
    """The file cannot be rewritten safely; the message says why and what would help."""


@dataclass
class Plan:
    """What the emitter writes, decided."""

    stack: str
    build_name: str
    runtime: str  # the flavour: distroless, scratch, slim, alpine, jlink
    runtime_base: str
    has_shell: bool
    build_head: list[str] = field(default_factory=list)  # right after the build FROM
    build_before: dict[int, list[str]] = field(default_factory=dict)  # before step index
    build_tail: list[str] = field(default_factory=list)
    extra_stages: list[str] = field(default_factory=list)
    runtime_packages: list[str] = field(default_factory=list)
    package_manager: str = "apt"
    runtime_env: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)  # COPY --from lines
    artifacts: list[str] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)  # ENTRYPOINT/CMD lines
    user: str = APP_USER
    replay_context: bool = False
    # Manifests first: before the whole-context COPY at this index, the manifest COPY line
    # and the index of the dependency install moved up with it.
    reorder: dict[int, tuple[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
