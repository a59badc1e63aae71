"""Stack detection on the sample projects and on hand-made edge cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from slimage.errors import InputError, UsageError
from slimage.stacks import detect_project
from slimage.stacks.project import AmbiguousProject

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


@pytest.mark.parametrize(
    ("sample", "stack", "manager", "version", "entry"),
    [
        ("go-http", "go", "go", "1.27", ["."]),
        ("node-npm", "node", "npm", "24", ["node", "server.js"]),
        ("node-pnpm", "node", "pnpm", "24", ["node", "server.js"]),
        ("python-pip", "python", "pip", "3.14", ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]),
        ("python-uv", "python", "uv", "3.11", ["hello-uv"]),
        ("python-poetry", "python", "poetry", "3.11", ["hello-poetry"]),
        ("rust-cli", "rust", "cargo", "1", ["hello-rust"]),
        ("java-maven", "java", "maven", "17", ["java", "-jar", "/app/app.jar"]),
        ("java-gradle", "java", "gradle", "17", ["java", "-jar", "/app/app.jar"]),
    ],
)
def test_samples(sample: str, stack: str, manager: str, version: str, entry: list[str]) -> None:
    project = detect_project(SAMPLES / sample)
    assert (project.stack, project.package_manager, project.language_version) == (
        stack,
        manager,
        version,
    )
    assert project.entry == entry


def test_go_port_and_name(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "go-http", tmp_path / "p")
    project = detect_project(tmp_path / "p")
    assert project.name == "hello"
    assert project.port == 8080


def test_go_two_main_packages_asks(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    for name in ("api", "worker"):
        (tmp_path / "cmd" / name).mkdir(parents=True)
        (tmp_path / "cmd" / name / "main.go").write_text("package main\nfunc main() {}\n")
    with pytest.raises(AmbiguousProject) as caught:
        detect_project(tmp_path)
    assert "./cmd/api, ./cmd/worker" in str(caught.value)
    assert "--entry" in str(caught.value)
    assert caught.value.exit_code == 2
    project = detect_project(tmp_path, entry="./cmd/worker")
    assert project.entry == ["./cmd/worker"] and project.name == "worker"


def test_node_package_manager_field_wins(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        json.dumps({"name": "a", "packageManager": "yarn@4.1.0", "engines": {"node": ">=20.1"}})
    )
    (tmp_path / "package-lock.json").write_text("{}")
    project = detect_project(tmp_path)
    assert project.package_manager == "yarn-berry"
    assert project.language_version == "20"


@pytest.mark.parametrize(
    ("lockfile", "manager"),
    [
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lockb", "bun"),
        ("package-lock.json", "npm"),
    ],
)
def test_node_lockfiles(tmp_path: Path, lockfile: str, manager: str) -> None:
    (tmp_path / "package.json").write_text('{"name": "a"}')
    (tmp_path / lockfile).write_text("")
    assert detect_project(tmp_path).package_manager == manager


def test_node_native_addon_needs_glibc(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        json.dumps({"name": "a", "dependencies": {"bcrypt": "5", "express": "4"}})
    )
    project = detect_project(tmp_path)
    assert project.needs_glibc == ["bcrypt"]


def test_node_start_script_with_shell_syntax_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        json.dumps(
            {
                "name": "a",
                "main": "main.js",
                "scripts": {"start": "npm run migrate && node main.js"},
            }
        )
    )
    (tmp_path / "main.js").write_text("")
    assert detect_project(tmp_path).entry == ["node", "main.js"]


def test_python_frameworks(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi\nuvicorn\n")
    (tmp_path / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    project = detect_project(tmp_path)
    assert project.entry[:2] == ["uvicorn", "main:app"]
    assert project.port == 8000
    assert project.facts["server_missing"] is False


def test_python_django(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("Django==5.0\n")
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "wsgi.py").write_text("")
    project = detect_project(tmp_path)
    assert project.entry == ["gunicorn", "--bind", "0.0.0.0:8000", "mysite.wsgi"]
    assert project.facts["server_missing"] is True


def test_python_version_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / ".python-version").write_text("3.13.1\n")
    assert detect_project(tmp_path).language_version == "3.13"


def test_rust_workspace_asks(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["a", "b"]\n')
    for name in ("a", "b"):
        (tmp_path / name / "src").mkdir(parents=True)
        (tmp_path / name / "Cargo.toml").write_text(f'[package]\nname = "{name}"\n')
        (tmp_path / name / "src" / "main.rs").write_text("fn main() {}\n")
    with pytest.raises(AmbiguousProject):
        detect_project(tmp_path)
    assert detect_project(tmp_path, entry="b").name == "b"


def test_java_gradle_spring(tmp_path: Path) -> None:
    (tmp_path / "build.gradle.kts").write_text(
        'plugins { id("org.springframework.boot") version "3.3.0" }\n'
        "java { toolchain { languageVersion = JavaLanguageVersion.of(21) } }\n"
    )
    (tmp_path / "gradlew").write_text("")
    project = detect_project(tmp_path)
    assert (project.package_manager, project.language_version, project.port) == (
        "gradle",
        "21",
        8080,
    )
    assert project.facts["spring_boot"] and project.facts["wrapper"]


def test_nothing_to_detect(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no Go, Node, Python, Rust or Java project"):
        detect_project(tmp_path)


def test_two_stacks_ask(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module x\n")
    (tmp_path / "package.json").write_text("{}")
    with pytest.raises(AmbiguousProject, match="--stack"):
        detect_project(tmp_path)
    assert detect_project(tmp_path, stack="node").stack == "node"


def test_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{not json")
    with pytest.raises(InputError, match=r"package\.json: not valid JSON"):
        detect_project(tmp_path)
