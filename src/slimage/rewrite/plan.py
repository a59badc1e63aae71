"""The new stages: the user's own steps as the build stage, a runtime stage on the smallest
base that fits, holding only what the app needs at run time.

The build stage is the original final stage, renamed, with its runtime-only metadata
removed and a few lines added where the runtime needs them (``CGO_ENABLED=0`` for a
static Go binary, a virtualenv for Python, a jlink runtime). Node gets one more stage: a
separate production install (``--omit=dev``) on top of the build. The runtime stage
repeats the user's ENV, WORKDIR and metadata, installs the runtime packages (those of the
user's that are not build tools, and the libraries of packages built from source), copies
the artifacts to the same paths and runs the same entry point as a non-root user.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from slimage.errors import InputError, UsageError
from slimage.rewrite import artifacts as found
from slimage.rewrite.classify import is_build_package
from slimage.rewrite.detect import Base
from slimage.rewrite.facts import StageFacts, Step, copy_destination, copy_sources
from slimage.stacks.images import DISTROLESS, SUITE
from slimage.stacks.native import NATIVE_PACKAGES, native_needs, requirement_names
from slimage.stacks.packages import package_base_name
from slimage.stacks.project import read_text
from slimage.stacks.releases import ALPINE, DISTROLESS_JAVA, JAVA, NODE, PYTHON

RUNTIMES = ("distroless", "scratch", "slim", "alpine", "jlink")
INTERPRETED = frozenset({"node", "python"})
APP_USER = "10001:10001"
NONROOT = "65532:65532"  # distroless's nonroot user
VENV = "/opt/venv"
JLINK_HOME = "/opt/java"
_SHELL_META = re.compile(r"[|&;<>()$`\\\"'*?\[\]#~=%{}\n]")
# apt's caches, /var/lib/apt locked (apt takes its own locks, and fails rather than wait,
# when two builds share them). Only the last cache mount of a RUN is locked: buildah before
# 1.29 (podman 4.3, Debian 12) releases only the last mount's lock after the step, so a
# second locked one would stay held and the build's next RUN that mounts it waits forever.
# Every RUN that mounts /var/cache/apt here locks /var/lib/apt with it, so apt never runs
# twice at once on these caches.
APT_MOUNTS = (
    "--mount=type=cache,target=/var/cache/apt \\\n"
    "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    "
)


class NotRewritable(InputError):
    """The file cannot be rewritten safely; the message says why and what would help."""


@dataclass
class Plan:
    """What the emitter writes, decided."""

    stack: str
    build_name: str
    runtime: str  # the flavour: distroless, scratch, slim, alpine, jlink
    runtime_base: str
    has_shell: bool
    build_head: list[str] = field(default_factory=list)  # right after the build FROM
    build_before: dict[int, list[str]] = field(default_factory=dict)  # before step index
    build_tail: list[str] = field(default_factory=list)
    extra_stages: list[str] = field(default_factory=list)
    runtime_packages: list[str] = field(default_factory=list)
    package_manager: str = "apt"
    runtime_env: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)  # COPY --from lines
    artifacts: list[str] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)  # ENTRYPOINT/CMD lines
    user: str = APP_USER
    replay_context: bool = False
    # Manifests first: before the whole-context COPY at this index, the manifest COPY line
    # and the index of the dependency install moved up with it.
    reorder: dict[int, tuple[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


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
    planner = {"go": _go, "rust": _rust, "node": _node, "python": _python, "java": _java}[stack]
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
    _runtime_packages(facts, plan, keep_packages)
    _manifests_first(facts, plan)
    _entry(facts, plan)
    _user(facts, plan)
    _writable(facts, plan)
    return plan


# --- stacks ---------------------------------------------------------------------------------


def _go(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
    flavour = runtime or "distroless"
    cgo = found.go_uses_cgo(facts.context_dir)
    env = facts.env()
    static = env.get("CGO_ENABLED") == "0" or _prefix_sets(facts, "CGO_ENABLED=0")
    plan = Plan("go", build_name, flavour, "", has_shell=False)
    builds_here = any("go" in s.builds for s in facts.steps)
    if not builds_here and not static:
        # The binary comes from an earlier stage: static only if that build says so.
        static = "CGO_ENABLED=0" in facts.prefix.replace(" ", "")
        cgo = cgo or (None if static else "the stage that builds it leaves cgo on")
    if not static and cgo is None:
        plan.build_head.append(
            "# Static binary: no C library needed at run time (no cgo in this module).\n"
            "ENV CGO_ENABLED=0"
        )
        plan.notes.append("Go built with CGO_ENABLED=0: a static binary (no cgo in the module)")
        static = True
    if not static:
        plan.doubts.append(f"cgo is used ({cgo}): the binary needs glibc; runtime has it")
        if flavour in ("scratch", "alpine"):
            raise UsageError(f"go: --runtime {flavour} needs a static binary, but {cgo}")
    plan.runtime_base = {
        "distroless": f"gcr.io/distroless/{'static' if static else 'base'}-{DISTROLESS}:nonroot",
        "scratch": "scratch",
        "slim": f"debian:{SUITE}-slim",
        "alpine": f"alpine:{ALPINE.version}",
    }[flavour]
    plan.has_shell = flavour in ("slim", "alpine")
    plan.artifacts = _binary(facts, found.go_outputs(facts))
    plan.doubts.append(
        "Go sources are not copied to the runtime: if the binary reads files at run time "
        "(templates, static assets, config), add them with --artifact PATH"
    )
    if flavour == "scratch":
        plan.doubts.append("scratch has no CA certificates or time zones: HTTPS clients need them")
    return plan


def _rust(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
    flavour = runtime or "distroless"
    sys_crates, proc_macros = found.rust_native(facts.context_dir)
    env = facts.env()
    plan = Plan("rust", build_name, flavour, "", has_shell=False)
    static = "crt-static" in env.get("RUSTFLAGS", "")
    if not static and not sys_crates and not proc_macros:
        plan.build_head.append(
            "# Static binary: no crate links a C library, so glibc is linked in.\n"
            'ENV RUSTFLAGS="-C target-feature=+crt-static"'
        )
        plan.notes.append("Rust built with crt-static: no -sys crate, the binary is static")
        static = True
    elif not static:
        why = f"{', '.join(sys_crates)} link C libraries" if sys_crates else "proc-macro crates"
        plan.doubts.append(f"not linked statically ({why}): the runtime needs glibc")
        if flavour in ("scratch", "alpine"):
            raise UsageError(f"rust: --runtime {flavour} needs a static binary, but {why}")
    if sys_crates:
        flavour = "slim" if runtime is None else flavour
        plan.runtime = flavour
        plan.doubts.append(
            f"{', '.join(sys_crates)}: install the libraries they link with --keep-package"
        )
    if "STRIP" not in " ".join(env) and "strip" not in env.get("RUSTFLAGS", ""):
        plan.build_head.append("ENV CARGO_PROFILE_RELEASE_STRIP=symbols")
    plan.runtime_base = {
        "distroless": f"gcr.io/distroless/{'static' if static else 'cc'}-{DISTROLESS}:nonroot",
        "scratch": "scratch",
        "slim": f"debian:{SUITE}-slim",
        "alpine": f"alpine:{ALPINE.version}",
    }[flavour]
    plan.has_shell = flavour in ("slim", "alpine")
    plan.artifacts = _binary(facts, found.rust_outputs(facts))
    return plan


def _binary(facts: StageFacts, outputs: list[str]) -> list[str]:
    """The built binary the entry point runs (by path, or by name among the outputs)."""
    program = facts.entry[0] if facts.entry else ""
    if program.startswith("/") or program.startswith("."):
        path = found.resolve(program, facts.final_workdir)
        return [path]
    for output in outputs:
        if posixpath.basename(output) == program:
            return [output]
    for path in found.entry_paths(facts):
        if path in outputs:
            return [path]
    # Copied in by name (`COPY --from=build /out/app /usr/local/bin/app`).
    for step in facts.steps:
        if step.keyword not in ("COPY", "ADD") or not step.instruction.args:
            continue
        dest = copy_destination(step)
        if dest.endswith("/" + program):
            return [dest]
        if dest.endswith("/") and posixpath.basename(step.instruction.args[0]) == program:
            return [dest + program]
    return []


def _node(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
    flavour = runtime or ("alpine" if base.alpine else "slim")
    plan = Plan("node", build_name, flavour, "", has_shell=flavour != "distroless")
    plan.replay_context = True
    dev = _dev_server(facts)
    if dev is not None:
        raise NotRewritable(
            f"{facts.dockerfile.path}: the image runs a development server (`{dev}`), which "
            "needs the devDependencies: there is no production runtime to split off"
        )
    installs = [s for s in facts.steps if s.dependency_installs]
    if not installs:
        raise NotRewritable(
            f"{facts.dockerfile.path}: no npm/yarn/pnpm install in the final stage: nothing "
            "to split into build and production dependencies"
        )
    install = installs[0]
    manager = install.dependency_installs[0]
    directory = install.workdir
    context = facts.context_dir
    lock = {
        "npm": ("package-lock.json", "npm-shrinkwrap.json"),
        "yarn": ("yarn.lock",),
        "pnpm": ("pnpm-lock.yaml",),
    }.get(manager, ())
    has_lock = context is not None and any((context / name).is_file() for name in lock)
    command = {
        "npm": "npm ci --omit=dev" if has_lock else "npm install --omit=dev",
        "yarn": "yarn install --production" + (" --frozen-lockfile" if has_lock else ""),
        "pnpm": "pnpm install --prod" + (" --frozen-lockfile" if has_lock else ""),
    }.get(manager)
    if command is None:
        raise NotRewritable(f"{facts.dockerfile.path}: {manager} installs are not handled")
    cache = {"npm": "/root/.npm", "yarn": "/usr/local/share/.cache/yarn"}.get(
        manager, "/root/.local/share/pnpm/store"
    )
    plan.extra_stages.append(
        f"# Production dependencies: a separate install without devDependencies.\n"
        f"FROM {build_name} AS {build_name}-deps\n"
        f"WORKDIR {directory}\n"
        f"RUN --mount=type=cache,target={cache} \\\n"
        f"    rm -rf node_modules && {command}"
    )
    plan.copies.append(
        f"COPY --from={build_name}-deps {directory}/node_modules {directory}/node_modules"
    )
    plan.notes.append(f"node_modules: a separate `{command}`, never the build's")
    if context is not None and (context / "node_modules").is_dir():
        ignore = read_text(context / ".dockerignore") or ""
        if "node_modules" not in ignore:
            plan.doubts.append(
                "the context holds node_modules and .dockerignore does not exclude it: the "
                "runtime's COPY of the sources would bring it (--write adds it)"
            )
    if any(s.builds for s in facts.steps):
        out_dir = found.node_out_dir(facts) or _guess_out_dir(facts)
        if out_dir:
            plan.artifacts.append(found.resolve(out_dir, directory))
    for path in found.entry_paths(facts):
        if not found.in_context(facts, path) and not any(
            path == a or path.startswith(a + "/") for a in plan.artifacts
        ):
            plan.artifacts.append(path)
    version = base.version if base.version and base.version[0].isdigit() else None
    if base.os_image:
        plan.runtime_base = _os_slim(base)
        plan.runtime = "slim"
        plan.has_shell = True
    elif flavour == "distroless":
        major = (version or NODE.version).split(".")[0]
        plan.runtime_base = f"gcr.io/distroless/nodejs{major}-{DISTROLESS}:nonroot"
    elif flavour == "alpine":
        plan.runtime_base = _alpine_tag("node", version or NODE.version, base)
    elif flavour == "slim":
        plan.runtime_base = _slim_tag("node", version, NODE.version, base)
    else:
        raise UsageError(
            f"node: --runtime {flavour} cannot run node; use slim, alpine or distroless"
        )
    return plan


def _guess_out_dir(facts: StageFacts) -> str | None:
    for path in found.entry_paths(facts):
        rel = posixpath.relpath(path, facts.final_workdir)
        if "/" in rel and not rel.startswith(".."):
            return rel.split("/", 1)[0]
    return "dist"


def _python(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
    flavour = runtime or ("alpine" if base.alpine else "slim")
    if flavour in ("scratch", "distroless"):
        raise UsageError(
            f"python: --runtime {flavour}: the virtualenv needs the build's Python; use slim"
        )
    plan = Plan("python", build_name, flavour, "", has_shell=True)
    plan.replay_context = True
    venv = _user_venv(facts)
    own_venv = venv is None
    if venv is None:
        first = next((i for i, s in enumerate(facts.steps) if "pip" in s.dependency_installs), None)
        if first is not None and facts.steps[first].inherited:
            raise NotRewritable(
                f"{facts.dockerfile.path}: pip installs into the system Python in a stage "
                "the final stage builds FROM: rewrite that stage"
            )
        if first is None:
            raise NotRewritable(
                f"{facts.dockerfile.path}: no pip install in the final stage: nothing to put "
                "in a virtualenv"
            )
        plan.build_before[first] = [
            "# A virtualenv: what pip installs is copied to the runtime in one piece.",
            f"RUN python3 -m venv {VENV}",
            f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"',
        ]
        venv = VENV
        plan.notes.append(f"dependencies installed into a virtualenv ({VENV}), copied alone")
    requirements = _requirements_text(facts)
    keep_setuptools = re.search(r"(?im)^\s*setuptools\b", requirements) is not None
    installers = "pip wheel" if keep_setuptools else "pip setuptools wheel"
    plan.build_tail.append(
        "# pip, setuptools and wheel only install: the runtime virtualenv does without.\n"
        f"RUN {venv}/bin/python -m pip uninstall --yes --quiet {installers}"
    )
    plan.copies.append(f"COPY --from={build_name} {venv} {venv}")
    if own_venv:
        plan.runtime_env.append(f'ENV VIRTUAL_ENV={venv} PATH="{venv}/bin:$PATH"')
    for path in found.entry_paths(facts):
        if not found.in_context(facts, path) and not path.startswith(venv + "/"):
            plan.artifacts.append(path)
    if base.os_image:
        plan.runtime_base = _os_slim(base)
        plan.runtime = "slim"
    elif flavour == "alpine":
        plan.runtime_base = _alpine_tag("python", base.version or PYTHON.version, base)
        if not base.alpine:
            plan.doubts.append("alpine: a virtualenv built on glibc breaks on musl")
    else:
        plan.runtime_base = _slim_tag("python", base.version, PYTHON.version, base)
    for tool in ("poetry", "pipenv", "uv"):
        if any(tool in s.dependency_installs for s in facts.steps):
            plan.doubts.append(f"{tool} installs: assumed to install into the active virtualenv")
    return plan


def _user_venv(facts: StageFacts) -> str | None:
    for step in facts.steps:
        for command in step.commands:
            argv = command.argv
            if command.program.startswith("python") and argv[1:3] == ["-m", "venv"]:
                target = next((w for w in argv[3:] if not w.startswith("-")), None)
            elif command.program == "virtualenv":
                target = next((w for w in argv[1:] if not w.startswith("-")), None)
            else:
                continue
            if target is None:
                return None
            env = facts.graph.env_before(step.instruction)
            return found.resolve(_expand(target, env), step.workdir)
    return None


def _expand(word: str, env: Mapping[str, str]) -> str:
    """$NAME and ${NAME} from the environment in effect (unknown names kept)."""
    return re.sub(
        r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), m.group(0)), word
    )


def _requirements_text(facts: StageFacts) -> str:
    context = facts.context_dir
    if context is None:
        return ""
    parts = []
    for name in ("requirements.txt", "requirements/prod.txt", "requirements/base.txt"):
        parts.append(read_text(context / name) or "")
    pyproject = read_text(context / "pyproject.toml") or ""
    parts.append(pyproject)
    return "\n".join(parts)


def _java(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
    flavour = runtime or "slim"
    version = base.version if base.version and base.version.isdigit() else None
    plan = Plan("java", build_name, flavour, "", has_shell=True)
    entry_paths = found.entry_paths(facts)
    plan.artifacts = [p for p in entry_paths if not p.endswith((".sh",))]
    if not plan.artifacts:
        return plan  # make_plan asks for --artifact
    v = version or JAVA.version
    if flavour == "jlink":
        jar = next((a for a in plan.artifacts if a.endswith(".jar")), None)
        target = jar or plan.artifacts[0]
        plan.build_tail.append(
            "# A Java runtime of only the modules the app uses (jdeps), made with jlink.\n"
            'RUN jlink --add-modules "$(jdeps --print-module-deps --ignore-missing-deps '
            f'--multi-release {v} {target})" \\\n'
            "    --strip-debug --no-man-pages --no-header-files --compress=2 "
            f"--output {JLINK_HOME}"
        )
        plan.copies.append(f"COPY --from={build_name} {JLINK_HOME} {JLINK_HOME}")
        plan.runtime_env.append(f'ENV JAVA_HOME={JLINK_HOME} PATH="{JLINK_HOME}/bin:$PATH"')
        plan.runtime_base = f"debian:{SUITE}-slim"
        plan.notes.append("a jlink runtime of the modules jdeps reports, on Debian slim")
    elif flavour == "distroless":
        if v not in DISTROLESS_JAVA:
            raise UsageError(f"java: distroless has no Java {v} image; use --runtime slim")
        plan.runtime_base = f"gcr.io/distroless/java{v}-debian{DISTROLESS_JAVA[v]}:nonroot"
        plan.has_shell = False
    elif flavour == "alpine":
        plan.runtime_base = f"eclipse-temurin:{v}-jre-alpine"
    elif flavour == "slim":
        plan.runtime_base = f"eclipse-temurin:{v}-jre"
    else:
        raise UsageError(f"java: --runtime {flavour} has no JVM; use slim, distroless or jlink")
    return plan


# --- shared ---------------------------------------------------------------------------------


def _slim_tag(family: str, version: str | None, default: str, base: Base) -> str:
    if version and version[0].isdigit():
        suffix = f"-slim-{base.codename}" if base.codename else "-slim"
        if family == "node" and base.codename:
            suffix = f"-{base.codename}-slim"
        return f"{family}:{version}{suffix}"
    return (
        f"{family}:{default}-slim-{SUITE}" if family != "node" else f"node:{default}-{SUITE}-slim"
    )


def _alpine_tag(family: str, version: str, base: Base) -> str:
    """The alpine variant, on the same Alpine release when the original names one."""
    match = re.search(r"alpine(\d+\.\d+)", base.tag)
    return f"{family}:{version}-alpine{match.group(1) if match else ''}"


def _os_slim(base: Base) -> str:
    if base.family == "debian":
        return f"debian:{base.codename or SUITE}-slim"
    return base.reference  # ubuntu and alpine have no slimmer variant


def _prefix_sets(facts: StageFacts, assignment: str) -> bool:
    return any(assignment in s.text.replace(" ", "") for s in facts.steps if s.keyword == "RUN")


def _runtime_packages(facts: StageFacts, plan: Plan, keep: frozenset[str]) -> None:
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
        needs += native_needs("pip", requirement_names(_requirements_text(facts)))
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


def _entry(facts: StageFacts, plan: Plan) -> None:
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


def _user(facts: StageFacts, plan: Plan) -> None:
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


def _writable(facts: StageFacts, plan: Plan) -> None:
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


def _manifests_first(facts: StageFacts, plan: Plan) -> None:
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


_DEV_SERVERS = frozenset({"nodemon", "ts-node", "tsx", "ng", "vite", "webpack-dev-server"})
_DEV_SCRIPTS = frozenset({"dev", "develop", "watch", "serve", "start:dev"})


def _dev_server(facts: StageFacts) -> str | None:
    """The entry point's development server (`npm run dev`, `ng serve`, nodemon), if any."""
    words = facts.entry
    if not words:
        return None
    program = posixpath.basename(words[0])
    if program in _DEV_SERVERS or (program == "next" and words[1:2] == ["dev"]):
        return " ".join(words[:3])
    if program in ("npm", "yarn", "pnpm"):
        script = words[2] if words[1:2] == ["run"] and len(words) > 2 else words[1:2]
        name = script if isinstance(script, str) else (script[0] if script else "")
        if name in _DEV_SCRIPTS:
            return " ".join(words[:3])
        if name in ("start", "") and facts.context_dir is not None:
            return _start_uses_dev_dependency(facts.context_dir)
    return None


def _start_uses_dev_dependency(context: Path) -> str | None:
    import json

    try:
        package = json.loads(read_text(context / "package.json") or "{}")
    except ValueError:
        return None
    if not isinstance(package, dict):
        return None
    start = str((package.get("scripts") or {}).get("start", ""))
    dev = package.get("devDependencies") or {}
    first = start.split()[0] if start.split() else ""
    return f"npm start: {start}" if first and first in dev else None
