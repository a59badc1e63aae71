"""Java Dockerfiles: the runnable jar picked, distroless only where it exists, notes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import dockerfile as buildkit
from slimage.errors import UsageError
from slimage.generate.render import java_jar_notes, render_dockerfile
from slimage.stacks import detect_project

SAMPLE = Path(__file__).parent.parent / "data" / "samples" / "java-maven"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>service</artifactId>
  <version>1.0</version>
  <properties><maven.compiler.release>{release}</maven.compiler.release></properties>
  <dependencies>{dependencies}</dependencies>
  <build><plugins>{plugins}</plugins></build>
</project>
"""
_GSON = (
    "<dependency><groupId>com.google.code.gson</groupId><artifactId>gson</artifactId>"
    "<version>2.10.1</version>{extra}</dependency>"
)
_MAIN = (
    "<plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest>"
    "<mainClass>example.Main</mainClass></manifest></archive></configuration></plugin>"
)
_SHADE = "<plugin><artifactId>maven-shade-plugin</artifactId></plugin>"


def _pom(release: str = "17", dependencies: str = "", plugins: str = _MAIN) -> str:
    return _POM.format(release=release, dependencies=dependencies, plugins=plugins)


def _project(tmp_path: Path, pom: str) -> Path:
    shutil.copytree(SAMPLE / "src", tmp_path / "src")
    (tmp_path / "pom.xml").write_text(pom)
    return tmp_path


def _render(root: Path, **options: object) -> str:
    return render_dockerfile(detect_project(root), **options)  # type: ignore[arg-type]


# mypy, run on tests/, takes tests/dockerfile for the BuildKit wrapper of the same name.
_parse = buildkit.parse_string  # type: ignore[attr-defined]


def _froms(text: str) -> list[str]:
    return [c.value[0] for c in _parse(text) if c.cmd == "FROM"]


def test_sample_is_runnable_as_is() -> None:
    text = _render(SAMPLE)
    assert "# Note:" not in text
    assert _froms(text) == [
        "maven:3.9-eclipse-temurin-17",
        "gcr.io/distroless/java17-debian12:nonroot",
    ]


@pytest.mark.parametrize(
    ("dependencies", "plugins", "expected"),
    [
        ("", _MAIN, []),
        ("", "", ["Main-Class"]),
        (_GSON.format(extra=""), _MAIN, ["dependencies"]),
        (_GSON.format(extra="<scope>runtime</scope>"), _MAIN, ["dependencies"]),
        (_GSON.format(extra="<scope>test</scope>"), _MAIN, []),
        (_GSON.format(extra="<scope>provided</scope>"), _MAIN, []),
        (_GSON.format(extra="<optional>true</optional>"), _MAIN, []),
        (_GSON.format(extra=""), _MAIN + _SHADE, []),
    ],
)
def test_maven_jar_notes(dependencies: str, plugins: str, expected: list[str]) -> None:
    notes = java_jar_notes("maven", _pom(dependencies=dependencies, plugins=plugins))
    assert len(notes) == len(expected)
    for note, word in zip(notes, expected, strict=True):
        assert word in note


def test_maven_manifest_entry_names_the_main_class() -> None:
    plugins = (
        "<plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive>"
        "<manifestEntries><Main-Class>example.Main</Main-Class></manifestEntries>"
        "</archive></configuration></plugin>"
    )
    assert java_jar_notes("maven", _pom(plugins=plugins)) == []


def test_gradle_application_main_class_is_not_in_the_manifest() -> None:
    # `application { mainClass }` feeds the start scripts only; `java -jar` cannot use it.
    notes = java_jar_notes("gradle", "plugins { application }\napplication { mainClass = 'a.B' }\n")
    assert len(notes) == 1 and "Main-Class" in notes[0]
    manifest = "jar { manifest { attributes('Main-Class': 'a.B') } }\n"
    assert java_jar_notes("gradle", manifest) == []


def test_unparsable_pom_gives_no_dependency_note() -> None:
    assert java_jar_notes("maven", "<project><mainClass>a.B</mainClass>") == []


def test_notes_are_written_once_into_the_dockerfile(tmp_path: Path) -> None:
    root = _project(tmp_path, _pom(dependencies=_GSON.format(extra=""), plugins=""))
    project = detect_project(root)
    render_dockerfile(project)
    text = render_dockerfile(project)
    assert text.count("# Note:") == 2
    _parse(text)


def test_spring_boot_jar_needs_no_note(tmp_path: Path) -> None:
    parent = (
        "<parent><groupId>org.springframework.boot</groupId>"
        "<artifactId>spring-boot-starter-parent</artifactId><version>3.3.0</version></parent>"
    )
    pom = _pom(dependencies=_GSON.format(extra=""), plugins="").replace(
        "<modelVersion>4.0.0</modelVersion>", "<modelVersion>4.0.0</modelVersion>" + parent
    )
    assert "# Note:" not in _render(_project(tmp_path, pom))


@pytest.mark.parametrize("release", ["8", "11"])
def test_java_without_distroless_image_defaults_to_the_jre(tmp_path: Path, release: str) -> None:
    root = _project(tmp_path, _pom(release=release))
    assert _froms(_render(root))[-1] == f"eclipse-temurin:{release}-jre"
    with pytest.raises(UsageError, match=f"distroless has no Java {release} image"):
        _render(root, runtime="distroless")


def test_java_21_runs_on_distroless(tmp_path: Path) -> None:
    root = _project(tmp_path, _pom(release="21"))
    assert _froms(_render(root))[-1] == "gcr.io/distroless/java21-debian13:nonroot"


def _jar_pick(text: str) -> str:
    """The shell that copies the built jar to /out/app.jar, from the generated RUN."""
    line = next(line for line in text.splitlines() if "mkdir -p /out" in line)
    return line.strip()


@pytest.mark.parametrize(
    ("jars", "picked"),
    [
        # The shade plugin keeps the thin jar as original-*.jar, which sorts first here.
        (["original-service-1.0.jar", "service-1.0.jar"], "service-1.0.jar"),
        (["service-1.0-sources.jar", "service-1.0.jar"], "service-1.0.jar"),
        (["service-1.0-javadoc.jar", "service-1.0.jar"], "service-1.0.jar"),
        (["app-1.0.jar"], "app-1.0.jar"),
    ],
)
def test_the_runnable_jar_is_picked(tmp_path: Path, jars: list[str], picked: str) -> None:
    pick = _jar_pick(_render(SAMPLE))
    work = tmp_path / "work"
    (work / "target").mkdir(parents=True)
    for jar in jars:
        (work / "target" / jar).write_text(jar)
    out = tmp_path / "out"
    script = pick.replace("/out", str(out))
    subprocess.run(["sh", "-c", script], cwd=work, check=True, timeout=30)
    assert (out / "app.jar").read_text() == picked


def test_no_runnable_jar_fails_the_build(tmp_path: Path) -> None:
    pick = _jar_pick(_render(SAMPLE))
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "original-service-1.0.jar").write_text("thin")
    script = pick.replace("/out", str(tmp_path / "out"))
    result = subprocess.run(["sh", "-c", script], cwd=tmp_path, timeout=30)
    assert result.returncode != 0
