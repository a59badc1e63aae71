from rule_helpers import findings, fixed, lines

from slimage.rules.sl3025_apt_instead_of_apt_get import AptInsteadOfAptGet


def test_apt_fires_and_unsafe_fix_renames_the_program() -> None:
    text = "FROM debian:12\nRUN apt update && apt install -y curl\n"
    found = findings(AptInsteadOfAptGet, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 5), (2, 19)]
    assert fixed(AptInsteadOfAptGet, text) == text
    assert fixed(AptInsteadOfAptGet, text, unsafe=True) == (
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
    )


def test_subcommands_without_an_apt_get_twin_get_no_fix() -> None:
    found = findings(AptInsteadOfAptGet, "FROM debian:12\nRUN apt search curl\n")
    assert len(found) == 1 and found[0].fix is None


def test_apt_get_and_apt_cache_pass() -> None:
    text = "FROM debian:12\nRUN apt-get update && apt-cache policy curl && echo apt\n"
    assert lines(AptInsteadOfAptGet, text) == []
