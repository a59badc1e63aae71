from __future__ import annotations

from typing import Any

from analysis_fixtures import SITE, bookworm_files, dpkg_contents, python_venv
from analysis_fixtures import record as fixture_record

from slimage.analysis.explain import content_wanted, explain
from slimage.filesystem import FileKind, FileRecord

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
        record("var/lib/apt/lists/deb.example.org_dists_bookworm_InRelease", 150_000, 1),
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
    assert "apt-lists" in {f.name for f in result.findings}
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


def test_squashed_history_names_the_step_the_layer_table_names() -> None:
    # One mapping (slimage.image.history) for the layer table and the findings; the note
    # that the layer was squashed comes with the layer table, once.
    files = fs(record("var/lib/apt/lists/x", 10, 0))
    result = explain(files, {}, {}, HISTORY, [10])
    assert result.findings[0].help.endswith(
        "(layer 1/1, squashed from 3 steps: `RUN apt-get update`)"
    )
    assert not any("squashed" in note for note in result.notes)


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


# ---- whole images from real package data --------------------------------------------


def _owned_by(packages: set[str]) -> set[str]:
    from slimage.analysis.package_db import read_package_db

    db = read_package_db(dpkg_contents())
    assert db is not None
    owners = db.owners(["bin", "sbin", "lib", "lib64"])
    return {path for path, owner in owners.items() if owner in packages}


def _fat_python_image() -> tuple[dict[str, FileRecord], dict[str, bytes]]:
    files = bookworm_files(layer_index=0)
    files["usr/bin/python3"] = fixture_record(
        "usr/bin/python3", 0, 1, kind=FileKind.SYMLINK, link_target="python3.11"
    )
    lists = "var/lib/apt/lists/deb.example.org_debian_dists_bookworm_main_binary-amd64_Packages"
    files[lists] = record(lists, 8_800_000, 1)
    venv_files, venv_contents = python_venv(layer_index=2)
    files.update(venv_files)
    marker = f"{SITE}/slimage-0.1.0.dist-info/REQUESTED"
    files[marker] = fixture_record(marker, 0, 2)
    return files, {**dpkg_contents(), **venv_contents}


FAT_HISTORY: list[dict[str, Any]] = [
    {"created_by": "/bin/sh -c #(nop) ADD file:bookworm in / "},
    {"created_by": "/bin/sh -c apt-get update && apt-get install -y build-essential git"},
    {"created_by": "/bin/sh -c python3 -m venv /opt/venv && /opt/venv/bin/pip install ."},
    {"created_by": '/bin/sh -c #(nop)  CMD ["python3" "-m" "app"]', "empty_layer": True},
]


def test_fat_python_image_is_explained_without_touching_the_runtime() -> None:
    files, contents = _fat_python_image()
    config = {"config": {"Cmd": ["python3", "-m", "app"], "WorkingDir": "/app"}}
    result = explain(files, contents, config, FAT_HISTORY, [1, 1, 1])
    assert result.explained_bytes + result.unexplained_bytes == result.total_bytes
    assert sum(f.bytes_saved or 0 for f in result.findings) == result.explained_bytes
    by_name = {f.name: f for f in result.findings}
    toolchain = by_name["build-toolchain-packages"]
    assert "apt-get purge -y --auto-remove build-essential" in toolchain.help
    assert "layer 1/3" in toolchain.help or "layer 2/3" in toolchain.help
    assert by_name["vcs-packages"].bytes_saved
    assert by_name["apt-lists"].bytes_saved == 8_800_000
    assert by_name["python-dev-dependencies"].bytes_saved
    assert by_name["heavy-base"].bytes_saved
    # The interpreter, its standard library and the C library are never charged.
    runtime = _owned_by({"python3.11", "python3.11-minimal", "libpython3.11-stdlib", "libc6"})
    runtime_bytes = sum(files[p].size for p in runtime if p in files)
    assert runtime_bytes > 20_000_000
    assert result.unexplained_bytes >= runtime_bytes
    toolchain_paths = _owned_by({"gcc-12", "cpp-12", "libc6-dev", "git", "perl"})
    toolchain_bytes = sum(files[p].size for p in toolchain_paths if p in files)
    assert result.classes["build-toolchain"] >= toolchain_bytes


