"""Java: Maven or Gradle (with or without wrapper), Java version, Spring Boot or plain jar."""

from __future__ import annotations

import re
from pathlib import Path

from slimage.stacks.base import Candidate, Stack
from slimage.stacks.images import DISTROLESS
from slimage.stacks.project import Project, read_text
from slimage.stacks.releases import JAVA

DEFAULT_JAVA = JAVA.version


def detect(root: Path, entry: str | None = None) -> Project | None:
    pom = read_text(root / "pom.xml")
    gradle = read_text(root / "build.gradle") or read_text(root / "build.gradle.kts")
    if pom is None and gradle is None:
        return None
    build = pom if pom is not None else gradle or ""
    tool = "maven" if pom is not None else "gradle"
    wrapper = (root / ("mvnw" if tool == "maven" else "gradlew")).is_file()
    spring = "spring-boot" in build or "org.springframework.boot" in build
    version = _java_version(build) or DEFAULT_JAVA
    artifact = re.search(r"<artifactId>([^<]+)</artifactId>", pom or "")
    name = artifact.group(1) if artifact and pom else root.name
    return Project(
        root=root,
        stack="java",
        package_manager=tool,
        language_version=version,
        name=name,
        entry=["java", "-jar", "/app/app.jar"] if entry is None else entry.split(),
        port=8080 if spring else None,
        facts={
            "wrapper": wrapper,
            "spring_boot": spring,
            "kotlin_dsl": (root / "build.gradle.kts").is_file(),
        },
    )


def _java_version(build: str) -> str | None:
    for pattern in (
        r"<java\.version>(\d+)",
        r"<maven\.compiler\.release>(\d+)",
        r"<maven\.compiler\.target>(?:1\.)?(\d+)",
        r"<release>(\d+)</release>",
        r"languageVersion(?:\.set\(|\s*=\s*)JavaLanguageVersion\.of\((\d+)\)",
        r"sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_)?['\"]?(?:1[._])?(\d+)",
    ):
        match = re.search(pattern, build)
        if match:
            return match.group(1)
    return None


STACK = Stack(
    name="java",
    label="Java",
    markers=("pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle"),
    ignore=(
        Candidate("target", "Maven build output", essential=True),
        Candidate("build", "Gradle build output"),
        Candidate(".gradle", "Gradle cache", essential=True),
        Candidate("out", "IDE build output"),
        Candidate("**/*.class", "compiled classes"),
    ),
    pattern="build the jar in `maven:<v>`/`gradle:<v>` AS build, then copy it into "
    f"`eclipse-temurin:<v>-jre` or `gcr.io/distroless/java{JAVA.version}-{DISTROLESS}`",
    families=("maven", "gradle", "openjdk", "eclipse-temurin"),
    os_packages=("default-jre", "default-jre-headless", "default-jdk", "openjdk"),
    detect=detect,
)
