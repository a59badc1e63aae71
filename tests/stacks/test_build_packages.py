"""The one table of build-only OS packages, and what each consumer selects from it."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from slimage.analysis.claimers import PACKAGE_CAUSES
from slimage.analysis.packages import REPORTED_CATEGORIES, build_only_category
from slimage.rewrite.classify import BUILD_ONLY_CATEGORIES, is_build_package
from slimage.rules.sl1003_toolchain_in_runtime import TOOLCHAIN_CATEGORIES, is_toolchain_package
from slimage.stacks.packages import BUILD_PACKAGE_CATEGORIES, NOT_BUILD_ONLY, build_package_category

PATTERNS = [p for patterns in BUILD_PACKAGE_CATEGORIES.values() for p in patterns]


def test_no_name_or_glob_is_listed_twice() -> None:
    assert len(PATTERNS) == len(set(PATTERNS))
    # Nor is a plain name listed beside a glob that already covers it (musl-dev: *-dev).
    for name in (p for p in PATTERNS if not any(c in p for c in "*?[")):
        covering = [p for p in PATTERNS if p != name and fnmatchcase(name, p)]
        assert covering == [], name


def test_names_as_installed_or_as_asked_for() -> None:
    assert build_package_category("gcc") == "compilers and build tools"
    assert build_package_category("gcc=4:12.2.0-3") == "compilers and build tools"
    assert build_package_category("libpq-dev:amd64") == "headers and -dev packages"
    assert build_package_category("GCC") == "compilers and build tools"
    assert build_package_category("$PHPIZE_DEPS") is None
    for name in ("gcc-12-base", "cpp-12-base", "libc-dev-bin", "libgcc-s1", "libpq5"):
        assert build_package_category(name) is None, name
    assert all(build_package_category(p.replace("*", "12")) is None for p in NOT_BUILD_ONLY)


def test_every_consumer_selects_categories_of_the_table() -> None:
    assert set(REPORTED_CATEGORIES) == set(BUILD_PACKAGE_CATEGORIES)  # analysis: all
    assert set(REPORTED_CATEGORIES.values()) <= set(PACKAGE_CAUSES)
    assert set(BUILD_PACKAGE_CATEGORIES) >= TOOLCHAIN_CATEGORIES
    assert set(BUILD_PACKAGE_CATEGORIES) >= BUILD_ONLY_CATEGORIES
    assert TOOLCHAIN_CATEGORIES <= BUILD_ONLY_CATEGORIES


# name: (analysis reports it, SL1003 calls it a toolchain, rewrite leaves it out of the runtime)
SELECTIONS = {
    "gcc": ("compilers and build tools", True, True),
    "build-essential": ("compilers and build tools", True, True),
    "musl-dev": ("compilers and build tools", True, True),
    "golang-go": ("compilers and build tools", True, True),
    "git": ("version control", True, True),
    "python3-pip": ("compilers and build tools", False, True),
    "npm": ("npm (install-time only)", False, True),
    "yarn": ("npm (install-time only)", False, True),
    "wget": ("download tools", False, True),
    "gnupg": ("download tools", False, True),
    "unzip": ("download tools", False, True),
    "software-properties-common": ("download tools", False, True),
    # Apps and HEALTHCHECKs run curl: the rewrite keeps it in the runtime stage.
    "curl": ("download tools", False, False),
    # ctypes.util.find_library runs objdump on musl; apps may run patch.
    "binutils": ("compilers and build tools", False, False),
    "patch": ("compilers and build tools", False, False),
    "python3": (None, False, False),
    "libpq5": (None, False, False),
}


@pytest.mark.parametrize("name", SELECTIONS)
def test_each_consumer_selection(name: str) -> None:
    analysis, toolchain, build_only = SELECTIONS[name]
    assert build_only_category(name) == analysis
    assert is_toolchain_package(name) is toolchain
    assert is_build_package(name) is build_only
