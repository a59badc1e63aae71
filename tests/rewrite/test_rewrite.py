"""`slimage rewrite` on the fat Dockerfiles of tests/data/rewrite: what it writes and says."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import dockerfile as buildkit
import slimage
from slimage.errors import DockerfileSyntaxError, InputNotFound, UsageError
from slimage.findings import Severity
from slimage.rewrite import NotRewritable, rewrite_dockerfile, rewrite_text
from slimage.rules.engine import lint
from slimage.rules.sl1003_toolchain_in_runtime import is_toolchain_package
from slimage.stacks.caches import SUGGESTED_MOUNTS
from slimage.stacks.packages import package_install

DATA = Path(__file__).parent.parent / "data" / "rewrite"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())
SCHEMA = Path(slimage.__file__).parent / "report" / "schemas" / "rewrite-v1.schema.json"

RUNTIMES = {
    "go": "gcr.io/distroless/static-debian13:nonroot",
    "go-multistage": "gcr.io/distroless/static-debian13:nonroot",
    "rust": "gcr.io/distroless/static-debian13:nonroot",
    "node-ts": "node:20-slim",
    "node-apt": "debian:bookworm-slim",
    "python-pg": "python:3.12-slim",
    "python-multistage": "python:3.12-slim",
    "java-maven": "eclipse-temurin:17-jre",
    "java-javac": "eclipse-temurin:17-jre",
}


def _runtime_stage(text: str) -> list[buildkit.Command]:
    commands = buildkit.parse_string(text)
    start = max(i for i, c in enumerate(commands) if c.cmd == "FROM")
    return list(commands[start:])


@pytest.mark.parametrize("case", CASES)
def test_rewrite_is_multi_stage_slim_and_lint_clean(case: str) -> None:
    result = rewrite_dockerfile(DATA / case / "Dockerfile")
    runtime = _runtime_stage(result.text)  # BuildKit's own parser accepts the file
    assert runtime[0].value[0] == RUNTIMES[case] == result.runtime_base
    users = [c.value[0] for c in runtime if c.cmd == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    entry = [c for c in runtime if c.cmd in ("CMD", "ENTRYPOINT")]
    assert entry and all(c.json for c in entry)
    # No compiler or package tool reaches the runtime stage.
    from slimage.dockerfile import parse_dockerfile
    from slimage.dockerfile.run_commands import run_commands

    new = parse_dockerfile(result.text)
    last_from = max(i for i, ins in enumerate(new.instructions) if ins.keyword == "FROM")
    for instruction in new.instructions[last_from:]:
        if instruction.keyword != "RUN":
            continue
        for command in run_commands(instruction):
            install = package_install(command)
            if install:
                assert not [p for p in install.packages if is_toolchain_package(p)]
    # The rewrite passes lint: no warning in the stages it wrote (stages before the
    # final one, left as the user wrote them, keep theirs). SL1006: no .dockerignore yet.
    findings = lint(result.text, context_dir=DATA / case).findings
    first = result.text.count("\n", 0, result.text.index("# Build stage: your steps")) + 1
    warnings = [
        f"{f.location.line}: {f.code} {f.message}"
        for f in findings
        if f.severity >= Severity.WARNING and f.code != "SL1006" and f.location.line >= first
    ]
    assert warnings == []
    assert result.moves and all(m.reason for m in result.moves)
    assert result.moves[0].placement == "dropped"


def test_lint_flags_the_originals_rewrite_does_not() -> None:
    """The fat originals trip the size rules the rewrite settles."""
    for case in CASES:
        text = (DATA / case / "Dockerfile").read_text()
        codes = {f.code for f in lint(text, context_dir=DATA / case).findings}
        assert codes & {"SL1001", "SL1002", "SL1003", "SL1005", "SL2001"}, case


def test_node_production_dependencies_are_a_separate_install() -> None:
    result = rewrite_dockerfile(DATA / "node-ts" / "Dockerfile")
    text = result.text
    assert "FROM build AS build-deps" in text
    assert "npm ci --omit=dev" in text
    assert "COPY --from=build-deps /usr/src/app/node_modules /usr/src/app/node_modules" in text
    assert "COPY --from=build /usr/src/app/dist /usr/src/app/dist" in text
    # The build keeps its own full install, before `npm run build`.
    build = text.split("FROM build AS build-deps")[0]
    assert build.index("npm install") < build.index("npm run build")
    assert "--omit=dev" not in build


def test_python_venv_and_runtime_library() -> None:
    result = rewrite_dockerfile(DATA / "python-pg" / "Dockerfile")
    build, runtime = result.text.split("# Runtime stage")
    assert "RUN python3 -m venv /opt/venv" in build
    assert "pip uninstall --yes --quiet pip setuptools wheel" in build
    assert "--no-install-recommends libpq5" in runtime
    assert "libpq-dev" not in runtime and "build-essential" not in runtime
    assert "COPY --from=build /opt/venv /opt/venv" in runtime


def test_go_static_binary_and_report() -> None:
    result = rewrite_dockerfile(DATA / "go" / "Dockerfile")
    assert "ENV CGO_ENABLED=0" in result.text
    assert result.artifacts == ["/app/server"]
    assert "COPY --from=build /app/server /app/server" in result.text
    causes = {s.cause: s.bytes for s in result.savings}
    assert causes["base image"] and causes["base image"] > 500_000_000
    assert any("sources are not copied" in d for d in result.doubts)


def test_multi_stage_fat_final_stage_is_slimmed() -> None:
    result = rewrite_dockerfile(DATA / "go-multistage" / "Dockerfile")
    assert result.artifacts == ["/usr/local/bin/server"]
    assert "FROM golang:1.22 AS build\n" in result.text  # the user's stage, unchanged
    assert "FROM golang:1.22 AS app-build" in result.text
    assert any("curl" in d for d in result.doubts), "curl cannot be installed on distroless"


def test_apt_installed_runtime_keeps_nodejs_only() -> None:
    result = rewrite_dockerfile(DATA / "node-apt" / "Dockerfile")
    runtime = result.text.split("# Runtime stage")[1]
    assert "--no-install-recommends nodejs\n" in runtime
    assert " npm" not in runtime.split("COPY")[0]


def test_java_artifacts_from_the_entry_point() -> None:
    maven = rewrite_dockerfile(DATA / "java-maven" / "Dockerfile")
    assert maven.artifacts == ["/app/target/hello-java-1.0.jar"]
    javac = rewrite_dockerfile(DATA / "java-javac" / "Dockerfile")
    assert javac.artifacts == ["/app/out"]
    jlink = rewrite_dockerfile(DATA / "java-javac" / "Dockerfile", runtime="jlink")
    assert "jlink --add-modules" in jlink.text and jlink.runtime_base.startswith("debian:")


def test_base_image_substitution_reaches_every_from() -> None:
    result = rewrite_dockerfile(
        DATA / "node-ts" / "Dockerfile",
        base_images={"node:20": "mirror.local/node:20", "node:20-slim": "mirror.local/slim"},
    )
    froms = [c.value[0] for c in buildkit.parse_string(result.text) if c.cmd == "FROM"]
    assert froms == ["mirror.local/node:20", "build", "mirror.local/slim"]


def test_json_report_matches_its_schema(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    for case in CASES:
        done = subprocess.run(
            [sys.executable, "-m", "slimage", "rewrite", str(DATA / case), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        jsonschema.validate(report, schema)
        assert report["schema_version"] == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("FROM\n", DockerfileSyntaxError),  # BuildKit rejects it
        ("FROM node:20 AS\nRUN npm ci\n", DockerfileSyntaxError),
        ('FROM ruby:3.3\nRUN bundle install\nCMD ["ruby", "app.rb"]\n', NotRewritable),
        ("FROM golang:1.22\nRUN go build -o /app .\n", NotRewritable),  # no entry point
        ('FROM node:20\nCOPY . .\nCMD ["node", "a.js"]\n', NotRewritable),  # no install
        ('FROM gcr.io/distroless/static-debian13\nCOPY app /app\nCMD ["/app"]\n', NotRewritable),
    ],
)
def test_bad_input_is_refused(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        rewrite_text(text)


def test_options_that_do_not_fit_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        rewrite_dockerfile(DATA / "python-pg" / "Dockerfile", runtime="scratch")
    with pytest.raises(UsageError):
        rewrite_dockerfile(DATA / "go" / "Dockerfile", runtime="jlink")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", "rewrite", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_prints_file_on_stdout_and_report_on_stderr() -> None:
    done = _cli(str(DATA / "python-pg"))
    assert done.returncode == 0
    assert done.stdout.startswith("# A fat single-stage Python build")
    assert "What moved where:" in done.stderr
    assert "-> build stage: compilers, headers and package tools build only" in done.stderr
    assert "Expected saving" in done.stderr


def test_cli_diff() -> None:
    done = _cli(str(DATA / "go"), "--diff")
    assert done.returncode == 0
    assert (
        done.stdout.startswith("---") and "+FROM gcr.io/distroless/static-debian13" in done.stdout
    )


def test_cli_write_replaces_file_and_writes_dockerignore(tmp_path: Path) -> None:
    project = tmp_path / "node-ts"
    shutil.copytree(DATA / "node-ts", project)
    done = _cli(str(project), "--write")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "FROM build AS build-deps" in (project / "Dockerfile").read_text()
    ignore = (project / ".dockerignore").read_text()
    assert "node_modules" in ignore


def test_cli_write_completes_an_existing_dockerignore(tmp_path: Path) -> None:
    project = tmp_path / "node-ts"
    shutil.copytree(DATA / "node-ts", project)
    (project / ".dockerignore").write_text("*.log\n")
    assert _cli(str(project), "--write").returncode == 0
    ignore = (project / ".dockerignore").read_text()
    assert ignore.startswith("*.log\n") and "**/node_modules" in ignore


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("/nonexistent/dir",), 3, "no such file or directory"),
        (("--runtime", "tiny"), 2, "--runtime"),
        (("--format", "xml"), 2, "unknown format"),
    ],
)
def test_cli_errors_are_one_line(args: tuple[str, ...], code: int, words: str) -> None:
    done = _cli(*args) if args[0].startswith("/") else _cli(str(DATA / "go"), *args)
    assert done.returncode == code
    assert done.stderr.count("\n") == 1 and words in done.stderr
    assert done.stdout == ""


def test_cli_refusal_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text('FROM ruby:3.3\nCMD ["ruby", "app.rb"]\n')
    done = _cli(str(tmp_path), "--write")
    assert done.returncode == 3
    assert "unknown stack" in done.stderr
    assert (tmp_path / "Dockerfile").read_text().startswith("FROM ruby")
    assert not (tmp_path / ".dockerignore").exists()


def test_context_without_manifests_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text((DATA / "node-ts" / "Dockerfile").read_text())
    with pytest.raises(NotRewritable, match=r"has no package\.json"):
        rewrite_dockerfile(tmp_path / "Dockerfile")
    with pytest.raises(InputNotFound):
        rewrite_dockerfile(tmp_path / "Dockerfile", tmp_path / "missing")
    with pytest.raises(InputNotFound):
        rewrite_dockerfile(tmp_path / "Nope")


def test_python_multi_stage_fat_final_stage_is_slimmed() -> None:
    result = rewrite_dockerfile(DATA / "python-multistage" / "Dockerfile")
    build, runtime = result.text.split("# Runtime stage")
    assert "FROM python:3.12 AS wheels" in build  # the user's wheel stage, unchanged
    assert "RUN python3 -m venv /opt/venv" in build
    assert "/wheels" not in runtime, "the wheels only feed the install"
    assert "libpq5" in runtime and "COPY app.py ." in runtime
    move = next(m for m in result.moves if "COPY --from=wheels" in m.text)
    assert move.placement == "build"


TWO_SERVICES = """\
FROM golang:1.22 AS {first}
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/api
CMD ["/app"]

