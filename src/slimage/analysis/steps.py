"""Findings name the build step that wrote a layer: :class:`StepMap` over the one
history -> layer mapping of :mod:`slimage.image.history` (the layer table reads the same).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slimage.image.history import (
    FILESYSTEM_STEPS,
    MAX_STEP_CHARS,
    instruction_text,
    map_layers,
    shorten,
)


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
        # What the history leaves unclear is noted once, with the layer table.
        mapped = map_layers(history, layer_count)
        return cls([[instruction_text(step) for step in layer.steps] for layer in mapped.layers])

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


__all__ = [
    "FILESYSTEM_STEPS",
    "MAX_STEP_CHARS",
    "StepMap",
    "instruction_text",
    "shorten",
]
