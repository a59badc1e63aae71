from __future__ import annotations

from fnmatch import fnmatchcase

from analysis_fixtures import dpkg_contents, usr_merged

from slimage.analysis.package_db import (
    KIB,
    parse_apk_installed,
    parse_depends,
    parse_dpkg_list,
    parse_dpkg_status,
    parse_extended_states,
    read_package_db,
)
from slimage.analysis.packages import (
    REPORTED_CATEGORIES,
    build_only_category,
    dependency_closure,
    removable_packages,
)
from slimage.stacks.packages import BUILD_PACKAGE_CATEGORIES, NOT_BUILD_ONLY


def test_parses_a_real_bookworm_status() -> None:
    db = read_package_db(dpkg_contents())
    assert db is not None and db.manager == "dpkg"
    assert len(db.packages) == 175
    gcc = db.packages["gcc-12"]
    assert gcc.installed_bytes == 68236 * KIB
    assert ["cpp-12"] in gcc.depends
    assert "c-compiler" in gcc.provides
    assert db.packages["perl-base"].essential
    assert db.packages["libc6"].priority == "optional" or db.packages["libc6"].priority
    assert not db.knows_auto_installed


def test_dpkg_lists_attribute_files_with_usrmerge() -> None:
    db = read_package_db(dpkg_contents())
    assert db is not None
    owners = db.owners(["bin", "sbin", "lib", "lib64"])
    assert owners["usr/bin/x86_64-linux-gnu-gcc-12"] == "gcc-12"
    assert owners["usr/bin/bash"] == "bash"  # listed as /bin/bash, found under usr/
    assert owners[usr_merged("lib/x86_64-linux-gnu/libc.so.6")] == "libc6"
    assert owners["usr/lib/gcc/x86_64-linux-gnu/12/cc1"] == "cpp-12"


def test_removal_is_like_purge_plus_autoremove() -> None:
    db = read_package_db(dpkg_contents())
    assert db is not None
    removal = removable_packages(db)
    removable = removal.removable
    for name in ("build-essential", "gcc-12", "cpp-12", "make", "libc6-dev", "linux-libc-dev"):
        assert removable[name] == "compilers and build tools", name
    # Pulled in only by the toolchain: gone with it.
    for name in ("libisl23", "libmpc3", "libasan8", "binutils-common"):
        assert name in removable, name
    # perl (not perl-base) is needed only by git and dpkg-dev here.
    assert "perl" in removable
    assert removable["git"] == "version control"
    assert removable["libcurl3-gnutls"] == "version control"
    assert removable["curl"] == "download tools"
    # Staying: the runtime, essential and required packages, and what they need.
    for name in ("python3", "python3.11", "libc6", "perl-base", "dpkg", "ca-certificates"):
        assert name not in removable, name
    # libstdc++6 and libgmp10 serve runtime packages too (apt, coreutils): not removable.
    assert "libstdc++6" not in removable
    assert "libgmp10" not in removable
    assert "gcc-12-base" not in removal.build_only  # a runtime base package
    assert removal.kept_build_only == []


def test_extended_states_make_apt_marks_decide() -> None:
    contents = dpkg_contents()
    db = read_package_db(contents)
    assert db is not None
    # Mark everything auto-installed except the base and what was asked for, as apt does.
    manual = {"python3", "build-essential", "ca-certificates"}
    auto = [
        name
        for name, p in db.packages.items()
        if name not in manual and not p.essential and p.priority not in {"required"}
    ]
    states = "".join(f"Package: {n}\nArchitecture: amd64\nAuto-Installed: 1\n\n" for n in auto)
    db = read_package_db({**contents, "var/lib/apt/extended_states": states.encode()})
    assert db is not None and db.knows_auto_installed
    removable = removable_packages(db).removable
    assert "gcc-12" in removable
    # git was not asked for and nothing kept needs it: autoremove takes it.
    assert "git" in removable
    assert "tzdata" not in removable  # TLS roots and time zones are runtime data
    assert "libpython3.11-stdlib" not in removable


