"""Plumbing many rules share: cheap text pre-filters, "did you mean", and BuildKit's
check names mapped to slimage rules."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction


def close_matches(word: str, candidates: Sequence[str]) -> list[str]:
    """The closest candidate, as ``difflib.get_close_matches(..., n=1)``: a "did you
    mean" hint. difflib is imported here, on first use, not at every start."""

    return difflib.get_close_matches(word, candidates, n=1)


# --- cheap pre-filters -------------------------------------------------------------------


def mentions(instruction: Instruction, *needles: str) -> bool:
    """Whether a RUN's text (heredoc bodies included) contains any of ``needles``.

    Splitting a script into commands costs far more than a substring test, so rules
    ask this first and only look at the commands of RUNs that can match.
    """
    # Plain loops: this runs for every RUN in many rules, and generators cost more here.
    rest = instruction.rest
    for needle in needles:
        if needle in rest:
            return True
    for heredoc in instruction.heredocs:
        content = heredoc.content
        for needle in needles:
            if needle in content:
                return True
    return False


# --- BuildKit's own checks -----------------------------------------------------------------

# `docker build --check` rule names and the slimage rule covering each, so that a
# `# check=skip=JSONArgsRecommended` directive (BuildKit's suppression) can be honoured.
BUILDKIT_CHECKS: dict[str, str] = {
    "StageNameCasing": "SL3011",
    "FromAsCasing": "SL3012",
    "NoEmptyContinuation": "SL3018",
    "ConsistentInstructionCasing": "SL3017",
    "FileConsistentCommandCasing": "SL3017",
    "SelfConsistentCommandCasing": "SL3017",
    "DuplicateStageName": "SL3003",
    "ReservedStageName": "SL3013",
    "JSONArgsRecommended": "SL3001",
    "MaintainerDeprecated": "SL3007",
    "UndefinedArgInFrom": "SL3015",
    "WorkdirRelativePath": "SL3005",
    "UndefinedVar": "SL3002",
    "MultipleInstructionsDisallowed": "SL3006",
    "LegacyKeyValueFormat": "SL3014",
    "InvalidDefaultArgInFrom": "SL3016",
    "FromPlatformFlagConstDisallowed": "SL3019",
    "SecretsUsedInArgOrEnv": "SL2005",
    "ExposeInvalidFormat": "SL3008",
    "ExposeProtoCasing": "SL3009",
    "CopyIgnoredFile": "SL1008",
}
