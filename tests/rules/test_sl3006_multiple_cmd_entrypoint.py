from rule_helpers import findings, fixed, lines

from slimage.rules.sl3006_multiple_cmd_entrypoint import MultipleCmdEntrypoint


def test_overridden_cmd_fires_and_unsafe_fix_removes_it() -> None:
    text = 'FROM node:20\nCMD ["node", "a.js"]\nRUN true\nCMD ["npm", "start"]\n'
    found = findings(MultipleCmdEntrypoint, text)
    assert [f.location.line for f in found] == [2]
    assert "line 4" in found[0].message
    assert fixed(MultipleCmdEntrypoint, text) == text
    assert fixed(MultipleCmdEntrypoint, text, unsafe=True) == (
        'FROM node:20\nRUN true\nCMD ["npm", "start"]\n'
    )


def test_entrypoint_and_healthcheck() -> None:
    text = (
        'FROM node:20\nENTRYPOINT ["a"]\nENTRYPOINT ["b"]\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n'
    )
    assert lines(MultipleCmdEntrypoint, text) == [2, 4]


def test_one_per_stage_passes() -> None:
    text = 'FROM node:20 AS a\nCMD ["a"]\nFROM node:20\nCMD ["b"]\nENTRYPOINT ["c"]\n'
    assert lines(MultipleCmdEntrypoint, text) == []


def test_identical_adjacent_twin_gets_no_fix() -> None:
    # Deleting either copy gives the same file; the fix check cannot tell which went.
    text = 'FROM node:20\nCMD ["a"]\nCMD ["a"]\n'
    found = findings(MultipleCmdEntrypoint, text)
    assert [f.location.line for f in found] == [2]
    assert found[0].fix is None
