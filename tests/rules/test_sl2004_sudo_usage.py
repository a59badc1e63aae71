from rule_helpers import findings, lines

from slimage.rules.sl2004_sudo_usage import SudoUsage


def test_sudo_fires_on_the_command() -> None:
    text = "FROM debian:12\nRUN apt-get update && sudo apt-get install -y curl\n"
    found = findings(SudoUsage, text)
    assert len(found) == 1
    assert found[0].location.line == 2
    assert found[0].location.column == 23


def test_sudo_after_assignment_and_in_heredoc() -> None:
    assert lines(SudoUsage, "FROM debian:12\nRUN DEBIAN_FRONTEND=x sudo apt-get update\n") == [2]
    assert lines(SudoUsage, "FROM debian:12\nRUN <<EOF\nset -e\nsudo make install\nEOF\n") != []


def test_installing_or_mentioning_sudo_passes() -> None:
    assert lines(SudoUsage, "FROM debian:12\nRUN apt-get install -y sudo\n") == []
    assert lines(SudoUsage, "FROM debian:12\nRUN echo sudo\n") == []


def test_passwordless_sudo_fires() -> None:
    text = (
        "FROM debian:12\nRUN apt-get install -y sudo \\\n"
        " && echo 'app ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers\nUSER app\n"
    )
    found = findings(SudoUsage, text)
    assert len(found) == 1 and "NOPASSWD" in found[0].message
    assert found[0].location.line == 3
