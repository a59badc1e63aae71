from rule_helpers import findings, lines

from slimage.rules.sl2003_add_remote_url import AddRemoteUrl


def test_url_without_checksum_fires_on_the_url() -> None:
    text = "FROM alpine:3.20\nADD https://example.com/tool.tgz /tmp/\n"
    found = findings(AddRemoteUrl, text)
    assert len(found) == 1
    assert found[0].location.line == 2
    assert found[0].location.column == 5
    assert "https://example.com/tool.tgz" in found[0].message


def test_plain_http_is_called_out() -> None:
    found = findings(AddRemoteUrl, "FROM alpine:3.20\nADD http://example.com/a /a\n")
    assert "plain HTTP" in found[0].message


def test_checksum_local_and_git_pass() -> None:
    assert (
        lines(AddRemoteUrl, "FROM alpine:3.20\nADD --checksum=sha256:abc https://e.com/a /a\n")
        == []
    )
    assert lines(AddRemoteUrl, "FROM alpine:3.20\nADD app.py /a\n") == []
    assert lines(AddRemoteUrl, "FROM alpine:3.20\nADD https://github.com/a/b.git /src\n") == []
