from rule_helpers import findings, lines

from slimage.rules.sl2013_verification_disabled import VerificationDisabled


def test_insecure_commands_fire() -> None:
    for run in (
        "curl -fsSLk https://x -o /t",
        "curl --insecure https://x",
        "wget --no-check-certificate https://x",
        "pip install --trusted-host pypi.example.com flask",
        "npm config set strict-ssl false",
        "git -c http.sslVerify=false clone https://x",
        "apt-get install -y --allow-unauthenticated curl",
        "apk add --allow-untrusted /tmp/x.apk",
        "dnf install -y --nogpgcheck x",
    ):
        assert lines(VerificationDisabled, f"FROM debian:12\nRUN {run}\n") == [2], run


def test_env_settings_fire_on_the_key() -> None:
    found = findings(VerificationDisabled, "FROM node:20\nENV A=1 NODE_TLS_REJECT_UNAUTHORIZED=0\n")
    assert [(f.location.line, f.location.column) for f in found] == [(2, 9)]
    assert lines(VerificationDisabled, "FROM node:20\nENV NODE_TLS_REJECT_UNAUTHORIZED=1\n") == []


def test_normal_downloads_pass() -> None:
    for run in ("curl -fsSL https://x -o /t", "wget -q https://x", "pip install flask"):
        assert lines(VerificationDisabled, f"FROM debian:12\nRUN {run}\n") == [], run
