"""Java: Maven or Gradle (with or without wrapper), Java version, Spring Boot or plain jar."""

from __future__ import annotations

import re
from pathlib import Path

from slimage.stacks.base import Candidate, Stack
from slimage.stacks.images import DISTROLESS
from slimage.stacks.project import Project, guess_port, read_text
from slimage.stacks.releases import JAVA

DEFAULT_JAVA = JAVA.version


def detect(root: Path, entry: str | None = None) -> Project | None:
    pom = read_text(root / "pom.xml")
    gradle = read_text(root / "build.gradle") or read_text(root / "build.gradle.kts")
    if pom is None and gradle is None:
        return detect_plain(root, entry)
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


# Directories never searched for sources: build outputs, tests, tools' and VCS data.
_SKIP_DIRS = frozenset(
    {".git", "node_modules", "target", "build", "out", "bin", ".gradle", ".idea", "test"}
)
_MAIN_METHOD = re.compile(r"\bstatic\s+(?:public\s+)?void\s+main\s*\(")
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.MULTILINE)
_CLASS_NAME = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
_SCRIPT_NAMES = ("build.sh", "make.sh", "compile.sh", "Makefile", "build.bat", "build.cmd")
# What a javac/jar script says about the build: the Java release and the main class.
_SCRIPT_RELEASE = re.compile(r"(?:--release|-source|--source|-target|--target)[= ](?:1\.)?(\d+)")
_SCRIPT_MAIN = re.compile(
    r"(?:--main-class[= ]|Main-Class:\s*|\bjar\s+-?c\w*e\w*\s+\S+\s+)([\w$.]+)"
)


def java_sources(root: Path) -> list[str]:
    """The project's main Java sources (``src/main/java`` when there is one), sorted."""
    conventional = root / "src" / "main" / "java"
    base = conventional if conventional.is_dir() else root
    found: list[str] = []
    for path in sorted(base.rglob("*.java")):
        relative = path.relative_to(root)
        if _SKIP_DIRS.intersection(relative.parts[:-1]) or "src/test" in relative.as_posix():
            continue
        found.append(relative.as_posix())
        if len(found) >= 5000:
            break
    return found


def detect_plain(root: Path, entry: str | None = None) -> Project | None:
    """A Java project built without Maven or Gradle: sources, a main class, maybe a
    javac/jar script. The generated build compiles with javac and packages with jar."""
    sources = java_sources(root)
    if not sources:
        return None
    scripts = [name for name in _SCRIPT_NAMES if "javac" in (read_text(root / name) or "")]
    script_text = "\n".join(read_text(root / name) or "" for name in scripts)
    release = _SCRIPT_RELEASE.search(script_text)
    version = (
        major_version(read_text(root / ".java-version"))
        or (release.group(1) if release else None)
        or DEFAULT_JAVA
    )
    mains = {}
    roots = set()
    for source in sources:
        text = read_text(root / source) or ""
        package = _PACKAGE.search(text)
        name = Path(source).stem if package is None else f"{package.group(1)}.{Path(source).stem}"
        depth = name.count(".") + 1
        parts = Path(source).parts
        roots.add("/".join(parts[: len(parts) - depth]) or ".")
        if _MAIN_METHOD.search(text):
            mains[name] = source
    main_class = _main_class(entry, mains, script_text)
    notes = []
    if scripts:
        notes.append(
            f"{', '.join(scripts)} is not run: the build stage compiles with javac and "
            "packages with jar itself"
        )
    if (root / "lib").is_dir() and any((root / "lib").glob("*.jar")):
        notes.append("the jars in lib/ are on the compile and run class path (Class-Path)")
    port = guess_port([read_text(root / mains[main_class]) or ""]) if main_class in mains else None
    return Project(
        root=root,
        stack="java",
        package_manager="javac",
        port=port,
        language_version=version,
        name=main_class.rsplit(".", 1)[-1].lower(),
        entry=["java", "-jar", "/app/app.jar"],
        notes=notes,
        facts={
            "wrapper": False,
            "spring_boot": False,
            "kotlin_dsl": False,
            "main_class": main_class,
            "source_roots": sorted(roots),
            "resources": (root / "src" / "main" / "resources").is_dir(),
            "libraries": sorted(p.name for p in (root / "lib").glob("*.jar"))
            if (root / "lib").is_dir()
            else [],
        },
    )


def _main_class(entry: str | None, mains: dict[str, str], script: str) -> str:
    from slimage.errors import UsageError
    from slimage.stacks.project import AmbiguousProject

    if entry is not None:
        words = entry.split()
        name = words[-1] if words else ""
        if not _CLASS_NAME.match(name) or name.endswith(".jar"):
            raise UsageError(
                f"--entry {entry!r}: for a Java project without Maven or Gradle, give the "
                "main class (e.g. --entry com.example.Main)"
            )
        return name
    named = [m.group(1) for m in _SCRIPT_MAIN.finditer(script) if m.group(1) in mains]
    if named:
        return named[0]
    if len(mains) == 1:
        return next(iter(mains))
    if not mains:
        raise UsageError(
            "java: no class with a `public static void main(String[] args)` method among the "
            "sources; add one, or name the main class with --entry com.example.Main"
        )
    raise AmbiguousProject("java: several main classes", sorted(mains), "--entry CLASS")


def major_version(text: str | None) -> str | None:
    """'17.0.2' -> '17', '1.8' -> '8', 'temurin-21' -> '21'."""
    match = re.search(r"(?:1\.)?(\d+)", text or "")
    return match.group(1) if match else None


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
