"""The stage graph of a Dockerfile: stages, their bases, what they copy from, and scoping.

This follows BuildKit's ``dockerfile2llb`` (``convert.go``):

* Global ARGs (before the first FROM) get the user's build arg, else their default
  expanded against the ARGs before them and the automatic platform ARGs
  (``BUILDPLATFORM``, ``TARGETARCH``, ...). They are visible to FROM only.
* ``FROM`` is expanded with the global ARGs; a base that names an earlier stage (after
  expansion) builds on that stage and inherits its ENV and ARG values.
* Inside a stage, ``ARG NAME`` with no default takes the build arg, else the global
  value; ``ARG NAME=default`` takes the build arg, else the expanded default. ARG and
  ENV values join one environment in instruction order (a later one wins); an ENV
  instruction expands all its pairs against the environment before it.
* ``COPY --from`` is a stage name (case-insensitive), a stage index or an image, and is
  not expanded (BuildKit refuses variables there). ``RUN --mount=...,from=`` is a stage
  name or an image.
* Variables are expanded, and so can be undefined, only in ADD, COPY, ENV, EXPOSE,
  LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG defaults, FROM and the COPY/ADD
  ``--chown``/``--chmod`` flags; RUN, CMD and ENTRYPOINT text is left to the shell.

The base image's own environment is not known here: a stage starts with only ``PATH``
(BuildKit's default), so a variable defined only by the base image (``$GOPATH`` in
``golang``) shows up in ``undefined_variables``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from slimage.dockerfile.model import Dockerfile, Instruction
from slimage.dockerfile.mounts import mount_options
from slimage.dockerfile.shell_lex import ShellLex, ShellLexError
from slimage.errors import DockerfileSyntaxError, UsageError

__all__ = [
    "DEFAULT_PATH",
    "PLATFORM_ARGS",
    "PREDEFINED_ARGS",
    "Stage",
    "StageGraph",
    "StageRef",
    "build_stage_graph",
]

# BuildKit's automatic platform ARGs (dockerfile2llb defaultArgs); values for a build on
# and for linux/amd64 unless the caller's build args say otherwise.
PLATFORM_ARGS: dict[str, str] = {
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDOSVERSION": "",
    "BUILDARCH": "amd64",
    "BUILDVARIANT": "",
    "TARGETPLATFORM": "linux/amd64",
    "TARGETOS": "linux",
    "TARGETOSVERSION": "",
    "TARGETARCH": "amd64",
    "TARGETVARIANT": "",
    "TARGETSTAGE": "",
}
# Build args any Dockerfile may use without declaring them (Dockerfile reference,
# "Predefined ARGs" and "BuildKit built-in build args"), and PATH, which BuildKit
# always sets.
PREDEFINED_ARGS = frozenset(
    {
        *PLATFORM_ARGS,
        *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "FTP", "NO", "ALL")),
        *(f"{name}_proxy" for name in ("http", "https", "ftp", "no", "all")),
        "BUILDKIT_CACHE_MOUNT_NS",
        "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
        "BUILDKIT_HISTORY_PROVENANCE_V1",
        "BUILDKIT_INLINE_CACHE",
        "BUILDKIT_MULTI_PLATFORM",
        "BUILDKIT_SANDBOX_HOSTNAME",
        "BUILDKIT_SBOM_SCAN_CONTEXT",
        "BUILDKIT_SBOM_SCAN_STAGE",
        "BUILDKIT_SYNTAX",
        "SOURCE_DATE_EPOCH",
        "PATH",
    }
)
# BuildKit sets PATH when the base image does not (dispatchStages); most images set
# this same value, so it stands in for the unknown image environment.
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Instructions whose arguments BuildKit expands (instructions.SupportsSingleWordExpansion).
EXPANDED_INSTRUCTIONS = frozenset(
    {"ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
)
_EXPANDED_FLAGS = {"ADD": ("chown", "chmod", "checksum"), "COPY": ("chown", "chmod")}
# Inside a stage the platform ARGs are known only when declared there.
_NON_PLATFORM_PREDEFINED = PREDEFINED_ARGS - set(PLATFORM_ARGS)


@dataclass(slots=True)
class StageRef:
    """A reference from an instruction to another stage or an image."""

    instruction: Instruction
    ref: str  # as written (RUN --mount: after expansion)
    stage: int | None  # index of the stage it names; None for an external image


@dataclass(slots=True)
class Stage:
    """One FROM and the instructions up to the next: its base, and what it copies or mounts from."""

    index: int
    name: str | None  # lower-cased AS name
    base_raw: str  # as written
    base: str  # after ARG expansion
    base_stage: int | None  # index of an earlier stage it builds FROM
    platform: str | None  # --platform after expansion
    from_instruction: Instruction
    instructions: list[Instruction] = field(default_factory=list)  # after FROM, to the next
    copies_from: list[StageRef] = field(default_factory=list)
    mounts_from: list[StageRef] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The name, or ``stage-N`` as BuildKit calls an unnamed stage."""
        return self.name if self.name is not None else f"stage-{self.index}"

    @property
    def dependencies(self) -> list[int]:
        """Indexes of the stages this one needs directly (base, COPY --from, mounts)."""
        found = [] if self.base_stage is None else [self.base_stage]
        for ref in (*self.copies_from, *self.mounts_from):
            if ref.stage is not None and ref.stage != self.index and ref.stage not in found:
                found.append(ref.stage)
        return found


