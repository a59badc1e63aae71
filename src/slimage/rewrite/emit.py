"""The new Dockerfile as text: the user's lines verbatim where they are kept, slimage's
lines where the runtime needs them; re-parsed by the BuildKit-exact parser before use."""

from __future__ import annotations

import json

from slimage.rewrite.build_order import context_copy_steps
from slimage.rewrite.classify import RUNTIME_KEYWORDS
from slimage.rewrite.facts import StageFacts
from slimage.rewrite.plan import APT_MOUNTS, Plan


def emit(facts: StageFacts, plan: Plan) -> str:
    parts: list[str] = []
    prefix = facts.prefix.rstrip("\n")
    if prefix:
        parts.append(prefix + "\n")
    parts.append(_build_stage(facts, plan))
    parts.extend(stage + "\n" for stage in plan.extra_stages)
    parts.append(_runtime_stage(facts, plan))
    return "\n".join(parts)


def _build_stage(facts: StageFacts, plan: Plan) -> str:
    origin = facts.stage.from_instruction
    flags = " ".join(flag.raw for flag in origin.flags)
    lines = [
        "# Build stage: your steps, in your order, on your base image (slimage rewrite).",
        f"FROM {flags + ' ' if flags else ''}{origin.args[0]} AS {plan.build_name}",
    ]
    lines.extend(plan.build_head)
    moved = {install for _line, install in plan.reorder.values()}
    for index, step in enumerate(facts.steps):
        if index in moved or step.inherited:
            continue
        lines.extend(plan.build_before.get(index, []))
        if step.keyword in RUNTIME_KEYWORDS:
            continue
        if index in plan.reorder:
            copy_line, install = plan.reorder[index]
            lines.append("# Manifests first: the install layer outlives source changes.")
            lines.append(copy_line)
            lines.extend(plan.build_before.get(install, []))
            lines.append(facts.steps[install].text)
        lines.append(step.text)
    lines.extend(plan.build_tail)
    return "\n".join(lines) + "\n"


def _runtime_stage(facts: StageFacts, plan: Plan) -> str:
    lines = [
        f"# Runtime stage: {plan.runtime_base}, only what the app needs to run.",
        f"FROM {plan.runtime_base}",
    ]
    steps = facts.steps
    lines.extend(s.text for s in steps if s.keyword == "ARG")
    if plan.runtime_packages and plan.has_shell:
        lines.append(_install(plan))
    lines.extend(s.text for s in steps if s.keyword in ("ENV", "SHELL"))
    lines.extend(plan.runtime_env)
    copies = set(context_copy_steps(facts)) if plan.replay_context else set()
    workdir = "/"
    for index, step in enumerate(steps):
        if step.keyword == "WORKDIR":
            lines.append(step.text)
            workdir = step.workdir
        elif index in copies or (step.keyword == "RUN" and step.setup_only and plan.has_shell):
            lines.append(step.text)
    if workdir != facts.final_workdir and facts.final_workdir != "/":
        lines.append(f"WORKDIR {facts.final_workdir}")
    for artifact in plan.artifacts:
        lines.append(f"COPY --from={plan.build_name} {artifact} {artifact}")
    lines.extend(plan.copies)
    for step in steps:
        if step.keyword == "MAINTAINER" and step.instruction.args:
            lines.append(f"LABEL maintainer={json.dumps(step.instruction.args[0])}")
        elif step.keyword in ("LABEL", "EXPOSE", "VOLUME"):
            lines.append(step.text)
    lines.extend(s.text for s in steps if s.keyword in ("STOPSIGNAL", "HEALTHCHECK"))
    lines.append(f"USER {plan.user}")
    lines.extend(plan.entry)
    return "\n".join(lines) + "\n"


def _install(plan: Plan) -> str:
    packages = " ".join(plan.runtime_packages)
    if plan.package_manager == "apk":
        return f"RUN apk add --no-cache {packages}"
    if plan.package_manager in ("yum", "dnf"):
        tool = plan.package_manager
        return f"RUN {tool} install -y {packages} && {tool} clean all"
    return (
        f"RUN {APT_MOUNTS}rm -f /etc/apt/apt.conf.d/docker-clean \\\n"
        f"    && apt-get update && apt-get install -y --no-install-recommends {packages}"
    )
