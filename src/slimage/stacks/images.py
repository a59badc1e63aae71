"""Base images per stack and runtime flavour, and their substitution.

Versions and Debian releases come from :mod:`slimage.stacks.releases` (one table, with
end-of-life dates a test checks).

Users substitute bases (a company mirror, hardened images, local stand-ins) with
``--base-image NAME=REF`` or a ``[tool.slimage.images]`` table, where NAME is the default
image's repository (``golang``, ``node``, ``gcr.io/distroless/static-debian13``) or its
full reference with tag.
"""

from __future__ import annotations

from collections.abc import Mapping

from slimage.errors import UsageError
from slimage.stacks.project import Project
from slimage.stacks.releases import ALPINE, DEBIAN, DEBIAN_NUMBER, DISTROLESS_JAVA

RUNTIMES = ("distroless", "scratch", "slim", "alpine")

RUNTIME_NOTES = {
    "distroless": "distroless, no shell or package manager, runs as non-root",
    "scratch": "an empty image",
    "slim": "the slim Debian variant: glibc, no compilers",
    "alpine": "Alpine (musl libc), the smallest with a shell",
}

SUITE = DEBIAN.version  # "trixie": official images' -trixie tags
DISTROLESS = f"debian{DEBIAN_NUMBER}"  # "debian13": distroless's suffix


def default_runtime(project: Project) -> str:
    """The smallest runtime that fits the project."""
    if project.stack == "java":
        return "distroless" if project.language_version in DISTROLESS_JAVA else "slim"
    if project.stack in {"go", "rust"}:
        return "distroless"
    if project.stack == "node":
        return "slim" if project.needs_glibc else "alpine"
    return "slim"


def default_images(project: Project, runtime: str) -> dict[str, str]:
    v = project.language_version
    stack = project.stack
    if stack == "go":
        runtime_image = {
            "distroless": f"gcr.io/distroless/static-{DISTROLESS}:nonroot",
            "scratch": "scratch",
            "slim": f"debian:{SUITE}-slim",
            "alpine": f"alpine:{ALPINE.version}",
        }[runtime]
        return {"build": f"golang:{v}-{SUITE}", "runtime": runtime_image}
    if stack == "rust":
        if runtime in {"scratch", "alpine"}:
            raise UsageError(
                "rust: --runtime scratch/alpine needs a musl build; use distroless or slim"
            )
        runtime_image = {
            "distroless": f"gcr.io/distroless/cc-{DISTROLESS}:nonroot",
            "slim": f"debian:{SUITE}-slim",
        }[runtime]
        return {"build": f"rust:{v}-slim-{SUITE}", "runtime": runtime_image}
    if stack == "node":
        if project.package_manager == "bun":
            return {"build": "oven/bun:1", "runtime": "oven/bun:1-slim"}
        if runtime == "scratch":
            raise UsageError(
                "node: --runtime scratch cannot run node; use alpine, slim or distroless"
            )
        if runtime == "alpine" and project.needs_glibc:
            raise UsageError(
                f"node: native addons ({', '.join(project.needs_glibc)}) need glibc; "
                "use --runtime slim"
            )
        build = f"node:{v}-alpine" if runtime == "alpine" else f"node:{v}-{SUITE}-slim"
        runtime_image = {
            "alpine": f"node:{v}-alpine",
            "slim": f"node:{v}-{SUITE}-slim",
            "distroless": f"gcr.io/distroless/nodejs{v}-{DISTROLESS}:nonroot",
        }[runtime]
        return {"build": build, "runtime": runtime_image}
    if stack == "python":
        if runtime in {"scratch", "distroless"}:
            raise UsageError(
                "python: the virtualenv needs the same Python as its build; use slim or alpine"
            )
        if runtime == "alpine" and project.needs_glibc:
            raise UsageError(
                f"python: {', '.join(project.needs_glibc)} need glibc wheels; use --runtime slim"
            )
        image = f"python:{v}-alpine" if runtime == "alpine" else f"python:{v}-slim-{SUITE}"
        return {"build": image, "runtime": image}
    if stack == "java":
        wrapper = project.facts.get("wrapper")
        if project.package_manager == "javac":
            build = f"eclipse-temurin:{v}-jdk"  # javac and jar come with the JDK
        elif project.package_manager == "maven":
            build = f"eclipse-temurin:{v}-jdk" if wrapper else f"maven:3.9-eclipse-temurin-{v}"
        else:
            build = (
                f"eclipse-temurin:{v}-jdk"
                if wrapper
                else (f"gradle:9-jdk{v}" if int(v) >= 17 else f"gradle:8-jdk{v}")
            )
        if runtime == "scratch":
            raise UsageError("java: --runtime scratch has no JVM; use distroless, slim or alpine")
        if runtime == "distroless" and v not in DISTROLESS_JAVA:
            raise UsageError(
                f"java: distroless has no Java {v} image "
                f"(only {', '.join(DISTROLESS_JAVA)}); use --runtime slim or alpine"
            )
        runtime_image = {
            "distroless": f"gcr.io/distroless/java{v}-debian{DISTROLESS_JAVA.get(v)}:nonroot",
            "slim": f"eclipse-temurin:{v}-jre",
            "alpine": f"eclipse-temurin:{v}-jre-alpine",
        }[runtime]
        return {"build": build, "runtime": runtime_image}
    raise UsageError(f"unknown stack {stack!r}")


def repository(reference: str) -> str:
    """'gcr.io/distroless/static-debian13:nonroot' -> 'gcr.io/distroless/static-debian13'."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def substitute(images: dict[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """Replace each default image named in ``overrides`` (by full ref or repository)."""
    result = {}
    for role, reference in images.items():
        replacement = overrides.get(reference) or overrides.get(repository(reference))
        result[role] = replacement or reference
    return result


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, reference = pair.partition("=")
        if not sep or not name.strip() or not reference.strip():
            raise UsageError(f"--base-image {pair!r}: expected NAME=REFERENCE")
        overrides[name.strip()] = reference.strip()
    return overrides
