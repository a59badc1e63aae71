"""Which Dockerfile instruction made each layer of an image built from it.

The image's history names each layer's step (``RUN apt-get ...``, ``COPY . /app``; see
:mod:`slimage.analysis.steps`). The last layers were made by the target stage's
``RUN``/``COPY``/``ADD`` (and ``WORKDIR``, which may make one) in order, so the steps
are matched from the end of both lists: each layer takes the nearest earlier
instruction of its keyword, one with the same command text first. Layers before the
first matched one came with the base image: they map to the stage's ``FROM``. Nothing
maps when no layer matches (no history, or another Dockerfile).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slimage.analysis.steps import StepMap
from slimage.dockerfile.model import Dockerfile, Instruction

_LAYER_KEYWORDS = ("RUN", "COPY", "ADD", "WORKDIR")


def _normalized(text: str) -> str:
    return " ".join(text.split())


def _stage(dockerfile: Dockerfile, target: str | None) -> list[Instruction]:
    """The instructions of the stage that became the image (``target``, else the last)."""
    stages: list[list[Instruction]] = []
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    if target is not None:
        for stage in stages:
            args = stage[0].args
            if len(args) == 3 and args[2].lower() == target.lower():
                return stage
    return stages[-1] if stages else []


def _step_matches(step: str, instruction: Instruction) -> bool:
    """``step`` (the history's text, as :func:`instruction_text` gives it) is exactly
    ``instruction``'s command, whitespace aside."""
    keyword, _, command = step.partition(" ")
    return keyword.upper() == instruction.keyword and _normalized(command) == _normalized(
        instruction.rest
    )


def map_layers_to_instructions(
    dockerfile: Dockerfile,
    history: Sequence[Mapping[str, Any]],
    layer_count: int,
    *,
    target: str | None = None,
) -> dict[int, Instruction]:
    """Layer index -> the instruction of ``dockerfile`` that made it (see the module doc)."""
    stage = _stage(dockerfile, target)
    if not stage:
        return {}
    candidates = [i for i in stage if i.keyword in _LAYER_KEYWORDS]
    steps = StepMap.from_history(history, layer_count).steps
    mapping: dict[int, Instruction] = {}
    position = len(candidates)  # candidates[:position] are still free
    first_matched: int | None = None
    for layer_index in range(layer_count - 1, -1, -1):
        layer_steps = steps[layer_index] if layer_index < len(steps) else []
        if not layer_steps:
            break
        step = layer_steps[-1]
        keyword = step.partition(" ")[0].upper()
        earlier = [index for index in range(position - 1, -1, -1)]
        exact = [index for index in earlier if _step_matches(step, candidates[index])]
        same_keyword = [index for index in earlier if candidates[index].keyword == keyword]
        chosen = exact[0] if exact else (same_keyword[0] if same_keyword else None)
        if chosen is None:
            break
        mapping[layer_index] = candidates[chosen]
        position = chosen
        first_matched = layer_index
    if first_matched is None:
        return {}
    for layer_index in range(first_matched):
        mapping[layer_index] = stage[0]  # the base image's layers: its FROM
    return mapping
