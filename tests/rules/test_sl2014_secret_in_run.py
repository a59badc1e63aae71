from rule_helpers import findings, lines

from slimage.rules.sl2014_secret_in_run import SecretInRun


def test_token_in_clone_url_fires_masked() -> None:
    token = "glpat-" + "x1Y2" * 5
    text = f"FROM alpine:3.20\nRUN git clone https://ci:{token}@gitlab.example.com/app.git\n"
    found = findings(SecretInRun, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 26)]
    assert token not in found[0].message
    assert "image history" in found[0].message


def test_other_shapes_fire() -> None:
    for run in (
        "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE",
        "curl -u admin:s3cret https://nexus.example.com/x -o /x",
        "echo '-----BEGIN RSA PRIVATE KEY-----' > /k",
    ):
        assert lines(SecretInRun, f"FROM alpine:3.20\nRUN {run}\n") == [2], run
    text = "FROM alpine:3.20\nRUN <<EOF\nexport GH=ghp_" + "a" * 36 + "\nEOF\n"
    assert lines(SecretInRun, text) == [2]


def test_variables_and_plain_urls_pass() -> None:
    for run in (
        'git clone "https://ci:${TOKEN}@gitlab.example.com/app.git"',
        "curl -u $USER:$PASS https://x",
        "curl -fsSL https://example.com/install.sh -o /i.sh",
        "git clone https://github.com/org/repo.git",
    ):
        assert lines(SecretInRun, f"FROM alpine:3.20\nRUN {run}\n") == [], run
