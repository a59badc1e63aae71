from rule_helpers import lines

from slimage.rules.sl3023_instruction_before_from import InstructionBeforeFrom


def test_instruction_before_from_fires() -> None:
    assert lines(InstructionBeforeFrom, "ARG V=1\nENV A=1\nRUN x\nFROM a:1\n") == [2, 3]


def test_args_before_from_pass() -> None:
    assert (
        lines(InstructionBeforeFrom, "# syntax=docker/dockerfile:1\nARG V=1\nFROM a:$V\nRUN x\n")
        == []
    )
