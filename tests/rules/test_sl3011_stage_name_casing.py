from rule_helpers import findings, fixed, lines

from slimage.rules.sl3011_stage_name_casing import StageNameCasing


def test_mixed_case_name_fires_and_is_lowered() -> None:
    text = "FROM golang:1.22 AS BuildStage\nFROM scratch\nCOPY --from=BuildStage /a /a\n"
    found = findings(StageNameCasing, text)
    assert [(f.location.line, f.location.column) for f in found] == [(1, 21)]
    assert fixed(StageNameCasing, text) == (
        "FROM golang:1.22 AS buildstage\nFROM scratch\nCOPY --from=BuildStage /a /a\n"
    )


def test_lower_case_passes() -> None:
    assert lines(StageNameCasing, "FROM golang:1.22 AS build-stage\n") == []
