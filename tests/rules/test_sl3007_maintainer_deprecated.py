from rule_helpers import findings, fixed

from slimage.rules.sl3007_maintainer_deprecated import MaintainerDeprecated


def test_maintainer_fires_and_fix_writes_the_label() -> None:
    text = "FROM alpine:3.20\nMAINTAINER Jane Doe <jane@example.com>\n"
    assert [f.location.line for f in findings(MaintainerDeprecated, text)] == [2]
    assert fixed(MaintainerDeprecated, text) == (
        'FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"\n'
    )


def test_lower_case_keyword() -> None:
    text = "from alpine:3.20\nmaintainer jane\n"
    assert fixed(MaintainerDeprecated, text) == (
        'from alpine:3.20\nlabel org.opencontainers.image.authors="jane"\n'
    )


def test_values_needing_escapes_get_no_fix() -> None:
    for value in ('Jane "JD" Doe', "cost $5", "a\\\\b"):
        found = findings(MaintainerDeprecated, f"FROM alpine:3.20\nMAINTAINER {value}\n")
        assert len(found) == 1 and found[0].fix is None, value
