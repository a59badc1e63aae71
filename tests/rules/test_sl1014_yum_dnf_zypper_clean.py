from __future__ import annotations

import pytest
from rule_helpers import findings, fixed, lines

from slimage.rules.sl1014_yum_dnf_zypper_clean import YumDnfZypperClean

RULE = YumDnfZypperClean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM centos:7\nRUN yum install -y httpd\n", [2]),
        ("FROM fedora:40\nRUN dnf -y install python3\n", [2]),
        ("FROM rockylinux:9-minimal\nRUN microdnf install -y tar\n", [2]),
        ("FROM opensuse/leap\nRUN zypper -n in curl\n", [2]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
        "FROM fedora:40\nRUN dnf install -y x && dnf clean all && rm -rf /var/cache/dnf\n",
        "FROM fedora:40\nRUN dnf install -y x && rm -rf /var/cache/dnf\n",
        "FROM opensuse/leap\nRUN zypper in -y curl && zypper clean -a\n",
        "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y x\n",
        "FROM fedora:40 AS b\nRUN dnf install -y gcc\nFROM scratch\nCOPY --from=b /a /a\n",
        "FROM fedora:40\nRUN dnf remove -y x\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_fix_appends_the_manager_clean() -> None:
    assert fixed(RULE, "FROM centos:7\nRUN yum install -y httpd\n") == (
        "FROM centos:7\nRUN yum install -y httpd && yum clean all\n"
    )
    assert fixed(RULE, "FROM rockylinux:9-minimal\nRUN microdnf install -y tar\n") == (
        "FROM rockylinux:9-minimal\nRUN microdnf install -y tar && microdnf clean all\n"
    )
    assert fixed(RULE, "FROM opensuse/leap\nRUN zypper -n in curl\n") == (
        "FROM opensuse/leap\nRUN zypper -n in curl && zypper clean --all\n"
    )
