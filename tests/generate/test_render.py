"""Generated Dockerfiles: valid for BuildKit, multi-stage, small runtime, non-root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dockerfile as buildkit
from slimage.errors import UsageError
from slimage.generate.render import render_dockerfile
from slimage.stacks import detect_project

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
ALL = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


def _render(sample: str, **options: object) -> str:
    return render_dockerfile(detect_project(SAMPLES / sample), **options)  # type: ignore[arg-type]


def _froms(text: str) -> list[str]:
    return [c.value[0] for c in buildkit.parse_string(text) if c.cmd == "FROM"]


@pytest.mark.parametrize("sample", ALL)
def test_generated_file_is_multi_stage_and_valid(sample: str) -> None:
    text = _render(sample)
    commands = buildkit.parse_string(text)  # BuildKit's own parser accepts it
    froms = [c for c in commands if c.cmd == "FROM"]
    assert len(froms) >= 2, "build and runtime are separate stages"
    runtime_start = max(i for i, c in enumerate(commands) if c.cmd == "FROM")
    runtime = commands[runtime_start:]
    users = [c.value[0] for c in runtime if c.cmd == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    final = [c for c in runtime if c.cmd in {"CMD", "ENTRYPOINT"}]
    assert final and all(c.json for c in final), "exec form, so signals reach the app"
    # Package managers and compilers run only in build stages.
    assert not any(c.cmd == "RUN" for c in runtime)


def test_go_static_binary_on_distroless() -> None:
    text = _render("go-http")
    assert 'CGO_ENABLED=0 go build -trimpath -ldflags="-s -w"' in text
    assert _froms(text)[-1] == "gcr.io/distroless/static-debian13:nonroot"
    assert "--mount=type=cache,target=/go/pkg/mod" in text
    assert "EXPOSE 8080" in text


def test_go_scratch_brings_certificates_and_zoneinfo() -> None:
    text = _render("go-http", runtime="scratch")
    assert _froms(text)[-1] == "scratch"
    assert "/etc/ssl/certs/ca-certificates.crt" in text and "/usr/share/zoneinfo" in text


def test_node_production_dependencies_only() -> None:
    text = _render("node-npm")
    assert "npm ci --omit=dev" in text
    assert "--mount=type=cache,target=/root/.npm" in text
    assert text.index("COPY package.json package-lock.json") < text.index("npm ci")
    assert 'CMD ["node", "server.js"]' in text


def test_node_pnpm_uses_corepack_and_its_store() -> None:
    text = _render("node-pnpm")
    assert "corepack enable" in text
    assert "pnpm install --frozen-lockfile --prod" in text
    assert "COPY package.json pnpm-lock.yaml ./" in text


def test_node_native_addon_refuses_alpine(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"sharp": "0.33"}}))
    project = detect_project(tmp_path)
    assert "trixie-slim" in _froms(render_dockerfile(project))[-1]
    with pytest.raises(UsageError, match="need glibc"):
        render_dockerfile(project, runtime="alpine")


def test_python_venv_copied_into_same_base() -> None:
    text = _render("python-pip")
    froms = _froms(text)
    assert froms[0] == froms[-1] == "python:3.14-slim-trixie"
    assert "COPY --from=build /opt/venv /opt/venv" in text
    assert "pip install -r requirements.txt" in text


def test_python_uv_keeps_uv_out_of_runtime() -> None:
    text = _render("python-uv")
    assert "uv sync --frozen --no-dev --no-install-project" in text
    assert "/opt/tools/bin/uv" in text and "COPY --from=build /opt/tools" not in text


def test_python_poetry_main_group_only() -> None:
    text = _render("python-poetry")
    assert "poetry install --only main --no-root" in text


def test_rust_stripped_release_on_distroless_cc() -> None:
    text = _render("rust-cli")
    assert "CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release" in text
    assert _froms(text)[-1] == "gcr.io/distroless/cc-debian13:nonroot"


def test_java_jre_runtime() -> None:
    text = _render("java-maven", runtime="slim")
    assert _froms(text) == ["maven:3.9-eclipse-temurin-17", "eclipse-temurin:17-jre"]


def test_base_image_substitution_by_repository_and_full_reference() -> None:
    text = _render(
        "go-http",
        base_images={
            "golang": "registry.local/golang:1.19",
            "gcr.io/distroless/static-debian13:nonroot": "registry.local/static:1",
        },
    )
    assert _froms(text) == ["registry.local/golang:1.19", "registry.local/static:1"]


def test_port_override() -> None:
    assert "EXPOSE 9000" in _render("go-http", port=9000)


def test_python_source_build_gets_headers_in_build_and_libraries_at_runtime(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\ngunicorn\npsycopg2==2.9.10\n")
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    text = render_dockerfile(detect_project(tmp_path))
    build, runtime = text.split("\nFROM python:3.14-slim-trixie\n")
    assert "apt-get install -y --no-install-recommends gcc libpq-dev" in build
    assert "--no-install-recommends libpq5" in runtime
    assert "libpq-dev" not in runtime and "gcc" not in runtime
    assert len([c for c in buildkit.parse_string(text) if c.cmd == "FROM"]) == 2


def test_node_native_addon_gets_node_gyp_tools_in_the_build_stages(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"bcrypt": "5"}}))
    text = render_dockerfile(detect_project(tmp_path))
    deps, runtime = text.split("# Runtime stage")
    assert "--no-install-recommends python3 make g++" in deps
    assert "g++" not in runtime
    buildkit.parse_string(text)


def _locked_mounts(text: str) -> list[list[bool]]:
    """Per RUN with cache mounts: which of its mounts are `sharing=locked`, in order."""
    runs = [c for c in buildkit.parse_string(text) if c.cmd == "RUN"]
    mounts = [[f for f in run.flags if f.startswith("--mount=type=cache")] for run in runs]
    return [["sharing=locked" in m for m in flags] for flags in mounts if flags]


def test_apt_cache_mounts_lock_only_the_last_mount(tmp_path: Path) -> None:
    """buildah < 1.29 releases only the last locked cache mount of a RUN: with both of
    apt's locked, the runtime stage's apt RUN (after the build stage's) waited forever."""
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\ngunicorn\npsycopg2==2.9.10\n")
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    python = render_dockerfile(detect_project(tmp_path))
    node_project = tmp_path / "node"
    node_project.mkdir()
    (node_project / "package.json").write_text(json.dumps({"dependencies": {"bcrypt": "5"}}))
    node = render_dockerfile(detect_project(node_project))
    for text, runs in ((python, 2), (node, 1)):  # python: the build stage's and the runtime's
        apt = [locks for locks in _locked_mounts(text) if len(locks) == 2]
        assert len(apt) == runs, text
        assert all(locks == [False, True] for locks in apt), text
        assert "--mount=type=cache,target=/var/lib/apt,sharing=locked" in text