@dataclass(slots=True)
class StageGraph:
    """A Dockerfile's stages and global ARGs, with each instruction's stage and ARG/ENV scope."""

    stages: list[Stage]
    global_args: dict[str, str | None]  # ARGs before the first FROM, with effective values
    undefined_variables: list[tuple[Instruction, str]] = field(default_factory=list)
    duplicate_names: list[tuple[Instruction, str]] = field(default_factory=list)
    # Platform ARGs (TARGETARCH, ...) used in a stage that did not declare them with ARG:
    # BuildKit expands them to "" there.
    undeclared_platform_args: list[tuple[Instruction, str]] = field(default_factory=list)
    path: str = "Dockerfile"
    # Instructions between two ARG/ENV changes share one read-only snapshot: copying the
    # environment for every instruction made a long stage cost its length times its size.
    _env_before: dict[int, Mapping[str, str]] = field(default_factory=dict, repr=False)
    _stage_of: dict[int, int] = field(default_factory=dict, repr=False)
    _shell_before: dict[int, list[str]] = field(default_factory=dict, repr=False)
    # The maps above are keyed by id(); holding the instructions keeps those ids valid.
    _instructions: list[Instruction] = field(default_factory=list, repr=False)

    @property
    def final(self) -> Stage:
        """The last stage: what ``docker build`` produces without ``--target``."""
        if not self.stages:
            raise DockerfileSyntaxError("dockerfile contains no stages to build", path=self.path)
        return self.stages[-1]

    def by_name(self, name: str) -> Stage | None:
        """The stage called ``name`` (case-insensitive; the last one if names repeat)."""
        wanted = name.lower()
        for stage in reversed(self.stages):
            if stage.name == wanted:
                return stage
        return None

    def needed_for(self, target: str | None = None) -> list[Stage]:
        """``target`` (default the final stage) and every stage it needs, in build order."""
        if target is None:
            root = self.final
        else:
            found = self.by_name(target)
            if found is None:
                raise UsageError(f'target stage "{target}" could not be found')
            root = found
        needed = {root.index}
        todo = [root.index]
        while todo:
            for dependency in self.stages[todo.pop()].dependencies:
                if dependency not in needed:
                    needed.add(dependency)
                    todo.append(dependency)
        return [stage for stage in self.stages if stage.index in needed]

    def root_of(self, stage: Stage) -> Stage:
        """The first stage of ``stage``'s FROM chain: its ``base`` is the image underneath.

        ``root_of(s).base == "scratch"`` means the whole environment of ``s`` is known
        from the Dockerfile; otherwise the image may define more variables.
        """
        seen = {stage.index}
        while stage.base_stage is not None and stage.base_stage not in seen:
            stage = self.stages[stage.base_stage]
            seen.add(stage.index)
        return stage

    def stage_of(self, instruction: Instruction) -> Stage | None:
        """The stage holding ``instruction`` (its FROM included); None before the first FROM."""
        index = self._stage_of.get(id(instruction))
        return None if index is None else self.stages[index]

    def env_before(self, instruction: Instruction) -> dict[str, str]:
        """ARG and ENV values in scope just before ``instruction`` (its expansion env)."""
        return dict(self._env_before.get(id(instruction), {}))

    def env_view(self, instruction: Instruction) -> Mapping[str, str]:
        """:meth:`env_before` read-only and shared, not copied (for readers that ask often)."""
        return self._env_before.get(id(instruction), _NO_ENV)

    def shell_for(self, instruction: Instruction) -> list[str] | None:
        """The SHELL in effect for ``instruction``; None for the default ``/bin/sh -c``.

        A stage built FROM another stage inherits its SHELL, as the image config does.
        """
        shell = self._shell_before.get(id(instruction))
        return None if shell is None else list(shell)


_NO_ENV: Mapping[str, str] = MappingProxyType({})


def build_stage_graph(df: Dockerfile, build_args: Mapping[str, str] | None = None) -> StageGraph:
    """The stages of ``df`` with ``build_args`` (``--build-arg``) applied; never raises."""
    return _GraphBuilder(df, dict(build_args or {})).build()


