"""Per stack, the runtime stage's base and what it needs from the build: Go and Rust
static binaries, Node's production install, Python's virtualenv, Java's jar or jlink
runtime. Each planner returns a :class:`~slimage.rewrite.plan.Plan` the common passes of
:mod:`slimage.rewrite.planner` complete.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from pathlib import Path

from slimage.errors import UsageError
from slimage.rewrite import artifacts as found
from slimage.rewrite.detect import Base
from slimage.rewrite.facts import StageFacts, copy_destination
from slimage.rewrite.plan import JLINK_HOME, VENV, NotRewritable, Plan
from slimage.stacks.images import DISTROLESS, SUITE
from slimage.stacks.project import read_text
from slimage.stacks.releases import ALPINE, DISTROLESS_JAVA, JAVA, NODE, PYTHON


def plan_go(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
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


def plan_rust(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
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


def plan_node(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
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


def plan_python(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
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
    requirements = requirements_text(facts)
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


def requirements_text(facts: StageFacts) -> str:
    context = facts.context_dir
    if context is None:
        return ""
    parts = []
    for name in ("requirements.txt", "requirements/prod.txt", "requirements/base.txt"):
        parts.append(read_text(context / name) or "")
    pyproject = read_text(context / "pyproject.toml") or ""
    parts.append(pyproject)
    return "\n".join(parts)


def plan_java(facts: StageFacts, base: Base, runtime: str | None, build_name: str) -> Plan:
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


PLANNERS = {
    "go": plan_go,
    "rust": plan_rust,
    "node": plan_node,
    "python": plan_python,
    "java": plan_java,
}


def _prefix_sets(facts: StageFacts, assignment: str) -> bool:
    return any(assignment in s.text.replace(" ", "") for s in facts.steps if s.keyword == "RUN")
