from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.project import read_text

if TYPE_CHECKING:
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

# `strip = true` / "symbols" under [profile.release] (or a profile inheriting it).
_CARGO_STRIP = re.compile(r"^\s*strip\s*=\s*(true|\"symbols\")", re.MULTILINE)


class RustNotStripped(Rule):
    """
    What it does
    ------------
    Flags `cargo build --release` / `cargo install` whose binary reaches the image when
    nothing strips its symbols: no `strip` command, no `-C strip=symbols` in `RUSTFLAGS`,
    no `CARGO_PROFILE_RELEASE_STRIP`, and no `strip = true` in the context's `Cargo.toml`.

    Why is this bad?
    ----------------
    Since Rust 1.77 release builds drop debug info, but the symbol table stays: often a
    quarter of the binary or more. Panics keep their messages without it.

    Example
    -------
    ```dockerfile
    FROM rust:1.77 AS build
    RUN cargo build --release
    FROM debian:bookworm-slim
    COPY --from=build /app/target/release/app /usr/local/bin/app
    ```

    Use instead
    -----------
    ```toml
    # Cargo.toml
    [profile.release]
    strip = true
    ```
    or `RUN cargo build --release && strip target/release/app`.
    """

    code: ClassVar[str] = "SL1018"
    name: ClassVar[str] = "rust-not-stripped"
    title: ClassVar[str] = "Strip Rust release binaries"

    def check(self, context: LintContext) -> Iterator[Violation]:
        # The cheap question first: which stages that reach the image run cargo at all.
        cargo_runs = [
            (stage, runs)
            for stage in context.stages.stages
            if context.reaches_runtime(stage)
            and (runs := context.runs_running(stage, lambda program: program == "cargo"))
        ]
        if not cargo_runs:
            return
        directory = context.context_dir
        cargo_toml = (read_text(directory / "Cargo.toml", quiet=True) if directory else None) or ""
        if _CARGO_STRIP.search(cargo_toml) or _strips(context, context.runtime_stage):
            return
        for stage, runs in cargo_runs:
            if _strips(context, stage):
                continue
            for instruction in runs:
                env = _stage_walk.env_before(context, instruction)
                if _env_strips(env):
                    continue
                for command in _stage_walk.commands(context, instruction):
                    if command.program != "cargo" or command.subcommand not in ("build", "install"):
                        continue
                    release = command.subcommand == "install" or command.has_option(
                        "--release", "-r"
                    )
                    if not release or _env_strips(command.prefix_assignments()):
                        continue
                    if any("strip" in w for w in command.argv):
                        continue
                    workdir = context.workdirs.at(instruction)
                    output = _output_dir(command.argv, command.subcommand, env, workdir)
                    if not _stage_walk.path_reaches_runtime(context, stage, output):
                        continue
                    yield Violation(
                        message="this release binary keeps its symbol table: nothing strips it",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help="set `strip = true` in [profile.release] of Cargo.toml, or run "
                        "`strip` on the binary",
                    )


def _output_dir(
    argv: list[str], subcommand: str | None, env: Mapping[str, str], workdir: str
) -> str | None:
    """Where cargo puts the binary: ``target/`` (or --target-dir, CARGO_TARGET_DIR) for a
    build, ``$CARGO_HOME/bin`` (or --root) for an install."""
    option = "--root" if subcommand == "install" else "--target-dir"
    for i, word in enumerate(argv):
        if word == option and i + 1 < len(argv):
            return posixpath.join(workdir, argv[i + 1])
        if word.startswith(option + "="):
            return posixpath.join(workdir, word.split("=", 1)[1])
    if subcommand == "install":
        return posixpath.join(env.get("CARGO_HOME", "/usr/local/cargo"), "bin")
    if workdir == "/" and "CARGO_TARGET_DIR" not in env:
        return None  # a `cd` in the RUN may pick the directory: unknown
    return posixpath.join(workdir, env.get("CARGO_TARGET_DIR", "target"))


def _strips(context: LintContext, stage: Stage) -> bool:
    return bool(context.runs_running(stage, _is_strip))


def _is_strip(program: str) -> bool:
    return program in ("strip", "llvm-strip") or program.endswith("-strip")


def _env_strips(env: Mapping[str, str]) -> bool:
    if env.get("CARGO_PROFILE_RELEASE_STRIP", "").strip().lower() in ("true", "symbols"):
        return True
    flags = (env.get("RUSTFLAGS", "") + " " + env.get("CARGO_ENCODED_RUSTFLAGS", "")).replace(
        " ", ""
    )
    return any(token in flags for token in ("strip=symbols", "strip=true", "link-arg=-s"))
