from rule_helpers import findings, fixed, lines

from slimage.rules.sl3008_invalid_expose import InvalidExpose


def test_host_mapping_fires_with_safe_fix() -> None:
    text = "FROM nginx:1.27\nEXPOSE 8080:80/tcp 443\n"
    found = findings(InvalidExpose, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 8)]
    assert fixed(InvalidExpose, text) == "FROM nginx:1.27\nEXPOSE 80/tcp 443\n"
    assert fixed(InvalidExpose, "FROM a:1\nEXPOSE 127.0.0.1:80:80\n") == "FROM a:1\nEXPOSE 80\n"


def test_invalid_ports_fire_without_fix() -> None:
    for word in ("70000", "80/http", "http", "90-80"):
        found = findings(InvalidExpose, f"FROM a:1\nEXPOSE {word}\n")
        assert len(found) == 1 and found[0].fix is None, word


def test_valid_ports_pass() -> None:
    assert lines(InvalidExpose, "FROM a:1\nEXPOSE 80 443/tcp 53/udp 8000-8010 $PORT 0\n") == []
