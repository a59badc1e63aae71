"""The scanner's one-match fast path gives what its character-by-character path gives.

``_Scanner.scan`` classifies most tokens with one regex match (plain and simply quoted
words, operators, redirections); ``scan_word`` and ``scan_redirect`` remain the
reference for what a word or a redirection is. Every token of any script must be what
the reference path reads at the token's start.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from slimage.dockerfile._shell_words import Token, _Scanner, _Splitter, split_commands, tokenize

PIECES = [
    *" \t\n;&|()<>\\'\"$`#{}=*-/.0123456789abcxyz",
    "\\\n",
    "$(",
    "${",
    "$HOME",
    "${A}",
    "$(id -u)",
    "'a b'",
    '"a b"',
    '"$x"',
    '"it\'s"',
    "'say \"hi\"'",
    "2>&1",
    "&>",
    "&>>",
    ">|",
    "<<<",
    "<<EOF\nbody\nEOF\n",
    "<(",
    ">(",
    ";;",
    "|&",
    "10<&",
    "٣",
    "²",
    "é",
]
scripts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def _reference(script: str, token: Token) -> Token | None:
    """What the character-by-character path reads at ``token.start``."""
    scanner = _Scanner(script)
    scanner.pos = token.start
    if token.kind == "redirect":
        scanner.scan_redirect()
    elif token.kind == "word":
        scanner.scan_word()
    else:
        return None
    return scanner.tokens[0] if scanner.tokens else None


@settings(max_examples=500, deadline=None)
@given(scripts)
def test_fast_tokens_match_the_character_path(script: str) -> None:
    for token in tokenize(script):
        reference = _reference(script, token)
        if reference is not None:
            assert token == reference, script


def test_simple_words_lose_their_quotes_and_keep_substitutions() -> None:
    words = [t.value for t in tokenize("""echo "a b"'c "d"' $HOME "${X}/bin" $(id -u) x"y'z"w""")]
    assert words == ["echo", 'a bc "d"', "$HOME", "${X}/bin", "$(id -u)", "xy'zw"]
    quoted = [t.quoted for t in tokenize("""echo "a" b $c""")]
    assert quoted == [False, True, False, False]


def test_file_descriptor_digits_and_operators() -> None:
    tokens = [(t.kind, t.value) for t in tokenize("make 2>&1 | tee log; 10<&3 x 1777")]
    assert tokens == [
        ("word", "make"),
        ("redirect", ">&"),
        ("word", "1"),
        ("op", "|"),
        ("word", "tee"),
        ("word", "log"),
        ("op", ";"),
        ("redirect", "<&"),
        ("word", "3"),
        ("word", "x"),
        ("word", "1777"),
    ]
    assert [c.words for c in split_commands("make 2>&1 | tee log")] == [["make"], ["tee", "log"]]


# Scripts without shell syntax (and some with), for split_commands's one-command path.
plain_scripts = st.lists(
    st.sampled_from(
        [" ", "\t", "\r", "a", "b1", "-y", "x=1", "if", "for", "{", "}", "!", "é", "2", "/"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(plain_scripts, scripts))
def test_simple_command_path_matches_the_splitter(script: str) -> None:
    assert split_commands(script) == _Splitter().split(tokenize(script)), script