FROM golang:1.22 AS {second}
WORKDIR /src
COPY . .
RUN go build -o /worker ./cmd/worker
CMD ["/worker"]
"""


def test_several_final_stage_candidates_are_refused(tmp_path: Path) -> None:
    """Two runnable stages nothing else uses: which one ships is the user's call."""
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    text = TWO_SERVICES.format(first="api", second="worker")
    (tmp_path / "Dockerfile").write_text(text)
    done = _cli(str(tmp_path), "--write")
    assert done.returncode == 3
    assert done.stderr == (
        f"slimage: error: {tmp_path / 'Dockerfile'}: several final-stage candidates: "
        "api (line 1), worker (line 7): no other stage uses them and each sets an entry "
        "point; keep the one that ships as the last stage and move the others to a "
        "Dockerfile of their own\n"
    )
    assert (tmp_path / "Dockerfile").read_text() == text
    assert not (tmp_path / ".dockerignore").exists()


def test_a_development_target_is_not_a_candidate() -> None:
    """`FROM ... AS dev` beside the shipping stage (awesome-compose's dev-envs): the last
    stage is rewritten, the dev stage kept as written."""
    result = rewrite_text(TWO_SERVICES.format(first="dev-envs", second="prod"))
    assert "FROM golang:1.22 AS dev-envs" in result.text
    assert result.text.rstrip().endswith('CMD ["/worker"]')
    assert "FROM golang:1.22 AS prod" in result.text


@pytest.mark.parametrize("case", ["node-apt", "python-pg"])
def test_apt_cache_mounts_lock_only_the_last_mount(case: str) -> None:
    """buildah < 1.29 (podman 4.3, Debian 12) releases only the last locked cache mount of
    a RUN; a RUN of the same build mounting an earlier locked one waits forever. apt's
    lists are locked, its archives mounted shared beside them."""
    text = rewrite_dockerfile(DATA / case / "Dockerfile").text
    runs = [c for c in buildkit.parse_string(text) if c.cmd == "RUN"]
    apt = [r for r in runs if any("target=/var/lib/apt" in f for f in r.flags)]
    assert apt
    for run in apt:
        mounts = [f for f in run.flags if f.startswith("--mount=type=cache")]
        assert [("sharing=locked" in m) for m in mounts] == [False, True], run.original
        assert mounts[-1] == "--mount=type=cache,target=/var/lib/apt,sharing=locked"
    suggested = SUGGESTED_MOUNTS["apt"]
    assert [("sharing=locked" in m) for m in suggested] == [False, True]
