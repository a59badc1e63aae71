"""The WORKDIR in effect at each instruction, inherited through FROM <stage>."""

from __future__ import annotations

from slimage.dockerfile.model import Instruction
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import build_stage_graph
from slimage.dockerfile.workdir import initial, workdir_at


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
