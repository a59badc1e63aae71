"""Suppression comments: per instruction, file-wide, and hadolint's pragmas."""

from __future__ import annotations

from engine_helpers import EveryFrom, EveryRun

from slimage.rules.engine import lint

RULES = [EveryRun, EveryFrom]


def _codes_by_line(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.location.line) for f in lint(text, rules=RULES).findings]


def test_ignore_on_the_line_above() -> None:
    text = "FROM alpine\n# slimage: ignore=SL1901\nRUN echo a\nRUN echo b\n"
    assert _codes_by_line(text) == [("SL2901", 1), ("SL1901", 4)]
    assert lint(text, rules=RULES).suppressed == 1


def test_ignore_covers_a_multi_line_instruction() -> None:
    text = "FROM alpine\n# slimage: ignore=SL1901\nRUN echo a \\\n    && echo b\n"
    assert _codes_by_line(text) == [("SL2901", 1)]


def test_comment_block_above_counts_but_a_blank_line_ends_it() -> None:
    block = "FROM alpine\n# slimage: ignore=SL1901\n# why: it is fine\nRUN echo a\n"
    assert _codes_by_line(block) == [("SL2901", 1)]
    gap = "FROM alpine\n# slimage: ignore=SL1901\n\nRUN echo a\n"
    assert _codes_by_line(gap) == [("SL2901", 1), ("SL1901", 4)]


def test_several_codes_prefixes_names_and_spacing() -> None:
    text = (
        "# slimage: ignore = SL2901, every-run\nFROM alpine\n"
        "#slimage:ignore=SL1\nRUN echo a\n"
        "# slimage: ignore=SL2\nRUN echo b\n"
    )
    assert _codes_by_line(text) == [("SL1901", 6)]


def test_bare_ignore_covers_every_rule_for_one_instruction() -> None:
    text = "# slimage: ignore\nFROM alpine\nRUN echo a\n"
    assert _codes_by_line(text) == [("SL1901", 3)]


def test_ignore_file_anywhere() -> None:
    text = "FROM alpine\nRUN echo a\n# slimage: ignore-file=SL1901\nRUN echo b\n"
    assert _codes_by_line(text) == [("SL2901", 1)]
    everything = "FROM alpine\n# slimage: ignore-file\nRUN echo a\n"
    assert _codes_by_line(everything) == []


def test_hadolint_pragmas_map_to_slimage_rules() -> None:
    text = "FROM alpine\n# hadolint ignore=DL3009,DL3015\nRUN echo a\nRUN echo b\n"
    assert _codes_by_line(text) == [("SL2901", 1), ("SL1901", 4)]
    unrelated = "FROM alpine\n# hadolint ignore=DL3008\nRUN echo a\n"
    assert _codes_by_line(unrelated) == [("SL2901", 1), ("SL1901", 3)]
    global_form = "# hadolint global ignore=DL3009\nFROM alpine\nRUN echo a\nRUN echo b\n"
    assert _codes_by_line(global_form) == [("SL2901", 2)]


def test_pragma_text_inside_a_heredoc_is_not_a_pragma() -> None:
    text = "FROM alpine\nCOPY <<EOF /etc/motd\n# slimage: ignore-file\nEOF\nRUN echo a\n"
    assert _codes_by_line(text) == [("SL2901", 1), ("SL1901", 5)]


def test_ordinary_comments_do_not_suppress() -> None:
    text = "FROM alpine\n# slimage is great; ignore nothing\nRUN echo a\n"
    assert _codes_by_line(text) == [("SL2901", 1), ("SL1901", 3)]


def test_buildkit_check_skip_directive() -> None:
    from slimage.rules.engine import lint

    text = "FROM alpine:3.20 as build\nMAINTAINER someone\nCMD echo hi\n"
    codes = {f.code for f in lint(text).findings}
    assert {"SL3012", "SL3007", "SL3001"} <= codes
    skipped = lint("# check=skip=FromAsCasing,MaintainerDeprecated\n" + text).findings
    assert {"SL3012", "SL3007"}.isdisjoint({f.code for f in skipped})
    assert "SL3001" in {f.code for f in skipped}
    everything = lint("# check=skip=all;error=true\n" + text).findings
    assert {"SL3012", "SL3007", "SL3001"}.isdisjoint({f.code for f in everything})


def test_docs_list_every_buildkit_check() -> None:
    from pathlib import Path

    from slimage.rules._checks import BUILDKIT_CHECKS

    docs = (Path(__file__).parents[2] / "docs" / "lint.md").read_text(encoding="utf-8")
    for name, code in BUILDKIT_CHECKS.items():
        assert f"| `{name}` | {code} " in docs, name