def test_a_build_tool_a_runtime_package_needs_stays() -> None:
    status = (
        "Package: app\nStatus: install ok installed\nDepends: make\n\n"
        "Package: make\nStatus: install ok installed\nInstalled-Size: 100\n\n"
        "Package: gcc\nStatus: install ok installed\nDepends: cpp (>= 1) | clang\n\n"
        "Package: cpp\nStatus: install ok installed\n\n"
    )
    db = read_package_db({"var/lib/dpkg/status": status.encode()})
    assert db is not None
    removal = removable_packages(db)
    assert removal.kept_build_only == ["make"]
    assert set(removal.removable) == {"gcc", "cpp"}


def test_recommends_of_kept_packages_stay_unless_build_only() -> None:
    status = (
        "Package: nodejs\nStatus: install ok installed\nRecommends: ca-bundle, gcc\n\n"
        "Package: ca-bundle\nStatus: install ok installed\n\n"
        "Package: gcc\nStatus: install ok installed\n\n"
    )
    states = "Package: ca-bundle\nAuto-Installed: 1\n\nPackage: gcc\nAuto-Installed: 1\n"
    db = read_package_db(
        {
            "var/lib/dpkg/status": status.encode(),
            "var/lib/apt/extended_states": states.encode(),
        }
    )
    assert db is not None
    assert set(removable_packages(db).removable) == {"gcc"}


def test_parse_depends_alternatives_versions_and_arch() -> None:
    assert parse_depends("libc6 (>= 2.36), perl:any, debconf (>= 0.5) | debconf-2.0") == [
        ["libc6"],
        ["perl"],
        ["debconf", "debconf-2.0"],
    ]
    assert parse_depends("") == []


def test_status_skips_packages_without_files() -> None:
    status = (
        "Package: gone\nStatus: deinstall ok config-files\n\n"
        "Package: here\nStatus: install ok installed\nInstalled-Size: 3\n"
        "Description: x\n continued\n"
    )
    packages = parse_dpkg_status(status)
    assert list(packages) == ["here"]
    assert packages["here"].installed_bytes == 3 * KIB


def test_list_and_extended_states_parsers() -> None:
    assert parse_dpkg_list("/.\n/usr\n/usr/bin/make\n") == ["usr", "usr/bin/make"]
    states = "Package: a\nArchitecture: amd64\nAuto-Installed: 1\n\nPackage: b\nAuto-Installed: 0\n"
    assert parse_extended_states(states) == {"a"}


# apk-installed(5) shape, as Alpine's /lib/apk/db/installed holds it (abridged).
APK_INSTALLED = """\
C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
D:
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
R:libc.musl-x86_64.so.1

P:gcc
V:13.2.1_git20231014-r0
I:112349184
D:binutils>=2.41 libstdc++=13.2.1_git20231014-r0 so:libc.musl-x86_64.so.1 !gcc-doc
F:usr/bin
R:gcc
F:usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1
R:cc1

P:binutils
V:2.41-r0
I:7012352
D:so:libc.musl-x86_64.so.1
F:usr/bin
R:ld
"""


def test_parses_apk_installed_db() -> None:
    packages = parse_apk_installed(APK_INSTALLED)
    assert set(packages) == {"musl", "gcc", "binutils"}
    assert packages["musl"].installed_bytes == 622592
    assert packages["musl"].files == ["lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"]
    assert packages["gcc"].files == [
        "usr/bin/gcc",
        "usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/cc1",
    ]
    assert ["binutils"] in packages["gcc"].depends
    assert ["so:libc.musl-x86_64.so.1"] in packages["gcc"].depends
    assert "so:libc.musl-x86_64.so.1" in packages["musl"].provides
    db = read_package_db({"lib/apk/db/installed": APK_INSTALLED.encode()})
    assert db is not None and db.manager == "apk"
    removal = removable_packages(db)
    assert set(removal.removable) == {"gcc", "binutils"}
    # musl provides the so: name gcc depends on; it is part of the alpine base and stays.
    assert "musl" in dependency_closure(db.packages, ["gcc"])
    # /etc/apk/world says what was asked for; build tools go even when asked for.
    world = b"alpine-baselayout busybox binutils>=2.41 gcc\n"
    db = read_package_db({"lib/apk/db/installed": APK_INSTALLED.encode(), "etc/apk/world": world})
    assert db is not None and db.requested == {"alpine-baselayout", "busybox", "binutils", "gcc"}
    assert set(removable_packages(db).removable) == {"gcc", "binutils"}


