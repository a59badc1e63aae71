"""Write a small, deterministic "fat" image (or its slim rewrite) as a docker-archive.

The image mimics the article's bad Node.js build on a Debian base: apt lists and .deb
archives kept, a C toolchain and git left in the runtime, the whole build context
(.git, tests, a .env file) copied in, npm's cache and dev dependencies kept, and a later
layer that deletes files an earlier layer added (which hides bytes, but frees none).
File contents are pseudo-random so that sizes are honest after compression too.

With ``--slim``, the same application as a multi-stage build would ship it: the same base
layer (byte for byte), Node.js alone installed with the apt lists removed, only the
production dependencies copied in, run as an unprivileged user (``make demo`` diffs the
two).

Usage: python make_sample_image.py [--slim] OUTPUT.tar (--help for more)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import tarfile
from pathlib import Path

MTIME = 1_700_000_000
_rng = random.Random(20261126)


def _blob(size: int) -> bytes:
    return _rng.randbytes(size)


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _dpkg_entry(
    name: str, size_kib: int, depends: str = "", section: str = "libs", version: str = "1.0-1"
) -> str:
    entry = [
        f"Package: {name}",
        "Status: install ok installed",
        "Priority: optional",
        f"Section: {section}",
        f"Installed-Size: {size_kib}",
        "Architecture: amd64",
        f"Version: {version}",
    ]
    if depends:
        entry.append(f"Depends: {depends}")
    entry.append(f"Description: {name} (sample)")
    return "\n".join(entry) + "\n"


BASE_PACKAGES = [
    ("base-files", 340, "", "admin"),
    ("libc6", 12_000, "", "libs"),
    ("bash", 6_500, "base-files, libc6", "shells"),
    ("dash", 200, "libc6", "shells"),
]
TOOLCHAIN_PACKAGES = [
    ("gcc-12", 60_000, "cpp-12, libc6-dev", "devel"),
    ("cpp-12", 30_000, "libc6", "interpreters"),
    ("libc6-dev", 12_000, "libc6", "libdevel"),
    ("make", 1_500, "libc6", "devel"),
    ("git", 40_000, "libc6", "vcs"),
    ("nodejs", 50_000, "libc6", "javascript"),
]


def _layer(files: dict[str, bytes], whiteouts: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs: set[str] = set()
        for path in sorted(files):
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    info.mtime = MTIME
                    tar.addfile(info)
            info = tarfile.TarInfo(path)
            info.size = len(files[path])
            info.mode = 0o755 if "/bin/" in f"/{path}" else 0o644
            info.mtime = MTIME
            tar.addfile(info, io.BytesIO(files[path]))
        for path in whiteouts:
            head, _, name = path.rpartition("/")
            info = tarfile.TarInfo(f"{head}/.wh.{name}" if head else f".wh.{name}")
            info.mtime = MTIME
            tar.addfile(info, io.BytesIO(b""))
    return out.getvalue()


def _status(packages: list[tuple[str, int, str, str]]) -> bytes:
    return "\n".join(_dpkg_entry(*p) for p in packages).encode()


def _base_files() -> dict[str, bytes]:
    """The Debian base layer; built first from the seeded generator, so both samples
    share it byte for byte."""
    _rng.seed(20261126)
    return {
        "etc/os-release": _text(
            ['PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', "ID=debian", 'VERSION_ID="12"']
        ),
        "bin/bash": _blob(1_200_000),
        "bin/dash": _blob(120_000),
        "lib/x86_64-linux-gnu/libc.so.6": _blob(1_900_000),
        "usr/share/doc/bash/copyright": _blob(40_000),
        "usr/share/man/man1/bash.1.gz": _blob(90_000),
        "var/lib/dpkg/status": _status(BASE_PACKAGES),
        "var/lib/dpkg/info/bash.list": _text(["/bin/bash", "/usr/share/doc/bash/copyright"]),
        "var/lib/dpkg/info/dash.list": _text(["/bin/dash"]),
        "var/lib/dpkg/info/libc6.list": _text(["/lib/x86_64-linux-gnu/libc.so.6"]),
        "var/lib/dpkg/info/base-files.list": _text(["/etc/os-release"]),
    }


def build_layers() -> list[tuple[str, bytes]]:
    base = _base_files()
    update = {
        "var/lib/apt/lists/deb.example.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4": (
            _blob(2_500_000)
        ),
        "var/cache/apt/pkgcache.bin": _blob(900_000),
        "var/cache/apt/srcpkgcache.bin": _blob(880_000),
    }
    toolchain_files = {
        "gcc-12": ["usr/lib/gcc/x86_64-linux-gnu/12/cc1", "usr/bin/x86_64-linux-gnu-gcc-12"],
        "cpp-12": ["usr/bin/x86_64-linux-gnu-cpp-12"],
        "libc6-dev": ["usr/include/stdio.h", "usr/lib/x86_64-linux-gnu/libc.a"],
        "make": ["usr/bin/make"],
        "git": ["usr/bin/git", "usr/lib/git-core/git-remote-http"],
        "nodejs": ["usr/bin/node"],
    }
    sizes = {
        "usr/lib/gcc/x86_64-linux-gnu/12/cc1": 3_000_000,
        "usr/bin/x86_64-linux-gnu-gcc-12": 900_000,
        "usr/bin/x86_64-linux-gnu-cpp-12": 900_000,
        "usr/include/stdio.h": 30_000,
        "usr/lib/x86_64-linux-gnu/libc.a": 1_500_000,
        "usr/bin/make": 250_000,
        "usr/bin/git": 1_100_000,
        "usr/lib/git-core/git-remote-http": 600_000,
        "usr/bin/node": 4_000_000,
    }
    install: dict[str, bytes] = {path: _blob(sizes[path]) for path in sizes}
    install["var/lib/dpkg/status"] = _status(BASE_PACKAGES + TOOLCHAIN_PACKAGES)
    for package, paths in toolchain_files.items():
        install[f"var/lib/dpkg/info/{package}.list"] = _text(["/" + p for p in paths])
    install["var/cache/apt/archives/gcc-12_12.2.0-14_amd64.deb"] = _blob(1_800_000)
    install["var/cache/apt/archives/nodejs_18.19.0_amd64.deb"] = _blob(2_200_000)
    install["usr/share/man/man1/git.1.gz"] = _blob(60_000)

    server = (Path(__file__).parent / "fat-node" / "server.js").read_bytes()
    package_json = (Path(__file__).parent / "fat-node" / "package.json").read_bytes()
    context = {
        "app/server.js": server,
        "app/package.json": package_json,
        "app/.git/objects/pack/pack-1.pack": _blob(700_000),
        "app/.git/HEAD": b"ref: refs/heads/main\n",
        "app/test/server.test.js": _blob(20_000),
        "app/test/fixtures/big.json": _blob(300_000),
        "app/.env": b"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
        b"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    }
    express = b'{"name": "express", "version": "4.19.2"}\n'
    eslint = b'{"name": "eslint", "version": "9.0.0"}\n'
    npm = {
        "app/node_modules/express/package.json": express,
        "app/node_modules/express/lib/express.js": _blob(200_000),
        "app/node_modules/eslint/package.json": eslint,
        "app/node_modules/eslint/lib/linter.js": _blob(1_400_000),
        "app/node_modules/eslint/lib/linter.js.map": _blob(400_000),
        "root/.npm/_cacache/content-v2/sha512/ab/cd/0001": _blob(900_000),
        "root/.npm/_cacache/content-v2/sha512/ab/cd/0002": _blob(700_000),
    }
    cleanup = _layer({}, whiteouts=("app/test", "var/cache/apt/pkgcache.bin"))
    return [
        ("ADD file:debian-bookworm-rootfs in /", _layer(base)),
        ("RUN /bin/sh -c apt-get update", _layer(update)),
        ("RUN /bin/sh -c apt-get install -y nodejs npm build-essential git curl", _layer(install)),
        ("ADD . /app", _layer(context)),
        ("RUN /bin/sh -c npm install", _layer(npm)),
        ("RUN /bin/sh -c rm -rf /app/test", cleanup),
    ]


def build_slim_layers() -> list[tuple[str, bytes]]:
    base = _base_files()
    runtime = {
        "usr/bin/node": _blob(4_000_000),
        # A newer Node.js than the fat image's (its version shows as an upgrade).
        "var/lib/dpkg/status": _status(BASE_PACKAGES)
        + b"\n"
        + _dpkg_entry("nodejs", 52_000, "libc6", "javascript", version="2.0-1").encode(),
        "var/lib/dpkg/info/nodejs.list": _text(["/usr/bin/node"]),
    }
    examples = Path(__file__).parent / "fat-node"
    app = {
        "app/server.js": (examples / "server.js").read_bytes(),
        "app/package.json": (examples / "package.json").read_bytes(),
        "app/node_modules/express/package.json": b'{"name": "express", "version": "4.19.2"}\n',
        "app/node_modules/express/lib/express.js": _blob(200_000),
    }
    return [
        ("ADD file:debian-bookworm-rootfs in /", _layer(base)),
        (
            "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends "
            "nodejs && rm -rf /var/lib/apt/lists/*",
            _layer(runtime),
        ),
        ("COPY --from=build /app /app # buildkit", _layer(app)),
    ]


def write_slim_archive(output: Path) -> None:
    layers = build_slim_layers()
    history: list[dict[str, object]] = [
        {"created": "2026-11-26T00:00:00Z", "created_by": step} for step, _ in layers
    ]
    for step in ("USER 1000:1000", "WORKDIR /app", 'CMD ["node" "server.js"]'):
        history.append({"created": "2026-11-26T00:00:00Z", "created_by": step, "empty_layer": True})
    config_body = {
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=production"],
        "Cmd": ["node", "server.js"],
        "User": "1000:1000",
        "WorkingDir": "/app",
        "ExposedPorts": {"3000/tcp": {}},
    }
    _write(output, layers, history, config_body, "slimage/slim-sample:latest")


def write_docker_archive(output: Path) -> None:
    layers = build_layers()
    diff_ids = ["sha256:" + hashlib.sha256(data).hexdigest() for _, data in layers]
    history: list[dict[str, object]] = []
    for step, _ in layers:
        history.append({"created": "2026-11-26T00:00:00Z", "created_by": step})
        if step.startswith("ADD . /app"):
            history.append(
                {
                    "created": "2026-11-26T00:00:00Z",
                    "created_by": "WORKDIR /app",
                    "empty_layer": True,
                }
            )
    history.append(
        {
            "created": "2026-11-26T00:00:00Z",
            "created_by": "ENV API_TOKEN=changeme",
            "empty_layer": True,
        }
    )
    history.append(
        {
            "created": "2026-11-26T00:00:00Z",
            "created_by": 'CMD ["/bin/sh" "-c" "node server.js"]',
            "empty_layer": True,
        }
    )
    config_body = {
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "API_TOKEN=changeme"],
        "Cmd": ["/bin/sh", "-c", "node server.js"],
        "WorkingDir": "/app",
        "ExposedPorts": {"3000/tcp": {}, "22/tcp": {}},
    }
    _write(output, layers, history, config_body, "slimage/fat-sample:latest")


def _write(
    output: Path,
    layers: list[tuple[str, bytes]],
    history: list[dict[str, object]],
    config_body: dict[str, object],
    tag: str,
) -> None:
    diff_ids = ["sha256:" + hashlib.sha256(data).hexdigest() for _, data in layers]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": config_body,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_paths = [f"{d.split(':')[1]}/layer.tar" for d in diff_ids]
    manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": layer_paths}]
    output.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(output, mode="w") as tar:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = MTIME
            tar.addfile(info, io.BytesIO(data))

        add(config_name, config_bytes)
        for path, (_, data) in zip(layer_paths, layers, strict=True):
            add(path, data)
        add("manifest.json", json.dumps(manifest).encode())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="make_sample_image.py",
        description="Write a small, deterministic 'fat' Node.js image as a docker-archive "
        "(about 28 MB), the input of `make demo`.",
    )
    parser.add_argument("output", type=Path, metavar="OUTPUT.tar", help="the file to write")
    parser.add_argument(
        "--slim",
        action="store_true",
        help="write the slim rewrite instead: the same base layer, Node.js alone, production "
        "dependencies, a non-root user (`make demo` diffs the two)",
    )
    arguments = parser.parse_args(argv)
    (write_slim_archive if arguments.slim else write_docker_archive)(arguments.output)


if __name__ == "__main__":
    main()
