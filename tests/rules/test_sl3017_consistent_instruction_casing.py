from rule_helpers import findings, lines

from slimage.rules.sl3017_consistent_instruction_casing import ConsistentInstructionCasing


def test_minority_casing_fires() -> None:
    text = "FROM alpine:3.20\nrun echo a\nRUN echo b\nCOPY a /a\n"
    found = findings(ConsistentInstructionCasing, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 1)]
    assert "uppercase" in found[0].message


def test_mixed_case_keyword_and_onbuild_trigger() -> None:
    text = "FROM alpine:3.20\nRun echo a\nONBUILD copy . /app\n"
    assert lines(ConsistentInstructionCasing, text) == [2, 3]


def test_consistent_files_pass() -> None:
    assert lines(ConsistentInstructionCasing, "from a:1\nrun x\ncopy a /a\n") == []
    assert lines(ConsistentInstructionCasing, "FROM a:1\nRUN x\n") == []
