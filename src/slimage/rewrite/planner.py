"""The plan for a rewrite: the stack's planner picks the runtime and the artifacts, then
the common passes decide the runtime packages, build order, entry point, user and
writable directories.
"""

from __future__ import annotations

from slimage.errors import UsageError
from slimage.rewrite import artifacts as found
from slimage.rewrite.build_order import manifests_first
from slimage.rewrite.detect import Base
from slimage.rewrite.facts import StageFacts
from slimage.rewrite.plan import INTERPRETED, RUNTIMES, NotRewritable, Plan
from slimage.rewrite.runtime_stage import (
    entry_lines,
    runtime_packages,
    runtime_user,
    writable_directories,
)
from slimage.rewrite.stack_plans import PLANNERS


def make_plan(
    facts: StageFacts,
    base: Base,
    stack: str,
    *,
    runtime: str | None,
    extra_artifacts: list[str],
    keep_packages: frozenset[str],
    build_name: str,
) -> Plan:
    if runtime is not None and runtime not in RUNTIMES:
        raise UsageError(f"--runtime {runtime!r}: expected one of {', '.join(RUNTIMES)}")
    if runtime == "jlink" and stack != "java":
        raise UsageError(f"--runtime jlink is for Java; this Dockerfile builds {stack}")
    if not facts.entry:
        raise NotRewritable(
            f"{facts.dockerfile.path}: the final stage has no ENTRYPOINT or CMD, so what "
            "the image runs is the base image's: nothing to keep it working with"
        )
    planner = PLANNERS[stack]
    plan = planner(facts, base, runtime, build_name)
    extra = [found.resolve(a, facts.final_workdir) for a in extra_artifacts]
    for path in extra:
        if path not in plan.artifacts:
            plan.artifacts.append(path)
    if not plan.artifacts and stack not in INTERPRETED:
        raise NotRewritable(
            f"{facts.dockerfile.path}: cannot tell what the build produces for "
            f"`{' '.join(facts.entry)}` to run; name it with --artifact PATH"
        )
    runtime_packages(facts, plan, keep_packages)
    manifests_first(facts, plan)
    entry_lines(facts, plan)
    runtime_user(facts, plan)
    writable_directories(facts, plan)
    return plan
