from __future__ import annotations

import pytest

from slimage.analysis.classify import (
    PATH_RULES,
    PRECEDENCE,
    PathClassifier,
    WasteClass,
    classify_path,
    path_matches,
)

CASES = [
    ("var/lib/apt/lists/deb.example.org_debian_dists_bookworm_InRelease", "apt-lists"),
    ("var/lib/apt/lists/partial/x", "apt-lists"),
    ("var/cache/apt/pkgcache.bin", "apt-archives"),
    ("var/cache/apt/archives/gcc-12_12.2.0-14_amd64.deb", "apt-archives"),
    ("var/cache/apk/APKINDEX.abc.tar.gz", "apk-cache"),
    ("var/cache/dnf/fedora-filenames.solvx", "rpm-cache"),
    ("root/.cache/pip/http-v2/a/b", "pip-cache"),
    ("home/app/.cache/uv/wheels-v1/x", "pip-cache"),
    ("root/.npm/_cacache/content-v2/sha512/ab", "node-cache"),
    ("usr/local/share/.cache/yarn/v6/npm-x/index.js", "node-cache"),
    ("go/pkg/mod/github.com/x/y@v1/z.go", "go-cache"),
    ("root/.cache/go-build/00/abc-d", "go-cache"),
    ("usr/local/cargo/registry/cache/x.crate", "cargo-cache"),
    ("root/.m2/repository/org/x.jar", "jvm-cache"),
    ("usr/local/go/bin/go", "go-sdk"),
    ("usr/lib/go-1.19/pkg/tool/linux_amd64/compile", "go-sdk"),
    ("usr/local/rustup/toolchains/stable/lib/librustc_driver.so", "rust-toolchain"),
    ("usr/lib/gcc/x86_64-linux-gnu/12/cc1", "c-toolchain"),
    ("usr/include/stdio.h", "c-toolchain"),
    ("usr/lib/x86_64-linux-gnu/libc.a", "static-libraries"),
    ("usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod", "jdk-only"),
    ("opt/java/openjdk/bin/javac", "jdk-only"),
    ("root/.cache/node-gyp/20.11.0/include/node/node.h", "node-gyp"),
    ("usr/local/lib/node_modules/npm/lib/npm.js", "node-package-manager"),
    ("app/.git/objects/pack/pack-1.pack", "vcs-directory"),
    ("srv/site/.hg/store/data", "vcs-directory"),
    ("tmp/build.log", "temporary-files"),
    ("var/log/apt/term.log", "package-logs"),
    ("app/target/release/deps/libserde-1.rlib", "rust-build-directory"),
    ("app/__pycache__/main.cpython-312.pyc", "python-bytecode"),
    ("usr/local/lib/python3.12/test/test_os.py", "python-stdlib-tests"),
    ("app/static/app.js.map", "source-maps"),
    ("app/node_modules/lodash/test/test.js", "dependency-tests"),
    ("usr/lib/python3/dist-packages/yaml/tests/x.py", "dependency-tests"),
    ("usr/share/doc/gcc-12/changelog.Debian.gz", "documentation"),
    ("usr/share/man/man1/gcc.1.gz", "documentation"),
    ("app/node_modules/express/docs/api.md", "documentation"),
    ("usr/share/locale/fr/LC_MESSAGES/coreutils.mo", "locales"),
    ("usr/lib/locale/locale-archive", "locales"),
]


@pytest.mark.parametrize(("path", "rule_id"), CASES)
def test_classifies(path: str, rule_id: str) -> None:
    match = classify_path(path)
    assert match is not None
    assert match.rule.id == rule_id


NOT_WASTE = [
    "app/server.js",
    "usr/bin/node",
    "usr/lib/x86_64-linux-gnu/libc.so.6",
    "usr/lib/python3.11/__pycache__/os.cpython-311.pyc",  # stdlib bytecode: start-up speed
    "usr/local/lib/python3.12/__pycache__/abc.cpython-312.pyc",
    "opt/venv/lib/python3.12/site-packages/flask/__pycache__/app.cpython-312.pyc",
    "app/tests/test_app.py",  # the app's own tests: the app decides
    "usr/share/zoneinfo/Europe/Paris",
    "etc/ssl/certs/ca-certificates.crt",
    "app/target/release/server",  # the binary itself
    "app/git/notes.txt",
    "usr/share/keymaps/i386/qwerty/us.map",  # not a source map
]


@pytest.mark.parametrize("path", NOT_WASTE)
def test_leaves_alone(path: str) -> None:
    assert classify_path(path) is None


def test_locale_in_use_is_kept() -> None:
    used = frozenset({"de", "de_DE"})
    assert classify_path("usr/share/locale/de/LC_MESSAGES/x.mo", used_locales=used) is None
    assert classify_path("usr/share/locale/de_AT/LC_MESSAGES/x.mo", used_locales=used) is None
    other = classify_path("usr/share/locale/fr/LC_MESSAGES/x.mo", used_locales=used)
    assert other is not None and other.rule.id == "locales"
    # Compiled locales are needed once any non-C locale is configured.
    assert classify_path("usr/lib/locale/locale-archive", used_locales=used) is None


def test_ct_sym_is_jdk_only_beside_a_javac() -> None:
    """Debian's JRE package ships lib/ct.sym; a JRE is not told to become a JRE."""
    home = "usr/lib/jvm/java-17-openjdk-amd64"
    jre = {f"{home}/lib/ct.sym", f"{home}/bin/java", f"{home}/lib/modules"}
    jre_only = PathClassifier(present=jre).classify(f"{home}/lib/ct.sym")
    assert jre_only is None
    jdk = PathClassifier(present=jre | {f"{home}/bin/javac"}).classify(f"{home}/lib/ct.sym")
    assert jdk is not None and jdk.rule.id == "jdk-only"
    # Without the file list (a single path asked about) the rule still applies.
    unknown = classify_path(f"{home}/lib/ct.sym")
    assert unknown is not None and unknown.rule.id == "jdk-only"


def test_precedence_decides_a_file_with_several_causes() -> None:
    # A cached .deb of a -dev package: the cache is the cause (package-cache before toolchain).
    path = "root/.cache/pip/http/__pycache__/x.pyc"  # not installed bytecode: both apply
    matches = {m.rule.id for m in path_matches(path)}
    assert matches == {"pip-cache", "python-bytecode"}
    chosen = classify_path(path)
    assert chosen is not None and chosen.rule.id == "pip-cache"
    # .git inside node_modules tests: VCS ranks first.
    chosen = classify_path("app/node_modules/x/test/.git/HEAD")
    assert chosen is not None and chosen.rule.waste_class is WasteClass.VCS


def test_group_names_the_matched_directory() -> None:
    match = classify_path("home/node/.npm/_cacache/index-v5/00/11")
    assert match is not None
    assert match.group == "home/node/.npm/_cacache"


def test_rules_are_well_formed() -> None:
    ids = [rule.id for rule in PATH_RULES]
    assert len(ids) == len(set(ids))
    for rule in PATH_RULES:
        assert rule.prefixes or rule.components or rule.suffixes, rule.id
        assert rule.code.startswith(("SA1", "SL1")), rule.id
        assert rule.waste_class in PRECEDENCE
