from rule_helpers import findings, fixed, lines

from slimage.rules.sl3010_json_args_single_quotes import JsonArgsSingleQuotes


def test_single_quotes_fire_and_are_fixed() -> None:
    text = "FROM node:20\nCMD ['node', 'app.js']\n"
    found = findings(JsonArgsSingleQuotes, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 5)]
    assert fixed(JsonArgsSingleQuotes, text) == 'FROM node:20\nCMD ["node", "app.js"]\n'


def test_other_broken_arrays_fire_without_fix() -> None:
    for args in ('["node", "app.js",]', "[node, app.js]", """['it"s']"""):
        found = findings(JsonArgsSingleQuotes, f"FROM node:20\nENTRYPOINT {args}\n")
        assert len(found) == 1 and found[0].fix is None, args


def test_test_command_and_valid_json_pass() -> None:
    text = 'FROM node:20\nRUN [ -f /x ] && echo ok\nRUN [ "$A" = "b" ]\nCMD ["a"]\n'
    assert lines(JsonArgsSingleQuotes, text) == []
