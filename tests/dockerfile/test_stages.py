"""build_stage_graph: stages, bases, references, ARG/ENV scoping, on real and hand-written files."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimage.dockerfile.model import Dockerfile, Instruction
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import DEFAULT_PATH, StageGraph, build_stage_graph, mount_options
from slimage.errors import DockerfileSyntaxError, UsageError

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "dockerfiles"


def _graph(text: str, **build_args: str) -> tuple[Dockerfile, StageGraph]:
    df = parse_dockerfile(text)
    return df, build_stage_graph(df, build_args)


def _first(df: Dockerfile, keyword: str, nth: int = 0) -> Instruction:
    return [i for i in df.instructions if i.keyword == keyword][nth]


def _env(**values: str) -> dict[str, str]:
    """A stage environment: BuildKit's default PATH plus ``values``."""
    return {"PATH": DEFAULT_PATH, **values}


def _undefined(graph: StageGraph) -> list[tuple[str, str]]:
    return [(instruction.keyword, name) for instruction, name in graph.undefined_variables]


def test_global_args_expand_from_and_build_args_override() -> None:
    text = "ARG BASE=alpine\nARG TAG=${BASE}-3\nFROM ${BASE}:${TAG} AS Build\nRUN true\n"
    _, graph = _graph(text)
    assert graph.global_args == {"BASE": "alpine", "TAG": "alpine-3"}
    (stage,) = graph.stages
    assert (stage.name, stage.base_raw, stage.base) == (
        "build",
        "${BASE}:${TAG}",
        "alpine:alpine-3",
    )
    _, overridden = _graph(text, BASE="debian")
    assert overridden.stages[0].base == "debian:debian-3"
    assert overridden.global_args["BASE"] == "debian"


def test_global_arg_without_value() -> None:
    _, graph = _graph("ARG V\nFROM alpine:${V:-3.20}\n")
    assert graph.global_args == {"V": None}
    assert graph.stages[0].base == "alpine:3.20"
    assert graph.undefined_variables == []


def test_global_args_reach_a_stage_only_when_redeclared() -> None:
    text = (
        "ARG VERSION=1.2\nFROM alpine\nWORKDIR /app/$VERSION\nARG VERSION\nWORKDIR /app/$VERSION\n"
    )
    df, graph = _graph(text)
    first, second = (i for i in df.instructions if i.keyword == "WORKDIR")
    assert graph.env_before(first) == _env()
    assert graph.env_before(second) == _env(VERSION="1.2")
    assert graph.undefined_variables == [(first, "VERSION")]
    df, with_build_arg = _graph(text, VERSION="9")
    assert with_build_arg.env_before(_first(df, "WORKDIR", 1)) == _env(VERSION="9")


def test_arg_and_env_scope_in_order() -> None:
    text = (
        "FROM alpine\nARG X=1\nARG Y=$X-y\nENV X=2 Z=$X\nLABEL a=b\n"
        "ARG X\nLABEL c=d\nENV A=1 B=$A\nUSER $B\n"
    )
    df, graph = _graph(text)
    first_label, second_label = (i for i in df.instructions if i.keyword == "LABEL")
    # ENV pairs expand against the environment before the instruction: Z gets the ARG X.
    assert graph.env_before(first_label) == _env(X="2", Y="1-y", Z="1")
    # "ARG X" without default and without build arg or global value keeps the ENV.
    assert graph.env_before(second_label)["X"] == "2"
    assert graph.env_before(_first(df, "USER")) == _env(X="2", Y="1-y", Z="1", A="1", B="")
    assert _undefined(graph) == [("ENV", "A")]
    df, built = _graph(text, X="7")
    assert built.env_before(_first(df, "LABEL")) == _env(X="2", Y="7-y", Z="7")
    # A build arg given for a later "ARG X" overrides the ENV value (instruction order).
    assert built.env_before(_first(df, "USER"))["X"] == "7"


def test_from_an_earlier_stage_inherits_its_environment() -> None:
    text = (
        "FROM alpine AS base\nARG V=1\nENV HOME=/root\n"
        "FROM base AS build\nWORKDIR $HOME/$V\n"
        "FROM Base\nRUN true\n"
    )
    df, graph = _graph(text)
    base, build, last = graph.stages
    assert base.base_stage is None
    assert build.base_stage == 0
    assert graph.env_before(_first(df, "WORKDIR")) == _env(V="1", HOME="/root")
    assert graph.undefined_variables == []
    # BuildKit looks "Base" up as written among lower-cased names: an image, not a stage.
    assert last.base_stage is None and last.base == "Base"


def test_copy_from_names_indexes_and_images() -> None:
    text = (
        "FROM golang AS Builder\nRUN go build\n"
        "FROM alpine\n"
        "COPY --from=builder /a /a\nCOPY --from=BUILDER /b /b\nCOPY --from=0 /c /c\n"
        "COPY --from=nginx:latest /d /d\nCOPY --from=7 /e /e\nCOPY /f /f\n"
    )
    _, graph = _graph(text)
    refs = [(ref.ref, ref.stage) for ref in graph.final.copies_from]
    assert refs == [("builder", 0), ("BUILDER", 0), ("0", 0), ("nginx:latest", None), ("7", None)]
    assert graph.by_name("BUILDER") is graph.stages[0]
    assert graph.by_name("nope") is None


