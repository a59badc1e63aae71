"""What the build produces that the runtime needs: from the build commands, from what
ENTRYPOINT/CMD name, and from ``--artifact``."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from slimage.limits import path_exists
from slimage.rewrite.facts import StageFacts, copy_destination, copy_sources
from slimage.stacks.project import read_text, read_toml


def resolve(path: str, workdir: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


def context_path(facts: StageFacts, container_path: str) -> str | None:
    """The context path a COPY put at ``container_path``, if a COPY from the context did."""
    for step in reversed(facts.steps):
        if step.keyword not in ("COPY", "ADD"):
            continue
        sources = copy_sources(step)
        if not sources:
            continue
        dest = copy_destination(step).rstrip("/") or "/"
        for source in sources:
            source = posixpath.normpath(source).lstrip("./") or "."
            if source == ".":
                if container_path == dest or container_path.startswith(dest.rstrip("/") + "/"):
                    return posixpath.relpath(container_path, dest)
            elif container_path == posixpath.join(dest, posixpath.basename(source)) or (
                len(sources) == 1 and container_path == dest
            ):
                return source
            elif container_path.startswith(dest.rstrip("/") + "/"):
                rel = posixpath.relpath(container_path, dest)
                return posixpath.join(source, rel)
    return None


def in_context(facts: StageFacts, container_path: str) -> bool:
    """Whether ``container_path`` is a file the build context holds (as COPY put it)."""
    rel = context_path(facts, container_path)
    if rel is None or facts.context_dir is None:
        return False
    return path_exists(facts.context_dir / rel)


# --- Go -------------------------------------------------------------------------------------


def go_outputs(facts: StageFacts) -> list[str]:
    outputs = []
    module = _go_module_name(facts.context_dir)
    for step in facts.steps:
        for command in step.commands:
            if command.program != "go" or command.subcommand not in ("build", "install"):
                continue
            argv = command.argv
            out = _option(argv, "-o")
            if command.subcommand == "build":
                if out:
                    target = resolve(out, step.workdir)
                    if out.endswith("/"):
                        target = posixpath.join(target, module or "app")
                    outputs.append(target)
                else:
                    packages = [w for w in argv[2:] if not w.startswith("-")]
                    name = _go_binary_name(packages, module, step.workdir)
                    outputs.append(posixpath.join(step.workdir, name))
            else:
                packages = [w for w in argv[2:] if not w.startswith("-")]
                name = _go_binary_name(packages, module, step.workdir)
                gopath = facts.graph.env_before(step.instruction).get("GOPATH", "/go")
                gobin = facts.graph.env_before(step.instruction).get("GOBIN")
                outputs.append(posixpath.join(gobin or posixpath.join(gopath, "bin"), name))
    return outputs


def _go_binary_name(packages: list[str], module: str | None, workdir: str) -> str:
    package = packages[0] if packages else "."
    if package in (".", "./"):
        return module or posixpath.basename(workdir) or "app"
    return posixpath.basename(package.rstrip("/").removesuffix("/..."))


def _go_module_name(context: Path | None) -> str | None:
    text = read_text(context / "go.mod") if context else None
    match = re.search(r"^\s*module\s+(\S+)", text or "", re.MULTILINE)
    return match.group(1).rstrip("/").rsplit("/", 1)[-1] if match else None


def go_uses_cgo(context: Path | None) -> str | None:
    """Why the Go build needs cgo (a file importing "C", a cgo-only module), or None."""
    if context is None:
        return None
    go_sum = read_text(context / "go.sum") or ""
    for module in ("mattn/go-sqlite3", "confluentinc/confluent-kafka-go", "go-gl/"):
        if module in go_sum:
            return f"{module} needs cgo"
    for count, path in enumerate(context.rglob("*.go")):
        if count > 2000 or "vendor" in path.parts:
            break
        text = read_text(path) or ""
        if re.search(r'^\s*import\s+"C"', text, re.MULTILINE):
            return f'{path.relative_to(context)} imports "C"'
    return None


# --- Rust -----------------------------------------------------------------------------------

NATIVE_CRATES = ("openssl-sys", "libsqlite3-sys", "pq-sys", "mysqlclient-sys", "libgit2-sys")


def rust_outputs(facts: StageFacts) -> list[str]:
    cargo = (read_toml(facts.context_dir / "Cargo.toml") if facts.context_dir else None) or {}
    package = cargo.get("package") or {}
    bins = [str(b["name"]) for b in cargo.get("bin") or [] if isinstance(b, dict) and "name" in b]
    if not bins and package.get("name"):
        bins = [str(package["name"])]
    outputs = []
    for step in facts.steps:
        env = facts.graph.env_before(step.instruction)
        for command in step.commands:
            if command.program != "cargo" or command.subcommand not in ("build", "install"):
                continue
            argv = command.argv
            chosen = [_option(argv, "--bin")] if _option(argv, "--bin") else bins
            if command.subcommand == "install":
                root = _option(argv, "--root") or env.get("CARGO_HOME", "/usr/local/cargo")
                outputs += [posixpath.join(root, "bin", b) for b in chosen if b]
                continue
            profile = "release" if ("--release" in argv or "-r" in argv) else "debug"
            target_dir = resolve(env.get("CARGO_TARGET_DIR", "target"), step.workdir)
            triple = _option(argv, "--target")
            directory = posixpath.join(target_dir, triple, profile) if triple else None
            outputs += [
                posixpath.join(directory or posixpath.join(target_dir, profile), b)
                for b in chosen
                if b
            ]
    return outputs


def rust_native(context: Path | None) -> tuple[list[str], bool]:
    """The -sys crates of Cargo.lock, and whether proc-macro crates are built."""
    lock = (read_text(context / "Cargo.lock") if context else None) or ""
    names = re.findall(r'^name = "([^"]+)"', lock, re.MULTILINE)
    return [n for n in names if n in NATIVE_CRATES], "proc-macro2" in names


# --- Node -----------------------------------------------------------------------------------


def node_out_dir(facts: StageFacts) -> str | None:
    context = facts.context_dir
    tsconfig = read_text(context / "tsconfig.json") if context else None
    match = re.search(r'"outDir"\s*:\s*"([^"]+)"', tsconfig or "")
    if match:
        return posixpath.normpath(match.group(1))
    package = read_text(context / "package.json") if context else None
    try:
        scripts = (json.loads(package) if package else {}).get("scripts") or {}
    except ValueError:
        scripts = {}
    build = scripts.get("build", "") if isinstance(scripts, dict) else ""
    match = re.search(r"(?:--outDir|--out-dir|--output-path|-o)[= ](\S+)", str(build))
    if match:
        return posixpath.normpath(match.group(1))
    return None


# --- shared ---------------------------------------------------------------------------------


def entry_paths(facts: StageFacts) -> list[str]:
    """Absolute paths the entry point names (program, scripts, jars, class paths)."""
    words = facts.entry
    paths = []
    skip_next = False
    for index, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        if word in ("-cp", "-classpath", "--class-path") and index + 1 < len(words):
            for part in words[index + 1].split(":"):
                part = part.removesuffix("/*").removesuffix("*")
                if part:
                    paths.append(resolve(part, facts.final_workdir))
            skip_next = True
            continue
        if word.startswith("-") or "=" in word or "$" in word or "*" in word:
            continue
        looks_like_path = "/" in word or re.search(r"\.(jar|js|mjs|cjs|py|sh)$", word)
        if looks_like_path:
            paths.append(resolve(word, facts.final_workdir))
    return paths


def _option(argv: list[str], name: str) -> str | None:
    for index, word in enumerate(argv):
        if word == name and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None