def test_build_only_names() -> None:
    for name in ("gcc-12", "g++", "libssl-dev", "linux-libc-dev", "build-base", "musl-dev"):
        assert build_only_category(name) is not None, name
    for name in ("libc6", "gcc-12-base", "udev", "python3", "nodejs", "libgcc-s1"):
        assert build_only_category(name) is None, name
    assert build_only_category("npm") == "npm (install-time only)"


def _category_by_fnmatch(name: str) -> str | None:
    base = name.split(":", 1)[0]
    if any(fnmatchcase(base, pattern) for pattern in NOT_BUILD_ONLY):
        return None
    for category, patterns in BUILD_PACKAGE_CATEGORIES.items():
        if any(fnmatchcase(base, pattern) for pattern in patterns):
            return REPORTED_CATEGORIES[category]
    return None


def test_build_only_matcher_is_the_patterns_in_order() -> None:
    """The one-regex matcher answers what the patterns, tried in their order, answer."""
    db = read_package_db(dpkg_contents())
    assert db is not None
    names = set(db.packages)
    for patterns in (NOT_BUILD_ONLY, *BUILD_PACKAGE_CATEGORIES.values()):
        for pattern in patterns:
            for filler in ("", "x", "12", "-dev"):
                names.add(pattern.replace("*", filler).replace("?", "q"))
                names.add(pattern.replace("*", filler) + ":amd64")
    categorised = 0
    for name in sorted(names):
        expected = _category_by_fnmatch(name)
        assert build_only_category(name) == expected, name
        categorised += expected is not None
    assert categorised > 100


PSYCOPG_STATUS = """\
Package: libpq5
Status: install ok installed
Depends: libssl3

Package: libssl3
Status: install ok installed

Package: libpq-dev
Status: install ok installed
Depends: libpq5 (= 15.8-0+deb12u1), libssl-dev

Package: libssl-dev
Status: install ok installed
Depends: libssl3

Package: libc6-dev
Status: install ok installed
Depends: libc6

Package: libc6
Status: install ok installed
Priority: required

Package: gcc
Status: install ok installed
Depends: libc6-dev
"""


def test_libraries_behind_requested_dev_packages() -> None:
    from slimage.analysis.packages import dev_runtime_libraries

    db = read_package_db({"var/lib/dpkg/status": PSYCOPG_STATUS.encode()})
    assert db is not None
    # libpq-dev was asked for (nothing depends on it); libc6-dev came with gcc.
    assert dev_runtime_libraries(db) == {"libpq5", "libssl3"}
    assert "libpq5" in removable_packages(db).removable  # autoremove alone would take it
    kept = removable_packages(db, keep=dev_runtime_libraries(db))
    assert set(kept.removable) == {"libpq-dev", "libssl-dev", "libc6-dev", "gcc"}


def test_distroless_status_d_gives_an_inventory_without_files() -> None:
    contents = {
        "var/lib/dpkg/status.d/libc6": b"Package: libc6\nVersion: 2.36-9\nInstalled-Size: 12000\n",
        "var/lib/dpkg/status.d/libc6.md5sums": b"abc  lib/x86_64-linux-gnu/libc.so.6\n",
        "var/lib/dpkg/status.d/tzdata": b"Package: tzdata\nVersion: 2024a\n",
    }
    db = read_package_db(contents)
    assert db is not None
    assert sorted(db.packages) == ["libc6", "tzdata"]
    assert db.packages["libc6"].installed_bytes == 12000 * KIB
    assert db.owners() == {}