def split_arg(word: str) -> tuple[str, str | None]:
    """``NAME=value`` -> (NAME, value as written); ``NAME`` -> (NAME, None)."""
    name, equals, value = word.partition("=")
    return name, (value if equals else None)


class _GraphBuilder:
    def __init__(self, df: Dockerfile, build_args: dict[str, str]) -> None:
        self.df = df
        self.build_args = build_args
        self.lex = ShellLex(df.escape)
        self.raw_lex = ShellLex(df.escape, skip_process_quotes=True)
        self.graph = StageGraph([], {}, path=df.path, _instructions=list(df.instructions))
        # The latest stage of each name: what a later FROM or duplicate name looks up.
        self.stage_names: dict[str, int] = {}

    def build(self) -> StageGraph:
        global_env = self.platform_defaults()
        declared_globals: set[str] = set()
        stage_env: dict[str, str] = {}
        declared: set[str] = set()
        stage: Stage | None = None
        final_envs: list[tuple[dict[str, str], set[str], list[str] | None]] = []
        shell: list[str] | None = None
        env_before = self.graph._env_before
        # Read-only copies of global_env and stage_env as they are now, taken when an
        # instruction needs one and dropped when an ARG or ENV changes them.
        global_snapshot: Mapping[str, str] | None = None
        snapshot: Mapping[str, str] | None = None
        for instruction in self.df.instructions:
            keyword = instruction.keyword
            if keyword == "FROM":
                if stage is not None:
                    final_envs.append((stage_env, declared, shell))
                stage = self.open_stage(instruction, global_env, declared_globals)
                self.graph.stages.append(stage)
                if stage.name is not None:
                    self.stage_names[stage.name] = stage.index
                if global_snapshot is None:
                    global_snapshot = MappingProxyType(dict(global_env))
                env_before[id(instruction)] = global_snapshot
                self.graph._stage_of[id(instruction)] = stage.index
                if stage.base_stage is not None:
                    base_env, base_declared, shell = final_envs[stage.base_stage]
                    stage_env, declared = dict(base_env), set(base_declared)
                else:
                    stage_env, declared, shell = {"PATH": DEFAULT_PATH}, set(), None
                snapshot = None
                continue
            if stage is None:
                if global_snapshot is None:
                    global_snapshot = MappingProxyType(dict(global_env))
                env_before[id(instruction)] = global_snapshot
                if keyword == "ARG":
                    self.global_arg(instruction, global_env, declared_globals)
                    global_snapshot = None
                continue
            stage.instructions.append(instruction)
            self.graph._stage_of[id(instruction)] = stage.index
            if instruction.trigger is not None:
                self.graph._stage_of[id(instruction.trigger)] = stage.index
            if snapshot is None:
                snapshot = MappingProxyType(dict(stage_env))
            env_before[id(instruction)] = snapshot
            if shell is not None:
                self.graph._shell_before[id(instruction)] = shell
                if instruction.trigger is not None:
                    self.graph._shell_before[id(instruction.trigger)] = shell
            if keyword == "SHELL" and instruction.json and instruction.args:
                shell = list(instruction.args)
            self.stage_instruction(stage, instruction, stage_env, declared, global_env)
            if keyword in ("ARG", "ENV"):
                snapshot = None
        self.resolve_references()
        return self.graph

    def platform_defaults(self) -> dict[str, str]:
        env = dict(PLATFORM_ARGS)
        for prefix in ("BUILD", "TARGET"):
            platform = self.build_args.get(f"{prefix}PLATFORM")
            if platform:
                parts = platform.split("/")
                env[f"{prefix}OS"] = parts[0]
                env[f"{prefix}ARCH"] = parts[1] if len(parts) > 1 else ""
                env[f"{prefix}VARIANT"] = parts[2] if len(parts) > 2 else ""
        for name in env:
            if name in self.build_args:
                env[name] = self.build_args[name]
        return env

    def expand(self, word: str, env: Mapping[str, str]) -> tuple[str, set[str]]:
        """Expanded word and the names it used that were unset; the word itself on error."""
        try:
            result, _, unmatched = self.lex.process_word_with_matches(word, env)
        except ShellLexError:
            return word, set()
        return result, unmatched

    def global_arg(self, instruction: Instruction, env: dict[str, str], declared: set[str]) -> None:
        for word in instruction.args:
            name, default = split_arg(word)
            value = self.build_args.get(name)
            if value is None and default is not None:
                value, _ = self.expand(default, env)
            declared.add(name)
            self.graph.global_args[name] = value
            if value is not None:
                env[name] = value

    def open_stage(
        self, instruction: Instruction, global_env: dict[str, str], declared_globals: set[str]
    ) -> Stage:
        args = instruction.args
        base_raw = args[0] if args else ""
        name = args[2].lower() if len(args) >= 3 and args[1].lower() == "as" else None
        if name is not None and name in self.stage_names:
            self.graph.duplicate_names.append((instruction, name))
        base, unmatched = self.expand(base_raw, global_env)
        platform_flag = instruction.flag("platform")
        platform = None
        if platform_flag is not None and platform_flag.value is not None:
            platform, platform_unmatched = self.expand(platform_flag.value, global_env)
            unmatched |= platform_unmatched
        if unmatched:  # the names known are only needed to report one
            known = set(global_env) | declared_globals | PREDEFINED_ARGS
            self.report_undefined(instruction, unmatched, known)
        # BuildKit looks the expanded base up among earlier stage names as it is written
        # (names are stored lower-cased), so "FROM Builder" is an image, not a stage.
        base_stage = self.stage_names.get(base)
        return Stage(
            index=len(self.graph.stages),
            name=name,
            base_raw=base_raw,
            base=base,
            base_stage=base_stage,
            platform=platform,
            from_instruction=instruction,
        )

    def stage_instruction(
        self,
        stage: Stage,
        instruction: Instruction,
        env: dict[str, str],
        declared: set[str],
        global_env: dict[str, str],
    ) -> None:
        keyword = instruction.keyword
        if keyword == "ARG":
            self.stage_arg(instruction, env, declared, global_env)
            return
        if keyword == "RUN":
            for value in instruction.flag_values("mount"):
                source = mount_options(value).get("from")
                if source:
                    ref, _ = self.expand(source, env)
                    stage.mounts_from.append(StageRef(instruction, ref, None))
        from_flag = instruction.flag("from") if keyword == "COPY" else None
        if from_flag is not None and from_flag.value:
            stage.copies_from.append(StageRef(instruction, from_flag.value, None))
        if keyword not in EXPANDED_INSTRUCTIONS:
            return
        expanded = [self.expand(word, env) for word in self.expanded_words(instruction)]
        unmatched: set[str] = set()
        for _, names in expanded:
            unmatched |= names
        for heredoc in instruction.heredocs if keyword in ("COPY", "ADD") else ():
            if heredoc.expand:
                with contextlib.suppress(ShellLexError):
                    unmatched |= self.raw_lex.process_word_with_matches(heredoc.content, env)[2]
        if unmatched:  # the names known are only needed to report one
            known = set(env) | declared | _NON_PLATFORM_PREDEFINED
            self.report_undefined(instruction, unmatched, known)
        if keyword == "ENV":
            # Every pair expands against the environment before the instruction: the
            # words expanded above are the pairs' keys and values, in order.
            values = [word for word, _ in expanded]
            env.update(zip(values[0::2], values[1::2], strict=True))

    def expanded_words(self, instruction: Instruction) -> Iterable[str]:
        keyword = instruction.keyword
        if keyword in ("ENV", "LABEL"):
            args = instruction.args
            for i in range(0, len(args) - 1, 3):
                yield args[i]
                yield args[i + 1]
        else:
            yield from instruction.args
        for flag_name in _EXPANDED_FLAGS.get(keyword, ()):
            flag = instruction.flag(flag_name)
            if flag is not None and flag.value:
                yield flag.value

    def stage_arg(
        self,
        instruction: Instruction,
        env: dict[str, str],
        declared: set[str],
        global_env: dict[str, str],
    ) -> None:
        for word in instruction.args:
            name, default = split_arg(word)
            value = self.build_args.get(name)
            if value is None:
                if default is not None:
                    value, unmatched = self.expand(default, env)
                    if unmatched:  # known: the environment before this ARG, and declared
                        before = self.graph._env_before[id(instruction)]
                        known = set(before) | declared | _NON_PLATFORM_PREDEFINED
                        self.report_undefined(instruction, unmatched, known)
                else:
                    value = global_env.get(name)
            declared.add(name)
            if value is not None:
                env[name] = value

    def report_undefined(self, instruction: Instruction, names: set[str], known: set[str]) -> None:
        for name in sorted(names):
            if not (name[:1].isalpha() or name[:1] == "_"):
                continue  # positional and special parameters ($1, $@): always empty
            if name in PLATFORM_ARGS and name not in known and instruction.keyword != "FROM":
                self.graph.undeclared_platform_args.append((instruction, name))
            elif name not in known and name not in PREDEFINED_ARGS:
                self.graph.undefined_variables.append((instruction, name))

    def resolve_references(self) -> None:
        stages = self.graph.stages
        names = {stage.name: stage.index for stage in stages if stage.name is not None}
        for stage in stages:
            for ref in stage.copies_from:
                if ref.ref.isdecimal():
                    index = int(ref.ref)
                    ref.stage = index if index < len(stages) else None
                else:
                    ref.stage = names.get(ref.ref.lower())
            for ref in stage.mounts_from:
                ref.stage = names.get(ref.ref.lower())
