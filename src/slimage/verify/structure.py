"""container-structure-test files (schemaVersion 2.0.0), run without Docker.

The four test kinds of the format: ``commandTests`` (each in a fresh container, its
command replacing the entry point, as container-structure-test does),
``fileExistenceTests`` and ``fileContentTests`` (read from a container that is created,
never started: mounted where the runtime allows, else ``cp CONTAINER:PATH -``), and the
``metadataTest`` (the image's config). ``globalEnvVars`` apply to command tests. A key
slimage does not run (``licenseTests``, a command test's ``setup``/``teardown``,
``containerRunOptions``) is a failed check saying so, never a silent pass. YAML needs
PyYAML (``slimage[verify]``); a ``.json`` file needs nothing.
"""

from __future__ import annotations

import json
import posixpath
import re
import stat
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from slimage.errors import ConfigError, InputNotFound, ToolError
from slimage.report.safe_text import clean
from slimage.verify.model import Check
from slimage.verify.runtime import ContainerRuntime, last_line

CONTENT_LIMIT = 16 << 20  # a file content test reads at most this much
SYMLINK_HOPS = 8
KNOWN_KEYS = {
    "schemaVersion",
    "commandTests",
    "fileExistenceTests",
    "fileContentTests",
    "metadataTest",
    "globalEnvVars",
}


