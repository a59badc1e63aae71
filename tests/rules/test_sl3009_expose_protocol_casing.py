from rule_helpers import findings, fixed, lines

from slimage.rules.sl3009_expose_protocol_casing import ExposeProtocolCasing


def test_upper_case_protocol_fires_and_is_fixed() -> None:
    text = "FROM a:1\nEXPOSE 80/TCP 53/Udp\n"
    assert [f.location.column for f in findings(ExposeProtocolCasing, text)] == [8, 15]
    assert fixed(ExposeProtocolCasing, text) == "FROM a:1\nEXPOSE 80/tcp 53/udp\n"


def test_lower_case_passes() -> None:
    assert lines(ExposeProtocolCasing, "FROM a:1\nEXPOSE 80/tcp 81\n") == []
