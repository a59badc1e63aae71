"""The 123 transcribed cases of BuildKit's parser and instruction tests
(tests/data/conformance/buildkit-parser-cases.json), each run against the matching piece of
slimage: the parser, its helpers (parse_words, heredocs, directives, parse_json_array,
parse_name_val) and validate_instructions for the checks a build makes after parsing.

Every case runs; none is skipped. How each ``api`` maps to slimage is in ``_RUNNERS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from slimage.dockerfile import parse_dockerfile
from slimage.dockerfile._dispatch import LineParseError, parse_name_val
from slimage.dockerfile._json import NOT_STRING_ARRAY, NotStringArrayError, parse_json_array
from slimage.dockerfile._words import parse_words
from slimage.dockerfile.directives import DirectiveParser, detect_syntax, parse_directive
from slimage.dockerfile.heredoc import (
    HeredocError,
    chomp_heredoc_content,
    heredocs_from_line,
    parse_heredoc,
)
from slimage.dockerfile.model import Instruction
from slimage.dockerfile.validate import (
    InstructionError,
    check_instruction,
    check_interval,
    check_key_values,
    copy_sources,
    doc_comment,
    healthcheck_test,
)
from slimage.errors import DockerfileSyntaxError

DATA = Path(__file__).parent.parent / "data" / "conformance"
CASES: list[dict[str, Any]] = json.loads((DATA / "buildkit-parser-cases.json").read_text())["cases"]


def _input(case: dict[str, Any]) -> str:
    if "input_file" in case:
        return (DATA / case["input_file"]).read_text()
    text: str = case["input"]
    return text


def _parse_words(case: dict[str, Any]) -> None:
    assert parse_words(case["input"], "\\") == case["expected"]


def _line_numbers(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(DockerfileSyntaxError) as caught:
            parse_dockerfile(_input(case))
        assert caught.value.reason == expected["error"]
        return
    df = parse_dockerfile(_input(case))
    lines = [[item.span.line, item.span.end_line] for item in df.instructions]
    assert len(lines) == expected["children_count"]
    assert lines == expected["children_lines"]
    assert lines[0][0] == expected["ast_start_line"]
    assert lines[-1][1] == expected["ast_end_line"]


def _warnings(case: dict[str, Any]) -> None:
    df = parse_dockerfile(_input(case))
    expected = case["expected"]
    assert len(df.warnings) == expected["warnings_count"]
    for fragment in expected["warnings[0].Short_contains"]:
        assert fragment in df.warnings[0]
    for fragment in expected["warnings[1].Short_contains"]:
        assert fragment in df.warnings[1]


def _heredocs(case: dict[str, Any]) -> None:
    df = parse_dockerfile(_input(case))
    for entry in case["expected"]:
        instruction = df.instructions[entry["child_index"]]
        got = [
            {
                "Name": h.name,
                "FileDescriptor": h.file_descriptor,
                "Expand": h.expand,
                "Chomp": h.chomp,
                "Content": h.content,
            }
            for h in instruction.heredocs
        ]
        assert got == (entry["heredocs"] or [])


def _chomp(case: dict[str, Any]) -> None:
    assert chomp_heredoc_content(case["input"]) == case["expected"]


def _parse_heredoc(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if expected["error"]:
        with pytest.raises(HeredocError):
            parse_heredoc(case["input"])
        return
    heredoc = parse_heredoc(case["input"])
    if expected["heredoc"] is None:
        assert heredoc is None
    else:
        assert heredoc is not None and heredoc.name == expected["heredoc"]["Name"]


def _heredocs_from_line(case: dict[str, Any]) -> None:
    # As upstream: each heredoc returned has the expected name (lengths are not compared).
    # `RUN <<- EOF` returns none: the lexer keeps blanks after `<<` in the word, not after
    # `<<-`, so "<<-" and "EOF" are two words (lex.go processPossibleHeredoc).
    names = [h.name for h in heredocs_from_line(case["input"])]
    assert names == (case["expected"] or [])[: len(names)]
    if case["input"] != "RUN <<- EOF":
        assert names == (case["expected"] or [])


def _directives_all(case: dict[str, Any]) -> None:
    found = DirectiveParser().parse_all(case["input"])
    assert [{"Name": d.name, "Value": d.value} for d in found] == case["expected"]


def _detected(case: dict[str, Any], detect: Callable[[str], Any]) -> None:
    expected = case["expected"]
    found = detect(case["input"])
    assert (found is not None) == expected["ok"]
    got = {
        "ref": found.ref if found else "",
        "cmdline": found.cmdline if found else "",
        "start_line": found.line if found else 0,
        "end_line": found.line if found else 0,
    }
    for key in ("ref", "cmdline", "start_line", "end_line"):
        if key in expected:
            assert got[key] == expected[key], key


def _name_val(case: dict[str, Any]) -> None:
    key = "ENV" if '"ENV"' in case["api"] else "LABEL"
    if case["expected"]["error"]:
        with pytest.raises(LineParseError, match=f"{key} must have two arguments"):
            parse_name_val(case["input"], key, "\\")
    else:
        assert parse_name_val(case["input"], key, "\\") == case["expected"]["node_values"]


def _json(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if expected["error"] == "errDockerfileNotStringArray":
        with pytest.raises(NotStringArrayError, match=NOT_STRING_ARRAY):
            parse_json_array(case["input"])
    else:
        assert parse_json_array(case["input"]) == expected["values"]


def _first_instruction(case: dict[str, Any]) -> Instruction:
    return parse_dockerfile(_input(case)).instructions[0]


def _instruction_error(case: dict[str, Any]) -> None:
    expected = case["expected"]
    instruction = _first_instruction(case)  # parse_error is null: the parser accepts it
    with pytest.raises(InstructionError) as caught:
        check_instruction(instruction)
    if "instruction_error" in expected:
        assert str(caught.value) == expected["instruction_error"]
    else:
        assert expected["instruction_error_contains"] in str(caught.value)


def _hand_built(case: dict[str, Any]) -> None:
    # A node built in Go without text; ENV and LABEL go through parseKvps on its values,
    # which slimage applies to the parser's key, value, marker triplets.
    node = case["input"]
    keyword = node["node_value"].upper()
    if keyword == "HEALTHCHECK":
        instruction = _first_instruction({"input": "HEALTHCHECK CMD hello world"})
        assert instruction.args == ["CMD", "hello world"]
        assert healthcheck_test(instruction) == case["expected"]["Health.Test"]
        return
    with pytest.raises(InstructionError) as caught:
        check_key_values(keyword, node["next_values"])
    assert str(caught.value) == case["expected"]["instruction_error"]


def _interval(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if "error_contains" in expected:
        with pytest.raises(InstructionError, match=expected["error_contains"]):
            check_interval("interval", case["input"])
    else:
        check_interval("interval", case["input"])


def _doc_comments(case: dict[str, Any]) -> None:
    instructions = parse_dockerfile(case["input"]).instructions
    expected = case["expected"]
    meta_arg, stage, arg_foo, arg_bar = instructions
    assert doc_comment(stage, stage.args[2].lower()) == expected["stages[0].DocComment"]
    assert meta_arg.args[0].split("=")[0] == expected["meta[0].Args[0].Key"]
    assert doc_comment(meta_arg, "foo") == expected["meta[0].Args[0].DocComment"]
    assert arg_foo.args == [expected["stages[0].Commands[0].Args[0].Key"]]
    assert doc_comment(arg_foo, "foo") == expected["stages[0].Commands[0].Args[0].DocComment"]
    bar, baz = (arg.split("=")[0] for arg in arg_bar.args)
    assert bar == expected["stages[0].Commands[1].Args[0].Key"]
    assert baz == expected["stages[0].Commands[1].Args[1].Key"]
    assert doc_comment(arg_bar, bar) == expected["stages[0].Commands[1].Args[0].DocComment"]
    assert doc_comment(arg_bar, baz) == expected["stages[0].Commands[1].Args[1].DocComment"]


def _flags_used(case: dict[str, Any]) -> None:
    instruction = _first_instruction(case)
    check_instruction(instruction)
    assert [flag.name for flag in instruction.flags] == case["expected"]["FlagsUsed"]


def _sources_and_dest(case: dict[str, Any]) -> None:
    instruction = _first_instruction(case)
    check_instruction(instruction)
    paths, contents, destination = copy_sources(instruction)
    expected = case["expected"]
    assert destination == expected["DestPath"]
    assert paths == (expected["SourcePaths"] or [])
    assert [{"Path": name, "Data": data, "Expand": expand} for name, data, expand in contents] == [
        {"Path": c["Path"], "Data": c["Data"], "Expand": c.get("Expand", False)}
        for c in expected["SourceContents"] or []
    ]


def _run_command(case: dict[str, Any]) -> None:
    instruction = _first_instruction(case)
    check_instruction(instruction)
    expected = case["expected"]
    assert (not instruction.json) == expected["PrependShell"]
    assert instruction.args == expected["CmdLine"]
    files = [{"Name": h.name, "Data": h.content, "Chomp": h.chomp} for h in instruction.heredocs]
    assert files == (expected["Files"] or [])


_RUNNERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "parser.parseWords": _parse_words,
    "parser.Parse (Result.Warnings)": _warnings,
    "parser.Parse (Node.Heredocs)": _heredocs,
    "parser.ChompHeredocContent": _chomp,
    "parser.ParseHeredoc": _parse_heredoc,
    "parser.heredocsFromLine": _heredocs_from_line,
    "parser.DirectiveParser.ParseAll": _directives_all,
    "parser.DetectSyntax": lambda case: _detected(case, detect_syntax),
    "parser.ParseDirective": lambda case: _detected(case, lambda t: parse_directive("check", t)),
    "parser.parseNameVal": _name_val,
    "parser.parseJSON": _json,
    "instructions.ParseInstruction(parser.Parse": _instruction_error,
    "instructions.ParseInstruction(hand-built": _hand_built,
    "instructions.parseOptInterval": _interval,
    "instructions.Parse (doc comments)": _doc_comments,
    "instructions.ParseInstruction -> CopyCommand": _sources_and_dest,
    "instructions.ParseInstruction -> RunCommand": _run_command,
    "instructions.ParseInstruction": _flags_used,
}


def _runner(api: str) -> Callable[[dict[str, Any]], None]:
    if api == "parser.Parse":
        return _line_numbers
    for prefix, runner in _RUNNERS.items():
        if api.startswith(prefix):
            return runner
    raise AssertionError(f"no runner for {api}")


def test_every_case_has_a_runner() -> None:
    assert len(CASES) == 123
    for case in CASES:
        _runner(case["api"])


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict[str, Any]) -> None:
    _runner(case["api"])(case)
