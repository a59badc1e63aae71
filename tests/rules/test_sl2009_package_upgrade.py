from rule_helpers import findings, lines

from slimage.rules.sl2009_package_upgrade import PackageUpgrade


def test_upgrades_fire() -> None:
    for run in (
        "apt-get update && apt-get upgrade -y",
        "apt-get -y dist-upgrade",
        "apk upgrade --no-cache",
        "yum update -y",
        "dnf -y upgrade",
        "zypper --non-interactive dup",
    ):
        assert lines(PackageUpgrade, f"FROM debian:12\nRUN {run}\n") == [2], run


def test_message_names_the_command() -> None:
    found = findings(PackageUpgrade, "FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n")
    assert "apt-get upgrade" in found[0].message
    assert found[0].location.column == 23


def test_targeted_updates_and_index_refresh_pass() -> None:
    for run in (
        "apt-get update",
        "apt-get install --only-upgrade -y openssl",
        "yum update -y openssl",
        "apk add --upgrade curl",
        "apk update",
    ):
        assert lines(PackageUpgrade, f"FROM debian:12\nRUN {run}\n") == [], run
