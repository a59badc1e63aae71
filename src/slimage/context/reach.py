"""What of the build context reaches the image, through COPY and ADD.

The stages the target needs are replayed on a small model of each stage's filesystem
that only tracks files coming from the context: ``FROM <stage>`` inherits the model,
``COPY``/``ADD`` from the context adds files (honouring source globs, directory
sources copying their contents, ``--exclude``, ``WORKDIR`` and trailing-slash
destinations), and ``COPY --from=<stage>`` moves files between models. What the
target stage's model holds at the end is what reaches the image. ``RUN`` is not
modelled: a file a ``RUN`` deletes or moves still counts as reaching the image.

Only the files the ignore file lets through can be copied, so the input is a
:class:`~slimage.context.scan.ContextScan`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from slimage.context import _golang
from slimage.context.ignore import PatternMatcher
from slimage.context.scan import DIR, ContextScan
from slimage.dockerfile import workdir as workdirs
from slimage.dockerfile.model import Dockerfile, Instruction
from slimage.dockerfile.mounts import mount_options
from slimage.dockerfile.shell_lex import ShellLex, ShellLexError
from slimage.dockerfile.stages import StageGraph
from slimage.errors import IgnoreFileError
from slimage.limits import path_exists

_REMOTE = re.compile(r"^(?:https?://|git@|git://|ssh://)", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$")


@dataclass
class ContextCopy:
    """One COPY/ADD that reads the build context."""

    line: int
    stage: int
    keyword: str
    sources: list[str]  # after variable expansion, relative to the context root
    destination: str  # absolute path in the stage
    matched: list[str] = field(default_factory=list)  # context paths the sources matched
    files: int = 0  # context files it reads (directory sources counted file by file)


@dataclass
class MissingSource:
    """A COPY/ADD source that matches nothing the build sends (the build fails)."""

    line: int
    source: str
    excluded: bool  # it exists in the directory, but the ignore file leaves it out


@dataclass
class ReachReport:
    """What the build reads from the context and what ends up in the target image."""

    target: str  # stage label
    reached: dict[str, int] = field(default_factory=dict)  # context file -> COPY/ADD line
    # Where context files land in the target stage: image path -> context path.
    placed: dict[str, str] = field(default_factory=dict)
    needed: set[str] = field(default_factory=set)  # files read by any needed stage
    required: set[str] = field(default_factory=set)  # paths named by a source (not ".")
    copies: list[ContextCopy] = field(default_factory=list)
    missing: list[MissingSource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _ContextIndex:
    """The sent entries of a scan, for lookups by path, prefix and glob."""

    def __init__(self, scan: ContextScan) -> None:
        self.root = scan.root
        self.dirs = {entry.path for entry in scan.entries if entry.kind == DIR}
        self.files = sorted(entry.path for entry in scan.entries if entry.kind != DIR)
        self.file_set = set(self.files)
        self.children: dict[str, list[str]] = {}
        for entry in scan.entries:
            parent, _, name = entry.path.rpartition("/")
            self.children.setdefault(parent, []).append(name)

    def files_under(self, directory: str) -> list[str]:
        if directory in ("", "."):
            return list(self.files)
        prefix = directory + "/"
        start = bisect.bisect_left(self.files, prefix)
        end = bisect.bisect_left(self.files, prefix[:-1] + "0")  # '0' follows '/'
        return self.files[start:end]

    def is_dir(self, path: str) -> bool:
        return path in ("", ".") or path in self.dirs

    def exists(self, path: str) -> bool:
        return self.is_dir(path) or path in self.file_set

    def glob(self, pattern: str) -> list[str]:
        """Context paths matching ``pattern`` component by component (BuildKit wildcards)."""
        candidates = [""]
        for component in pattern.split("/"):
            next_candidates: list[str] = []
            if _golang.has_glob(component):
                if not _golang.glob_is_well_formed(component):
                    return []
                regexp = re.compile(_golang.glob_regexp(component))
                for base in candidates:
                    for name in sorted(self.children.get(base, [])):
                        if regexp.match(name):
                            next_candidates.append(f"{base}/{name}" if base else name)
            else:
                name = _unescape(component)
                for base in candidates:
                    path = f"{base}/{name}" if base else name
                    if self.exists(path):
                        next_candidates.append(path)
            candidates = next_candidates
        return candidates


def _unescape(component: str) -> str:
    return re.sub(r"\\(.)", r"\1", component)


def _context_path(source: str) -> str:
    """A COPY source as a context-relative path: rooted at the context, cleaned."""
    cleaned = _golang.clean_path("/" + source).lstrip("/")
    return cleaned or "."


class _Replay:
    def __init__(
        self, df: Dockerfile, graph: StageGraph, index: _ContextIndex, report: ReachReport
    ) -> None:
        self.df = df
        self.graph = graph
        self.index = index
        self.report = report
        self.lexer = ShellLex(df.escape)
        # Per stage: image path -> (context path, line of the context COPY/ADD).
        self.models: dict[int, dict[str, tuple[str, int]]] = {}
        # Per stage: the WORKDIR it ends in (slimage.dockerfile.workdir).
        self.final_workdirs: dict[int, str] = {}

    def expand(self, instruction: Instruction, word: str) -> str:
        try:
            return self.lexer.process_word(word, self.graph.env_before(instruction))
        except ShellLexError:
            return word

    def run(self, stage_indexes: list[int]) -> None:
        for stage_index in stage_indexes:
            stage = self.graph.stages[stage_index]
            if stage.base_stage is not None and stage.base_stage in self.models:
                model = dict(self.models[stage.base_stage])
            else:
                model = {}
            workdir = workdirs.initial(
                self.graph.stages, stage, self.expand, finals=self.final_workdirs
            )
            for instruction in stage.instructions:
                keyword = instruction.keyword
                if keyword in ("COPY", "ADD"):
                    self.copy(instruction, stage_index, model, workdir)
                elif keyword == "RUN":
                    self.bind_mounts(instruction)
                workdir = workdirs.after(workdir, instruction, self.expand)
            self.models[stage_index] = model
            self.final_workdirs[stage_index] = workdir

    def copy(
        self,
        instruction: Instruction,
        stage_index: int,
        model: dict[str, tuple[str, int]],
        workdir: str,
    ) -> None:
        words = [self.expand(instruction, word) for word in instruction.args]
        heredoc_names = {f"<<{h.name}" for h in instruction.heredocs} | {
            f"<<-{h.name}" for h in instruction.heredocs
        }
        if len(words) < 2:
            return
        raw_sources, destination = words[:-1], words[-1]
        dest_is_dir = (
            destination.endswith(("/", "/.", "/.."))
            or destination in (".", "..")
            or len(raw_sources) > 1
        )
        destination = _golang.clean_path(
            destination if destination.startswith("/") else f"{workdir}/{destination}"
        )
        # WORKDIR creates its directory, so a COPY onto it lands inside.
        dest_is_dir = dest_is_dir or destination == workdir
        excludes = instruction.flag_values("exclude")
        try:
            exclude_matcher = PatternMatcher(excludes) if excludes else None
        except IgnoreFileError:
            exclude_matcher = None
        source_flag = instruction.flag("from")
        line = instruction.line
        if source_flag is not None and source_flag.value:
            ref = self.expand(instruction, source_flag.value)
            source_stage = self._stage_named(ref, stage_index)
            if source_stage is None:
                return  # an external image or named context: nothing from this context
            stage_items = self._stage_items(self.models.get(source_stage, {}), raw_sources)
            self._place(stage_items, destination, dest_is_dir, model, exclude_matcher)
            return
        sources = [s for s in raw_sources if s not in heredoc_names and not s.startswith("<<")]
        if instruction.keyword == "ADD":
            remote = [s for s in sources if _REMOTE.match(s)]
            if remote:
                self.report.notes.append(f"line {line}: ADD of {', '.join(remote)} (not context)")
            sources = [s for s in sources if not _REMOTE.match(s)]
        if not sources:
            return
        record = ContextCopy(line, stage_index, instruction.keyword, [], destination)
        self.report.copies.append(record)
        items: list[tuple[str, list[tuple[str, tuple[str, int]]]]] = []
        for raw in sources:
            source = _context_path(raw)
            record.sources.append(source)
            matches = self.index.glob(source) if _golang.has_glob(source) else []
            if not _golang.has_glob(source) and self.index.exists(source):
                matches = [source]
            if not matches:
                excluded = source == "." or path_exists(self.index.root / source)
                self.report.missing.append(MissingSource(line, raw, excluded=excluded))
                continue
            for match in matches:
                record.matched.append(match)
                if match != ".":
                    self.report.required.add(match)
                if self.index.is_dir(match):
                    files = self.index.files_under(match)
                    base = "" if match == "." else match + "/"
                    pairs = [(f[len(base) :], (f, line)) for f in files]
                    items.append(("dir", pairs))
                else:
                    items.append(("file", [(match.rsplit("/", 1)[-1], (match, line))]))
        if len(items) > 1:
            dest_is_dir = True
        for _, pairs in items:
            for _, (context_path, _) in pairs:
                self.report.needed.add(context_path)
            record.files += len(pairs)
        self._place_items(items, destination, dest_is_dir, model, exclude_matcher)

    def _stage_named(self, ref: str, current: int) -> int | None:
        if ref.isdigit():
            index = int(ref)
            return index if index < current else None
        stage = self.graph.by_name(ref)
        if stage is None or stage.index >= current:
            return None
        return stage.index

    def _stage_items(
        self, source_model: dict[str, tuple[str, int]], raw_sources: list[str]
    ) -> list[tuple[str, list[tuple[str, tuple[str, int]]]]]:
        items: list[tuple[str, list[tuple[str, tuple[str, int]]]]] = []
        paths = sorted(source_model)
        for raw in raw_sources:
            source = _golang.clean_path("/" + raw)
            if _golang.has_glob(source):
                regexps = [
                    re.compile(_golang.glob_regexp(c)) if _golang.has_glob(c) else None
                    for c in source.strip("/").split("/")
                ]
                roots = {_matching_prefix(p, regexps, source) for p in paths}
                roots.discard(None)
                selected = sorted(r for r in roots if r is not None)
            else:
                selected = [source]
            for root in selected:
                if root in source_model:
                    name = root.rsplit("/", 1)[-1]
                    items.append(("file", [(name, source_model[root])]))
                    continue
                prefix = "/" if root == "/" else root + "/"
                pairs = [(p[len(prefix) :], source_model[p]) for p in paths if p.startswith(prefix)]
                if pairs:
                    items.append(("dir", pairs))
        return items

    def _place(
        self,
        items: list[tuple[str, list[tuple[str, tuple[str, int]]]]],
        destination: str,
        dest_is_dir: bool,
        model: dict[str, tuple[str, int]],
        exclude_matcher: PatternMatcher | None,
    ) -> None:
        self._place_items(items, destination, dest_is_dir or len(items) > 1, model, exclude_matcher)

    @staticmethod
    def _place_items(
        items: list[tuple[str, list[tuple[str, tuple[str, int]]]]],
        destination: str,
        dest_is_dir: bool,
        model: dict[str, tuple[str, int]],
        exclude_matcher: PatternMatcher | None,
    ) -> None:
        base = destination.rstrip("/") or ""
        existing_dir = any(path.startswith(base + "/") for path in model)
        for kind, pairs in items:
            for relative, origin in pairs:
                if exclude_matcher is not None and exclude_matcher.matches(relative):
                    continue
                if kind == "file" and not (dest_is_dir or existing_dir):
                    model[destination] = origin
                else:
                    model[f"{base}/{relative}"] = origin

    def bind_mounts(self, instruction: Instruction) -> None:
        for value in instruction.flag_values("mount"):
            options = mount_options(self.expand(instruction, value))
            if options.get("type", "bind") != "bind" or options.get("from"):
                continue
            source = _context_path(options.get("source", options.get("src", ".")))
            if self.index.is_dir(source):
                self.report.needed.update(self.index.files_under(source))
            elif self.index.exists(source):
                self.report.needed.add(source)


def _matching_prefix(path: str, regexps: list[re.Pattern[str] | None], source: str) -> str | None:
    """The prefix of image ``path`` matching the glob components, or None."""
    parts = path.strip("/").split("/")
    literal = source.strip("/").split("/")
    if len(parts) < len(regexps):
        return None
    for part, regexp, word in zip(parts, regexps, literal, strict=False):
        if regexp is None:
            if part != _unescape(word):
                return None
        elif not regexp.match(part):
            return None
    return "/" + "/".join(parts[: len(regexps)])


def analyse_reach(
    df: Dockerfile, graph: StageGraph, scan: ContextScan, *, target: str | None = None
) -> ReachReport:
    """Replay the stages ``target`` needs over the files ``scan`` says are sent."""
    stages = graph.needed_for(target)
    target_stage = stages[-1] if target is None else graph.by_name(target) or stages[-1]
    report = ReachReport(target=target_stage.label)
    replay = _Replay(df, graph, _ContextIndex(scan), report)
    replay.run([stage.index for stage in stages])
    for image_path, (context_path, line) in sorted(
        replay.models.get(target_stage.index, {}).items()
    ):
        report.reached.setdefault(context_path, line)
        report.placed[image_path] = context_path
    return report
