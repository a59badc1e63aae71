"""What a rule sees: the whole file, its stages, and which stage reaches the image.

The engine builds one :class:`LintContext` per file and hands it to every rule. Expensive
views (shell commands of a RUN, the ``.dockerignore`` matcher, the base-image catalog) are
computed on first use and cached, so a rule that needs none of them costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from slimage.config import LintConfig

if TYPE_CHECKING:
    from slimage.context.ignore import PatternMatcher
    from slimage.dockerfile.model import Dockerfile, Instruction
    from slimage.dockerfile.run_commands import ShellCommand
    from slimage.dockerfile.stages import Stage, StageGraph
    from slimage.dockerfile.workdir import Workdirs
    from slimage.rules.catalog import BaseImageCatalog


@dataclass(eq=False)
class LintContext:
    """One Dockerfile under lint, with the views rules share."""

    dockerfile: Dockerfile
    path: str
    stages: StageGraph
    config: LintConfig = field(default_factory=LintConfig)
    # The build context directory (the Dockerfile's directory by default); None when
    # linting text with no file behind it, so context checks stay quiet.
    context_dir: Path | None = None
    # `--target`: the stage that becomes the image; None means the last stage.
    target: str | None = None
    build_args: Mapping[str, str] = field(default_factory=dict)
    _commands: dict[int, list[ShellCommand]] = field(default_factory=dict, repr=False)
    # Per stage index: its RUN instructions, and for each program the positions (in that
    # list) of the RUNs that run it; see runs_running.
    _programs: dict[int, tuple[list[Instruction], dict[str, list[int]]]] = field(
        default_factory=dict, repr=False
    )
    _matcher_loaded: bool = field(default=False, repr=False)
    _matcher: PatternMatcher | None = field(default=None, repr=False)

    def commands(self, instruction: Instruction) -> list[ShellCommand]:
        """The simple shell commands of a RUN (shell form, exec form or heredoc), cached."""
        key = id(instruction)
        cached = self._commands.get(key)
        if cached is None:
            from slimage.dockerfile.run_commands import run_commands

            cached = run_commands(instruction, self._shell_for(instruction))
            self._commands[key] = cached
        return cached

    def runs_running(self, stage: Stage, wanted: Callable[[str], bool]) -> list[Instruction]:
        """The RUN instructions of ``stage``, in order, with a command whose ``program``
        ``wanted`` accepts.

        A rule about apt, pip or cargo visits only the RUNs that run them: the programs
        of a stage are indexed once, so a stage of many other RUNs costs such a rule one
        look at each distinct program rather than a walk over every RUN.
        """
        runs, by_program = self._program_index(stage)
        matching = [positions for program, positions in by_program.items() if wanted(program)]
        if len(matching) == 1:
            return [runs[position] for position in matching[0]]
        return [runs[position] for position in sorted({p for ps in matching for p in ps})]

    def _program_index(self, stage: Stage) -> tuple[list[Instruction], dict[str, list[int]]]:
        found = self._programs.get(stage.index)
        if found is None:
            runs = [i for i in stage.instructions if i.keyword == "RUN"]
            by_program: dict[str, list[int]] = {}
            for position, instruction in enumerate(runs):
                for command in self.commands(instruction):
                    positions = by_program.setdefault(command.program, [])
                    if not positions or positions[-1] != position:
                        positions.append(position)
            found = self._programs[stage.index] = (runs, by_program)
        return found

    def env_before(self, instruction: Instruction) -> Mapping[str, str]:
        """ARG and ENV values in scope before ``instruction``, read-only (shared, not copied)."""
        return self.stages.env_view(instruction)

    def _shell_for(self, instruction: Instruction) -> list[str] | None:
        """The SHELL in effect for ``instruction`` (None: the default /bin/sh -c).

        A stage built FROM an earlier stage inherits that stage's SHELL, as the image
        config carries it.
        """
        return self._shells.get(id(instruction))

    @cached_property
    def _shells(self) -> dict[int, list[str] | None]:
        """The SHELL in effect before each instruction, by ``id``: one pass over the
        file (a stage's base is always an earlier stage), so lint stays linear however
        many RUNs or chained stages there are."""
        before: dict[int, list[str] | None] = {}
        final: dict[int, list[str] | None] = {}
        for stage in self.stages.stages:
            shell = final.get(stage.base_stage) if stage.base_stage is not None else None
            for candidate in stage.instructions:
                before[id(candidate)] = shell
                if candidate.keyword == "SHELL" and candidate.json:
                    shell = list(candidate.args)
            final[stage.index] = shell
        return before

    @cached_property
    def workdirs(self) -> Workdirs:
        """The WORKDIR in effect at each stage's start and before each instruction,
        read once (a walk of the stage per question made many builds quadratic)."""
        from slimage.dockerfile.workdir import read_workdirs

        return read_workdirs(self.stages.stages)

    @cached_property
    def runtime_stage(self) -> Stage:
        """The stage that becomes the image: ``--target`` when it names a stage, else the last."""
        if self.target:
            chosen = self.stages.by_name(self.target.lower())
            if chosen is not None:
                return chosen
        return self.stages.final

    def is_runtime(self, stage: Stage) -> bool:
        return stage.index == self.runtime_stage.index

    @cached_property
    def _runtime_chain(self) -> frozenset[int]:
        """Indices of the stages whose files can end up in the image.

        The runtime stage, the stages it builds FROM, and (transitively) every stage that
        one of those copies from with ``COPY --from``. ``RUN --mount=from=`` is left out:
        a mount is gone after the RUN, only what the command copies out stays, and that
        is judged in the stage that runs it.
        """
        by_index = {stage.index: stage for stage in self.stages.stages}
        reached: set[int] = set()
        pending = [self.runtime_stage.index]
        while pending:
            index = pending.pop()
            if index in reached or index not in by_index:
                continue
            reached.add(index)
            stage = by_index[index]
            if stage.base_stage is not None:
                pending.append(stage.base_stage)
            pending.extend(ref.stage for ref in stage.copies_from if ref.stage is not None)
        return frozenset(reached)

    def reaches_runtime(self, stage: Stage) -> bool:
        """Whether files of ``stage`` can reach the image (see :attr:`_runtime_chain`)."""
        return stage.index in self._runtime_chain

    def is_base_of_runtime(self, stage: Stage) -> bool:
        """Whether the image is ``stage`` itself or built FROM it (layers are inherited)."""
        return stage.index in self._runtime_bases

    @cached_property
    def _runtime_bases(self) -> frozenset[int]:
        """The runtime stage and the stages it is built FROM, computed once (a rule asks
        for every stage: a walk per question made chained stages quadratic)."""
        current: Stage | None = self.runtime_stage
        by_index = {s.index: s for s in self.stages.stages}
        seen: set[int] = set()
        while current is not None and current.index not in seen:
            seen.add(current.index)
            base = current.base_stage
            current = by_index.get(base) if base is not None else None
        return frozenset(seen)

    def ignore_matcher(self) -> PatternMatcher | None:
        """The build context's ``.dockerignore`` matcher; None without a context or file."""
        if not self._matcher_loaded:
            self._matcher_loaded = True
            if self.context_dir is not None:
                from slimage.context.ignore_file import load_matcher

                dockerfile = Path(self.path) if self.path else None
                self._matcher = load_matcher(self.context_dir, dockerfile)
        return self._matcher

    @cached_property
    def catalog(self) -> BaseImageCatalog:
        """The built-in catalog of official base images and their typical sizes."""
        from slimage.rules.catalog import load_catalog

        return load_catalog()
