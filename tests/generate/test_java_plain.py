"""Java without Maven or Gradle: sources, a main class, a javac/jar script (issue 15)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dockerfile as buildkit
from slimage.errors import UsageError
from slimage.generate.render import render_dockerfile
from slimage.stacks import detect_project
from slimage.stacks.project import AmbiguousProject

SAMPLE = Path(__file__).parent.parent / "data" / "samples" / "java-plain"
MAIN = "public class {name} {{ public static void main(String[] a) {{ }} }}\n"


def _sample(tmp_path: Path) -> Path:
    project = tmp_path / "java-plain"
    shutil.copytree(SAMPLE, project)
    return project


def test_sample_detected_from_its_sources_and_script(tmp_path: Path) -> None:
    project = detect_project(_sample(tmp_path))
    assert (project.stack, project.package_manager) == ("java", "javac")
    assert project.language_version == "17"  # build.sh's `javac --release 17`
    assert project.facts["main_class"] == "example.web.Server"
    assert project.facts["source_roots"] == ["src/main/java"]
    assert project.port == 8080  # getOrDefault("PORT", "8080") in the main class
    assert any("build.sh" in note for note in project.notes)


def test_rendered_dockerfile_compiles_and_runs_the_jar(tmp_path: Path) -> None:
    text = render_dockerfile(detect_project(_sample(tmp_path)))
    buildkit.parse_string(text)
    assert "FROM eclipse-temurin:17-jdk AS build" in text
    assert "javac --release 17 -d /out/classes" in text
    assert "--main-class example.web.Server" in text
    assert text.rstrip().endswith('ENTRYPOINT ["java", "-jar", "/app/app.jar"]')
    assert "FROM gcr.io/distroless/java17-debian12:nonroot" in text


def test_sources_at_the_root_with_lib_jars_and_resources(tmp_path: Path) -> None:
    (tmp_path / "App.java").write_text(MAIN.format(name="App"))
    (tmp_path / "Util.java").write_text("class Util {}\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "gson-2.10.1.jar").write_bytes(b"PK")
    project = detect_project(tmp_path)
    assert project.facts["main_class"] == "App"
    assert project.facts["source_roots"] == ["."]
    text = render_dockerfile(project, runtime="slim")
    assert "-cp 'lib/*'" in text and "Class-Path: %s" in text and "lib/gson-2.10.1.jar" in text
    assert "COPY --from=build /src/lib /app/lib" in text


def test_several_main_classes_ask_for_one(tmp_path: Path) -> None:
    for name in ("One", "Two"):
        (tmp_path / f"{name}.java").write_text(MAIN.format(name=name))
    with pytest.raises(AmbiguousProject, match="--entry CLASS"):
        detect_project(tmp_path)
    assert detect_project(tmp_path, entry="Two").facts["main_class"] == "Two"


def test_script_names_the_main_class(tmp_path: Path) -> None:
    for name in ("One", "Two"):
        (tmp_path / f"{name}.java").write_text(MAIN.format(name=name))
    (tmp_path / "build.sh").write_text("javac -d out *.java\njar cfe app.jar Two -C out .\n")
    assert detect_project(tmp_path).facts["main_class"] == "Two"


def test_no_main_method_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "Lib.java").write_text("class Lib {}\n")
    with pytest.raises(UsageError, match=r"--entry com\.example\.Main"):
        detect_project(tmp_path)


def test_cli_on_the_sample(tmp_path: Path) -> None:
    project = _sample(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "slimage", "init", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "java (javac), version 17" in result.stderr
    assert "note: build.sh is not run" in result.stderr
