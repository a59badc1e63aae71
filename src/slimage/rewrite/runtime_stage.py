"""What the runtime stage keeps of the user's final stage: the OS packages that are
not build tools (and the libraries of packages built from source), the entry point (in
exec form where it is a plain command), a user that exists there and is not root, and
the directories the app writes.
"""

from __future__ import annotations

import re
import shlex

from slimage.rewrite import artifacts as found
from slimage.rewrite.classify import is_build_package
from slimage.rewrite.facts import StageFacts
from slimage.rewrite.plan import APP_USER, NONROOT, Plan
from slimage.rewrite.stack_plans import requirements_text
from slimage.stacks.native import NATIVE_PACKAGES, native_needs, requirement_names
from slimage.stacks.packages import package_base_name

_SHELL_META = re.compile(r"[|&;<>()$`\\\"'*?\[\]#~=%{}\n]")


def runtime_packages(facts: StageFacts, plan: Plan, keep: frozenset[str]) -> None:
    """The user's packages that are not build tools, and the libraries of source builds."""
    packages: list[str] = []
    dev_packages: list[str] = []
    for step in facts.steps:
        if step.package_manager:
            plan.package_manager = step.package_manager
        for package in step.packages:
            name = package_base_name(package)
            if name.startswith("$"):
                continue
            if name in keep or not is_build_package(name):
                packages.append(package)
            elif name.endswith(("-dev", "-devel")):
                dev_packages.append(name)
    # Libraries of packages built from source: from the -dev packages and the requirements.
    needs = [n for n in NATIVE_PACKAGES if set(n.build) & set(dev_packages)]
    if plan.stack == "python":
        needs += native_needs("pip", requirement_names(requirements_text(facts)))
    libraries = [lib for n in needs for lib in n.runtime]
    covered = {b for n in needs for b in n.build}
    unknown = [d for d in dev_packages if d not in covered]
    if unknown:
        plan.doubts.append(
            f"{', '.join(unknown[:6])}: build only; if the app loads their libraries at run "
            "time, add them with --keep-package PACKAGE"
        )
    if plan.runtime in ("scratch", "distroless") and not plan.has_shell:
        # No package manager there: the runtime packages cannot be installed.
        dropped = [p for p in packages if package_base_name(p) not in _RUNTIME_PROVIDED]
        if dropped:
            plan.doubts.append(
                f"{', '.join(dropped[:6])} not installed: {plan.runtime_base} has no package "
                "manager (use --runtime slim to keep them)"
            )
        return
    stack_runtime = {"node": {"nodejs", "npm"}, "python": {"python3", "python"}}.get(
        plan.stack, set()
    )
    base_is_language = not plan.runtime_base.startswith(("debian:", "ubuntu:", "alpine:"))
    result: list[str] = []
    for package in [*packages, *libraries, *sorted(keep)]:
        name = package_base_name(package)
        if base_is_language and name in stack_runtime:
            continue
        if name not in {package_base_name(p) for p in result}:
            result.append(package)
    plan.runtime_packages = result


_RUNTIME_PROVIDED = frozenset({"ca-certificates", "tzdata"})


def entry_lines(facts: StageFacts, plan: Plan) -> None:
    """ENTRYPOINT/CMD as the user wrote them; a plain shell-form command in exec form."""
    lines: list[str] = []
    for step in facts.steps:
        if step.keyword not in ("ENTRYPOINT", "CMD"):
            continue
        instruction = step.instruction
        if instruction.json:
            lines.append(step.text)
            continue
        script = instruction.args[0] if instruction.args else ""
        if _SHELL_META.search(script) is None and script.strip():
            words = shlex.split(script)
            import json

            lines.append(f"{step.keyword} {json.dumps(words)}")
            plan.notes.append(f"{step.keyword} in exec form: `{script}` is a plain command")
        else:
            lines.append(step.text)
            if not plan.has_shell:
                plan.doubts.append(
                    f"{step.keyword} needs a shell (`{script[:40]}`): the runtime is "
                    f"{plan.runtime_base}; use --runtime slim or write it in exec form"
                )
    # Keep only the last ENTRYPOINT and the last CMD, as Docker does.
    last: dict[str, str] = {}
    for line in lines:
        last[line.split(" ", 1)[0]] = line
    if plan.stack == "node" and plan.runtime == "distroless":
        # distroless nodejs's ENTRYPOINT is node: the command must not name it again.
        cmd = last.get("CMD", "")
        if "ENTRYPOINT" not in last and cmd.startswith('CMD ["node", '):
            last["CMD"] = "CMD [" + cmd[len('CMD ["node", ') :]
    elif plan.runtime == "distroless" and plan.stack == "java" and "ENTRYPOINT" not in last:
        last = {"ENTRYPOINT": "ENTRYPOINT []", **last}  # distroless java's is `java -jar`
    plan.entry = [last[k] for k in ("ENTRYPOINT", "CMD") if k in last]


def runtime_user(facts: StageFacts, plan: Plan) -> None:
    user = facts.user
    if plan.runtime_base.startswith("gcr.io/distroless/") or plan.runtime_base == "scratch":
        default = NONROOT
    else:
        default = APP_USER
    if user is None or user.split(":")[0] in ("root", "0"):
        plan.user = default
        plan.notes.append(f"runs as {default}: the original ran as root")
        return
    name = user.split(":")[0]
    if name.isdigit():
        plan.user = user
        return
    provided = {"node": "node", "distroless": "nonroot"}
    if (plan.stack == "node" and name == "node" and plan.runtime_base.startswith("node:")) or (
        name == "nonroot" and plan.runtime_base.startswith("gcr.io/distroless/")
    ):
        plan.user = user
        return
    created = any(
        c.program in ("useradd", "adduser") and name in c.argv
        for s in facts.steps
        for c in s.commands
    )
    if created and plan.has_shell:
        plan.user = user
        return
    del provided
    plan.user = default
    plan.doubts.append(f"USER {user} does not exist in {plan.runtime_base}: runs as {default}")


def writable_directories(facts: StageFacts, plan: Plan) -> None:
    """Directories the app writes (mkdir'ed, VOLUMEs) owned by the runtime user."""
    directories: list[str] = []
    for step in facts.steps:
        if step.keyword == "VOLUME":
            for arg in step.instruction.args:
                directories.append(found.resolve(arg, step.workdir))
        for command in step.commands:
            if command.program == "mkdir":
                for word in command.argv[1:]:
                    if not word.startswith("-") and "$" not in word:
                        directories.append(found.resolve(word, step.workdir))
    shipped = [facts.final_workdir, *plan.artifacts]
    directories = [
        d
        for d in dict.fromkeys(directories)
        if d not in ("/", "/tmp")
        and not any(s == d or s.startswith(d.rstrip("/") + "/") for s in shipped)
        and "$" not in d
    ]
    if not directories:
        return
    listed = " ".join(shlex.quote(d) for d in directories)
    plan.build_tail.append(f"RUN mkdir -p {listed}")
    for directory in directories:
        plan.copies.append(
            f"COPY --from={plan.build_name} --chown={plan.user} {directory} {directory}"
        )
    plan.notes.append(f"owned by {plan.user}, for the app to write: {', '.join(directories)}")
