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


FILESYSTEM_STEPS = ("RUN ", "COPY ", "ADD ")


@dataclass
class StepMap:
    """Per layer index, the build steps that wrote it (usually one; several when squashed).

    ``buildah bud`` without ``--layers`` (and ``docker build --squash``) records every step
    but marks all except the last ``empty_layer``: the single layer holds what the RUN,
    COPY and ADD steps before it wrote. Those steps are gathered onto the layer, and a
    finding picks among them by its cause's keywords (``apt-get update`` for apt lists).
    """

    steps: list[list[str]]  # per layer index; empty when unknown
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_history(cls, history: Sequence[Mapping[str, Any]], layer_count: int) -> StepMap:
        layers: list[list[str]] = []
        pending: list[str] = []
        for entry in history:
            text = instruction_text(str(entry.get("created_by") or ""))
            if entry.get("empty_layer"):
                if text.startswith(FILESYSTEM_STEPS):
                    pending.append(text)
                continue
            layers.append([*pending, text])
            pending = []
        if len(layers) == layer_count:
            # The layer report already says when steps were squashed; no note here.
            return cls(layers)
        notes = []
        if history:
            notes.append(
                f"the history lists {len(layers)} layer-making steps for {layer_count} "
                "layers (squashed or rewritten image): steps are named by layer number only"
            )
        return cls([[] for _ in range(layer_count)], notes)

    def describe(self, layer_index: int, keywords: Sequence[str] = ()) -> str:
        """``layer 3/5: `RUN apt-get update && ...``` (layer numbers count from 1).

        With several steps in the layer, the last one mentioning a keyword is named, else
        the last filesystem step, else the layer's own entry.
        """
        label = f"layer {layer_index + 1}/{len(self.steps)}"
        steps = self.steps[layer_index] if 0 <= layer_index < len(self.steps) else []
        if not steps:
            return label
        step = steps[-1]
        if len(steps) > 1:
            matching = [s for s in steps if any(word in s for word in keywords)]
            writing = [s for s in steps if s.startswith(FILESYSTEM_STEPS)]
            step = (matching or writing or steps)[-1]
            label += f", squashed from {len(steps)} steps"
        return f"{label}: `{shorten(step)}`"
