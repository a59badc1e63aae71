"""Cache-friendly order in the build stage: the dependency manifests are copied and
installed before `COPY . .`, so a source change keeps the dependency layer; and which
copies only feed a later install (the build needs them, the runtime not).
"""

from __future__ import annotations

import re
from pathlib import Path

from slimage.rewrite import artifacts as found
from slimage.rewrite.facts import StageFacts, Step, copy_destination, copy_sources
from slimage.rewrite.plan import Plan
from slimage.stacks.project import read_text


def context_copy_steps(facts: StageFacts) -> list[int]:
    """Indexes of the steps that copy from the build context or other stages."""
    result = []
    for index, step in enumerate(facts.steps):
        copies = step.keyword in ("COPY", "ADD") and (
            copy_sources(step) or step.instruction.flag("from") is not None
        )
        if copies and not install_input(facts, index):
            result.append(index)
    return result


def install_input(facts: StageFacts, index: int) -> bool:
    """Whether the COPY --from at ``index`` only feeds a later install (`COPY --from=wheels
    /wheels /wheels` then `pip install /wheels/*`): the build needs it, the runtime not."""
    step = facts.steps[index]
    if step.instruction.flag("from") is None:
        return False
    dest = copy_destination(step).rstrip("/")
    for later in facts.steps[index + 1 :]:
        if not later.dependency_installs:
            continue
        for command in later.commands:
            for word in command.argv[1:]:
                path = found.resolve(word, later.workdir) if not word.startswith("-") else ""
                if path == dest or path.startswith(dest + "/"):
                    return True
    return False


# Dependency installs that read only their manifests, and those manifests.
_INSTALL_MANIFESTS = {
    "go": ("go.mod", "go.sum"),
    "npm": ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
    "yarn": ("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml"),
    "pnpm": ("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"),
    "cargo": ("Cargo.toml", "Cargo.lock"),
}


def manifests_first(facts: StageFacts, plan: Plan) -> None:
    """Copy the manifests and install before `COPY . .`, so a source change keeps the
    dependency layer: only for installs that read nothing but their manifests."""
    context = facts.context_dir
    if context is None:
        return
    steps = facts.steps
    for index, step in enumerate(steps):
        if step.inherited:
            continue
        if step.keyword != "COPY" or step.instruction.flag("from") is not None:
            continue
        sources = copy_sources(step)
        if sources != ["."] or step.instruction.args[-1] not in (".", "./", step.workdir):
            continue
        after = index + 1
        while after < len(steps) and steps[after].keyword in ("ENV", "ARG"):
            after += 1
        if after >= len(steps):
            return
        install = steps[after]
        flags = " ".join(f.raw for f in step.instruction.flags)
        head = f"COPY {flags} " if flags else "COPY "
        files = _install_reads(install, context)
        if files:
            plan.reorder[index] = (f"{head}{' '.join(files)} ./", after)
            plan.notes.append(
                f"manifests first: {', '.join(files)} copied and installed before the sources"
            )
            return
        fetch = _fetch_first(install, context)
        if fetch is not None:
            files, command = fetch
            plan.build_before.setdefault(index, []).extend(
                [
                    "# Manifests first: dependencies are fetched before the sources arrive.",
                    f"{head}{' '.join(files)} ./",
                    f"RUN {command}",
                ]
            )
            plan.notes.append(f"manifests first: `{command}` before the sources")
        return


def _install_reads(step: Step, context: Path) -> list[str]:
    """The manifest files ``step`` reads, when it is one install that reads only those."""
    if step.keyword != "RUN" or len(step.commands) != 1:
        return []
    command = step.commands[0]
    argv = command.argv
    if command.program == "go" and argv[1:3] == ["mod", "download"]:
        names = _INSTALL_MANIFESTS["go"]
    elif (
        command.program in ("npm", "yarn", "pnpm")
        and command.subcommand in ("ci", "install", "i", None)
        and not [w for w in argv[2:] if not w.startswith("-")]
    ):
        names = _INSTALL_MANIFESTS[command.program]
    elif command.program == "cargo" and command.subcommand == "fetch":
        names = _INSTALL_MANIFESTS["cargo"]
    elif command.program in ("pip", "pip3") and command.subcommand == "install":
        rest = argv[2:]
        if len(rest) != 2 or rest[0] not in ("-r", "--requirement"):
            return []
        requirement = rest[1]
        text = read_text(context / requirement) or ""
        if "/" in requirement.strip("./") or re.search(r"(?m)^\s*(-e|-r|-c|\.|file:)", text):
            return []
        return [requirement]
    else:
        return []
    return [name for name in names if (context / name).is_file()]


def _fetch_first(step: Step, context: Path) -> tuple[list[str], str] | None:
    """For a build right after `COPY . .`: the manifests and a command that fetches the
    dependencies from them alone (go mod download, mvn dependency:go-offline, cargo fetch)."""
    if step.keyword != "RUN" or not step.commands:
        return None
    command = step.commands[0]
    program = command.program
    if program == "go" and command.subcommand == "build" and (context / "go.mod").is_file():
        files = [n for n in ("go.mod", "go.sum") if (context / n).is_file()]
        return files, "go mod download"
    if program in ("mvn", "./mvnw", "mvnw") and (context / "pom.xml").is_file():
        files = ["pom.xml"]
        if program != "mvn":
            files += [n for n in ("mvnw", ".mvn") if (context / n).exists()]
        return files, f"{program} -B -q dependency:go-offline"
    if program == "cargo" and command.subcommand == "build":
        cargo = read_text(context / "Cargo.toml") or ""
        if re.search(r"(?m)^\s*\[(\[bin\]|lib|workspace)", cargo):
            return None  # targets named in the manifest: a placeholder main would not do
        files = [n for n in ("Cargo.toml", "Cargo.lock") if (context / n).is_file()]
        return files, "mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo fetch"
    return None
