"""ShellLex against BuildKit's own shell-lexer data (tests/data/conformance/buildkit-shell).

The three upstream sources are read the way lex_test.go reads them (see the README in
tests/data/conformance): ``envVarTest`` (TestShellParser4EnvVars), ``wordsTest``
(TestShellParser4Words) and the transcribed tables in ``lex-cases.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimage.dockerfile._shell_pattern import PatternError, pattern_to_regex, reverse_pattern
from slimage.dockerfile.shell_lex import ShellLex, ShellLexError, envs_from_list

DATA = Path(__file__).resolve().parent.parent / "data" / "conformance" / "buildkit-shell"

ENV_VAR_TEST_ENV = {"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}


def _env_var_cases() -> list[Any]:
    cases = []
    for number, raw in enumerate((DATA / "envVarTest").read_text("utf-8").split("\n"), 1):
        if raw.startswith("#"):
            continue
        line = raw.strip()
        if not line:
            continue
        fields = line.split("|")
        assert len(fields) == 3, f"envVarTest:{number} has {len(fields)} fields"
        platform, source, expected = (f.strip() for f in fields)
        if platform == "W":
            # Windows-only lines (case-insensitive variable names): slimage implements
            # the Linux lexer, as BuildKit does on Linux; the count test below keeps the
            # two lines accounted for.
            windows_only.append(number)
            continue
        cases.append(pytest.param(source, expected, id=f"{number}:{source}"))
    return cases


windows_only: list[int] = []
ENV_VAR_CASES = _env_var_cases()


def test_env_var_file_is_complete() -> None:
    assert len(ENV_VAR_CASES) == 228 and len(windows_only) == 2


@pytest.mark.parametrize(("source", "expected"), ENV_VAR_CASES)
def test_env_var_test(source: str, expected: str) -> None:
    lex = ShellLex("\\")
    if expected == "error":
        with pytest.raises(ShellLexError):
            lex.process_word(source, ENV_VAR_TEST_ENV)
    else:
        assert lex.process_word(source, ENV_VAR_TEST_ENV) == expected


def _words_cases() -> list[Any]:
    cases = []
    envs: list[str] = []
    for number, raw in enumerate((DATA / "wordsTest").read_text("utf-8").split("\n"), 1):
        if raw.startswith("#") or raw == "":
            continue
        if raw.startswith("ENV "):
            envs.append(raw[4:].lstrip())  # trailing spaces are part of the value
            continue
        fields = raw.split("|")
        assert len(fields) == 2, f"wordsTest:{number}"
        expected = fields[1].lstrip(" ").split(",")
        cases.append(pytest.param(fields[0].strip(), list(envs), expected, id=f"{number}"))
    return cases


WORDS_CASES = _words_cases()


def test_words_file_is_complete() -> None:
    assert len(WORDS_CASES) == 24


@pytest.mark.parametrize(("source", "envs", "expected"), WORDS_CASES)
def test_words_test(source: str, envs: list[str], expected: list[str]) -> None:
    lex = ShellLex("\\")
    try:
        words = lex.process_words(source, envs_from_list(envs))
    except ShellLexError:
        words = ["error"]
    assert words == expected


LEX_CASES = json.loads((DATA / "lex-cases.json").read_text("utf-8"))["cases"]


def _lex_cases(test: str) -> list[Any]:
    return [
        pytest.param(case, id=case["name"]) for case in LEX_CASES if case["source"]["test"] == test
    ]


def _env(case: dict[str, Any]) -> dict[str, str]:
    envs = case["envs"]
    return envs_from_list(envs) if isinstance(envs, list) else dict(envs)


@pytest.mark.parametrize("case", _lex_cases("TestProcessWithMatches"))
def test_process_with_matches(case: dict[str, Any]) -> None:
    lex = ShellLex("\\")
    expected = case["expected"]
    if expected["error"]:
        with pytest.raises(ShellLexError):
            lex.process_word_with_matches(case["input"], _env(case))
        return
    result, matched, unmatched = lex.process_word_with_matches(case["input"], _env(case))
    assert result == expected["result"]
    assert matched == set(expected["matched"])
    assert unmatched == set(expected["unmatched"])


@pytest.mark.parametrize(
    "case",
    _lex_cases("TestShellParserMandatoryEnvVars") + _lex_cases("TestProcessWithMatchesPlatform"),
)
def test_mandatory_and_platform(case: dict[str, Any]) -> None:
    lex = ShellLex("\\")
    expected = case["expected"]
    if "error_contains" in expected:
        with pytest.raises(ShellLexError, match=expected["error_contains"]):
            lex.process_word(case["input"], _env(case))
    else:
        assert lex.process_word(case["input"], _env(case)) == expected["result"]


@pytest.mark.parametrize("case", _lex_cases("TestGetEnv"))
def test_get_env(case: dict[str, Any]) -> None:
    env = envs_from_list(case["envs"])
    assert ShellLex().process_word("$" + case["input"], env) == case["expected"]


@pytest.mark.parametrize("case", _lex_cases("TestConvertShellPatternToRegex"))
def test_convert_shell_pattern_to_regex(case: dict[str, Any]) -> None:
    if case["expected"]["error"]:
        with pytest.raises(PatternError):
            pattern_to_regex(case["input"], greedy=True, anchored=True)
    else:
        regex = pattern_to_regex(case["input"], greedy=True, anchored=True)
        # The expected Go RE2 strings use only escapes Python spells the same way.
        assert regex.pattern == case["expected"]["regexp"]


@pytest.mark.parametrize("case", _lex_cases("TestReversePattern"))
def test_reverse_pattern(case: dict[str, Any]) -> None:
    assert reverse_pattern(case["input"]) == case["expected"]


def test_every_table_is_used() -> None:
    used = {
        "TestProcessWithMatches",
        "TestShellParserMandatoryEnvVars",
        "TestProcessWithMatchesPlatform",
        "TestGetEnv",
        "TestConvertShellPatternToRegex",
        "TestReversePattern",
        # TestReverseString checks Go's rune reversal helper; Python's str[::-1] is it.
        "TestReverseString",
    }
    assert {case["source"]["test"] for case in LEX_CASES} == used


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("`$PWD", "$PWD"),
        ("a`b", "ab"),
        ('"a`"b"', 'a"b'),
        ('"a\\b"', "a\\b"),
        ("C:\\path", "C:\\path"),
        ("x`", "x"),
    ],
)
def test_backtick_escape_token(word: str, expected: str) -> None:
    assert ShellLex("`").process_word(word, {"PWD": "/home"}) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("${V//a/$$}", "b"),  # "$$" is the (unset) special parameter "$"
        ("${V//a/\\$\\$}", "\\$\\$b\\$\\$"),  # escapes stay raw in a replacement
        ("${V//a/\\$0}", "\\ab\\a"),  # Go expands $0 to the match in a replace-all
        ("${V/a/\\$0}", "\\$0ba"),  # a single replacement is literal
        ("${V//x*/-}", "aba"),
        ("${V//b*/-}", "a-"),
        ("${E///-}", "-"),  # an empty value still matches an empty pattern once
        ("${V///-}", "-a-b-a-"),  # Go inserts at every position
        ("${V%%[ab]}", "aba"),  # BuildKit patterns have no bracket classes
        ("${V%a}", "ab"),
        ("${V##*b}", "a"),
        ("${V#\\x}", "error"),
    ],
)
def test_pattern_operators(word: str, expected: str) -> None:
    env = {"V": "aba", "E": ""}
    lex = ShellLex()
    if expected == "error":
        with pytest.raises(ShellLexError, match="invalid pattern"):
            lex.process_word(word, env)
    else:
        assert lex.process_word(word, env) == expected


def test_skip_unset_env_keeps_references() -> None:
    lex = ShellLex(skip_unset_env=True, raw_quotes=True)
    assert (
        lex.process_word("'$A' ${B:-x} $C ${D/a/b} $E", {"E": "e"}) == "'$A' ${B:-x} $C ${D/a/b} e"
    )


def test_error_names_the_word() -> None:
    with pytest.raises(ShellLexError, match=r'failed to process "\$\{x": unsupported modifier'):
        ShellLex().process_word("${x", {})


def test_bad_escape_token() -> None:
    with pytest.raises(ValueError, match="one character"):
        ShellLex("ab")


# Properties that must hold for any text, checked on generated input.
_PLAIN = st.text(alphabet=st.characters(blacklist_characters="$'\"\\`{}*?/%#", codec="utf-8"))


@settings(max_examples=200, deadline=None)
@given(_PLAIN)
def test_plain_text_is_unchanged(text: str) -> None:
    assert ShellLex().process_word(text, {}) == text


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda s: "'" not in s))
def test_single_quotes_keep_everything(text: str) -> None:
    assert ShellLex().process_word(f"'{text}'", {"A": "x"}) == text


@settings(max_examples=200, deadline=None)
@given(st.text(), _PLAIN)
def test_variables_and_affix_removal(value: str, affix: str) -> None:
    env = {"V": value, "P": affix}
    lex = ShellLex()
    assert lex.process_word("${V}", env) == value
    assert lex.process_words('"$V"', env) == ([value] if value else [])
    # A pattern without wildcards removes exactly that prefix or suffix, if present.
    assert lex.process_word("${V#$P}", env) == value.removeprefix(affix)
    assert lex.process_word("${V%$P}", env) == value.removesuffix(affix)
    assert lex.process_word("${V:-$P}", env) == (value or affix)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab $'\"\\{}:-+?#%/`*"))))
def test_any_word_expands_or_fails_cleanly(word: str) -> None:
    try:
        ShellLex().process_words(word, {"a": "1 2", "b": ""})
    except ShellLexError as error:
        assert str(error).startswith("failed to process")
