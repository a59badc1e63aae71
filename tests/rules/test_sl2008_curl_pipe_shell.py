from rule_helpers import findings, lines

from slimage.rules.sl2008_curl_pipe_shell import CurlPipeShell


def test_curl_pipe_sh_fires_on_the_pipeline() -> None:
    text = "FROM debian:12\nRUN apt-get update && curl -fsSL https://x.sh/i | sh -s -- -y\n"
    found = findings(CurlPipeShell, text)
    assert len(found) == 1
    assert found[0].location.column == 23
    assert "curl output is piped into sh" in found[0].message


def test_other_forms_fire() -> None:
    for run in (
        "wget -qO- https://x/i.sh | bash",
        "curl -s https://x/i | sudo bash",
        "curl https://bootstrap.pypa.io/get-pip.py | python3",
        "curl -s https://x | tee /tmp/log | sh",
        'sh -c "$(curl -fsSL https://x/install.sh)"',
        "bash <(curl -s https://x/i.sh)",
    ):
        assert lines(CurlPipeShell, f"FROM debian:12\nRUN {run}\n") == [2], run


def test_safe_forms_pass() -> None:
    for run in (
        "curl -fsSLo /tmp/i.sh https://x/i.sh && sh /tmp/i.sh",
        "curl -s https://x/a.tgz | tar -xz",
        "curl -s https://x/key | gpg --dearmor -o /k.gpg",
        "echo hi | sh",
        "curl -s https://x | sh -c 'cat > /f'",
    ):
        assert lines(CurlPipeShell, f"FROM debian:12\nRUN {run}\n") == [], run
