from rule_helpers import findings, fixed, lines

from slimage.rules.sl3026_install_without_yes import InstallWithoutYes


def test_missing_yes_fires_and_is_fixed() -> None:
    text = "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends curl\n"
    found = findings(InstallWithoutYes, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 23)]
    assert fixed(InstallWithoutYes, text) == (
        "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    )


def test_other_managers() -> None:
    text = "FROM fedora:40\nRUN dnf install git && zypper in vim && yum remove x\n"
    assert len(findings(InstallWithoutYes, text)) == 3
    assert fixed(InstallWithoutYes, text) == (
        "FROM fedora:40\nRUN dnf install -y git && zypper in -y vim && yum remove -y x\n"
    )


def test_heredoc_and_continuation() -> None:
    text = "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install \\\n  curl\nEOF\n"
    assert fixed(InstallWithoutYes, text) == (
        "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y \\\n  curl\nEOF\n"
    )


def test_non_interactive_forms_pass() -> None:
    for run in (
        "apt-get install -y curl",
        "apt-get -yq install curl",
        "apt-get install -qq curl",
        "apt-get --assume-yes install curl",
        "apt-get -o APT::Get::Assume-Yes=true install curl",
        "yes | apt-get install curl",
        "yum install -y git",
        "zypper -n install vim",
        "apt-get update",
        "apk add curl",
        "microdnf install git",
    ):
        assert lines(InstallWithoutYes, f"FROM debian:12\nRUN {run}\n") == [], run
