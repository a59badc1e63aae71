"""``analyze_image``: an Image in, one :class:`AnalysisResult` out, plus the CI gates.

The result joins the streaming pass (:mod:`slimage.analysis.layers`: layers, final
filesystem, hidden bytes, dive's numbers) with the explanation of what the final
filesystem holds (:func:`slimage.analysis.explain.explain`: classified waste, findings,
inventory). Reports read only this record.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slimage.analysis.explain import Explanation, content_wanted, explain
from slimage.analysis.gates import GateLimits
from slimage.analysis.layers import LayerAnalysis, PendingChecks, Progress, analyze_layers
from slimage.image.model import Image


@dataclass
class Gate:
    """One CI gate checked against a result: its limit, the measured value, and the verdict."""

    name: str  # the option: "max-size", "max-hidden", "max-waste", "min-efficiency", ...
    limit: float
    value: float
    passed: bool
    unit: str  # "bytes", "ratio" or "count"


# Findings that are a secret in the image: a secret file (one finding per file) and a
# secret-looking variable in the config's Env. The --max-secrets gate counts them.
SECRET_CODES = frozenset({"SA115", "SL2005"})


@dataclass
class AnalysisResult:
    """One analysis of an image: the streaming pass, the explanation and the CI gates."""

    source: str
    platform: str | None
    config: Mapping[str, Any]
    layers: LayerAnalysis
    explanation: Explanation
    gates: list[Gate] = field(default_factory=list)

    @property
    def size_bytes(self) -> int:
        """Regular-file bytes of all layers: what the image stores, before compression."""
        return self.layers.content_bytes

    @property
    def waste_bytes(self) -> int:
        """Hidden bytes plus the classified waste still in the final filesystem."""
        return self.layers.hidden_bytes + self.explanation.explained_bytes

    @property
    def gates_passed(self) -> bool:
        return all(gate.passed for gate in self.gates)


def analyze_image(
    image: Image,
    *,
    progress: Progress | None = None,
    gate_ignore: Sequence[str] = (),
    digest_files: bool = False,
) -> AnalysisResult:
    """Read ``image`` once and explain its bytes.

    ``gate_ignore``: path patterns whose bytes the gates must not count (see
    :func:`evaluate_gates`); the pass tallies them as it goes. ``digest_files``: give
    every file a content digest (see :func:`~slimage.analysis.layers.analyze_layers`).
    """
    patterns = normalize_patterns(gate_ignore)
    # The layers' digests may still be computed on another thread when the pass ends:
    # explain meanwhile, and check them before anything is returned.
    checks = PendingChecks()
    layers = analyze_layers(
        image,
        content_wanted=content_wanted,
        progress=progress,
        ignore=(lambda path: path_ignored(path, patterns)) if patterns else None,
        checks=checks,
        digest_files=digest_files,
    )
    try:
        explanation = explain(
            layers.files,
            layers.contents,
            image.config,
            image.history,
            [layer.content_bytes for layer in layers.layers],
        )
    finally:
        checks.run()
    return AnalysisResult(image.source, image.platform, image.config, layers, explanation)


def normalize_patterns(patterns: Sequence[str]) -> list[str]:
    return [pattern.strip("/") for pattern in patterns if pattern.strip("/")]


def path_ignored(path: str, patterns: Sequence[str]) -> bool:
    """``var/cache`` ignores itself and everything below; globs (``*.pyc``) also work."""
    for pattern in patterns:
        if path == pattern or path.startswith(pattern + "/") or fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def evaluate_gates(result: AnalysisResult, limits: GateLimits) -> list[Gate]:
    """Check ``result`` against ``limits``; paths under ``limits.ignore`` do not count.

    Ignored paths leave the size (their bytes in every layer), the hidden bytes (those of
    hidden items under them) and the classified waste (the explanation is recomputed
    without them). dive's efficiency is dive's and is not adjusted.
    """
    patterns = normalize_patterns(limits.ignore)
    size = result.size_bytes
    hidden = result.layers.hidden_bytes
    waste_classified = result.explanation.explained_bytes
    if patterns:
        # The pass tallied these when analyze_image was given the same patterns.
        size -= result.layers.ignored_content_bytes
        hidden -= result.layers.ignored_hidden_bytes
        kept = {
            path: record
            for path, record in result.layers.files.items()
            if not path_ignored(path, patterns)
        }
        waste_classified = explain(
            kept,
            {path: data for path, data in result.layers.contents.items() if path in kept},
            result.config,
            [],
            [layer.content_bytes for layer in result.layers.layers],
        ).explained_bytes
    gates: list[Gate] = []
    if limits.max_size is not None:
        gates.append(Gate("max-size", limits.max_size, size, size <= limits.max_size, "bytes"))
    if limits.max_hidden is not None:
        gates.append(
            Gate("max-hidden", limits.max_hidden, hidden, hidden <= limits.max_hidden, "bytes")
        )
    if limits.max_waste is not None:
        waste = hidden + waste_classified
        gates.append(Gate("max-waste", limits.max_waste, waste, waste <= limits.max_waste, "bytes"))
    if limits.min_efficiency is not None:
        score = result.layers.dive.efficiency
        passed = not math.isnan(score) and score >= limits.min_efficiency
        gates.append(Gate("min-efficiency", limits.min_efficiency, score, passed, "ratio"))
    if limits.max_secrets is not None:
        secrets = sum(1 for f in result.explanation.findings if f.code in SECRET_CODES)
        passed = secrets <= limits.max_secrets
        gates.append(Gate("max-secrets", limits.max_secrets, secrets, passed, "count"))
    return gates
