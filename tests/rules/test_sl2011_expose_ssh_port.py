from rule_helpers import findings, lines

from slimage.rules.sl2011_expose_ssh_port import ExposeSshPort


def test_port_22_fires_on_the_word() -> None:
    found = findings(ExposeSshPort, "FROM debian:12\nEXPOSE 8022 22/tcp\n")
    assert len(found) == 1
    assert (found[0].location.column, found[0].location.end_column) == (13, 19)


def test_ranges_covering_22_fire() -> None:
    assert lines(ExposeSshPort, "FROM debian:12\nEXPOSE 20-25\n") == [2]


def test_other_ports_pass() -> None:
    assert lines(ExposeSshPort, "FROM debian:12\nEXPOSE 80 443 2222 8022\n") == []


def test_a_port_written_twice_is_marked_twice() -> None:
    found = findings(ExposeSshPort, "FROM debian:12\nEXPOSE 22 22\n")
    assert [(f.location.column, f.location.end_column) for f in found] == [(8, 10), (11, 13)]
