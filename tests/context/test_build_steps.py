"""What RUN steps produce, read from real Dockerfiles and package.json scripts."""

from __future__ import annotations

import json
from pathlib import Path

from slimage.context.build_steps import build_scripts, produced_paths, runs_tests
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import build_stage_graph


def _scripts(dockerfile: str, root: Path) -> list[str]:
    df = parse_dockerfile(dockerfile)
    return build_scripts(df, build_stage_graph(df), root)


def test_npm_run_follows_package_scripts_and_hooks(tmp_path: Path) -> None:
    scripts = {"prebuild": "mkdir -p out", "build": "vite build", "postbuild": "echo >x.txt"}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts}))
    texts = _scripts("FROM node:22\nCOPY . .\nRUN npm run build\n", tmp_path)
    assert produced_paths(texts, tmp_path) == {"out", "dist", "x.txt"}


def test_only_stages_that_receive_the_context(tmp_path: Path) -> None:
    dockerfile = "FROM alpine AS tools\nRUN mkdir /opt/x dist\nFROM alpine\nRUN echo hi\n"
    assert produced_paths(_scripts(dockerfile, tmp_path), tmp_path) == set()
    dockerfile = "FROM alpine AS src\nCOPY . /s\nFROM src\nRUN tsc --outDir=lib ./a.ts\n"
    assert produced_paths(_scripts(dockerfile, tmp_path), tmp_path) == {"lib"}


def test_runs_tests() -> None:
    assert runs_tests(["pip install . && python -m pytest -q"])
    assert runs_tests(["python -m unittest discover tests"])
    assert not runs_tests(["pip install --no-cache-dir -r requirements.txt"])
