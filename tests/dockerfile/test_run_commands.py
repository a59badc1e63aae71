"""run_commands: RUN instructions split into simple commands, on real and hand-written RUNs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimage.dockerfile.model import Dockerfile, Instruction
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.run_commands import ShellCommand, run_commands, split_script

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "dockerfiles"


def _runs(text: str) -> tuple[Dockerfile, list[Instruction]]:
    df = parse_dockerfile(text)
    return df, [i for i in df.instructions if i.keyword == "RUN"]


def _commands(text: str) -> tuple[Dockerfile, list[ShellCommand]]:
    df, runs = _runs(text)
    assert len(runs) == 1
    return df, run_commands(runs[0])


APT = """\
FROM debian:bookworm
RUN set -eux; \\
    apt-get update \\
# a comment line inside the continuation is dropped by the parser
    && DEBIAN_FRONTEND=noninteractive apt-get install -yq curl ca-certificates \\
    && rm -rf /var/lib/apt/lists/* || true
"""


def test_apt_chain_words_and_connectors() -> None:
    _, commands = _commands(APT)
    assert [c.program for c in commands] == ["set", "apt-get", "apt-get", "rm", "true"]
    assert [c.connector for c in commands] == ["", ";", "&&", "&&", "||"]
    install = commands[2]
    assert install.subcommand == "install"
    assert install.argv[:3] == ["apt-get", "install", "-yq"]
    assert install.has_option("-y")
    assert install.has_option("-q", "--quiet")
    assert not install.has_option("--no-install-recommends")
    assert commands[3].words == ["rm", "-rf", "/var/lib/apt/lists/*"]


def test_source_offsets_allow_inserting_an_option() -> None:
    df, commands = _commands(APT)
    install = commands[2]
    assert install.source_start is not None and install.source_end is not None
    assert df.source[install.source_start :].startswith("DEBIAN_FRONTEND=noninteractive apt-get")
    assert df.source[: install.source_end].endswith("ca-certificates")
    at = install.word_source_end(install.program_index + 1)
    assert at is not None
    fixed = df.source[:at] + " --no-install-recommends" + df.source[at:]
    assert "apt-get install --no-install-recommends -yq curl" in fixed
    # The fixed file still parses to the same chain, now with the option.
    _, again = _commands(fixed)
    assert again[2].has_option("--no-install-recommends")


def test_offsets_across_a_continuation_and_comment() -> None:
    df, commands = _commands(APT)
    update = commands[1]
    assert df.source[update.source_start : update.source_end] == "apt-get update"
    rm = commands[3]
    assert df.source[rm.source_start : rm.source_end] == "rm -rf /var/lib/apt/lists/*"


def test_apk_add_no_cache_position() -> None:
    df, commands = _commands("FROM alpine\nRUN apk update && apk add curl\n")
    add = commands[1]
    assert (add.program, add.subcommand) == ("apk", "add")
    at = add.word_source_end(1)
    assert at is not None
    assert df.source[:at].endswith("apk update && apk add")


def test_exec_form_shell_script_is_split() -> None:
    text = (
        'FROM alpine\nRUN ["/bin/sh", "-ec", '
        '"apk add --no-cache curl \\u0026\\u0026 rm -rf /tmp/*"]\n'
    )
    df, commands = _commands(text)
    assert [c.program for c in commands] == ["apk", "rm"]
    assert commands[1].connector == "&&"
    add = commands[0]
    assert add.has_option("--no-cache")
    assert df.source[add.source_start : add.source_end] == "apk add --no-cache curl"
    rm = commands[1]
    assert df.source[rm.source_start : rm.source_end] == "rm -rf /tmp/*"


def test_exec_form_other_program_is_one_command() -> None:
    df, commands = _commands('FROM alpine\nRUN ["apk", "add", "curl"]\n')
    assert len(commands) == 1
    assert commands[0].words == ["apk", "add", "curl"]
    assert commands[0].subcommand == "add"
    assert commands[0].source_start == df.source.index("[")


def test_heredoc_script_body_is_split() -> None:
    text = "FROM alpine\nRUN <<EOF\nset -e\napk add curl\n  rm -rf /var/cache/apk/*\nEOF\n"
    df, commands = _commands(text)
    assert [c.words[0] for c in commands] == ["set", "apk", "rm"]
    assert all(c.in_heredoc for c in commands)
    assert [c.connector for c in commands] == ["", "\n", "\n"]
    rm = commands[2]
    assert df.source[rm.source_start : rm.source_end] == "rm -rf /var/cache/apk/*"


def test_heredoc_read_by_a_shell_is_split() -> None:
    text = "FROM alpine\nRUN apk add bash && bash -e <<EOF\napk add curl\nEOF\n"
    _, commands = _commands(text)
    assert [(c.program, c.in_heredoc) for c in commands] == [
        ("apk", False),
        ("bash", False),
        ("apk", True),
    ]


@pytest.mark.parametrize(
    "run",
    [
        "RUN cat <<EOF > /etc/apk/repositories\nhttp://x/main\nEOF\n",
        "RUN python3 <<EOF\nimport os\nEOF\n",
        "RUN <<EOF\n#!/usr/bin/env python3\nprint('apk add')\nEOF\n",
    ],
)
def test_heredoc_data_is_not_split(run: str) -> None:
    _, commands = _commands("FROM alpine\n" + run)
    assert not any(c.in_heredoc for c in commands)


def test_case_and_arithmetic_fall_back_to_the_splitter() -> None:
    script = (
        'case "$arch" in\n  amd64|x86_64) url=a; apk add x ;;\n'
        '  *) echo "no $arch"; exit 1 ;;\nesac\n'
        "echo $((1 + 2)) && apt-get -o Dpkg::Options::=--force-confnew -y install curl"
    )
    commands = split_script(script)
    assert [c.words[0] for c in commands] == ["url=a", "apk", "echo", "exit", "echo", "apt-get"]
    assert commands[-1].subcommand == "install"
    assert commands[-1].connector == "&&"
    for command in commands:
        assert script[command.start : command.end] == command.text


def test_subshells_braces_pipes_and_background() -> None:
    commands = split_script("(cd /src && make) | tee log & { a; b; } || if x; then y; fi")
    assert [(c.connector, c.words[0]) for c in commands] == [
        ("", "cd"),
        ("&&", "make"),
        ("|", "tee"),
        ("&", "a"),
        (";", "b"),
        ("||", "x"),
        (";", "y"),
    ]


@pytest.mark.parametrize(
    ("script", "program", "subcommand"),
    [
        ("DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y x", "apt-get", "install"),
        ("sudo -u root A=b apt-get install x", "apt-get", "install"),
        ("env -u X LANG=C apk add x", "apk", "add"),
        ("time nice -n 10 /usr/bin/make -j4 all", "make", "all"),
        ("xargs -r -n 1 rm -f", "rm", None),
        ("timeout 30 pip install x", "pip", "install"),
        ("command -v curl", "command", "curl"),
        ("A=1 B=2", "", None),
    ],
)
def test_program_skips_prefixes_and_wrappers(
    script: str, program: str, subcommand: str | None
) -> None:
    (command,) = split_script(script)
    assert command.program == program
    assert command.subcommand == subcommand


@pytest.mark.parametrize(
    ("words", "names", "expected"),
    [
        ("apt-get install -yq x", ("-y",), True),
        ("apt-get install -q x", ("-y",), False),
        ("pip install --no-cache-dir=1 x", ("--no-cache-dir",), True),
        ("pip install --no-cache-dir-x x", ("--no-cache-dir",), False),
        ("rm -- -y", ("-y",), False),
        ("apk add --no-cache x", ("--no-cache", "-X"), True),
    ],
)
def test_has_option(words: str, names: tuple[str, ...], expected: bool) -> None:
    (command,) = split_script(words)
    assert command.has_option(*names) is expected


def test_quotes_are_removed_but_variables_kept() -> None:
    (command,) = split_script("""echo "a b" 'c d' e\\ f "$HOME" ${X:-y} $(id -u)""")
    assert command.words == ["echo", "a b", "c d", "e f", "$HOME", "${X:-y}", "$(id -u)"]
    (fallback,) = split_script("""case x in x) echo "a b" 'c d' e\\ f "$HOME" $(id -u) ;; esac""")
    assert fallback.words == ["echo", "a b", "c d", "e f", "$HOME", "$(id -u)"]


def test_non_posix_shell_uses_the_plain_splitter() -> None:
    text = 'FROM mcr.microsoft.com/windows\nRUN Write-Host "a; b"; Remove-Item -Force x\n'
    _, (run,) = _runs(text)
    commands = run_commands(run, shell=["powershell", "-Command"])
    assert [c.words[0] for c in commands] == ["Write-Host", "Remove-Item"]


@pytest.mark.parametrize(
    "script",
    [
        'echo "unterminated',
        "echo $(",
        ")))",
        "if then fi",
        "<<",
        "a && && b",
        "`",
        "\\",
        "case",
        # bashlex 0.18 never returns on these (see bashlex_oracle.py); ours must.
        "echo ${",
        '"${"',
        "$|<ab'))${a\n\\\\'\t<#;\\;\\#<=",
    ],
)
def test_broken_scripts_do_not_raise(script: str) -> None:
    for command in split_script(script):
        assert command.text in script


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab $'\"\\;&|()<>{}#\n\t=-")), max_size=40))
def test_any_script_splits_without_raising(script: str) -> None:
    for command in split_script(script):
        assert script[command.start : command.end] == command.text
        assert command.words


def _corpus_files() -> list[Path]:
    assert CORPUS.is_dir(), f"missing test corpus {CORPUS}"
    return sorted(p for p in CORPUS.iterdir() if p.is_file())


@pytest.mark.slow
def test_corpus_runs_split_with_exact_source_offsets() -> None:
    runs = commands_seen = 0
    for path in _corpus_files():
        df = parse_dockerfile(path.read_text("utf-8"))
        for instruction in df.instructions:
            if instruction.keyword != "RUN":
                continue
            runs += 1
            for command in run_commands(instruction):
                commands_seen += 1
                assert command.words, path.name
                assert command.source_start is not None and command.source_end is not None
                # Both ends land on the command's own first and last characters.
                assert df.source[command.source_start] == command.text[0], path.name
                assert df.source[command.source_end - 1] == command.text[-1], path.name
                for (start, end), word_source in zip(
                    command.word_spans or [], command.word_source_spans or [], strict=True
                ):
                    raw = command.text[start - command.start : end - command.start]
                    assert df.source[word_source[0]] == raw[0], path.name
                    assert df.source[word_source[1] - 1] == raw[-1], path.name
    assert runs > 800
    assert commands_seen > 9000


def test_docker_library_php_run() -> None:
    path = CORPUS / "docker-library+php__8.2_bookworm_apache_Dockerfile"
    df = parse_dockerfile(path.read_text("utf-8"))
    facts = [
        (c.program, c.subcommand)
        for i in df.instructions
        if i.keyword == "RUN"
        for c in run_commands(i)
    ]
    assert ("apt-get", "install") in facts
    assert ("apt-get", "purge") in facts or ("apt-get", "autoremove") in facts
    assert ("rm", "/var/lib/apt/lists/*") in facts


def test_onbuild_run_and_other_instructions() -> None:
    df = parse_dockerfile("FROM alpine\nONBUILD RUN apk add curl\nCMD apk add x\n")
    onbuild, cmd = df.instructions[1:]
    assert [c.words for c in run_commands(onbuild)] == [["apk", "add", "curl"]]
    assert run_commands(cmd) == []


@pytest.mark.parametrize(
    ("run", "body_commands"),
    [
        ("RUN <<EOF bash\napk add x\nEOF\n", [["apk", "add", "x"]]),
        ("RUN <<-EOF\n\tapk add x\n\tEOF\n", [["apk", "add", "x"]]),
        # Two bodies and no command: BuildKit gives the shell nothing to run.
        ("RUN <<A <<B\napk add x\nA\napk add y\nB\n", []),
    ],
)
def test_heredoc_forms(run: str, body_commands: list[list[str]]) -> None:
    _, commands = _commands("FROM alpine\n" + run)
    assert [c.words for c in commands if c.in_heredoc] == body_commands


@pytest.mark.slow
def test_splitter_agrees_with_bashlex_on_the_corpus() -> None:
    from bashlex_oracle import bashlex_commands

    from slimage.dockerfile._shell_words import split_commands

    compared = 0
    for path in _corpus_files():
        df = parse_dockerfile(path.read_text("utf-8"))
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or instruction.json or instruction.heredocs:
                continue
            parsed = bashlex_commands(instruction.rest)
            if parsed is None:
                continue
            compared += 1
            ours = [
                (c.words, c.connector, c.start, c.end) for c in split_commands(instruction.rest)
            ]
            theirs = [(c.words, c.connector, c.start, c.end) for c in parsed]
            if ours != theirs:
                # bashlex drops the backslash of "C:\Program Files" inside double quotes,
                # which a POSIX shell keeps; only the Windows images write such paths.
                assert "windows" in path.name, (path.name, instruction.rest[:80])
    assert compared > 650


def _corpus_runs(name: str) -> tuple[Dockerfile, list[list[ShellCommand]]]:
    df = parse_dockerfile((CORPUS / name).read_text("utf-8"))
    return df, [run_commands(i) for i in df.instructions if i.keyword == "RUN"]


def test_docker_library_golang_comments_inside_continuations() -> None:
    df, runs = _corpus_runs("docker-library+golang__1.26_bookworm_Dockerfile")
    first = next(r for r in runs if any(c.words[-1:] == ["binutils-gold"] for c in r))
    assert [c.program for c in first] == ["set", "apt-get", "apt-get", "", "[", "apt-get", "rm"]
    gold = first[5]
    assert gold.words[-1] == "binutils-gold"
    assert gold.has_option("--no-install-recommends")
    # The comment lines between the two installs are not part of any command, and the
    # offsets still point at the right text in the file.
    assert df.source[gold.source_start : gold.source_end] == (
        "apt-get install -y --no-install-recommends binutils-gold"
    )
    assert first[3].words == ["dpkgArch=$(dpkg --print-architecture)"]


def test_docker_library_python_case_block() -> None:
    df, runs = _corpus_runs("docker-library+python__3.13_bookworm_Dockerfile")
    runtime = runs[0]
    assert [(c.program, c.subcommand) for c in runtime] == [
        ("set", None),
        ("apt-get", "update"),
        ("apt-get", "install"),
        ("rm", "/var/lib/apt/lists/*"),
    ]
    build = next(r for r in runs if any(c.program == "make" for c in r))
    flags = [c for c in build if c.words and c.words[0].startswith("EXTRA_CFLAGS=${EXTRA_CFLAGS")]
    assert len(flags) == 2  # the amd64|arm64 and * branches; comments skipped
    for command in flags:
        assert command.source_start is not None
        assert df.source[command.source_start :].startswith('EXTRA_CFLAGS="${EXTRA_CFLAGS:-}')
    make = next(c for c in build if c.program == "make")
    assert make.words[:3] == ["make", "-j", "$nproc"]


def test_prefix_assignments_stop_at_the_first_other_word() -> None:
    [command] = split_script('CGO_ENABLED=0 GOOS="linux" go build A=1 ./...')
    assert command.prefix_assignments() == {"CGO_ENABLED": "0", "GOOS": "linux"}
    assert command.program == "go"
    [plain] = split_script("cargo build --release")
    assert plain.prefix_assignments() == {}
