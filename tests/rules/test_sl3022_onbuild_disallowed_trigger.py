from rule_helpers import findings, lines

from slimage.rules.sl3022_onbuild_disallowed_trigger import OnbuildDisallowedTrigger


def test_disallowed_triggers_fire_on_the_trigger() -> None:
    text = "FROM a:1\nONBUILD FROM b:1\nONBUILD ONBUILD RUN x\nONBUILD MAINTAINER me\n"
    found = findings(OnbuildDisallowedTrigger, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 9), (3, 9), (4, 9)]


def test_allowed_triggers_pass() -> None:
    assert lines(OnbuildDisallowedTrigger, "FROM a:1\nONBUILD COPY . /app\nONBUILD RUN x\n") == []
