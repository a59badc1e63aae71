"""Which final-filesystem files the streaming pass keeps the bytes of, for explain().

Only small metadata files: the OS package databases (file -> package attribution), Python
and Node package manifests (dev dependencies, inventory), os-release, and files whose name
suggests a secret. Each kind has a size cap, so memory stays bounded by the number of such
files times a few hundred kB at worst (a Debian image with 1000 packages keeps ~3 MB).

Not read: the rpm database (``var/lib/rpm/rpmdb.sqlite`` or Berkeley DB) -- parsing it needs
a SQLite/BDB reader for one distribution family; RPM images get path-based classes only.
"""

from __future__ import annotations

import re

KIB = 1024
MIB = 1024 * KIB

# Exact paths -> size cap.
EXACT: dict[str, int] = {
    "etc/os-release": 64 * KIB,
    "usr/lib/os-release": 64 * KIB,
    "var/lib/dpkg/status": 64 * MIB,
    "var/lib/apt/extended_states": 16 * MIB,
    "lib/apk/db/installed": 64 * MIB,
    "usr/lib/apk/db/installed": 64 * MIB,
    "etc/alpine-release": 4 * KIB,
    "etc/apk/world": 1 * MIB,
    "etc/debian_version": 4 * KIB,
}
DPKG_LIST_CAP = 8 * MIB
PYTHON_METADATA_CAP = 1 * MIB
PYTHON_RECORD_CAP = 8 * MIB
PACKAGE_JSON_CAP = 1 * MIB
SECRET_CAP = 64 * KIB

# Names that hold credentials by convention (exact file names).
SECRET_NAMES = frozenset(
    {
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        ".env",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".git-credentials",
        ".pgpass",
        ".htpasswd",
        "credentials",
        "credentials.json",
        "application_default_credentials.json",
        "secrets.json",
        "secrets.yaml",
        "secrets.yml",
        ".dockercfg",
        "terraform.tfvars",
    }
)
# Path endings that hold credentials (matched on the whole path).
SECRET_PATH_SUFFIXES = (".aws/credentials", ".docker/config.json", ".kube/config", ".ssh/config")
SECRET_EXTENSIONS = (".pem", ".key", ".p8", ".ppk", ".env")
# Public certificates and library test fixtures live here: key-like extensions are not
# secrets in these trees (named files like id_rsa still are).
NOT_SECRET_TREES = (
    "etc/ssl/certs/",
    "usr/share/ca-certificates/",
    "usr/lib/ssl/",
    "usr/share/",
    "etc/pki/",
)
NOT_SECRET_COMPONENTS = frozenset({"node_modules", "site-packages", "dist-packages", "test"})

_DIST_INFO = re.compile(r"(^|/)[^/]+\.(dist-info|egg-info)/(METADATA|RECORD|PKG-INFO)$")


def _node_manifest(parts: list[str]) -> bool:
    """``node_modules/<pkg>/package.json`` or ``node_modules/@scope/<pkg>/package.json``.

    Only each package's top-level manifest: packages carry many nested package.json files
    (sub-path exports, test fixtures) that say nothing about dependencies.
    """
    if "node_modules" not in parts:
        return True  # an app's own package.json
    last = len(parts) - 1 - parts[::-1].index("node_modules")
    rest = parts[last + 1 :]
    if len(rest) == 2:
        return not rest[0].startswith("@")
    return len(rest) == 3 and rest[0].startswith("@")


def is_secret_candidate(path: str) -> bool:
    name = path[path.rfind("/") + 1 :]
    if name in SECRET_NAMES or name.startswith(".env."):
        return True
    if path.endswith(SECRET_PATH_SUFFIXES):
        return True
    if name.endswith(SECRET_EXTENSIONS):
        if path.startswith(NOT_SECRET_TREES):
            return False
        return not any(part in NOT_SECRET_COMPONENTS for part in path.split("/")[:-1])
    return False


def content_wanted(path: str, size: int) -> bool:
    path = path.lstrip("/")
    if path.startswith("./"):
        path = path[2:]
    cap = EXACT.get(path)
    if cap is not None:
        return size <= cap
    name = path[path.rfind("/") + 1 :]
    if path.startswith(("var/lib/dpkg/info/", "var/lib/dpkg/status.d/")):
        # *.list: the files of each package; status.d: distroless's per-package status.
        return (name.endswith(".list") or "status.d/" in path) and size <= DPKG_LIST_CAP
    if name in {"METADATA", "RECORD", "PKG-INFO"} and _DIST_INFO.search(path):
        return size <= (PYTHON_RECORD_CAP if name == "RECORD" else PYTHON_METADATA_CAP)
    if name == "package.json":
        return size <= PACKAGE_JSON_CAP and _node_manifest(path.split("/"))
    # is_secret_candidate's cheap answers first: this runs once per file of the image.
    if size > SECRET_CAP:
        return False
    if name in SECRET_NAMES or name.startswith(".env.") or path.endswith(SECRET_PATH_SUFFIXES):
        return True
    return name.endswith(SECRET_EXTENSIONS) and is_secret_candidate(path)
