from rule_helpers import findings, fixed, lines

from slimage.rules.sl3020_copy_multiple_sources_dest_slash import CopyMultipleSourcesDestSlash


def test_missing_slash_fires_and_is_fixed() -> None:
    text = "FROM node:20\nCOPY package.json package-lock.json /app\n"
    found = findings(CopyMultipleSourcesDestSlash, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 37)]
    assert fixed(CopyMultipleSourcesDestSlash, text) == (
        "FROM node:20\nCOPY package.json package-lock.json /app/\n"
    )


def test_json_form_fires_without_fix() -> None:
    found = findings(CopyMultipleSourcesDestSlash, 'FROM node:20\nCOPY ["a", "b", "/app"]\n')
    assert len(found) == 1 and found[0].fix is None


def test_valid_destinations_pass() -> None:
    text = "FROM node:20\nCOPY a b /app/\nCOPY a b .\nCOPY a /app\nCOPY a b $DEST\n"
    assert lines(CopyMultipleSourcesDestSlash, text) == []
