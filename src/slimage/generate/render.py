"""Turn a detected :class:`Project` into a multi-stage Dockerfile (text only, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from slimage.errors import UsageError
from slimage.stacks.base_entrypoints import base_entrypoint
from slimage.stacks.images import RUNTIME_NOTES, default_images, default_runtime, substitute
from slimage.stacks.native import (
    NATIVE_PACKAGES,
    build_packages,
    native_needs,
    runtime_packages,
)
from slimage.stacks.project import Project, read_text

_TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Dockerfiles, not HTML
    )


def render_dockerfile(
    project: Project,
    *,
    runtime: str | None = None,
    port: int | None = None,
    base_images: Mapping[str, str] | None = None,
) -> str:
    runtime = runtime or default_runtime(project)
    if port is not None:
        project.port = port
    defaults = default_images(project, runtime)
    images = substitute(defaults, base_images or {})
    context: dict[str, Any] = {
        "project": project,
        "runtime": runtime,
        "runtime_note": RUNTIME_NOTES[runtime],
        "images": images,
        # What CMD holds: the entry, less the interpreter the runtime image's own
        # ENTRYPOINT runs (distroless nodejs: CMD ["node", "x.js"] would run `node node x.js`).
        "command": cmd_words(project.entry, defaults["runtime"]),
        "interpreter_entrypoint": base_entrypoint(defaults["runtime"]),
    }
    context.update(_STACK_CONTEXT[project.stack](project, runtime))
    template = _environment().get_template(f"{project.stack}.Dockerfile.j2")
    text: str = template.render(**context)
    return _squeeze_blank_lines(text)


def cmd_words(entry: list[str], runtime_image: str) -> list[str]:
    """``entry`` as CMD words on ``runtime_image``: without the interpreter (and its
    options, ``-jar``) when the image's ENTRYPOINT already runs it (slimage.stacks'
    table of known bases; the same one lint's SL3028 reads)."""
    known = base_entrypoint(runtime_image)
    if known is None or not entry:
        return entry
    words = entry[1:] if known.repeats(entry[0]) else entry
    options = list(known.options)
    if options and words[: len(options)] == options:
        words = words[len(options) :]
    return words or entry