def test_run_mount_from() -> None:
    text = (
        "FROM alpine AS deps\nRUN true\n"
        "FROM alpine\nARG SRC=deps\n"
        "RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=deps,target=/d "
        "--mount=from=$SRC,target=/e --mount=type=bind,from=busybox,target=/f true\n"
    )
    _, graph = _graph(text)
    refs = [(ref.ref, ref.stage) for ref in graph.final.mounts_from]
    assert refs == [("deps", 0), ("deps", 0), ("busybox", None)]
    assert [s.index for s in graph.needed_for()] == [0, 1]


def test_mount_options_are_csv() -> None:
    options = mount_options('type=bind,"source=a,b",FROM=x,target=/t')
    assert options == {"type": "bind", "source": "a,b", "from": "x", "target": "/t"}


def test_needed_for_targets_in_build_order() -> None:
    text = (
        "FROM alpine AS a\nRUN true\n"
        "FROM a AS b\nRUN true\n"
        "FROM alpine AS unused\nRUN true\n"
        "FROM alpine AS c\nCOPY --from=b /x /x\n"
        "FROM scratch\nCOPY --from=c /x /x\n"
    )
    _, graph = _graph(text)
    assert [s.label for s in graph.needed_for()] == ["a", "b", "c", "stage-4"]
    assert [s.label for s in graph.needed_for("B")] == ["a", "b"]
    assert [s.label for s in graph.needed_for("unused")] == ["unused"]
    with pytest.raises(UsageError, match='target stage "missing" could not be found'):
        graph.needed_for("missing")


def test_stage_of_and_env_before_for_global_and_from() -> None:
    text = "ARG A=1\nFROM alpine AS x\nONBUILD RUN true\nRUN true\n"
    df, graph = _graph(text)
    arg, from_, onbuild, run = df.instructions
    assert graph.stage_of(arg) is None
    assert graph.stage_of(from_) is graph.stages[0]
    assert graph.stage_of(run) is graph.stages[0]
    assert onbuild.trigger is not None and graph.stage_of(onbuild.trigger) is graph.stages[0]
    assert "A" not in graph.env_before(arg)
    assert graph.env_before(from_)["A"] == "1"
    assert graph.env_before(from_)["TARGETARCH"] == "amd64"
    assert graph.stages[0].instructions == [onbuild, run]


def test_duplicate_names() -> None:
    df, graph = _graph("FROM alpine AS x\nFROM debian AS X\nFROM x\n")
    assert graph.duplicate_names == [(df.instructions[1], "x")]
    assert graph.by_name("x") is graph.stages[1]
    assert graph.stages[2].base_stage == 1


def test_platform_args() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang AS build\n"
        "WORKDIR /out/$TARGETARCH\nARG TARGETARCH\nWORKDIR /out/$TARGETARCH\n"
        "FROM alpine:${TARGETOS}\n"
    )
    df, graph = _graph(text)
    assert graph.stages[0].platform == "linux/amd64"
    assert graph.stages[1].base == "alpine:linux"
    first, second = (i for i in df.instructions if i.keyword == "WORKDIR")
    assert graph.undefined_variables == []
    assert graph.undeclared_platform_args == [(first, "TARGETARCH")]
    assert graph.env_before(second) == _env(TARGETARCH="amd64")
    df, arm = _graph(text, BUILDPLATFORM="linux/arm64/v8", TARGETPLATFORM="linux/arm/v7")
    assert arm.stages[0].platform == "linux/arm64/v8"
    assert arm.env_before(_first(df, "WORKDIR", 1)) == _env(TARGETARCH="arm")


def test_only_expanded_instructions_report_undefined_variables() -> None:
    text = (
        "FROM ${IMAGE:-alpine}\n"
        'RUN echo "$NOT_CHECKED"\nCMD echo $ALSO_NOT\n'
        "COPY --chown=$OWNER src/$SRC /dst/\n"
        "EXPOSE $PORT\nLABEL k=$1 v=$LABEL_VALUE\nVOLUME $VOL\nSTOPSIGNAL $SIG\n"
        "ENV PATH=/x:$PATH HTTP_PROXY=$HTTP_PROXY\n"
    )
    _, graph = _graph(text)
    assert _undefined(graph) == [
        ("FROM", "IMAGE"),
        ("COPY", "OWNER"),
        ("COPY", "SRC"),
        ("EXPOSE", "PORT"),
        ("LABEL", "LABEL_VALUE"),
        ("VOLUME", "VOL"),
        ("STOPSIGNAL", "SIG"),
    ]


def test_copy_heredoc_expansion() -> None:
    text = (
        "FROM alpine\n"
        "COPY <<EOF /start.sh\necho $HOME\nEOF\n"
        'COPY <<"EOF" /other.sh\necho $QUOTED\nEOF\n'
    )
    _, graph = _graph(text)
    assert _undefined(graph) == [("COPY", "HOME")]


