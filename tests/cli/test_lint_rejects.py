"""``slimage lint`` rejects exactly the Dockerfiles BuildKit rejects (issue 15).

The oracle is the ``dockerfile`` package: a file fails to lint with exit 3 and
``FILE:LINE:COL: error: ...`` exactly when :func:`parse_dockerfile` or
:func:`validate_instructions` (BuildKit's parser, then ``instructions.Parse``) raise, with
the same message ``slimage parse --strict`` prints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from slimage.cli import main
from slimage.dockerfile.parser import read_dockerfile
from slimage.dockerfile.validate import validate_instructions
from slimage.errors import DockerfileSyntaxError, InputError

DATA = Path(__file__).parent.parent / "data"
NEGATIVE = DATA / "conformance" / "buildkit-parser-negative"
CORPUS = DATA / "corpus" / "dockerfiles"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def oracle(path: Path) -> str | None:
    """The error docker build reports right after parsing ``path``, or None."""
    try:
        validate_instructions(read_dockerfile(path))
    except InputError as error:
        return error.message
    return None


REJECTED = {
    "bare-from": ("FROM\n", "1:1: error: FROM requires either one or three arguments"),
    "as-without-name": (
        "FROM alpine:3.20 AS\nRUN true\n",
        "1:1: error: FROM requires either one or three arguments",
    ),
    "empty-expose": ("FROM alpine:3.20\nEXPOSE\n", "2:1: error: EXPOSE requires at least one"),
    "empty-env": ("FROM alpine:3.20\nENV\n", "2:1: error: ENV requires at least one argument"),
    "unknown-instruction": (
        "FROM alpine:3.20\nFROBNICATE x\n",
        "2:1: error: unknown instruction: FROBNICATE",
    ),
    "copy-one-argument": ("FROM alpine:3.20\nCOPY app\n", "2:1: error: COPY requires at least two"),
    "run-before-from": ("RUN true\nFROM alpine:3.20\n", "1:1: error: no build stage"),
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_lint_rejects_what_buildkit_rejects_as_parse_strict_does(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = REJECTED[name]
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(text)
    code, out, err = run(["lint", str(dockerfile)], capsys)
    assert code == 3, out
    assert err.startswith(f"slimage: error: {dockerfile}:{expected}"), err
    assert "SL2001" not in out  # no findings reported for a file that cannot be built
    strict_code, _, strict_err = run(["parse", "--strict", str(dockerfile)], capsys)
    assert (strict_code, strict_err) == (code, err)
    assert oracle(dockerfile) == err.removeprefix("slimage: error: ").rstrip("\n")


@pytest.mark.parametrize("case", sorted(p.name for p in NEGATIVE.iterdir()))
def test_buildkit_negative_conformance_cases_exit_3(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = NEGATIVE / case / "Dockerfile"
    code, _, err = run(["lint", str(dockerfile)], capsys)
    assert code == 3
    assert err.startswith(f"slimage: error: {dockerfile}:"), err


def _mutations(text: str) -> list[str]:
    """Each instruction line cut after its keyword, and after its first word: the
    argument-count errors a half-edited Dockerfile has."""
    lines = text.splitlines(keepends=True)
    variants: list[str] = []
    for index, line in enumerate(lines):
        words = line.split()
        if not words or line[:1].isspace() or words[0].startswith("#") or line.endswith("\\\n"):
            continue
        for keep in (1, 2):
            if len(words) > keep:
                cut = " ".join(words[:keep]) + "\n"
                variants.append("".join([*lines[:index], cut, *lines[index + 1 :]]))
    return variants


# What `docker build` checks right after parsing (instructions.Parse), applied to the
# oracle's commands: a second, independent statement of the rules validate.py implements.
KNOWN = {
    *("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK"),
    *("LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME"),
    "WORKDIR",
}
EXACTLY_ONE = {"MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"}
AT_LEAST_ONE = {"ENV", "LABEL", "ONBUILD", "HEALTHCHECK", "EXPOSE", "VOLUME", "ARG", "SHELL"}


def buildkit_rejects(text: str) -> str | None:
    """Why BuildKit refuses ``text``: its Go parser (the PyPI ``dockerfile`` package,
    a binding of moby/buildkit's parser) fails, or a command breaks the checks above."""
    import dockerfile

    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as error:
        return f"parse: {error}"
    seen_stage = False
    for command in commands:
        keyword, values = (command.cmd or "").upper(), tuple(command.value)
        if command.sub_cmd:  # ONBUILD's trigger: its own arguments are not in the binding
            values = ("trigger",)
        if keyword not in KNOWN:
            return f"unknown instruction {keyword}"
        if keyword in EXACTLY_ONE and len(values) != 1:
            return f"{keyword} needs exactly one argument"
        if keyword in AT_LEAST_ONE and not values:
            return f"{keyword} needs an argument"
        if keyword in ("ADD", "COPY") and len(values) < 2:
            return f"{keyword} needs two arguments"
        if keyword == "SHELL" and not command.json:
            return "SHELL needs JSON"
        if keyword == "FROM":
            if not (len(values) == 1 or (len(values) == 3 and values[1].lower() == "as")):
                return "FROM needs one or three arguments"
            seen_stage = True
        elif keyword != "ARG" and not seen_stage:
            return "no stage"
    return None


def test_lint_rejects_exactly_what_buildkit_rejects_on_the_corpus_and_its_mutations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written: dict[str, str | None] = {}
    for number, source in enumerate(sorted(CORPUS.iterdir())):
        text = source.read_text(encoding="utf-8", errors="surrogateescape")
        # Every file as it is, and a spread of its mutations (all would be ~4000 files).
        mutations = _mutations(text)
        variants = [text, *mutations[:: max(1, len(mutations) // 3)][:3]]
        for variant_number, variant in enumerate(variants):
            path = tmp_path / f"{number:03d}-{variant_number}.Dockerfile"
            path.write_text(variant, encoding="utf-8", errors="surrogateescape")
            written[str(path)] = buildkit_rejects(variant)
    rejected = {path for path, why in written.items() if why is not None}
    assert len(rejected) > 200, "the mutations should break many files"
    assert len(written) - len(rejected) > 190, "the corpus itself should lint"

    code, out, _err = run(["lint", "--format", "json", str(tmp_path)], capsys)
    assert code == 3
    report = json.loads(out)
    errored = {error.split(":", 1)[0] for error in report["errors"]}
    assert errored == rejected, {path: written[path] for path in errored ^ rejected}
    assert all(re.match(r"[^:]+:\d+:\d+: error: ", error) for error in report["errors"])
    assert not {finding["path"] for finding in report["findings"]} & rejected


def test_library_lint_path_rejects_too(tmp_path: Path) -> None:
    from slimage.rules.engine import lint_path

    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nEXPOSE\n")
    with pytest.raises(DockerfileSyntaxError, match="EXPOSE requires at least one argument"):
        lint_path(dockerfile)