def _squeeze_blank_lines(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        if line.strip() == "" and out and out[-1].strip() == "":
            continue
        out.append(line.rstrip())
    return "\n".join(out).strip("\n") + "\n"


def _go(project: Project, runtime: str) -> dict[str, Any]:
    return {}


def _rust(project: Project, runtime: str) -> dict[str, Any]:
    return {}


_NODE = {
    # manager: (cache dir, setup, production install, full install, build)
    "npm": ("/root/.npm", "", "npm ci --omit=dev", "npm ci", "npm run build"),
    "pnpm": (
        "/root/.local/share/pnpm/store",
        "corepack enable",
        "pnpm install --frozen-lockfile --prod",
        "pnpm install --frozen-lockfile",
        "pnpm run build",
    ),
    "yarn": (
        "/usr/local/share/.cache/yarn",
        "",
        "yarn install --frozen-lockfile --production",
        "yarn install --frozen-lockfile",
        "yarn run build",
    ),
    "yarn-berry": (
        "/root/.yarn/berry/cache",
        "corepack enable",
        "yarn workspaces focus --all --production",
        "yarn install --immutable",
        "yarn run build",
    ),
    "bun": (
        "/root/.bun/install/cache",
        "",
        "bun install --frozen-lockfile --production",
        "bun install --frozen-lockfile",
        "bun run build",
    ),
}


def _node(project: Project, runtime: str) -> dict[str, Any]:
    cache_dir, setup, prod, full, build = _NODE[project.package_manager]
    lockfile = project.facts.get("lockfile")
    manifests = ["package.json"]
    if lockfile:
        manifests.append(lockfile)
    elif project.package_manager == "npm":
        # Without a lockfile `npm ci` refuses to run; install from package.json instead.
        prod, full = "npm install --omit=dev", "npm install"
        project.notes.append("no package-lock.json: commit one for reproducible installs")
    if project.package_manager == "yarn-berry" and (project.root / ".yarnrc.yml").is_file():
        manifests.append(".yarnrc.yml")
    if project.package_manager == "bun" and project.entry[:1] == ["node"]:
        project.entry = ["bun", *project.entry[1:]]
    output = str(project.facts.get("build_output") or "dist")
    entry_files = [w for w in project.entry[1:] if w.endswith((".js", ".mjs", ".cjs"))]
    # The runtime needs the sources too when the start file is not a build output.
    copy_source = any(not f.lstrip("./").startswith(output + "/") for f in entry_files)
    distroless = runtime == "distroless"
    native = native_needs("npm", project.needs_glibc)
    # bun and alpine images have no apt; native addons refuse alpine already.
    apt = project.package_manager != "bun" and runtime != "alpine"
    return {
        # distroless's "nonroot" user, else the official node images' "node" user.
        "user": "65532:65532" if distroless else "1000:1000",
        "user_note": 'distroless\'s "nonroot" user (uid 65532)'
        if distroless
        else 'the official node images\' "node" user (uid 1000)',
        "native_build": " ".join(build_packages(native)) if apt else "",
        "copy_source": copy_source,
        "manifests": manifests,
        "cache_dir": cache_dir,
        "setup": setup,
        "install_prod": prod,
        "install_all": full,
        "run_build": build,
    }


_PIP_CACHE = "--mount=type=cache,target=/root/.cache/pip"


def _python(project: Project, runtime: str) -> dict[str, Any]:
    facts = project.facts
    manager = project.package_manager
    extra = " gunicorn" if facts.get("server") == "gunicorn" else " uvicorn"
    server = extra if facts.get("server_missing") else ""
    steps: list[str] = []
    copy_source = True
    tools = "python3 -m venv /opt/tools && /opt/tools/bin/pip install"
    if manager == "uv":
        steps += [
            "# uv lives in its own venv so that it never reaches the runtime image.",
            f"RUN {_PIP_CACHE} \\\n    {tools} uv",
            "ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy",
            "# Dependencies first: rebuilt only when pyproject.toml or uv.lock change.",
            "COPY pyproject.toml uv.lock ./",
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    /opt/tools/bin/uv sync --frozen --no-dev --no-install-project",
            "COPY . .",
        ]
        if facts.get("install_project"):
            steps.append(
                "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
                "    /opt/tools/bin/uv sync --frozen --no-dev --no-editable"
            )
        if server:
            steps.append(f"RUN {_PIP_CACHE} \\\n    pip install{server}")
    elif manager == "poetry":
        steps += [
            "# Poetry lives in its own venv so that it never reaches the runtime image.",
            f"RUN {_PIP_CACHE} \\\n    {tools} poetry",
            "COPY pyproject.toml poetry.lock ./",
            "RUN --mount=type=cache,target=/root/.cache/pypoetry \\\n"
            "    /opt/tools/bin/poetry install --only main --no-root --no-interaction",
            "COPY . .",
        ]
        if facts.get("install_project"):
            steps.append(
                f"RUN {_PIP_CACHE} \\\n"
                "    /opt/tools/bin/poetry build --format wheel && pip install --no-deps dist/*.whl"
            )
        if server:
            steps.append(f"RUN {_PIP_CACHE} \\\n    pip install{server}")
    elif manager in {"pdm", "pipenv"}:
        export = {
            "pdm": "/opt/tools/bin/pdm export --prod --without-hashes -o /tmp/requirements.txt",
            "pipenv": "/opt/tools/bin/pipenv requirements > /tmp/requirements.txt",
        }[manager]
        lock = {"pdm": "pdm.lock", "pipenv": "Pipfile.lock"}[manager]
        manifest = "pyproject.toml" if manager == "pdm" else "Pipfile"
        steps += [
            f"# {manager} only exports the locked requirements; pip installs them.",
            f"RUN {_PIP_CACHE} \\\n    {tools} {manager}",
            f"COPY {manifest} {lock} ./",
            f"RUN {_PIP_CACHE} \\\n    {export} && pip install -r /tmp/requirements.txt{server}",
            "COPY . .",
        ]
    else:
        requirements = facts.get("requirements")
        if requirements:
            steps += [
                "# Dependencies first: rebuilt only when the requirements change.",
                f"COPY {requirements} ./{requirements}",
                f"RUN {_PIP_CACHE} \\\n    pip install -r {requirements}{server}",
            ]
            if facts.get("install_project"):
                steps += ["COPY . .", f"RUN {_PIP_CACHE} \\\n    pip install --no-deps ."]
                copy_source = project.entry[:1] != [project.name]
        else:
            steps += ["COPY . .", f"RUN {_PIP_CACHE} \\\n    pip install .{server}"]
            copy_source = project.entry[:1] not in ([project.name],)
    # The installers only install: drop them from the runtime venv, except setuptools when
    # the app asks for it (pkg_resources users).
    installers = "pip wheel" if facts.get("needs_setuptools") else "pip setuptools wheel"
    steps += [
        "# pip and setuptools only install; the runtime virtualenv does not need them.",
        f"RUN python -m pip uninstall --yes --quiet {installers}",
    ]
    needs = [
        n for n in NATIVE_PACKAGES if n.ecosystem == "pip" and n.name in facts.get("native", [])
    ]
    return {
        "steps": steps,
        "copy_source": copy_source,
        "build_packages": " ".join(build_packages(needs)),
        "runtime_packages": " ".join(runtime_packages(needs)),
        "native_note": ", ".join(f"{n.name} {n.why}" for n in needs),
    }


_JAR_PICK = (
    # The first jar that is not Gradle's plain jar, the shade plugin's original-*.jar, or a
    # sources/javadoc jar; fail the build when none is.
    'mkdir -p /out && for jar in {dir}/*.jar; do case "$jar" in '
    "*-plain.jar|*/original-*.jar|*-sources.jar|*-javadoc.jar) ;; "
    '*) cp "$jar" /out/app.jar; break;; esac; done && test -f /out/app.jar'
)


def _java(project: Project, runtime: str) -> dict[str, Any]:
    wrapper = bool(project.facts.get("wrapper"))
    steps: list[str] = []
    if project.package_manager == "javac":
        return {"steps": _javac_steps(project), "user": _java_user(runtime)}
    if not project.facts.get("spring_boot") and project.entry[:2] == ["java", "-jar"]:
        name = "pom.xml" if project.package_manager == "maven" else _gradle_build(project.root)
        build = read_text(project.root / name) if name else None
        notes = java_jar_notes(project.package_manager, build or "")
        project.notes += [note for note in notes if note not in project.notes]
    if project.package_manager == "maven":
        tool = "./mvnw" if wrapper else "mvn"
        cache = "--mount=type=cache,target=/root/.m2"
        steps.append("COPY mvnw pom.xml ./\nCOPY .mvn .mvn" if wrapper else "COPY pom.xml ./")
        steps += [
            "# Dependencies first: rebuilt only when pom.xml changes.",
            f"RUN {cache} \\\n    {tool} -B -q dependency:go-offline",
            "COPY src ./src",
            f"RUN {cache} \\\n    {tool} -B -q package -DskipTests && \\\n    "
            + _JAR_PICK.format(dir="target"),
        ]
    else:
        tool = "./gradlew" if wrapper else "gradle"
        cache = "--mount=type=cache,target=/root/.gradle"
        task = "bootJar" if project.facts.get("spring_boot") else "jar"
        copy = (
            "COPY gradlew settings.gradle* build.gradle* ./\nCOPY gradle gradle"
            if wrapper
            else ("COPY settings.gradle* build.gradle* ./")
        )
        steps += [
            copy,
            "# Dependencies first: rebuilt only when the build files change.",
            f"RUN {cache} \\\n    {tool} --no-daemon -q dependencies",
            "COPY src ./src",
            f"RUN {cache} \\\n    {tool} --no-daemon -q {task} -x test && \\\n    "
            + _JAR_PICK.format(dir="build/libs"),
        ]
    return {"steps": steps, "user": _java_user(runtime)}


def _java_user(runtime: str) -> str:
    return "65532:65532" if runtime == "distroless" else "10001:10001"


def _javac_steps(project: Project) -> list[str]:
    """Compile with javac and package with jar: a Java project without Maven or Gradle.

    The jar names its main class and, for jars in lib/, a Class-Path (the JAR File
    Specification's main attributes), so `java -jar` runs it as it is.
    """
    facts = project.facts
    roots = [str(r) for r in facts.get("source_roots") or ["."]]
    libraries = [str(name) for name in facts.get("libraries") or []]
    steps = ["COPY . ." if "." in roots else "\n".join(f"COPY {r} ./{r}" for r in roots)]
    if libraries:
        steps.append("COPY lib ./lib")
    classpath = " -cp 'lib/*'" if libraries else ""
    find = " ".join(roots)
    compile_ = (
        f"mkdir -p /out/classes && \\\n    javac --release {project.language_version}{classpath} "
        f"-d /out/classes $(find {find} -name '*.java' -not -path '*/src/test/*')"
    )
    if facts.get("resources") and "src/main/resources" not in roots:
        steps.append("COPY src/main/resources ./src/main/resources")
        compile_ += " && \\\n    cp -R src/main/resources/. /out/classes/"
    manifest = ""
    if libraries:
        entries = " ".join(f"lib/{name}" for name in libraries)
        compile_ += f" && \\\n    printf 'Class-Path: %s\\n' '{entries}' > /out/manifest.txt"
        manifest = " --manifest /out/manifest.txt"
    compile_ += (
        f" && \\\n    jar --create --file /out/app.jar --main-class {facts['main_class']}"
        f"{manifest} -C /out/classes ."
    )
    steps += ["# javac and jar come with the JDK: no build tool to install.", f"RUN {compile_}"]
    return steps


def _gradle_build(root: Path) -> str | None:
    for name in ("build.gradle.kts", "build.gradle"):
        if (root / name).is_file():
            return name
    return None


# Plugins that build a jar carrying the app's dependencies (and usually its Main-Class).
_FAT_JAR_PLUGINS = ("maven-shade-plugin", "maven-assembly-plugin")
# Scopes Maven leaves off the runtime classpath.
_NOT_RUNTIME_SCOPES = {"test", "provided", "system", "import"}


def java_jar_notes(tool: str, build: str) -> list[str]:
    """Why `java -jar` would fail on the jar this build makes (empty when it would run).

    `java -jar` reads Main-Class from the jar's manifest and ignores -cp, so the jar must
    name its main class and carry its dependencies (the JAR File Specification, "Main
    Attributes"). Neither Maven's nor Gradle's plain jar does either by default; Gradle's
    `application { mainClass }` only feeds its start scripts, not the manifest.
    """
    notes = []
    names_main = "Main-Class" in build or (tool == "maven" and "<mainClass>" in build)
    if not names_main:
        where = (
            "maven-jar-plugin's <archive><manifest><mainClass>"
            if tool == "maven"
            else "jar { manifest { attributes('Main-Class': ...) } }"
        )
        notes.append(f"`java -jar` needs a Main-Class in the jar's manifest: set it with {where}")
    fat = any(plugin in build for plugin in _FAT_JAR_PLUGINS)
    if tool == "maven" and not fat and _maven_runtime_dependencies(build):
        notes.append(
            "the jar does not carry its dependencies: build it with maven-shade-plugin "
            "or maven-assembly-plugin so that `java -jar` finds them"
        )
    return notes


def _maven_runtime_dependencies(pom: str) -> bool:
    """True when the pom's own <dependencies> need something at run time."""
    import xml.etree.ElementTree as ElementTree

    try:
        project = ElementTree.fromstring(pom)
    except ElementTree.ParseError:
        return False
    for child in project:
        if _local(child.tag) != "dependencies":
            continue
        for dependency in child:
            scope = next((_text(e) for e in dependency if _local(e.tag) == "scope"), "compile")
            optional = any(_local(e.tag) == "optional" and _text(e) == "true" for e in dependency)
            if scope not in _NOT_RUNTIME_SCOPES and not optional:
                return True
    return False


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _text(element: Any) -> str:
    return str(element.text or "").strip()


_STACK_CONTEXT = {
    "go": _go,
    "rust": _rust,
    "node": _node,
    "python": _python,
    "java": _java,
}


def check_runtime(runtime: str | None) -> None:
    from slimage.stacks.images import RUNTIMES

    if runtime is not None and runtime not in RUNTIMES:
        raise UsageError(f"--runtime {runtime!r}: expected one of {', '.join(RUNTIMES)}")
