"""Map a layer index to the build step that wrote it, from the image config's history.

The image spec (config.md, "history") lists one entry per build step; entries with
``empty_layer: true`` (ENV, CMD, ...) made no layer, the others map in order onto the
layers. Builders that squash steps, or images rewritten by tools, break that pairing: then
we say so and name layers by number only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_STEP_CHARS = 72


def instruction_text(created_by: str) -> str:
    """The Dockerfile instruction a history ``created_by`` stands for, as the user wrote it.

    Docker's classic builder writes ``/bin/sh -c #(nop)  CMD ["x"]`` for metadata steps and
    ``/bin/sh -c apt-get ...`` for RUN; BuildKit writes ``RUN /bin/sh -c apt-get ... #
    buildkit``; buildah writes either shape.
    """
    text = " ".join(created_by.split())
    if text.endswith("# buildkit"):
        text = text[: -len("# buildkit")].rstrip()
    if text.startswith("RUN /bin/sh -c "):
        return "RUN " + text[len("RUN /bin/sh -c ") :]
    for shell in ("/bin/sh -c ", "/bin/bash -c "):
        if text.startswith(shell):
            rest = text[len(shell) :]
            if rest.startswith("#(nop)"):
                return rest[len("#(nop)") :].strip()
            return f"RUN {rest}"
    return text


def shorten(text: str, limit: int = MAX_STEP_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


@dataclass
class StepMap:
    steps: list[str | None]  # per layer index: the instruction text, None when unknown
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_history(cls, history: Sequence[Mapping[str, Any]], layer_count: int) -> StepMap:
        made_layers = [
            instruction_text(str(entry.get("created_by") or ""))
            for entry in history
            if not entry.get("empty_layer")
        ]
        if len(made_layers) == layer_count:
            return cls(list(made_layers))
        notes = []
        if history:
            notes.append(
                f"the history lists {len(made_layers)} layer-making steps for {layer_count} "
                "layers (squashed or rewritten image): steps are named by layer number only"
            )
        return cls([None] * layer_count, notes)

    def describe(self, layer_index: int) -> str:
        """``layer 3/5: `RUN apt-get update && ...``` (layer numbers count from 1)."""
        label = f"layer {layer_index + 1}/{len(self.steps)}"
        step = self.steps[layer_index] if 0 <= layer_index < len(self.steps) else None
        if not step:
            return label
        return f"{label}: `{shorten(step)}`"
