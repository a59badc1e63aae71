"""One history -> layer mapping: the layer table and the findings name the same steps."""

from __future__ import annotations

from slimage.analysis.steps import StepMap
from slimage.image.history import instruction_text, map_history, map_layers


def test_squashed_top_layer_is_named_alike_by_table_and_findings() -> None:
    # docker build --squash / rewritten images: more layer-making steps than layers.
    history = [
        {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
        {"created_by": "/bin/sh -c apt-get update && apt-get install -y curl"},
        {"created_by": "/bin/sh -c #(nop) ENV A=1", "empty_layer": True},
        {"created_by": "/bin/sh -c npm ci"},
    ]
    table, notes = map_history(history, 2)
    steps = StepMap.from_history(history, 2)
    assert table[1] == (
        1,
        "/bin/sh -c apt-get update && apt-get install -y curl && /bin/sh -c npm ci",
        2,
    )
    assert "squashed the last 2 steps into layer 2" in notes[0]
    # The findings see the same two steps (before, they named the layer by number only).
    assert steps.steps[1] == ["RUN apt-get update && apt-get install -y curl", "RUN npm ci"]
    assert steps.notes == []
    assert steps.describe(1, ("apt-get update",)) == (
        "layer 2/2, squashed from 2 steps: `RUN apt-get update && apt-get install -y curl`"
    )
    assert steps.describe(0) == "layer 1/2: `ADD file:abc in /`"


def test_buildah_squash_and_missing_steps_agree() -> None:
    history = [
        {"created_by": "/bin/sh"},
        {"created_by": "/bin/sh -c #(nop) COPY dir:85 in /data/ ", "empty_layer": True},
        {"created_by": "/bin/sh -c rm /data/big.bin", "empty_layer": True},
        {"created_by": "/bin/sh -c echo done"},
    ]
    mapped = map_layers(history, 3)
    steps = StepMap.from_history(history, 3)
    for layer, named in zip(mapped.layers, steps.steps, strict=True):
        assert [instruction_text(step) for step in layer.steps] == named
    assert mapped.layers[2].history_index is None and steps.steps[2] == []
    assert "the top layers have no recorded step" in mapped.notes[0]
    assert "layer 2 also holds 2 earlier RUN/COPY/ADD steps" in mapped.notes[1]
