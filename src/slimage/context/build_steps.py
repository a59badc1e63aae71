"""What the Dockerfile's RUN steps do with the build context: the paths they produce.

A project's metadata names files its build reads (``package.json`` ``main``, a readme),
and the ignore-file suggestion keeps them. When a RUN in a stage that receives the
context creates such a path itself (``npm run build`` compiling into ``dist``), the
context copy is not needed and may be ignored. This module reads the RUN scripts of
those stages, with the ``package.json`` scripts they call, and finds the paths they
write: ``mkdir``/``touch`` operands, redirections, ``--outDir``-style options, the output
directory of ``tsconfig.json``, and the default output of well-known build tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from slimage.errors import InputError
from slimage.limits import loads_json
from slimage.stacks.project import read_text

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile
    from slimage.dockerfile.stages import StageGraph

_TOKEN_SPLIT = re.compile(r"""[\s;&|()'"`]+""")
_OUTPUT_OPTIONS = frozenset(
    {"--outdir", "--out-dir", "--outfile", "--output", "--output-path", "--dist-dir", "-o"}
)
_CREATORS = frozenset({"mkdir", "touch"})
# Build commands and the directory they write by default (relative to the working dir).
_DEFAULT_OUTPUTS: dict[tuple[str, str | None], tuple[str, ...]] = {
    ("vite", "build"): ("dist",),
    ("webpack", None): ("dist",),
    ("parcel", "build"): ("dist",),
    ("ng", "build"): ("dist",),
    ("vue-cli-service", "build"): ("dist",),
    ("react-scripts", "build"): ("build",),
    ("next", "build"): (".next",),
    ("nuxt", "build"): (".nuxt", ".output"),
    ("cargo", "build"): ("target",),
    ("mvn", "package"): ("target",),
    ("mvn", "install"): ("target",),
    ("gradle", "build"): ("build",),
    ("poetry", "build"): ("dist",),
    ("uv", "build"): ("dist",),
    ("build", None): ("dist",),  # python -m build
}
_SCRIPT_RUNNERS = {"npm": ("run", "run-script"), "yarn": ("run",), "pnpm": ("run",)}
_NPM_SHORTCUTS = frozenset({"test", "start", "build"})
_TEST_RUNNERS = frozenset({"pytest", "py.test", "tox", "nox", "unittest"})


def context_stages(graph: StageGraph) -> set[int]:
    """Stages that receive files from the build context, and the stages built on them."""
    found: set[int] = set()
    for stage in graph.stages:
        copies_context = any(
            i.keyword in ("COPY", "ADD") and i.flag("from") is None for i in stage.instructions
        )
        if copies_context or (stage.base_stage is not None and stage.base_stage in found):
            found.add(stage.index)
    return found


def build_scripts(df: Dockerfile, graph: StageGraph, root: Path) -> list[str]:
    """The shell text of every RUN in a context stage, with the package.json scripts
    (and their pre/post hooks) that ``npm run NAME`` and the like call."""
    stages = context_stages(graph)
    texts = [
        i.rest + "".join(h.content for h in i.heredocs)
        for stage in graph.stages
        if stage.index in stages
        for i in stage.instructions
        if i.keyword == "RUN"
    ]
    scripts = _package_scripts(root)
    pending = list(texts)
    seen: set[str] = set()
    while pending:
        words = _words(pending.pop())
        for name in _called_scripts(words):
            for hook in (f"pre{name}", name, f"post{name}"):
                if hook in scripts and hook not in seen:
                    seen.add(hook)
                    texts.append(scripts[hook])
                    pending.append(scripts[hook])
    return texts


def produced_paths(texts: Iterable[str], root: Path) -> set[str]:
    """Context-relative paths (first components, cleaned) the scripts write."""
    produced: set[str] = set()
    for text in texts:
        words = _words(text)
        for index, word in enumerate(words):
            following = words[index + 1] if index + 1 < len(words) else ""
            option, _, value = word.partition("=")
            if option.lower() in _OUTPUT_OPTIONS:
                produced.add(value or following)
            elif word in (">", ">>"):
                produced.add(following)
            elif word.startswith(">") and len(word) > 1:
                produced.add(word.lstrip(">"))
            elif word in _CREATORS:
                produced.update(w for w in words[index + 1 :] if not w.startswith("-"))
            elif word == "tsc":
                produced.update(_tsconfig_out_dirs(root))
            for (program, subcommand), outputs in _DEFAULT_OUTPUTS.items():
                if word == program and (subcommand is None or following == subcommand):
                    produced.update(outputs)
    return {_first_component(path) for path in produced if _first_component(path)}


def runs_tests(texts: Iterable[str]) -> bool:
    """Whether a script runs a test suite (then ``tests/`` is needed in the context)."""
    for text in texts:
        words = _words(text)
        if _TEST_RUNNERS.intersection(words) or any("tests" in w for w in words):
            return True
    return False


def _words(text: str) -> list[str]:
    text = text.replace("\\\n", " ")
    return [w for w in _TOKEN_SPLIT.split(text) if w]


def _called_scripts(words: list[str]) -> list[str]:
    names: list[str] = []
    for index, word in enumerate(words[:-1]):
        following = words[index + 1]
        runner = _SCRIPT_RUNNERS.get(word)
        if runner is None:
            continue
        if following in runner and index + 2 < len(words):
            names.append(words[index + 2])
        elif following in _NPM_SHORTCUTS or (word != "npm" and not following.startswith("-")):
            names.append(following)  # npm test, yarn build, pnpm build
    return names


def _package_scripts(root: Path) -> dict[str, str]:
    text = read_text(root / "package.json", quiet=True)
    try:
        data = loads_json(text, "package.json") if text is not None else None
    except InputError:
        return {}
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return {}
    return {str(k): v for k, v in scripts.items() if isinstance(v, str)}


def _tsconfig_out_dirs(root: Path) -> set[str]:
    # tsconfig.json allows comments and trailing commas, so read the one key by pattern.
    text = read_text(root / "tsconfig.json", quiet=True)
    if text is None:
        return set()
    return set(re.findall(r'"(?:outDir|outFile)"\s*:\s*"([^"]+)"', text))


def _first_component(path: str) -> str:
    parts = [p for p in path.strip().split("/") if p not in ("", ".")]
    if not parts or path.strip().startswith("/") or parts[0] == "..":
        return ""
    return parts[0]
