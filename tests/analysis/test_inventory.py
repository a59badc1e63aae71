from __future__ import annotations

from analysis_fixtures import bookworm_files, dpkg_contents, filesystem, node_app, record

from slimage.analysis.explain import explain
from slimage.analysis.inventory import build_inventory, parse_os_release, user_is_root
from slimage.filesystem import FileKind

# /etc/os-release of Debian 12, verbatim.
BOOKWORM_OS_RELEASE = b"""\
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""


def test_os_release() -> None:
    info = parse_os_release(BOOKWORM_OS_RELEASE.decode())
    assert (info.id, info.version_id) == ("debian", "12")
    assert info.pretty_name == "Debian GNU/Linux 12 (bookworm)"
    alpine = parse_os_release("NAME='Alpine Linux'\nID=alpine\nVERSION_ID=3.19.1\n")
    assert (alpine.id, alpine.version_id) == ("alpine", "3.19.1")
    assert alpine.pretty_name == "Alpine Linux"


def test_inventory_of_a_bookworm_image() -> None:
    files = bookworm_files()
    files["usr/lib/os-release"] = record("usr/lib/os-release", len(BOOKWORM_OS_RELEASE))
    contents = {**dpkg_contents(), "usr/lib/os-release": BOOKWORM_OS_RELEASE}
    config = {
        "config": {"User": "1000:1000", "ExposedPorts": {"8080/tcp": {}, "22/tcp": {}}},
    }
    inventory = explain(files, contents, config, [], [1]).inventory
    assert inventory.os is not None and inventory.os.id == "debian"
    names = {p.name: p for p in inventory.os_packages}
    assert len(names) == 175
    assert names["gcc-12"].installed_bytes == 68236 * 1024
    assert names["gcc-12"].manager == "dpkg"
    assert inventory.shell == "/bin/bash"  # /bin is a symlink to usr/bin
    assert {"apt", "dpkg"} <= set(inventory.package_managers)
    # setuid root programs of login/passwd/mount, with their real modes.
    assert "/usr/bin/passwd" in inventory.setuid_files
    assert "/usr/bin/su" in inventory.setuid_files
    assert "/usr/bin/chage" in inventory.setgid_files
    assert not inventory.runs_as_root
    assert inventory.exposed_ports == ["22/tcp", "8080/tcp"]


def test_no_shell_no_package_manager_root_by_default() -> None:
    files = filesystem(record("server", 5_000_000, mode=0o755))
    inventory = build_inventory(files, {}, {"config": {"Cmd": ["/server"]}})
    assert inventory.shell == ""
    assert inventory.package_managers == []
    assert inventory.runs_as_root
    assert inventory.os is None


def test_user_is_root() -> None:
    assert user_is_root("")
    assert user_is_root("root")
    assert user_is_root("0:0")
    assert not user_is_root("node")
    assert not user_is_root("1000")


def test_language_packages() -> None:
    files, contents, _ = node_app()
    files["bin"] = record("bin", 0, kind=FileKind.SYMLINK, link_target="usr/bin")
    inventory = explain(files, contents, {}, [], [0, 1]).inventory
    express = next(p for p in inventory.node_packages if p.name == "express")
    assert express.location == "/app/node_modules/express"
    assert express.manager == "node"
    assert express.installed_bytes > 0
    assert len(inventory.node_packages) == 408


def test_os_from_a_version_file_when_os_release_is_missing() -> None:
    files = filesystem(record("etc/debian_version", 5))
    inventory = build_inventory(files, {"etc/debian_version": b"12.7\n"}, {})
    assert inventory.os is not None
    assert (inventory.os.id, inventory.os.version_id) == ("debian", "12.7")