def test_static_binary_on_a_full_base_leaves_only_the_binary_certs_and_zones() -> None:
    files = bookworm_files(layer_index=0)
    go_files = {
        "usr/local/go/bin/go": 15_000_000,
        "usr/local/go/pkg/tool/linux_amd64/compile": 20_000_000,
        "root/.cache/go-build/0a/0a1b-d": 40_000_000,
        "src/main.go": 2_000,
        "src/go.mod": 30,
        "src/static/index.html": 700,
        "usr/local/bin/server": 7_500_000,
    }
    for path, size in go_files.items():
        files[path] = record(path, size, 1)
    certs = "etc/ssl/certs/ca-certificates.crt"
    files[certs] = record(certs, 200_000, 0)
    config = {"config": {"Cmd": ["/usr/local/bin/server"], "WorkingDir": "/src"}}
    result = explain(files, dpkg_contents(), config, [], [1, 1])
    zones = sum(r.size for p, r in files.items() if p.startswith("usr/share/zoneinfo/"))
    accounts = sum(files[p].size for p in ("etc/passwd", "etc/group") if p in files)
    needed = 7_500_000 + 200_000 + 700 + zones + accounts
    assert result.unexplained_bytes == needed
    assert result.explained_share > 0.95
    heavy = next(f for f in result.findings if f.name == "heavy-base")
    assert "FROM scratch" in heavy.help
    assert result.classes["build-leftovers"] == 2_030  # main.go and go.mod


