from __future__ import annotations

from typing import Any

from slimage.analysis.explain import content_wanted, explain
from slimage.analysis.records import FileKind, FileRecord

HISTORY: list[dict[str, Any]] = [
    {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created_by": '/bin/sh -c #(nop)  CMD ["bash"]', "empty_layer": True},
    {"created_by": "/bin/sh -c apt-get update"},
    {"created_by": "/bin/sh -c #(nop) COPY dir:123 in /app "},
]


def record(path: str, size: int, layer: int, kind: FileKind = FileKind.FILE) -> FileRecord:
    return FileRecord(path=path, kind=kind, size=size, mode=0o644, uid=0, gid=0, layer_index=layer)


def fs(*records: FileRecord) -> dict[str, FileRecord]:
    return {r.path: r for r in records}


def test_bytes_add_up_and_each_byte_is_counted_once() -> None:
    files = fs(
        record("usr/bin/bash", 1_000, 0),
        record("usr/share/doc/bash/copyright", 100, 0),
        record("var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", 150_000, 1),
        record("var/lib/apt/lists/lock", 0, 1),
        record("app/server.js", 300, 2),
        record("app/.git/objects/pack/p.pack", 5_000, 2),
        record("app/.git/x/__pycache__/a.pyc", 7, 2),  # VCS and bytecode: counted once
        record("usr", 0, 0, FileKind.DIR),
    )
    result = explain(files, {}, {}, HISTORY, [1100, 150_000, 5307])
    assert result.total_bytes == 1_000 + 100 + 150_000 + 300 + 5_000 + 7
    assert result.classes["package-cache"] == 150_000
    assert result.classes["vcs"] == 5_007
    assert result.classes["docs"] == 100
    assert result.classes["bytecode-cache"] == 0
    assert result.explained_bytes == sum(result.classes.values()) == 155_107
    assert result.unexplained_bytes == 1_300
    assert sum(f.bytes_saved or 0 for f in result.findings) == result.explained_bytes
    assert result.explained_share == result.explained_bytes / result.total_bytes


def test_finding_names_the_step_that_wrote_the_bytes() -> None:
    files = fs(record("var/lib/apt/lists/x_Packages.lz4", 42_000, 1))
    result = explain(files, {}, {}, HISTORY, [10, 42_000, 10])
    [finding] = result.findings
    assert finding.name == "apt-lists"
    assert finding.bytes_saved == 42_000
    assert finding.location.path == "/var/lib/apt/lists"
    assert "rm -rf /var/lib/apt/lists/*" in finding.help
    assert "layer 2/3: `RUN apt-get update`" in finding.help
    assert finding.extra["layer_index"] == 1


def test_squashed_history_falls_back_to_layer_numbers() -> None:
    files = fs(record("var/lib/apt/lists/x", 10, 0))
    result = explain(files, {}, {}, HISTORY, [10])
    assert result.findings[0].help.endswith("(layer 1/1)")
    assert any("squashed" in note for note in result.notes)


def test_configured_locale_is_not_waste() -> None:
    files = fs(
        record("usr/share/locale/de/LC_MESSAGES/x.mo", 10, 0),
        record("usr/share/locale/fr/LC_MESSAGES/x.mo", 20, 0),
    )
    config = {"config": {"Env": ["PATH=/usr/bin", "LANG=de_DE.UTF-8"]}}
    result = explain(files, {}, config, [], [30])
    assert result.classes["locales"] == 20


def test_content_wanted_keeps_metadata_and_secrets_only() -> None:
    assert content_wanted("etc/os-release", 300)
    assert content_wanted("/var/lib/dpkg/status", 2_000_000)
    assert content_wanted("var/lib/dpkg/info/libc6:amd64.list", 30_000)
    assert not content_wanted("var/lib/dpkg/info/libc6:amd64.md5sums", 30_000)
    assert content_wanted("lib/apk/db/installed", 100_000)
    assert content_wanted("usr/lib/python3/dist-packages/yaml-6.0.dist-info/METADATA", 3_000)
    assert content_wanted("usr/local/lib/python3.12/site-packages/pip-24.0.dist-info/RECORD", 1)
    assert content_wanted("app/package.json", 500)
    assert content_wanted("app/node_modules/express/package.json", 2_000)
    assert content_wanted("app/node_modules/@babel/core/package.json", 2_000)
    assert not content_wanted("app/node_modules/express/lib/package.json", 100)
    assert not content_wanted("app/node_modules/@babel/core/lib/package.json", 100)
    assert content_wanted("root/.ssh/id_rsa", 2_600)
    assert content_wanted("app/.env", 200)
    assert content_wanted("app/.env.production", 200)
    assert content_wanted("root/.aws/credentials", 200)
    assert content_wanted("root/.docker/config.json", 200)
    assert content_wanted("app/certs/server.key", 1_700)
    assert not content_wanted("etc/ssl/certs/ca.pem", 1_700)
    assert not content_wanted("app/node_modules/x/test/fixtures/key.pem", 1_700)
    assert not content_wanted("app/.env", 10_000_000)  # bounded
    assert not content_wanted("usr/bin/gcc", 1_000_000)
    assert not content_wanted("var/lib/dpkg/status", 10**9)
