from __future__ import annotations

from analysis_fixtures import filesystem, record

from slimage.analysis.runtime import EntryPoint, find_entry_point, resolve
from slimage.filesystem import FileKind, FileRecord

LINK = FileKind.SYMLINK


def _debian_like() -> dict[str, FileRecord]:
    return filesystem(
        record("bin", 0, kind=LINK, link_target="usr/bin"),
        record("usr/bin/dash", 125_000, mode=0o755),
        record("usr/bin/sh", 0, kind=LINK, link_target="dash"),
        record("usr/bin/node", 90_000_000, mode=0o755),
        record("usr/bin/python3", 0, kind=LINK, link_target="python3.11"),
        record("usr/bin/python3.11", 6_800_000, mode=0o755),
        record("usr/local/bin/docker-entrypoint.sh", 400, mode=0o755),
        record("usr/local/bin/gunicorn", 230, mode=0o755),
        record("app/server", 7_000_000, mode=0o755),
        record("app/run.sh", 300, mode=0o755),
        record("loop/a", 0, kind=LINK, link_target="b"),
        record("loop/b", 0, kind=LINK, link_target="a"),
    )


def test_resolve_follows_symlinks_in_any_component() -> None:
    files = _debian_like()
    assert resolve(files, "/bin/sh") == "usr/bin/dash"
    assert resolve(files, "/usr/bin/python3") == "usr/bin/python3.11"
    assert resolve(files, "/usr/bin/missing") is None
    assert resolve(files, "/loop/a") is None


def entry(files: dict[str, FileRecord], **config: object) -> EntryPoint:
    return find_entry_point(files, {"config": config})


def test_exec_form_interpreter() -> None:
    point = entry(_debian_like(), Cmd=["node", "server.js"], WorkingDir="/app")
    assert point.program == "usr/bin/node"
    assert point.language == "node"
    assert not point.uses_shell


def test_shell_form_is_looked_through() -> None:
    point = entry(_debian_like(), Cmd=["/bin/sh", "-c", "exec python3 -m app"])
    assert point.program == "usr/bin/python3.11"
    assert point.language == "python"
    assert point.uses_shell
    assert point.wrappers == ["usr/bin/dash"]


def test_wrapper_script_then_program() -> None:
    point = entry(_debian_like(), Entrypoint=["docker-entrypoint.sh"], Cmd=["gunicorn", "app:app"])
    assert point.program == "usr/local/bin/gunicorn"
    assert point.language == "python"
    assert point.wrappers == ["usr/local/bin/docker-entrypoint.sh"]


def test_compiled_binary_and_unknown_script() -> None:
    point = entry(_debian_like(), Cmd=["/app/server", "--port", "8080"])
    assert (point.program, point.language) == ("app/server", "binary")
    script = entry(_debian_like(), Cmd=["./run.sh"], WorkingDir="/app")
    assert script.program == "app/run.sh"
    assert script.language is None  # a small script of unknown language: not judged
    assert entry(_debian_like()).program is None
    assert entry(_debian_like(), Cmd=["/nope"]).program is None


def test_path_from_env() -> None:
    files = filesystem(record("opt/app/bin/serve", 3_000_000, mode=0o755))
    point = entry(files, Env=["PATH=/opt/app/bin:/usr/bin"], Cmd=["serve"])
    assert point.program == "opt/app/bin/serve"
    assert point.language == "binary"