def test_backtick_escape_directive() -> None:
    text = (
        "# escape=`\nARG DIR=C:\\base\nFROM microsoft/nanoserver\nARG DIR\nWORKDIR ${DIR}`\\app\n"
    )
    df, graph = _graph(text)
    assert graph.env_before(_first(df, "WORKDIR")) == _env(DIR="C:\\base")


def test_no_stages() -> None:
    _, graph = _graph("ARG A=1\n")
    assert graph.stages == []
    with pytest.raises(DockerfileSyntaxError, match="no stages"):
        _ = graph.final


def test_bad_expansion_keeps_the_word() -> None:
    _, graph = _graph("ARG B=${\nFROM alpine:${B\n")
    assert graph.stages[0].base == "alpine:${B"


def _corpus(name: str) -> tuple[Dockerfile, StageGraph]:
    df = parse_dockerfile((CORPUS / name).read_text("utf-8"))
    return df, build_stage_graph(df)


def test_real_multistage_java() -> None:
    _, graph = _corpus("docker+awesome-compose__react-java-mysql_backend_Dockerfile")
    assert [(s.name, s.base, s.base_stage) for s in graph.stages] == [
        ("builder", "maven:3.8.5-eclipse-temurin-17", None),
        ("dev-envs", "builder", 0),
        ("prepare-production", "builder", 0),
        (None, "eclipse-temurin:17-jre-focal", None),
    ]
    assert [ref.stage for ref in graph.final.copies_from] == [2, 2, 2]
    assert [ref.stage for ref in graph.stages[1].copies_from] == [None]
    assert [s.index for s in graph.needed_for()] == [0, 2, 3]
    assert [s.index for s in graph.needed_for("dev-envs")] == [0, 1]


def test_real_golang_tip_copies_from_an_image() -> None:
    df, graph = _corpus("docker-library+golang__tip_alpine3.23_Dockerfile")
    build, final = graph.stages
    assert [(ref.ref, ref.stage) for ref in build.copies_from] == [("golang:alpine3.23", None)]
    assert [(ref.ref, ref.stage) for ref in final.copies_from] == [("build", 0)]
    workdir = _first(df, "WORKDIR")
    assert graph.stage_of(workdir) is final
    assert graph.env_before(workdir)["GOPATH"] == "/go"
    assert graph.env_before(workdir)["PATH"] == "/go/bin:/usr/local/go/bin:" + DEFAULT_PATH


@pytest.mark.slow
def test_corpus_graphs() -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    assert len(files) == 191
    multi_stage = 0
    for path in files:
        df = parse_dockerfile(path.read_text("utf-8"))
        graph = build_stage_graph(df)
        assert graph.stages, path.name
        multi_stage += len(graph.stages) > 1
        # The real files are clean: every variable they expand is defined in the file.
        assert graph.undefined_variables == [], path.name
        assert graph.duplicate_names == [], path.name
        for stage in graph.stages:
            for instruction in stage.instructions:
                assert graph.stage_of(instruction) is stage
        assert graph.needed_for()[-1] is graph.final
    assert multi_stage == 41


def test_shell_for() -> None:
    text = (
        'FROM mcr.microsoft.com/windows AS win\nRUN dir\nSHELL ["powershell", "-Command"]\n'
        "RUN Get-Item x\nFROM win\nRUN Get-Item y\nFROM alpine\nRUN ls\n"
    )
    df, graph = _graph(text)
    runs = [i for i in df.instructions if i.keyword == "RUN"]
    assert [graph.shell_for(run) for run in runs] == [
        None,
        ["powershell", "-Command"],
        ["powershell", "-Command"],
        None,
    ]


def test_quoted_arg_and_env_values_lose_their_quotes() -> None:
    text = 'FROM alpine\nARG abc="123 456" def\nENV G="a b" H=\'$abc\' I=$abc\nUSER x\n'
    df, graph = _graph(text)
    assert graph.env_before(_first(df, "USER")) == _env(
        abc="123 456", G="a b", H="$abc", I="123 456"
    )
    assert graph.undefined_variables == []


CONFORMANCE = Path(__file__).resolve().parent.parent / "data" / "conformance" / "buildkit-parser"


@pytest.mark.parametrize("case", sorted(p.name for p in CONFORMANCE.iterdir()))
def test_buildkit_parser_files_build_a_graph(case: str) -> None:
    df = parse_dockerfile((CONFORMANCE / case / "Dockerfile").read_text("utf-8"))
    graph = build_stage_graph(df)
    assert len(graph.stages) == sum(i.keyword == "FROM" for i in df.instructions)
    for stage in graph.stages:
        assert graph.stage_of(stage.from_instruction) is stage
        if stage.name is not None:
            assert graph.needed_for(stage.name)[-1] is graph.by_name(stage.name)


def test_root_of_follows_the_from_chain() -> None:
    _, graph = _graph("FROM golang AS a\nFROM a AS b\nFROM b\nFROM scratch\n")
    assert [graph.root_of(s).base for s in graph.stages] == [
        "golang",
        "golang",
        "golang",
        "scratch",
    ]
