"""The differential run's list of deliberate disagreements with BuildKit v0.12.5 (the
``dockerfile`` binding): each entry is true of both parsers, and nothing else matches."""

from __future__ import annotations

import dockerfile
from slimage.dockerfile import parse_dockerfile

from .run import explain_disagreement


def test_a_json_nul_escape_is_kept_by_slimage_and_cut_by_the_binding() -> None:
    # Found by the full campaign of session 7 (seed 18, BuildKit's own JSON test file).
    text = 'CMD ["a\\u0000b", "c"]\n'
    (command,) = dockerfile.parse_string(text)
    assert command.value == ("a", "c")  # the binding's C strings end at the NUL
    (instruction,) = parse_dockerfile(text).instructions
    assert instruction.args == ["a\x00b", "c"]  # as Go's json.Unmarshal decodes it
    assert explain_disagreement(text.encode()) is not None


def test_an_escaped_backslash_before_u0000_is_not_a_nul() -> None:
    text = 'CMD ["a\\\\u0000b"]\n'
    assert explain_disagreement(text.encode()) is None
    (command,) = dockerfile.parse_string(text)
    (instruction,) = parse_dockerfile(text).instructions
    assert tuple(instruction.args) == command.value == ("a\\u0000b",)
