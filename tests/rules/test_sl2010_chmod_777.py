from rule_helpers import findings, lines

from slimage.rules.sl2010_chmod_777 import Chmod777, world_writable


def test_world_writable_modes() -> None:
    for mode in ("777", "0777", "666", "a+rwx", "o+w", "ugo=rwx", "u+x,o+w"):
        assert world_writable(mode), mode
    for mode in ("1777", "755", "0644", "+w", "u+w", "a+rwxt", "g+w"):
        assert not world_writable(mode), mode


def test_run_chmod_fires() -> None:
    found = findings(Chmod777, "FROM debian:12\nRUN mkdir /data && chmod -R 777 /data\n")
    assert len(found) == 1
    assert found[0].location.column == 20
    assert "777" in found[0].message


def test_copy_chmod_flag_fires() -> None:
    found = findings(Chmod777, "FROM debian:12\nCOPY --chmod=0777 app /app\n")
    assert [(f.location.line, f.location.column) for f in found] == [(2, 6)]


def test_sticky_and_restrictive_modes_pass() -> None:
    assert lines(Chmod777, "FROM debian:12\nRUN chmod 1777 /var/www/html && chmod 755 /x\n") == []
    assert lines(Chmod777, "FROM debian:12\nCOPY --chmod=755 app /app\n") == []