def test_squashed_build_names_the_step_by_the_cause() -> None:
    # buildah bud without --layers: every step recorded, all but the last empty_layer.
    history: list[dict[str, Any]] = [
        {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
        {"created_by": "/bin/sh -c apt-get update", "empty_layer": True},
        {"created_by": "/bin/sh -c apt-get install -y gcc", "empty_layer": True},
        {"created_by": "/bin/sh -c #(nop) ENV A=b", "empty_layer": True},
        {"created_by": "/bin/sh -c npm install", "empty_layer": True},
        {"created_by": '/bin/sh -c #(nop) CMD ["node"]'},
    ]
    files = fs(
        record("var/lib/apt/lists/x_Packages", 1_000, 1),
        record("root/.npm/_cacache/index-v5/ab", 2_000, 1),
        record("usr/share/doc/gcc/copyright", 10, 0),
    )
    result = explain(files, {}, {}, history, [10, 3_000])
    helps = {f.name: f.help for f in result.findings}
    assert helps["apt-lists"].endswith("(layer 2/2, squashed from 4 steps: `RUN apt-get update`)")
    assert helps["node-cache"].endswith("squashed from 4 steps: `RUN npm install`)")
    assert helps["documentation"].endswith("(layer 1/2: `ADD file:abc in /`)")


def test_alpine_toolchain_is_removed_with_apk_del() -> None:
    from test_packages import APK_INSTALLED

    files = fs(
        record("lib/ld-musl-x86_64.so.1", 600_000, 0),
        record("usr/bin/gcc", 900_000, 1),
        record("usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/cc1", 30_000_000, 1),
        record("usr/bin/ld", 700_000, 1),
        record("lib/apk/db/installed", len(APK_INSTALLED), 1),
    )
    contents = {
        "lib/apk/db/installed": APK_INSTALLED.encode(),
        "etc/apk/world": b"alpine-baselayout busybox gcc\n",
    }
    result = explain(files, contents, {}, [], [600_000, 31_600_000])
    [toolchain] = [f for f in result.findings if f.name == "build-toolchain-packages"]
    # cc1 is also a c-toolchain path; each byte once, under the package cause here.
    assert toolchain.bytes_saved == 900_000 + 700_000
    assert "`apk del gcc`" in toolchain.help
    assert result.classes["build-toolchain"] == 31_600_000


def test_native_extensions_keep_the_libraries_they_were_built_against() -> None:
    from test_packages import PSYCOPG_STATUS

    site = "usr/local/lib/python3.11/site-packages"
    files = fs(
        record("usr/lib/x86_64-linux-gnu/libpq.so.5.15", 330_000, 0),
        record("usr/include/postgresql/libpq-fe.h", 30_000, 0),
        record(f"{site}/psycopg2/_psycopg.cpython-311-x86_64-linux-gnu.so", 900_000, 1),
    )
    lists = {
        "var/lib/dpkg/info/libpq5:amd64.list": b"/usr/lib/x86_64-linux-gnu/libpq.so.5.15\n",
        "var/lib/dpkg/info/libpq-dev.list": b"/usr/include/postgresql/libpq-fe.h\n",
    }
    contents = {"var/lib/dpkg/status": PSYCOPG_STATUS.encode(), **lists}
    result = explain(files, contents, {}, [], [360_000, 900_000])
    assert result.classes["build-toolchain"] == 30_000  # the header, not libpq5
    del files[f"{site}/psycopg2/_psycopg.cpython-311-x86_64-linux-gnu.so"]
    result = explain(files, contents, {}, [], [360_000, 0])
    assert result.classes["build-toolchain"] == 360_000  # no extension: libpq5 goes too


def test_rpm_images_say_the_database_is_not_read() -> None:
    files = fs(record("var/lib/rpm/rpmdb.sqlite", 5_000_000, 0), record("var/cache/dnf/x", 9, 0))
    result = explain(files, {}, {}, [], [5_000_009])
    assert result.classes["package-cache"] == 9
    assert any("rpm database" in note for note in result.notes)


def test_a_healthcheck_tool_is_not_charged_to_the_build() -> None:
    files = bookworm_files()
    config = {
        "config": {
            "Cmd": ["python3", "-m", "app"],
            "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]},
        }
    }
    files["usr/bin/python3"] = fixture_record(
        "usr/bin/python3", 0, kind=FileKind.SYMLINK, link_target="python3.11"
    )
    result = explain(files, dpkg_contents(), config, [], [1])
    names = {f.name for f in result.findings}
    assert "download-tool-packages" not in names
    assert "build-toolchain-packages" in names
    # Nor to the base: the runtime runs it. Without the healthcheck, curl is charged.
    del config["config"]["Healthcheck"]
    without = explain(files, dpkg_contents(), config, [], [1])
    curl = sum(files[p].size for p in _owned_by({"curl", "libcurl4"}) if p in files)
    assert curl > 100_000
    assert without.explained_bytes - result.explained_bytes >= curl


def test_secret_files_and_config_env_are_findings_with_masked_values() -> None:
    from slimage.findings import Severity

    key = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
    files = fs(record("root/.ssh/id_rsa", len(key), 1), record("app/main.py", 10, 1))
    config = {"config": {"Env": ["API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789"]}}
    result = explain(files, {"root/.ssh/id_rsa": key}, config, [], [len(key) + 10])
    by_name = {f.name: f for f in result.findings}
    secret = by_name["secret-file"]
    assert secret.code == "SA115" and secret.severity is Severity.ERROR
    assert secret.location.path == "/root/.ssh/id_rsa"
    assert secret.bytes_saved == len(key)
    assert "RSA private key" in secret.message and "MIIE" not in secret.message
    env = by_name["secret-in-config-env"]
    assert env.code == "SL2005"
    assert "ghp_" in env.message and "abcdefghijklmnopqrstuvwxyz" not in env.message
    assert result.classes["secrets"] == len(key)


def test_garbage_metadata_never_breaks_the_explanation() -> None:
    import random

    rng = random.Random(3)
    paths = [
        "var/lib/dpkg/status",
        "var/lib/dpkg/info/x.list",
        "var/lib/apt/extended_states",
        "lib/apk/db/installed",
        "etc/apk/world",
        "etc/os-release",
        "app/package.json",
        "app/node_modules/a/package.json",
        "usr/lib/python3/dist-packages/a-1.dist-info/METADATA",
        "usr/lib/python3/dist-packages/a-1.dist-info/RECORD",
        "app/.env",
        "root/.docker/config.json",
    ]
    samples = [
        b"",
        b"\x00\xff" * 50,
        b"Package:\nDepends: ,,|,\nInstalled-Size: -3\n",
        b"P:\nD:\nR:x\nF:\nI:abc\n",
        b"[1, 2]",
        b'{"dependencies": ["not", "a", "map"], "workspaces": 1}',
        b"Name: a\nRequires-Dist: \nRequires-Dist: ; extra\n",
        b'a,"unterminated\n../../../../../etc/passwd,sha256=x,12\n',
    ]
    for _ in range(40):
        contents = {path: rng.choice(samples) + rng.randbytes(rng.randrange(40)) for path in paths}
        files = fs(*(record(path, len(data), 0) for path, data in contents.items()))
        result = explain(files, contents, {"config": {"Cmd": ["node"]}}, [], [1])
        assert result.explained_bytes + result.unexplained_bytes == result.total_bytes


def test_the_entry_program_is_never_charged() -> None:
    # cargo hard-links target/release/app to target/release/deps/app-<hash>.
    binary = "src/target/release/deps/server-211129e9b7bf7113"
    files = fs(
        record(binary, 11_000_000, 1),
        record("src/target/release/deps/libserde-1.rlib", 3_000_000, 1),
        fixture_record(
            "src/target/release/server", 0, 1, kind=FileKind.HARDLINK, link_target=binary
        ),
        record("usr/share/doc/git/contrib/persistent-https/main.go", 3_000, 0),
        record("usr/lib/x86_64-linux-gnu/libc.so.6", 2_000_000, 0),
        record("usr/bin/bash", 1_200_000, 0),
    )
    contents = {
        "var/lib/dpkg/status": b"Package: libc6\nStatus: install ok installed\n",
        "var/lib/dpkg/info/libc6:amd64.list": b"/usr/lib/x86_64-linux-gnu/libc.so.6\n",
    }
    config = {"config": {"Cmd": ["/src/target/release/server"], "WorkingDir": "/src"}}
    result = explain(files, contents, config, [], [3_203_000, 14_000_000])
    # The rlib goes; the binary and (not a Go app: the .go file is git's doc) libc stay.
    assert result.unexplained_bytes == 11_000_000 + 2_000_000
    heavy = next(f for f in result.findings if f.name == "heavy-base")
    assert "distroless/cc" in heavy.help


def test_official_node_layout_on_a_full_debian_base() -> None:
    # node:20 style: node built from source in /usr/local, on a Debian with a toolchain.
    files = bookworm_files(layer_index=0)
    for path, size in {
        "usr/local/bin/node": 95_000_000,
        "usr/local/include/node/v8.h": 500_000,
        "usr/local/lib/node_modules/npm/lib/npm.js": 9_000_000,
        "app/server.js": 300,
    }.items():
        files[path] = record(path, size, 1)
    config = {"config": {"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["node", "server.js"]}}
    files["usr/local/bin/docker-entrypoint.sh"] = record(
        "usr/local/bin/docker-entrypoint.sh", 400, 1
    )
    result = explain(files, dpkg_contents(), config, [], [1, 1])
    by_name = {f.name: f for f in result.findings}
    groups = by_name["c-toolchain"].extra["groups"]
    assert isinstance(groups, list)
    assert "/usr/local/include" in {group["path"] for group in groups}
    assert by_name["node-package-manager"].bytes_saved == 9_000_000
    # The C runtime node links to stays; the shell stays (the entry is a shell script).
    runtime = _owned_by({"libc6", "libstdc++6", "libgcc-s1"}) | _owned_by({"dash"})
    runtime_bytes = sum(files[p].size for p in runtime if p in files)
    assert result.unexplained_bytes >= 95_000_000 + runtime_bytes
    heavy = by_name["heavy-base"]
    assert "node:<version>-slim" in heavy.help
    assert (heavy.bytes_saved or 0) > 20_000_000  # coreutils, perl-base, apt, ...


def test_a_program_from_an_os_package_keeps_its_closure() -> None:
    files = bookworm_files()
    config = {"config": {"Cmd": ["/usr/bin/curl", "-fsS", "http://example.com/"]}}
    result = explain(files, dpkg_contents(), config, [], [1])
    heavy = next(f for f in result.findings if f.name == "heavy-base")
    assert "debian:bookworm-slim" in heavy.help
    kept = _owned_by({"curl", "libcurl4", "libc6", "libssl3"})
    assert result.unexplained_bytes >= sum(files[p].size for p in kept if p in files)
    assert "download-tool-packages" not in {f.name for f in result.findings}
