"""The parser's model: positions, offsets, flags, heredocs, directives, comments, errors."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimage.dockerfile import Dockerfile, dump_buildkit, parse_dockerfile, read_dockerfile
from slimage.dockerfile.model import PiecewiseOffsets
from slimage.dockerfile.positions import argument_ranges
from slimage.dockerfile.serialize import dockerfile_to_dict, dockerfile_to_json
from slimage.dockerfile.validate import validate_instructions
from slimage.errors import DockerfileSyntaxError, InputError, InputNotFound

DATA = Path(__file__).parent.parent / "data"


def _all_files() -> list[tuple[str, str]]:
    files = []
    for path in sorted((DATA / "corpus" / "dockerfiles").iterdir()):
        files.append((path.name, path.read_bytes().decode("utf-8", "surrogateescape")))
    for path in sorted((DATA / "conformance" / "buildkit-parser").iterdir()):
        files.append((path.name, (path / "Dockerfile").read_text()))
    return files


def _check_positions(df: Dockerfile) -> None:
    source = df.source
    for instruction in df.instructions:
        node = instruction
        while node is not None:
            assert len(node.rest_offsets) == len(node.rest) + 1
            for index, char in enumerate(node.rest):
                assert source[node.source_offset(index)] == char
            for flag in node.flags:
                text = source[flag.span.start : flag.span.end]
                assert text.startswith("--")
                if "\\" not in text and "'" not in text and '"' not in text and "\n" not in text:
                    assert text == flag.raw
            node = node.trigger
        assert source[instruction.span.start :].startswith(instruction.keyword_raw)
        for heredoc in instruction.heredocs:
            body = source[heredoc.span.start : heredoc.span.end]
            assert body.startswith(heredoc.content)
            assert body[len(heredoc.content) :].lstrip("\t").rstrip("\r") == heredoc.name


@pytest.mark.parametrize(("name", "text"), _all_files(), ids=[name for name, _ in _all_files()])
def test_offsets_point_at_the_source(name: str, text: str) -> None:
    df = parse_dockerfile(text, path=name)
    assert df.to_text() == text
    _check_positions(df)


def test_spans_lines_and_columns() -> None:
    text = (
        'FROM alpine AS base\n\n  RUN --mount=type=cache,target=/c \\\n    apk add curl\nCMD ["sh"]'
    )
    df = parse_dockerfile(text)
    run = df.instructions[1]
    assert (run.span.line, run.span.column, run.span.end_line, run.span.end_column) == (3, 3, 4, 17)
    assert run.rest == "apk add curl"
    assert run.original == "RUN --mount=type=cache,target=/c     apk add curl"
    flag = run.flags[0]
    assert (flag.name, flag.value, flag.raw) == ("mount", "type=cache,target=/c", flag.raw)
    assert (flag.span.line, flag.span.column, flag.span.end_column) == (3, 7, 35)
    assert run.flag("mount") is flag and run.flag_values("mount") == ["type=cache,target=/c"]
    assert run.source_offset(0) == text.index("apk")
    cmd = df.instructions[2]
    assert cmd.json and cmd.args == ["sh"] and cmd.span.end == len(text)


def test_continuation_skips_comments_and_blank_lines_with_a_warning() -> None:
    df = parse_dockerfile("FROM a\nRUN echo a \\\n# note\n\n  b\n")
    run = df.instructions[1]
    assert run.args == ["echo a   b"]
    assert (run.span.line, run.span.end_line) == (2, 5)
    assert df.warnings == ["Empty continuation line found in: RUN echo a   b"]


def test_trailing_escape_at_end_of_file() -> None:
    df = parse_dockerfile("FROM a\nRUN echo \\")
    assert df.instructions[1].args == ["echo"]


def test_escaped_escape_does_not_continue() -> None:
    df = parse_dockerfile("FROM a\nRUN echo \\\\\nRUN b\n")
    assert [i.args for i in df.instructions[1:]] == [["echo \\\\"], ["b"]]


def test_crlf_line_endings() -> None:
    df = parse_dockerfile("FROM a\r\nRUN echo \\\r\n  b\r\nCOPY <<EOF /x\r\nhi\r\nEOF\r\n")
    assert df.instructions[1].args == ["echo   b"]
    heredoc = df.instructions[2].heredocs[0]
    assert heredoc.content == "hi\r\n" and df.instructions[2].span.end_column == 4


def test_escape_directive() -> None:
    df = parse_dockerfile("# escape=`\nFROM a\nRUN dir c:\\ `\n  /w\n")
    assert df.escape == "`"
    assert df.directives[0].name == "escape" and df.directives[0].value == "`"
    assert df.instructions[1].args == ["dir c:\\   /w"]


def test_directives_only_at_the_top() -> None:
    df = parse_dockerfile("# comment\n# escape=`\nFROM a\n")
    assert df.escape == "\\" and df.directives == []
    assert df.instructions[0].comments == ["comment", "escape=`"]


def test_directives_syntax_check_and_bom() -> None:
    df = parse_dockerfile("\ufeff# syntax=docker/dockerfile:1\n#check=skip=all\nFROM a\n")
    assert [(d.name, d.value) for d in df.directives] == [
        ("syntax", "docker/dockerfile:1"),
        ("check", "skip=all"),
    ]
    assert df.instructions[0].comments == []
    assert df.directives[0].span.start == 1


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("# escape=x\nFROM a\n", "invalid escape token 'x' does not match ` or \\", 1),
        ("# escape=`\n# escape=\\\nFROM a\n", "only one escape parser directive can be used", 2),
        ("FROM a\nENV\tX\n", "ENV must have two arguments", 2),
        (
            "FROM a\nLABEL a=b c\n",
            'Syntax error - can\'t find = in "c". Must be of the form: name=value',
            2,
        ),
        ('FROM a\nRUN ["a", ["b"]]\n', "arrays must be comprised of strings only", 2),
        ("FROM a\nCOPY <<EOF /x\nno end\n", "unterminated heredoc", 2),
        ("\n\n", "file with no instructions", 2),
    ],
)
def test_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(DockerfileSyntaxError) as caught:
        parse_dockerfile(text, path="df")
    assert message in caught.value.reason
    assert caught.value.line == line
    assert str(caught.value).startswith(f"df:{line}:")


def test_prev_comments() -> None:
    df = parse_dockerfile("# one\n#\n# two\n  # three\n\nFROM a\nRUN x\n")
    assert df.instructions[0].comments == ["two", "# three"]
    assert df.instructions[1].comments == []


def test_heredocs() -> None:
    text = "FROM a\nRUN 3<<-'EOF' <<B cat\n\tx $y\n\tEOF\nb\nB\nRUN echo\n"
    run = parse_dockerfile(text).instructions[1]
    first, second = run.heredocs
    assert (first.name, first.file_descriptor, first.expand, first.chomp) == ("EOF", 3, False, True)
    assert first.content == "\tx $y\n"
    assert (second.name, second.content, second.expand) == ("B", "b\n", True)
    assert (run.span.end_line, first.span.line, second.span.end_line) == (6, 3, 6)


def test_heredoc_only_on_run_copy_add_and_not_json() -> None:
    df = parse_dockerfile('FROM a\nUSER <<X\nX\nRUN ["<<Y"]\nCMD <<Z\n')
    assert [i.keyword for i in df.instructions] == ["FROM", "USER", "X", "RUN", "CMD"]
    assert all(not i.heredocs for i in df.instructions)


def test_heredoc_with_blanks_after_operator() -> None:
    run = parse_dockerfile("FROM a\nRUN <<  EOF > out\nhi\nEOF\n").instructions[1]
    assert run.heredocs[0].name == "EOF" and run.heredocs[0].content == "hi\n"


def test_onbuild_trigger() -> None:
    df = parse_dockerfile("FROM a\nONBUILD --x=1 run --mount=a <<EOF\nbody\nEOF\n")
    onbuild = df.instructions[1]
    trigger = onbuild.trigger
    assert trigger is not None and onbuild.args == []
    assert (trigger.keyword, trigger.keyword_raw, trigger.args) == ("RUN", "run", ["<<EOF"])
    assert trigger.original == "run --mount=a <<EOF"
    assert [f.raw for f in onbuild.flags] == ["--x=1"] and trigger.flag("mount") is not None
    assert onbuild.heredocs[0].content == "body\n"
    assert dump_buildkit(df).splitlines()[1] == '(onbuild ["--x=1"] (run ["--mount=a"] "<<EOF"))'


def test_deep_onbuild_nesting() -> None:
    text = "FROM a\n" + "ONBUILD " * 64 + "RUN x\n"
    df = parse_dockerfile(text)
    assert dump_buildkit(df).endswith('(run "x")' + ")" * 64)
    assert json.loads(dockerfile_to_json(df))["instructions"][1]["trigger"]["keyword"] == "ONBUILD"
    # Deeper would cost quadratic memory; docker build rejects any ONBUILD ONBUILD anyway.
    with pytest.raises(DockerfileSyntaxError, match="Chaining ONBUILD"):
        parse_dockerfile("FROM a\n" + "ONBUILD " * 5000 + "RUN x\n")


def test_flags_bytes_like_buildkit() -> None:
    # extractBuilderFlags walks bytes: a non-ASCII byte becomes the Latin-1 character.
    copy = parse_dockerfile("FROM a\nCOPY --chown=é:x a b\n").instructions[1]
    assert copy.flags[0].raw == "--chown=\u00c3\u00a9:x"
    assert copy.args == ["a", "b"]


def test_flag_forms() -> None:
    copy = parse_dockerfile(
        'FROM a\nCOPY --link --from="my stage" -- --not-a-flag b\n'
    ).instructions[1]
    assert [(f.name, f.value) for f in copy.flags] == [("link", None), ("from", "my stage")]
    assert copy.args == ["--not-a-flag", "b"]


def test_json_forms() -> None:
    df = parse_dockerfile(
        'FROM a\nCMD ["a"] trailing\nCMD ["a",]\nCMD [NaN]\nCMD ["\\ud800"]\nCMD [1e400]\nCMD []\n'
    )
    got = [(i.json, i.args) for i in df.instructions[1:]]
    assert got == [
        (True, ["a"]),
        (False, ['["a",]']),
        (False, ["[NaN]"]),
        (True, ["\ufffd"]),
        (False, ["[1e400]"]),
        (True, []),
    ]


def test_env_label_arg_forms() -> None:
    df = parse_dockerfile('FROM a\nENV A=1 B="x y"\nENV C  d e\nLABEL "k"=v\nARG X Y="1 2"\n')
    assert [i.args for i in df.instructions[1:]] == [
        ["A", "1", "=", "B", '"x y"', "="],
        ["C", "d e", ""],
        ['"k"', "v", "="],
        ["X", 'Y="1 2"'],
    ]


def test_unknown_instruction_has_one_empty_argument() -> None:
    df = parse_dockerfile("FROM a\nfoo bar\n")
    assert df.instructions[1].keyword == "FOO" and df.instructions[1].args == [""]
    assert dump_buildkit(df).splitlines()[1] == '(foo "")'


def test_json_model_shape() -> None:
    df = parse_dockerfile("# syntax=x\nFROM a\nRUN echo\n", path="p")
    data = dockerfile_to_dict(df)
    assert data["schema_version"] == 1 and data["path"] == "p" and data["escape"] == "\\"
    run = data["instructions"][1]
    assert run["keyword"] == "RUN" and run["args"] == ["echo"] and run["trigger"] is None
    assert run["span"] == {
        "start": 18,
        "end": 26,
        "line": 3,
        "column": 1,
        "end_line": 3,
        "end_column": 9,
    }
    assert json.loads(dockerfile_to_json(df)) == data


def test_read_dockerfile_errors(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match="no such file"):
        read_dockerfile(tmp_path / "missing")
    with pytest.raises(InputError, match="directory"):
        read_dockerfile(tmp_path)
    binary = tmp_path / "bin"
    binary.write_bytes(b"FROM a\x00")
    with pytest.raises(InputError, match="binary"):
        read_dockerfile(binary)
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM a\nENV X\n")
    with pytest.raises(DockerfileSyntaxError) as caught:
        read_dockerfile(broken)
    assert caught.value.path == str(broken)


def test_line_longer_than_buildkit_accepts() -> None:
    ok = "FROM a\nRUN " + "a" * (65535 - 4) + "\n"
    assert len(parse_dockerfile(ok).instructions) == 2
    with pytest.raises(DockerfileSyntaxError, match="max allowed size of 65535"):
        parse_dockerfile("FROM a\nRUN " + "a" * (65536 - 4) + "\n")
    with pytest.raises(DockerfileSyntaxError, match="max allowed size"):
        parse_dockerfile("FROM a\nRUN " + "a" * (65536 - 4))  # the last line, no newline
    assert len(parse_dockerfile("FROM a\nRUN " + "a" * (65535 - 4)).instructions) == 2
    # Bytes count, not characters: 16384 four-byte characters are 65536 bytes.
    with pytest.raises(DockerfileSyntaxError, match="max allowed size"):
        parse_dockerfile("FROM a\n" + "\U0001f600" * 16384 + "\n")


_CHARS = "RUNCOPYADENVLBGFMHT \t\n\r\\`'\"=-<[]{},$#:3é\u00a0\u0085\udce9\x00"
_PIECES = st.sampled_from(
    [*_CHARS, "<<EOF", "EOF", "--", "# escape=`\n", '["a"]', "${a:-", "\\\n", "ONBUILD "]
)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        df = parse_dockerfile(text)
    except DockerfileSyntaxError:
        return
    assert df.to_text() == text
    dump_buildkit(df)
    json.loads(dockerfile_to_json(df))
    for instruction in df.instructions:
        argument_ranges(instruction, df.escape)
    with contextlib.suppress(DockerfileSyntaxError):
        validate_instructions(df)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM a\nHEALTHCHECK --x NONE\n", None),
        ("FROM a\nSTOPSIGNAL SIGTERM\n", None),
        ("FROM a AS b\nCOPY --from=b --link x y\nRUN --mount=type=cache,target=/c x\n", None),
        ("ARG V=1\nFROM a:$V\n", None),
        ("RUN x\n", "no build stage in current context"),
        ("FROM a\nCOPY --bogus x y\n", "unknown flag: --bogus"),
        ("FROM a\nFROM b AS 1x\n", "invalid name for build stage"),
        ("FROM a b\n", "FROM requires either one or three arguments"),
        ("FROM a\nSHELL sh -c\n", "SHELL requires the arguments to be in JSON form"),
        ("FROM a\nHEALTHCHECK --interval=1ns CMD x\n", "cannot be less than 1ms"),
        ("FROM a\nHEALTHCHECK --retries=0 CMD x\n", "--retries must be at least 1"),
        ("FROM a\nHEALTHCHECK FOO x\n", 'Unknown type "FOO" in HEALTHCHECK'),
        ("FROM a\nRUNN x\n", "unknown instruction: RUNN (did you mean RUN?)"),
        ("FROM a\nONBUILD MAINTAINER me\n", "MAINTAINER isn't allowed as an ONBUILD trigger"),
        ("FROM a\nONBUILD COPY x\n", "COPY requires at least two arguments"),
        ('FROM a\nVOLUME [""]\n', "VOLUME specified can not be an empty string"),
    ],
)
def test_validate_instructions(text: str, message: str | None) -> None:
    df = parse_dockerfile(text, path="df")
    if message is None:
        validate_instructions(df)
        return
    with pytest.raises(DockerfileSyntaxError) as caught:
        validate_instructions(df)
    assert message in caught.value.reason
    assert caught.value.path == "df" and caught.value.line >= 1


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 50)), min_size=1, max_size=6))
def test_piecewise_offsets_behave_as_the_list_of_them(pieces: list[tuple[int, int]]) -> None:
    # Pieces of lengths and gaps; the sequence must answer as the plain list does.
    starts, sources, expected = [], [], []
    source = 0
    for length, gap in pieces:
        source += gap
        starts.append(len(expected))
        sources.append(source)
        expected.extend(range(source, source + length))
        source += length
    offsets = PiecewiseOffsets(starts, sources, len(expected))
    assert len(offsets) == len(expected)
    assert list(offsets) == expected and offsets == expected
    for index in range(-len(expected), len(expected)):
        assert offsets[index] == expected[index]
    for index in (len(expected), -len(expected) - 1):
        with pytest.raises(IndexError):
            offsets[index]
    assert offsets[1:-1] == expected[1:-1]
    for first in range(len(expected)):
        for last in range(first + 1, len(expected) + 1):
            part = offsets.with_end(first, last)
            assert list(part) == [*expected[first:last], expected[last - 1] + 1]


def test_a_continued_instruction_keeps_pieces_not_a_list_per_character() -> None:
    df = parse_dockerfile("FROM a\nRUN one \\\n  two \\\n  three\nRUN four\n")
    continued, single = df.instructions[1].rest_offsets, df.instructions[2].rest_offsets
    assert isinstance(continued, PiecewiseOffsets) and isinstance(single, range)
    _check_positions(df)
