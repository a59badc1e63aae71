from rule_helpers import findings, lines

from slimage.rules.sl3027_update_in_separate_run import UpdateInSeparateRun


def test_update_alone_before_install_fires() -> None:
    text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"
    found = findings(UpdateInSeparateRun, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 5)]
    assert "line 3" in found[0].message
    assert lines(UpdateInSeparateRun, "FROM alpine:3.20\nRUN apk update\nRUN apk add curl\n") == [2]


def test_update_with_install_or_without_later_install_passes() -> None:
    for text in (
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
        'FROM debian:12\nRUN apt-get update\nCMD ["bash"]\n',
        "FROM debian:12\nRUN apt-get update\nFROM debian:12\nRUN apt-get install -y curl\n",
        "FROM debian:12\nRUN apt-get update\nRUN apt-get update && apt-get install -y x\n",
    ):
        assert lines(UpdateInSeparateRun, text) == [], text
