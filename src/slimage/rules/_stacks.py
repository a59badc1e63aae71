"""Which stack a Dockerfile builds, and whether its runtime needs glibc.

Shared by heavy-base-image (which variant to suggest) and single-stage-build (which
multi-stage pattern to recommend). Evidence comes from the Dockerfile (base images,
packages installed, commands run) and, when the build context is known, from the
dependency manifests beside it (package.json, requirements*.txt).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimage.errors import SlimageError
from slimage.limits import loads_json
from slimage.rules import _stage_walk
from slimage.stacks import all_stacks
from slimage.stacks.build_steps import build_step, may_build
from slimage.stacks.dependencies import dependency_install, may_install_dependencies
from slimage.stacks.libc import GLIBC_NODE_ADDONS, MUSL_SAFE_PYTHON
from slimage.stacks.native import requirement_names
from slimage.stacks.packages import (
    package_base_name,
    package_install,
    package_manager,
    runs_package_manager,
)
from slimage.stacks.project import read_text

if TYPE_CHECKING:
    from slimage.dockerfile.stages import Stage
    from slimage.rules.catalog import ImageVariant
    from slimage.rules.context import LintContext


@functools.cache
def family_stack() -> dict[str, str]:
    """Image families that are a stack by themselves: the five of slimage.stacks, and more
    (built on first use: the stack modules load only when a rule asks)."""
    return {
        **{family: name for name, stack in all_stacks().items() for family in stack.families},
        "ruby": "ruby",
        "php": "php",
        "nginx": "static-files",
    }


@functools.cache
def _package_stack() -> tuple[tuple[tuple[str, ...], str], ...]:
    """OS packages that reveal the stack of an image built on a plain distribution."""
    stacks = all_stacks()
    return (
        *((stack.os_packages, name) for name, stack in stacks.items() if name != "go"),
        (("ruby", "ruby-full", "bundler"), "ruby"),
        (("php", "php-fpm", "php-cli"), "php"),
        (stacks["go"].os_packages, "go"),
        (("nginx",), "static-files"),
    )


STACK_LABEL = {
    "node": "Node.js",
    "python": "Python",
    "ruby": "Ruby",
    "php": "PHP",
    "go": "Go",
    "go-cgo": "Go (cgo)",
    "rust": "Rust",
    "java": "Java",
    "c": "C/C++",
    "static-files": "static site",
    "generic": "generic",
}


@dataclass(frozen=True, slots=True)
class StackGuess:
    """The runtime's stack, if known, and whether it needs glibc (which rules out alpine)."""

    stack: str | None
    needs_glibc: bool
    reason: str  # why alpine is ruled out ("" when it is not)


def root_base(context: LintContext, stage: Stage) -> tuple[Stage, str]:
    """The stage whose FROM names an external image, following ``FROM <stage>``."""
    by_index = {s.index: s for s in context.stages.stages}
    seen: set[int] = set()
    while stage.base_stage is not None and stage.base_stage in by_index and stage.index not in seen:
        seen.add(stage.index)
        stage = by_index[stage.base_stage]
    return stage, stage.base


def chain(context: LintContext) -> list[Stage]:
    """The runtime stage and the stages it is built FROM."""
    return [s for s in context.stages.stages if context.is_base_of_runtime(s)]


def guess_stack(context: LintContext, base: ImageVariant | None) -> tuple[str | None, str]:
    """The stack of the runtime image, and where it shows: "image", "packages" or "build"."""
    if base is not None and base.family in family_stack():
        stack = family_stack()[base.family]
        return ("go-cgo" if stack == "go" and _cgo_enabled(context) else stack), "image"
    # A plain distribution: what the image installs, then what the build stages build.
    for stage in chain(context):
        for instruction in context.runs_running(stage, runs_package_manager):
            for command in _stage_walk.commands(context, instruction):
                install = package_install(command)
                if install is None:
                    continue
                names = {package_base_name(p) for p in install.packages}
                for packages, stack in _package_stack():
                    if names.intersection(packages):
                        return stack, "packages"
                if any(n.startswith("openjdk-") for n in names):
                    return "java", "packages"
                if any(n.startswith(("php7", "php8")) for n in names):
                    return "php", "packages"
    built = _built_stacks(context)
    if built:
        first = built[0]
        return ("go-cgo" if first == "go" and _cgo_enabled(context) else first), "build"
    return None, ""


