"""Fixes: applied when they change only what they mean to, rejected otherwise."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import ClassVar

from engine_helpers import DOC, AddToCopy, AptCleanup

from slimage.dockerfile.parser import parse_dockerfile
from slimage.findings import Edit, Finding, Fix, Location, Severity
from slimage.rules.base import Rule, Violation
from slimage.rules.context import LintContext
from slimage.rules.engine import lint
from slimage.rules.fixer import apply_fixes, fix_text, verify_fix


def _finding(edits: tuple[Edit, ...], code: str = "SL1999") -> Finding:
    return Finding(
        code=code,
        name="test",
        message="m",
        severity=Severity.WARNING,
        location=Location("Dockerfile", 1, 1, 1, 1),
        fix=Fix("fix", edits),
    )


def test_safe_fix_is_applied_and_verified() -> None:
    text = 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCMD ["sh"]\n'
    findings = lint(text, rules=[AptCleanup]).findings
    result = apply_fixes(text, findings)
    assert result.text == (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
        'CMD ["sh"]\n'
    )
    assert result.applied == findings and result.rejected == []


def test_unsafe_fix_only_when_asked() -> None:
    text = "FROM alpine\nADD app.tar /app\n"
    findings = lint(text, rules=[AddToCopy]).findings
    assert apply_fixes(text, findings).text == text
    assert apply_fixes(text, findings).applied == []
    result = apply_fixes(text, findings, unsafe=True)
    assert result.text == "FROM alpine\nCOPY app.tar /app\n"


def test_appending_to_a_comment_line_is_rejected() -> None:
    # The published autofixer bug: "&& rm" lands on a comment inside a RUN continuation.
    text = "FROM debian\nRUN apt-get update \\\n# install curl\n && apt-get install -y curl\n"
    comment_end = text.index("# install curl") + len("# install curl")
    finding = _finding((Edit(comment_end, comment_end, " && rm -rf /var/lib/apt/lists/*"),))
    result = apply_fixes(text, [finding])
    assert result.text == text
    assert [r.reason for r in result.rejected] == ["changes nothing that BuildKit parses"]


def test_breaking_an_env_continuation_is_rejected() -> None:
    # The other published bug: rewriting a multi-line `ENV KEY \` so the next line
    # becomes an instruction of its own.
    text = "FROM php\nENV PHP_EXTRA \\\n    --enable-fpm\nRUN echo\n"
    start = text.index("ENV")
    end = text.index("\n    --enable")
    finding = _finding((Edit(start, end, "ENV PHP_EXTRA=1"),))
    result = apply_fixes(text, [finding])
    assert result.text == text
    assert len(result.rejected) == 1


def test_merging_instructions_is_rejected() -> None:
    text = "FROM alpine\nRUN echo a\nRUN echo b\n"
    newline = text.index("\nRUN echo b")
    finding = _finding((Edit(newline, newline + 1, " && "),))
    result = apply_fixes(text, [finding])
    assert result.text == text
    assert result.rejected and "instruction" in result.rejected[0].reason


def test_deliberate_merge_of_two_runs_is_kept() -> None:
    text = "FROM alpine\nRUN echo a\nRUN echo b\nCMD x\n"
    start = text.index("\nRUN echo b")
    end = text.index("echo b")
    merge = _finding((Edit(start, end, " && "),))
    result = apply_fixes(text, [merge])
    assert result.text == "FROM alpine\nRUN echo a && echo b\nCMD x\n"
    # Merging into the following CMD is not a merge of like instructions.
    cmd_start = text.index("\nCMD")
    wrong = _finding((Edit(cmd_start, cmd_start + 4, " && "),))
    assert apply_fixes(text, [wrong]).rejected


def test_touching_an_unrelated_instruction_is_rejected() -> None:
    text = "FROM alpine\nRUN echo a\nRUN echo b\nRUN echo c\n"
    a = text.index("echo a") + len("echo a")
    c = text.index("echo c") + len("echo c")
    # The fix claims to edit RUN a, but also changes RUN c through a second edit
    # that is fine, while a third silently rewrites RUN b's argument.
    b = text.index("echo b")
    finding = _finding(
        (Edit(a, a, " x"), Edit(b, b + 4, "true"), Edit(c, c, " y")),
    )
    # All three instructions are touched by an edit: allowed.
    assert apply_fixes(text, [finding]).applied == [finding]
    before = parse_dockerfile(text)
    after = parse_dockerfile(text.replace("echo b", "echo B"))
    assert verify_fix(before, after, [Edit(a, a, " x")]) is not None


def test_keyword_change_without_editing_the_keyword_is_rejected() -> None:
    text = "FROM alpine\nRUN echo a\n"
    before = parse_dockerfile(text)
    after = parse_dockerfile("FROM alpine\nCMD echo a\n")
    run_end = len(text) - 1
    assert "turns RUN" in (verify_fix(before, after, [Edit(run_end, run_end, "")]) or "")


def test_unparsable_result_is_rejected() -> None:
    text = "FROM alpine\nRUN echo a\n"
    finding = _finding((Edit(0, len(text), "# nothing left\n"),))
    result = apply_fixes(text, [finding])
    assert result.text == text
    assert "does not parse" in result.rejected[0].reason


def test_directive_change_is_rejected() -> None:
    text = "# escape=`\nFROM alpine\nRUN echo a\n"
    finding = _finding((Edit(0, len("# escape=`"), "# escape=\\"),))
    assert apply_fixes(text, [finding]).rejected


def test_inserting_and_deleting_whole_instructions() -> None:
    text = "FROM alpine\nMAINTAINER me\nRUN echo a\n"
    start = text.index("MAINTAINER")
    end = text.index("RUN")
    delete = _finding((Edit(start, end, ""),))
    assert apply_fixes(text, [delete]).text == "FROM alpine\nRUN echo a\n"
    insert = _finding((Edit(len(text), len(text), "USER 65532\n"),))
    assert apply_fixes(text, [insert]).text == text + "USER 65532\n"


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    text = "FROM alpine\nRUN echo a\n"
    end = text.index("echo a") + len("echo a")
    first = _finding((Edit(end, end, " && echo b"),), code="SL1998")
    second = _finding((Edit(end, end, " && echo c"),), code="SL1999")
    result = apply_fixes(text, [first, second])
    assert result.applied == [first]
    assert result.rejected == []
    assert result.text == "FROM alpine\nRUN echo a && echo b\n"


def test_edits_outside_the_file_are_rejected() -> None:
    text = "FROM alpine\n"
    result = apply_fixes(text, [_finding((Edit(50, 60, "x"),))])
    assert result.rejected and "outside" in result.rejected[0].reason


class _TwoFixes(Rule):
    """Two fixes on one RUN that overlap: fix_text needs two passes."""

    __doc__ = DOC
    code: ClassVar[str] = "SL1903"
    name: ClassVar[str] = "two-fixes"
    title: ClassVar[str] = "Two fixes"
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for instruction in context.dockerfile.instructions:
            end = instruction.span.end
            if instruction.keyword != "RUN":
                continue
            for word in ("one", "two"):
                if word not in instruction.rest:
                    fix = Fix(f"add {word}", (Edit(end, end, f" && echo {word}"),))
                    yield Violation(f"no {word}", instruction.span, fix=fix)


def test_fix_text_iterates_until_stable() -> None:
    text = "FROM alpine\nRUN echo zero\n"
    result = fix_text(text, rules=[_TwoFixes])
    assert result.text == "FROM alpine\nRUN echo zero && echo one && echo two\n"
    assert [f.message for f in result.applied] == ["no one", "no two"]


def test_fix_text_is_bounded() -> None:
    # A rule whose fix never silences it stops after max_passes.
    result = fix_text("FROM alpine\nRUN apt-get update\n", rules=[_Endless], max_passes=3)
    assert len(result.applied) == 3


class _Endless(Rule):
    __doc__ = DOC
    code: ClassVar[str] = "SL1904"
    name: ClassVar[str] = "endless"
    title: ClassVar[str] = "Endless"
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for instruction in context.dockerfile.instructions:
            if instruction.keyword == "RUN":
                end = instruction.span.end
                yield Violation("x", instruction.span, fix=Fix("x", (Edit(end, end, " x"),)))


class _JoinRuns(Rule):
    __doc__ = DOC
    code: ClassVar[str] = "SL1905"
    name: ClassVar[str] = "join-runs"
    title: ClassVar[str] = "Join consecutive RUNs"
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        instructions = context.dockerfile.instructions
        for first, second in itertools.pairwise(instructions):
            if first.keyword == second.keyword == "RUN":
                edit = Edit(first.span.end, second.source_offset(0), " \\\n    && ")
                yield Violation("join", second.span, fix=Fix("join", (edit,)))


def test_joining_fixes_go_before_appends_inside_them() -> None:
    # Appending the apt cleanup to the `update` RUN and then joining it with the
    # `install` RUN would delete the lists before the install; the join goes first.
    text = "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n"
    result = fix_text(text, rules=[AptCleanup, _JoinRuns])
    assert result.text == (
        "FROM debian\nRUN apt-get update \\\n"
        "    && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    )


def test_continuation_leaking_into_the_next_instruction_is_rejected() -> None:
    text = "FROM alpine\nRUN echo a\nRUN echo b\n"
    end = text.index("echo a") + len("echo a")
    leak = _finding((Edit(end, end, " \\"),))
    result = apply_fixes(text, [leak])
    assert result.text == text
    assert result.rejected and "from line 2" in result.rejected[0].reason


def test_unterminated_heredoc_is_rejected() -> None:
    text = "FROM alpine\nRUN cat\nRUN echo b\nCMD x\n"
    end = text.index("RUN cat") + len("RUN cat")
    opener = _finding((Edit(end, end, " <<EOF"),))
    result = apply_fixes(text, [opener])
    assert result.text == text
    assert result.rejected


def test_fixes_honour_the_escape_directive() -> None:
    text = "# escape=`\nFROM alpine\nRUN apt-get update `\n    && echo done\nCMD x\n"
    result = apply_fixes(text, lint(text, rules=[AptCleanup]).findings)
    assert result.text == (
        "# escape=`\nFROM alpine\nRUN apt-get update `\n"
        "    && echo done && rm -rf /var/lib/apt/lists/*\nCMD x\n"
    )


def test_many_fixes_are_verified_fragment_by_fragment() -> None:
    # Verifying each fix against the whole file made a 3000-RUN file take minutes; the
    # fragment check keeps a pass linear, and gives the same result as the exact one.
    from slimage.rules import fixer

    text = "FROM debian\n" + "".join(f"RUN apt-get update && echo {i}\n" for i in range(400))
    findings = lint(text, rules=[AptCleanup]).findings
    original = parse_dockerfile(text)
    ordered = sorted(findings, key=lambda f: f.location.line)
    fast = fixer._apply_by_fragments(
        text, original, fixer._SpanIndex(original), ordered, "Dockerfile"
    )
    exact = fixer._apply_sequentially(text, original, ordered, "Dockerfile")
    assert fast is not None
    assert fast.text == exact.text
    assert len(fast.applied) == len(exact.applied) == 400
