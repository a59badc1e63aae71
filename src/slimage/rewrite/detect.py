"""Which stack the final stage builds and runs, and the version its base image names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slimage.reference import image_ref
from slimage.rewrite.facts import StageFacts
from slimage.stacks import all_stacks
from slimage.stacks.packages import package_base_name

# OS images a language runtime can be installed on with the distribution's packages.
OS_FAMILIES = frozenset({"debian", "ubuntu", "alpine", "fedora", "centos", "rockylinux"})


@dataclass(frozen=True, slots=True)
class Base:
    """The final stage's base image, read."""

    reference: str  # as expanded
    family: str  # last path component of the repository: "node", "golang", "debian"
    tag: str  # "" when none
    version: str | None  # the language (or OS) version the tag names: "20", "3.12", "17"
    codename: str | None  # "bookworm", "trixie", "bullseye", "jammy" when the tag says
    os_image: bool  # a plain distribution (debian, ubuntu, alpine...)
    alpine: bool  # musl: an alpine tag or the alpine image


_CODENAMES = ("trixie", "bookworm", "bullseye", "buster", "noble", "jammy", "focal")


def read_base(reference: str) -> Base:
    ref = image_ref(reference)
    family = ref.name
    tag = ref.tag or ""
    codename = next((c for c in _CODENAMES if c in tag), None)
    version: str | None = None
    if family in ("maven", "gradle") or "temurin" in tag or "jdk" in tag:
        match = re.search(r"(?:temurin-|jdk-?|openjdk-?)(\d+)", tag)
        version = match.group(1) if match else None
    if version is None:
        match = re.match(r"v?(\d+(?:\.\d+)?)", tag)
        version = match.group(1) if match else None
    if family in ("debian", "ubuntu") and codename is None and tag:
        codename = {"12": "bookworm", "13": "trixie", "11": "bullseye"}.get(tag.split(".")[0])
        if family == "ubuntu":
            codename = None
    alpine = family == "alpine" or "alpine" in tag
    return Base(reference, family, tag, version, codename, family in OS_FAMILIES, alpine)


def detect_stack(facts: StageFacts, base: Base) -> tuple[str | None, str]:
    """The stack and how it shows ("image", "packages", "build", "context")."""
    stacks = all_stacks()
    for name, stack in stacks.items():
        if base.family in stack.families or (name == "java" and base.family.endswith("jdk")):
            return name, "image"
    installed = {package_base_name(p) for s in facts.steps for p in s.packages}
    for name, stack in stacks.items():
        if installed & set(stack.os_packages) or (
            name == "java" and any(p.startswith("openjdk-") for p in installed)
        ):
            return name, "packages"
    for step in facts.steps:
        for built in step.builds:
            if built in stacks:
                return built, "build"
    if facts.context_dir is not None:
        found = [
            name
            for name, stack in stacks.items()
            if any((facts.context_dir / m).is_file() for m in stack.markers)
        ]
        if len(found) == 1:
            return found[0], "context"
    return None, ""
