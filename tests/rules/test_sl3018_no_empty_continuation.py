from rule_helpers import findings, lines

from slimage.rules.sl3018_no_empty_continuation import NoEmptyContinuation


def test_empty_line_in_continuation_fires_on_that_line() -> None:
    text = "FROM alpine:3.20\nRUN apk add \\\n\n    curl\nRUN true\n"
    found = findings(NoEmptyContinuation, text)
    assert [f.location.line for f in found] == [3]


def test_comments_heredocs_and_blank_lines_between_instructions_pass() -> None:
    text = (
        "FROM alpine:3.20\nRUN apk add \\\n# curl\n    curl\n\nRUN <<EOF\necho a\n\necho b\nEOF\n"
    )
    assert lines(NoEmptyContinuation, text) == []
