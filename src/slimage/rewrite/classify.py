"""Each instruction of the final stage: build-only, runtime, or both, and why."""

from __future__ import annotations

from slimage.rewrite.facts import Step, copy_sources
from slimage.rewrite.model import BOTH, BUILD, DROPPED, RUNTIME, Move
from slimage.stacks.packages import build_package_category, package_base_name

# Instructions that only describe the container: the runtime stage's alone.
RUNTIME_KEYWORDS = frozenset(
    {
        "CMD",
        "ENTRYPOINT",
        "EXPOSE",
        "HEALTHCHECK",
        "STOPSIGNAL",
        "VOLUME",
        "LABEL",
        "ONBUILD",
        "MAINTAINER",
    }
)
# Packages the runtime stage leaves out (of stacks/packages.py's table): what only
# builds or installs. Not the tools apps also run (curl, which an app or a HEALTHCHECK
# calls; binutils' objdump, which ctypes runs on musl; patch): they stay in the runtime
# stage when the user installed them.
BUILD_ONLY_CATEGORIES = frozenset(
    {
        "compilers and build tools",
        "headers and -dev packages",
        "language toolchains",
        "python install tools",
        "version control",
        "node package managers",
        "download tools",
        "repository setup",
        "archive tools",
    }
)


def is_build_package(name: str) -> bool:
    """Whether the runtime stage leaves ``name`` out (unless --keep-package keeps it)."""
    return build_package_category(name) in BUILD_ONLY_CATEGORIES


def classify(
    step: Step, interpreted: bool, keep: frozenset[str], install_input: bool = False
) -> Move:
    """Where ``step`` goes. ``interpreted``: the runtime needs the sources (Node, Python);
    ``install_input``: a COPY --from whose files only a later install reads."""
    keyword = step.keyword
    short = _short(step.text)
    if install_input:
        return Move(step.line, short, BUILD, "input of a dependency install; only its result ships")
    if keyword in RUNTIME_KEYWORDS:
        return Move(step.line, short, RUNTIME, "describes the container, not the build")
    if keyword == "MAINTAINER":
        return Move(step.line, short, RUNTIME, "deprecated: written as LABEL maintainer")
    if keyword == "USER":
        return Move(step.line, short, BOTH, "the build keeps it; the runtime runs as its last USER")
    if keyword in ("ENV", "ARG", "WORKDIR", "SHELL"):
        return Move(step.line, short, BOTH, "the build and the app both see it")
    if keyword in ("COPY", "ADD"):
        if step.instruction.flag("from") is not None:
            if interpreted:
                return Move(step.line, short, BOTH, "files the app reads, at the same paths")
            return Move(step.line, short, BUILD, "input of the build; only its output ships")
        if not copy_sources(step):
            return Move(step.line, short, BUILD, "a heredoc or URL the build uses")
        if interpreted:
            return Move(step.line, short, BOTH, "sources the interpreter runs, at the same paths")
        return Move(step.line, short, BUILD, "sources are compiled; only the binary ships")
    if keyword != "RUN":
        return Move(step.line, short, BUILD, "kept in the build")
    if step.packages:
        names = [package_base_name(p) for p in step.packages]
        tools = [n for n in names if is_build_package(n) and n not in keep]
        kept = [n for n in names if n not in tools]
        if tools and kept:
            return Move(
                step.line,
                short,
                BOTH,
                f"{', '.join(tools[:4])} build only; {', '.join(kept[:4])} installed in the "
                "runtime too",
            )
        if tools:
            return Move(step.line, short, BUILD, "compilers, headers and package tools build only")
        return Move(step.line, short, BOTH, "runtime packages, installed in the runtime too")
    if step.tests:
        return Move(step.line, short, BUILD, "tests run at build time")
    if step.builds:
        return Move(step.line, short, BUILD, "the build itself: only its output ships")
    if step.dependency_installs:
        return Move(
            step.line,
            short,
            BUILD,
            "installs dependencies with dev tools; the runtime gets a production install",
        )
    if step.setup_only:
        return Move(step.line, short, BOTH, "sets up users, directories or permissions")
    return Move(step.line, short, BUILD, "an unknown step: kept in the build only")


def dropped_from(line: int, text: str, runtime_base: str) -> Move:
    return Move(line, _short(text), DROPPED, f"the build keeps it; the runtime is {runtime_base}")


def _short(text: str) -> str:
    first = " ".join(text.split())
    return first if len(first) <= 72 else first[:69] + "..."
