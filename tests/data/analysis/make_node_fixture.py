"""Regenerate node-app.tar.gz (run by hand with npm and network, not by the tests).

FULL is an app directory after ``npm install`` (dependencies and devDependencies), PROD the
same package.json after ``npm ci --omit=dev``. The fixture holds, under ``app/``: the app's
package.json, each installed package's top-level package.json (what content_wanted keeps),
``files.tsv`` (every file under node_modules with its size) and ``prod.txt`` (the package
directories a production install keeps: the oracle for the lockfile-free closure).
"""

from __future__ import annotations

import io
import os
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../src"))
from slimage.analysis.wanted import content_wanted


def package_dirs(root: str) -> set[str]:
    found = set()
    for directory, _, names in os.walk(os.path.join(root, "node_modules")):
        rel = os.path.relpath(os.path.join(directory, "package.json"), root)
        if "package.json" in names and content_wanted(f"app/{rel}", 1):
            found.add(os.path.dirname(f"app/{rel}"))
    return found


def main(full: str, prod: str, out: str) -> None:
    members: dict[str, bytes] = {"app/package.json": Path(f"{full}/package.json").read_bytes()}
    rows = []
    for directory, _, names in os.walk(os.path.join(full, "node_modules")):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            rel = "app/" + os.path.relpath(path, full)
            rows.append(f"{rel}\t{os.path.getsize(path)}")
            if name == "package.json" and content_wanted(rel, os.path.getsize(path)):
                members[rel] = Path(path).read_bytes()
    members["files.tsv"] = ("\n".join(sorted(rows)) + "\n").encode()
    members["prod.txt"] = ("\n".join(sorted(package_dirs(prod))) + "\n").encode()
    with tarfile.open(out, "w:gz") as tar:
        for path, data in sorted(members.items()):
            entry = tarfile.TarInfo(path)
            entry.size = len(data)
            tar.addfile(entry, io.BytesIO(data))
    print(f"{len(rows)} files, {len(members) - 3} manifests -> {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "node-app.tar.gz")
