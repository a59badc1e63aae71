"""The rewrite, step by step: parse, read the final stage, classify, plan, emit, re-parse."""

from __future__ import annotations

import re
from pathlib import Path

from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import StageGraph, build_stage_graph
from slimage.dockerfile.validate import validate_instructions
from slimage.errors import DockerfileSyntaxError, InputError
from slimage.rewrite.build_order import install_input
from slimage.rewrite.classify import classify, dropped_from
from slimage.rewrite.detect import Base, detect_stack, read_base
from slimage.rewrite.emit import emit
from slimage.rewrite.facts import StageFacts, read_stage
from slimage.rewrite.model import RewriteResult
from slimage.rewrite.plan import INTERPRETED, NotRewritable
from slimage.rewrite.planner import make_plan
from slimage.rewrite.savings import estimate
from slimage.stacks.images import repository

# Stage names of development targets (`--target dev`): not what ships.
_DEVELOPMENT_STAGE = re.compile(
    r"(dev|devel|develop|development|dev-?envs?|debug|test|tests|testing|ci|lint)([-_.]|$)"
)

# Runtime bases that are already as small as the stack allows.
_SLIM_KINDS = frozenset({"scratch", "distroless", "lang-slim", "os-slim", "runtime", "os-minimal"})


def run(
    text: str,
    *,
    path: str,
    context_dir: Path | None,
    runtime: str | None,
    base_images: dict[str, str],
    artifacts: list[str],
    keep_packages: frozenset[str],
) -> RewriteResult:
    dockerfile = parse_dockerfile(text, path=path)
    if not dockerfile.instructions:
        raise DockerfileSyntaxError("file with no instructions", path=path, line=1, column=1)
    validate_instructions(dockerfile)
    graph = build_stage_graph(dockerfile)
    _check_one_final(path, graph)
    final = graph.final
    base = read_base(graph.root_of(final).base)
    facts = read_stage(dockerfile, graph, context_dir, base.family)
    _check_worth_it(path, facts, base)
    stack, evidence = detect_stack(facts, base)
    if stack is None:
        raise NotRewritable(
            f"{path}: unknown stack (base {base.reference}): slimage rewrites Go, Node, "
            "Python, Rust and Java"
        )
    names = {s.name for s in graph.stages if s.name}
    _check_manifests(path, context_dir, stack)
    build_name = final.name or next(
        n for n in ("build", "app-build", "slimage-build") if n not in names
    )
    plan = make_plan(
        facts,
        base,
        stack,
        runtime=runtime,
        extra_artifacts=artifacts,
        keep_packages=keep_packages,
        build_name=build_name,
    )
    new_text, fixed = _polish(emit(facts, plan), path, context_dir)
    new_text = _substitute(new_text, base_images, path)
    _reparse(new_text, path)
    moves = [
        dropped_from(
            final.from_instruction.line,
            dockerfile.source[final.from_instruction.span.start : final.from_instruction.span.end],
            plan.runtime_base,
        )
    ]
    interpreted = stack in INTERPRETED
    moves += [
        classify(step, interpreted, keep_packages, install_input(facts, index))
        for index, step in enumerate(facts.steps)
        if not step.inherited
    ]
    result = RewriteResult(
        path=path,
        stack=stack,
        text=new_text,
        original=text,
        runtime_base=plan.runtime_base,
        build_base=final.base,
        artifacts=list(plan.artifacts),
        moves=moves,
        doubts=list(plan.doubts),
        notes=[f"stack: {stack} (from the {evidence})", *plan.notes, *fixed],
    )
    result.savings = estimate(facts, base, plan)
    return result


def _check_one_final(path: str, graph: StageGraph) -> None:
    """Refuse a file with several runnable end stages (an ``api`` and a ``worker``): which
    one ships is the user's choice, not the rewrite's. Stages named for development
    (``dev``, ``dev-envs``, ``test``...) are targets of their own, not candidates."""
    used = {index for stage in graph.stages for index in stage.dependencies}
    candidates = [
        stage
        for stage in graph.stages
        if stage.index not in used
        and not (stage.name and _DEVELOPMENT_STAGE.match(stage.name))
        and any(i.keyword in ("CMD", "ENTRYPOINT") for i in stage.instructions)
    ]
    if len(candidates) > 1:
        listing = ", ".join(f"{s.label} (line {s.from_instruction.line})" for s in candidates)
        raise NotRewritable(
            f"{path}: several final-stage candidates: {listing}: no other stage uses them "
            "and each sets an entry point; keep the one that ships as the last stage and "
            "move the others to a Dockerfile of their own"
        )


def _check_worth_it(path: str, facts: StageFacts, base: Base) -> None:
    """Refuse files whose runtime is already slim and builds nothing in it."""
    from slimage.rules.catalog import load_catalog

    variant = load_catalog().lookup(base.reference)
    heavy_steps = any(s.builds or s.packages or s.dependency_installs for s in facts.steps)
    if variant is not None and variant.kind in _SLIM_KINDS and not heavy_steps:
        raise NotRewritable(
            f"{path}: already slim: the final stage runs on {base.reference} and builds "
            "nothing in it"
        )


def _substitute(text: str, overrides: dict[str, str], path: str) -> str:
    """--base-image NAME=REF on every FROM of the new file (by full reference or repository)."""
    if not overrides:
        return text
    dockerfile = parse_dockerfile(text, path=path)
    pieces = []
    last = 0
    for instruction in dockerfile.instructions:
        if instruction.keyword != "FROM" or not instruction.args:
            continue
        image = instruction.args[0]
        replacement = overrides.get(image) or overrides.get(repository(image))
        if not replacement:
            continue
        start = instruction.span.start
        segment = text[start : instruction.span.end]
        index = segment.find(image)
        if index < 0:
            continue
        pieces.append(text[last : start + index])
        pieces.append(replacement)
        last = start + index + len(image)
    pieces.append(text[last:])
    return "".join(pieces)


def _reparse(text: str, path: str) -> None:
    """The new file must parse and validate as BuildKit would (else: a bug, exit 4)."""
    try:
        validate_instructions(parse_dockerfile(text, path=path))
    except InputError as error:  # pragma: no cover - a bug in the emitter
        raise AssertionError(f"slimage rewrite wrote a file BuildKit rejects: {error}") from None


# Lint fixes the build stage gets: cache mounts, stripped binaries.
_POLISH_RULES = ("SL1017", "SL1018", "SL1020")


def _polish(text: str, path: str, context_dir: Path | None) -> tuple[str, list[str]]:
    """Apply the verified lint fixes of _POLISH_RULES (cache mounts for the package
    managers, stripped Go and Rust binaries) to the new file."""
    from slimage.rules.fixer import fix_text
    from slimage.rules.registry import all_rules

    rules = [r for r in all_rules() if r.code in _POLISH_RULES]
    result = fix_text(text, path=path, unsafe=True, context_dir=context_dir, rules=rules)
    notes = [
        f"build stage: {f.code} {f.fix.title if f.fix else ''}".rstrip() for f in result.applied
    ]
    return result.text, list(dict.fromkeys(notes))


def _check_manifests(path: str, context_dir: Path | None, stack: str) -> None:
    """The context must hold the stack's manifest (Java may be a plain javac build)."""
    from slimage.stacks import all_stacks

    if context_dir is None or stack == "java":
        return
    markers = all_stacks()[stack].markers
    if not any((context_dir / marker).is_file() for marker in markers):
        raise NotRewritable(
            f"{path}: a {stack} build, but the context {context_dir} has no "
            f"{' or '.join(markers[:3])}: is PATH the build context?"
        )