def load_structure_tests(path: Path) -> dict[str, Any]:
    """The test file as a mapping; ConfigError (exit 2) when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputNotFound(f"{path}: no such file") from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ConfigError(f"{path}: not JSON ({error})") from None
    else:
        try:
            import yaml
        except ImportError:
            raise ConfigError(
                f"{path}: reading YAML needs PyYAML (pip install 'slimage[verify]')"
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not YAML ({' '.join(str(error).split())})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with commandTests, fileExistenceTests, ...")
    version = str(data.get("schemaVersion", ""))
    if not version.startswith("2."):
        raise ConfigError(f"{path}: schemaVersion {version!r}; slimage reads 2.0.0")
    return data


def run_structure_tests(
    engine: ContainerRuntime, image: str, name: str, path: Path, timeout: float
) -> list[Check]:
    """Each command test gets ``timeout`` seconds to run (its container's creation is
    bounded apart, as the image's own start is)."""
    data = load_structure_tests(path)
    checks = [
        Check(image, "unsupported", key, False, f"{key} is not supported by slimage verify")
        for key in data
        if key not in KNOWN_KEYS
    ]
    global_env = _env_pairs(data.get("globalEnvVars"), path)
    for test in _tests(data, "commandTests", path):
        checks.append(_command_test(engine, image, name, test, global_env, timeout))
    file_tests = [
        *(("file-existence", test) for test in _tests(data, "fileExistenceTests", path)),
        *(("file-content", test) for test in _tests(data, "fileContentTests", path)),
    ]
    if file_tests:
        container = engine.create(name)
        for kind, test in file_tests:
            check = _existence_test if kind == "file-existence" else _content_test
            checks.append(check(engine, image, container, test))
    metadata = data.get("metadataTest")
    if metadata:
        if not isinstance(metadata, dict):
            raise ConfigError(f"{path}: metadataTest must be a mapping")
        checks.append(metadata_check(image, engine.image_config(name), metadata))
    return checks


def _tests(data: Mapping[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    tests = data.get(key) or []
    if not isinstance(tests, list) or not all(isinstance(test, dict) for test in tests):
        raise ConfigError(f"{path}: {key} must be a list of mappings")
    for test in tests:
        if not isinstance(test.get("name"), str):
            raise ConfigError(f"{path}: every entry of {key} needs a name")
    return tests


def _env_pairs(value: Any, path: Path) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and "key" in item for item in value
    ):
        raise ConfigError(f"{path}: envVars must be a list of {{key, value}} mappings")
    return [(str(item["key"]), str(item.get("value", ""))) for item in value]


def _command_test(
    engine: ContainerRuntime,
    image: str,
    name: str,
    test: Mapping[str, Any],
    global_env: list[tuple[str, str]],
    timeout: float,
) -> Check:
    label = str(test["name"])
    if test.get("setup") or test.get("teardown"):
        return Check(image, "command-test", label, False, "setup and teardown are not supported")
    command = test.get("command")
    if not isinstance(command, str) or not command:
        return Check(image, "command-test", label, False, "no command given")
    argv = [command, *[str(arg) for arg in test.get("args") or []]]
    env = [*global_env, *_env_pairs(test.get("envVars"), Path(label))]
    done = engine.run_once(name, argv, entrypoint=True, env=env, timeout=timeout)
    problems = []
    expected_code = int(test.get("exitCode", 0))
    if done.status != expected_code:
        problems.append(
            f"exit status {done.status}, expected {expected_code}"
            + (f" ({clean(last_line(done))})" if done.status != 0 else "")
        )
    problems += _regex_problems("stdout", done.stdout, test.get("expectedOutput"), True)
    problems += _regex_problems("stdout", done.stdout, test.get("excludedOutput"), False)
    problems += _regex_problems("stderr", done.stderr, test.get("expectedError"), True)
    problems += _regex_problems("stderr", done.stderr, test.get("excludedError"), False)
    return _result(image, "command-test", label, problems, f"exit status {done.status}")


def _regex_problems(what: str, text: str, patterns: Any, expected: bool) -> list[str]:
    problems = []
    for pattern in patterns or []:
        try:
            # As Go's regexp, which container-structure-test uses: ^ and $ anchor the
            # whole text, not each line.
            found = re.search(str(pattern), text) is not None
        except re.error as error:
            problems.append(f"bad regex {pattern!r}: {error}")
            continue
        if found != expected:
            verb = "does not match" if expected else "matches excluded"
            problems.append(f"{what} {verb} {pattern!r}")
    return problems


def _result(image: str, kind: str, label: str, problems: list[str], good: str) -> Check:
    if problems:
        return Check(image, kind, label, False, "; ".join(problems))
    return Check(image, kind, label, True, good)


def read_member(
    engine: ContainerRuntime, container: str, path: str, want_content: bool
) -> tuple[tarfile.TarInfo, bytes] | None:
    """``path`` in the container, symlinks followed: its tar header and (for regular
    files, when asked) its first CONTENT_LIMIT bytes; None when it does not exist."""
    for _ in range(SYMLINK_HOPS):
        with engine.copy_out(container, path) as stream:
            try:
                with tarfile.open(fileobj=stream, mode="r|") as archive:
                    member = archive.next()
                    if member is None:
                        return None
                    if member.issym():
                        link = posixpath.join(posixpath.dirname(path), member.linkname)
                        path = posixpath.normpath(link)
                        continue
                    content = b""
                    if want_content and member.isfile():
                        handle = archive.extractfile(member)
                        content = handle.read(CONTENT_LIMIT) if handle is not None else b""
                    return member, content
            except tarfile.TarError:
                return None
    raise ToolError(f"{path}: more than {SYMLINK_HOPS} symbolic links to follow")


def _mode(member: tarfile.TarInfo) -> int:
    kind = stat.S_IFDIR if member.isdir() else stat.S_IFREG
    if member.ischr():
        kind = stat.S_IFCHR
    elif member.isblk():
        kind = stat.S_IFBLK
    elif member.isfifo():
        kind = stat.S_IFIFO
    return kind | (member.mode & 0o7777)


def _existence_test(
    engine: ContainerRuntime, image: str, container: str, test: Mapping[str, Any]
) -> Check:
    label = str(test["name"])
    path = str(test.get("path", ""))
    should_exist = bool(test.get("shouldExist", True))
    found = read_member(engine, container, path, want_content=False)
    if found is None:
        problems = [f"{path} does not exist"] if should_exist else []
        return _result(image, "file-existence", label, problems, f"{path} is absent")
    if not should_exist:
        return _result(image, "file-existence", label, [f"{path} exists"], "")
    member, _ = found
    mode = _mode(member)
    problems = []
    permissions = test.get("permissions")
    if permissions is not None and stat.filemode(mode) != str(permissions):
        problems.append(f"permissions {stat.filemode(mode)}, expected {permissions}")
    for key, actual in (("uid", member.uid), ("gid", member.gid)):
        if key in test and int(test[key]) != actual:
            problems.append(f"{key} {actual}, expected {test[key]}")
    executable_by = test.get("isExecutableBy")
    if executable_by is not None:
        bits = {"owner": 0o100, "group": 0o010, "other": 0o001, "any": 0o111}.get(
            str(executable_by)
        )
        if bits is None:
            problems.append(f"isExecutableBy {executable_by!r}: owner, group, other or any")
        elif not mode & bits:
            problems.append(f"not executable by {executable_by} ({stat.filemode(mode)})")
    return _result(image, "file-existence", label, problems, f"{path} {stat.filemode(mode)}")


def _content_test(
    engine: ContainerRuntime, image: str, container: str, test: Mapping[str, Any]
) -> Check:
    label = str(test["name"])
    path = str(test.get("path", ""))
    found = read_member(engine, container, path, want_content=True)
    if found is None:
        return Check(image, "file-content", label, False, f"{path} does not exist")
    member, content = found
    if not member.isfile():
        return Check(image, "file-content", label, False, f"{path} is not a regular file")
    text = content.decode("utf-8", "replace")
    problems = _regex_problems("content", text, test.get("expectedContents"), True)
    problems += _regex_problems("content", text, test.get("excludedContents"), False)
    return _result(image, "file-content", label, problems, f"{path} ({len(content)} bytes)")


def metadata_check(image: str, config: Mapping[str, Any], test: Mapping[str, Any]) -> Check:
    """The ``metadataTest`` against an image config (``Config`` of ``image inspect``)."""
    problems: list[str] = []
    env = dict(_split_env(config.get("Env") or []))
    for item in test.get("envVars") or []:
        key, value = str(item.get("key")), str(item.get("value", ""))
        _compare_entry(problems, "env", key, env.get(key), value, bool(item.get("isRegex")))
    for item in test.get("unboundEnvVars") or []:
        key = str(item.get("key") if isinstance(item, dict) else item)
        if key in env:
            problems.append(f"env {key} is set")
    labels = config.get("Labels") or {}
    for item in test.get("labels") or []:
        key, value = str(item.get("key")), str(item.get("value", ""))
        _compare_entry(problems, "label", key, labels.get(key), value, bool(item.get("isRegex")))
    for key, field in (("entrypoint", "Entrypoint"), ("cmd", "Cmd")):
        if key in test:
            expected = [str(word) for word in test.get(key) or []]
            actual = [str(word) for word in config.get(field) or []]
            if actual != expected:
                problems.append(f"{key} {actual}, expected {expected}")
    ports = {str(port).split("/")[0] for port in config.get("ExposedPorts") or {}}
    for port in test.get("exposedPorts") or []:
        if str(port).split("/")[0] not in ports:
            problems.append(f"port {port} is not exposed")
    for port in test.get("unexposedPorts") or []:
        if str(port).split("/")[0] in ports:
            problems.append(f"port {port} is exposed")
    volumes = set(config.get("Volumes") or {})
    for volume in test.get("volumes") or []:
        if str(volume) not in volumes:
            problems.append(f"volume {volume} is not declared")
    for volume in test.get("unmountedVolumes") or []:
        if str(volume) in volumes:
            problems.append(f"volume {volume} is declared")
    for key, field in (("workdir", "WorkingDir"), ("user", "User")):
        if key in test and str(config.get(field) or "") != str(test[key]):
            problems.append(f"{key} {config.get(field) or ''!r}, expected {test[key]!r}")
    return _result(image, "metadata", "metadataTest", problems, "config as expected")


def _split_env(entries: Sequence[Any]) -> list[tuple[str, str]]:
    return [tuple(str(entry).partition("=")[::2]) for entry in entries]  # type: ignore[misc]


def _compare_entry(
    problems: list[str], what: str, key: str, actual: Any, expected: str, is_regex: bool
) -> None:
    if actual is None:
        problems.append(f"{what} {key} is not set")
    elif is_regex:
        if re.search(expected, str(actual)) is None:
            problems.append(f"{what} {key}={actual!r} does not match {expected!r}")
    elif str(actual) != expected:
        problems.append(f"{what} {key}={actual!r}, expected {expected!r}")
