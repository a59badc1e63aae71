"""The WORKDIR in effect at each instruction, inherited through FROM <stage>."""

from __future__ import annotations

from slimage.dockerfile.model import Instruction
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import build_stage_graph
from slimage.dockerfile.workdir import initial, read_workdirs, workdir_at


def test_workdir_joins_and_is_inherited_from_the_base_stage() -> None:
    dockerfile = parse_dockerfile(
        "FROM debian AS base\nWORKDIR /srv\nWORKDIR app\nRUN a\n"
        "FROM base AS next\nRUN b\nWORKDIR ../x\nRUN c\n"
        "FROM alpine\nRUN d\n"
    )
    stages = build_stage_graph(dockerfile).stages
    base, following, other = stages
    assert workdir_at(stages, base, base.instructions[2]) == "/srv/app"
    assert initial(stages, following) == "/srv/app"
    assert workdir_at(stages, following, following.instructions[0]) == "/srv/app"
    assert workdir_at(stages, following, following.instructions[2]) == "/srv/x"
    assert initial(stages, other) == "/"


def test_workdir_is_cleaned_as_buildkit_cleans_it_and_expanded_on_request() -> None:
    dockerfile = parse_dockerfile(
        "FROM debian AS base\nARG ROOT=/\nWORKDIR //srv\nWORKDIR ${ROOT}/app\nFROM base\nRUN a\n"
    )
    stages = build_stage_graph(dockerfile).stages
    base, following = stages
    # As written, variables stay; Go's path.Clean makes a leading "//" one "/".
    assert workdir_at(stages, base, base.instructions[2]) == "/srv"
    assert initial(stages, following) == "/srv/${ROOT}/app"

    def expand(instruction: Instruction, word: str) -> str:
        return word.replace("${ROOT}", "/")

    assert initial(stages, following, expand) == "/app"
    assert initial(stages, following, expand, finals={base.index: "/kept"}) == "/kept"


def test_read_workdirs_agrees_with_the_walk_for_every_instruction() -> None:
    dockerfile = parse_dockerfile(
        "FROM debian AS base\nWORKDIR /srv\nWORKDIR app\nRUN a\n"
        "FROM base AS next\nRUN b\nWORKDIR ../x\nRUN c\n"
        "FROM next\nWORKDIR y\nRUN d\nFROM alpine\nWORKDIR z\nRUN e\n"
    )
    stages = build_stage_graph(dockerfile).stages
    workdirs = read_workdirs(stages)
    for stage in stages:
        assert workdirs.initial(stage) == initial(stages, stage)
        for instruction in stage.instructions:
            assert workdirs.at(instruction) == workdir_at(stages, stage, instruction)
    assert workdirs.at(stages[2].instructions[1]) == "/srv/x/y"
