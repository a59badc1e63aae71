"""Which build step wrote each layer, from the image config's history: one mapping for
the layer table and the findings alike.

The image spec (config.md, "history") lists one entry per build step; entries with
``empty_layer: true`` (ENV, CMD, ...) made no layer, the others pair off in order with the
layers. Builders break that pairing in two ways, and both are read the same everywhere:

- more layer-making entries than layers (``docker build --squash``, rewritten images):
  the base layers pair off in order and the top layer stands for all remaining steps;
- ``buildah bud`` without ``--layers`` commits one layer for a whole build and marks the
  earlier RUN/COPY/ADD steps ``empty_layer``: those steps are counted into the layer that
  follows them.

Fewer layer-making entries than layers leave the top layers without a step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slimage.wording import plural

MAX_STEP_CHARS = 72
FILESYSTEM_STEPS = ("RUN ", "COPY ", "ADD ")


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
    """``text`` cut to ``limit`` characters, ``...`` marking the cut."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


@dataclass(frozen=True)
class LayerSteps:
    """The history of one layer: its own entry and every step whose changes it holds."""

    history_index: int | None  # the layer's own history entry; None when unknown
    steps: tuple[str, ...] = ()  # raw ``created_by`` of each step, oldest first

    @property
    def created_by(self) -> str | None:
        """The steps as one line (``a && b`` when squashed); None when unknown."""
        return " && ".join(self.steps) if self.steps else None


@dataclass(frozen=True)
class HistoryMap:
    """Per layer index, the steps that wrote it, and what the history left unclear."""

    layers: list[LayerSteps]
    notes: list[str]


def map_layers(history: Sequence[Mapping[str, Any]], layer_count: int) -> HistoryMap:
    """The steps behind each of ``layer_count`` layers (see the module docstring)."""
    making = [
        (position, str(entry.get("created_by") or ""))
        for position, entry in enumerate(history)
        if not entry.get("empty_layer")
    ]
    notes: list[str] = []
    layers: list[LayerSteps] = []
    if len(making) > layer_count and layer_count:
        extra = len(making) - layer_count + 1
        notes.append(
            f"the history lists {plural(len(making), 'layer-making step')} for "
            f"{plural(layer_count, 'layer')}: a builder squashed the last {extra} steps "
            f"into layer {layer_count}"
        )
        layers = [LayerSteps(position, (text,)) for position, text in making[: layer_count - 1]]
        rest = making[layer_count - 1 :]
        layers.append(LayerSteps(rest[0][0], tuple(text for _, text in rest)))
        return HistoryMap(layers, notes)
    if history and len(making) < layer_count:
        notes.append(
            f"the history lists {plural(len(making), 'layer-making step')} for "
            f"{plural(layer_count, 'layer')}: the top layers have no recorded step"
        )
    previous = -1
    for index in range(layer_count):
        if index >= len(making):
            layers.append(LayerSteps(None))
            continue
        position, text = making[index]
        folded = [
            str(history[earlier].get("created_by") or "")
            for earlier in range(previous + 1, position)
            if instruction_text(str(history[earlier].get("created_by") or "")).startswith(
                FILESYSTEM_STEPS
            )
        ]
        previous = position
        layers.append(LayerSteps(position, (*folded, text)))
        if folded:
            notes.append(
                f"layer {index + 1} also holds {len(folded)} earlier RUN/COPY/ADD steps marked "
                "empty_layer: the builder squashed them into it (or they changed nothing)"
            )
    return HistoryMap(layers, notes)


def map_history(
    history: Sequence[Mapping[str, Any]], layer_count: int
) -> tuple[list[tuple[int | None, str | None, int]], list[str]]:
    """Per layer: (history index, created_by, steps it stands for); plus notes.

    :func:`map_layers` as tuples (the shape the layer table has always read).
    """
    mapped = map_layers(history, layer_count)
    return [
        (layer.history_index, layer.created_by, len(layer.steps)) for layer in mapped.layers
    ], mapped.notes