def _built_stacks(context: LintContext) -> list[str]:
    stacks: list[str] = []
    for stage in context.stages.stages:
        if not context.reaches_runtime(stage):
            continue
        for instruction in context.runs_running(stage, may_build):
            for command in _stage_walk.commands(context, instruction):
                stack = build_step(command)
                if stack is not None and stack not in stacks:
                    stacks.append(stack)
    return stacks


def _cgo_enabled(context: LintContext) -> bool:
    """True unless the Go builds visibly set CGO_ENABLED=0."""
    for stage in context.stages.stages:
        for instruction in _stage_walk.runs(stage):
            if "CGO_ENABLED=0" in instruction.original.replace(" ", ""):
                return False
            env = _stage_walk.env_before(context, instruction)
            if env.get("CGO_ENABLED") == "0":
                return False
    return True


def glibc_needs(context: LintContext, stack: str | None) -> StackGuess:
    """Whether the runtime needs glibc, so alpine (musl) must not be suggested."""
    uses_apt = any(
        package_manager(c) in ("apt", "yum", "dnf", "zypper")
        for stage in chain(context)
        for instruction in context.runs_running(stage, runs_package_manager)
        for c in _stage_walk.commands(context, instruction)
    )
    if uses_apt:
        return StackGuess(
            stack, True, "the image installs packages with a glibc distribution's tools"
        )
    if stack == "node":
        addon = _node_addon(context)
        if addon:
            return StackGuess(stack, True, f"`{addon}` is a native addon built for glibc")
        return StackGuess(stack, False, "")
    if stack == "python":
        unknown = _python_unknown_package(context)
        if unknown is not None:
            return StackGuess(stack, True, unknown)
        return StackGuess(stack, False, "")
    if stack in ("ruby", "go-cgo", "rust", "c"):
        return StackGuess(stack, True, "native code is usually linked against glibc")
    return StackGuess(stack, False, "")


def _node_addon(context: LintContext) -> str | None:
    for stage in context.stages.stages:
        for instruction in context.runs_running(stage, may_install_dependencies):
            for command in _stage_walk.commands(context, instruction):
                if dependency_install(command) not in ("npm", "yarn", "pnpm"):
                    continue
                for word in command.argv[2:]:
                    if _package_name(word) in GLIBC_NODE_ADDONS:
                        return _package_name(word)
    text = _context_text(context, "package.json")
    if text:
        try:
            manifest = loads_json(text, "package.json", error=SlimageError)
        except SlimageError:
            return None
        if isinstance(manifest, dict):
            for key in ("dependencies", "optionalDependencies"):
                deps = manifest.get(key)
                if isinstance(deps, dict):
                    for name in deps:
                        if name in GLIBC_NODE_ADDONS:
                            return str(name)
    return None


def _package_name(spec: str) -> str:
    """ "sharp@0.33" -> "sharp", "@scope/pkg@1" -> "@scope/pkg"."""
    at = spec.find("@", 1)
    return spec[:at] if at > 0 else spec


def _python_unknown_package(context: LintContext) -> str | None:
    """A reason alpine is unsafe for this Python app, or None when all packages are known."""
    names: list[str] = []
    requirement_files: list[str] = []
    for stage in context.stages.stages:
        for instruction in context.runs_running(stage, may_install_dependencies):
            for command in _stage_walk.commands(context, instruction):
                if dependency_install(command) not in ("pip", "poetry", "uv", "pipenv"):
                    continue
                if command.program in ("poetry", "pipenv") or command.subcommand == "sync":
                    return "its dependencies (from a lock file) may lack musllinux wheels"
                argv = command.argv
                for i, word in enumerate(argv):
                    if word in ("-r", "--requirement") and i + 1 < len(argv):
                        requirement_files.append(argv[i + 1])
                    elif word.startswith("-r") and len(word) > 2:
                        requirement_files.append(word[2:])
                operands = [
                    w
                    for w in argv[1:]
                    if not w.startswith("-")
                    and w not in ("install", "pip", *requirement_files)
                    and "/" not in w
                    and w != "."
                ]
                names.extend(requirement_names("\n".join(operands)))
    for path in requirement_files:
        text = _context_text(context, path.removeprefix("./"))
        if text is None:
            return f"the packages in {path} are unknown to slimage"
        names.extend(requirement_names(text))
    for name in names:
        if name not in MUSL_SAFE_PYTHON:
            return f"`{name}` may have no musllinux wheel"
    return None


def _context_text(context: LintContext, relative: str) -> str | None:
    """A small text file of the build context, or None (no context, no such file, not a
    regular file, too big to be a manifest)."""
    if context.context_dir is None:
        return None
    return read_text(context.context_dir / relative, quiet=True)
