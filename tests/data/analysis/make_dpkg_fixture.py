"""Regenerate bookworm-dpkg.tar.gz from a Debian 12 system (run by hand, not by the tests).

Takes the dependency closure of ROOTS plus the Essential and required packages from the
system's dpkg database: their status stanzas (Description dropped to keep the fixture
small), their ``info/*.list`` files, and a ``files.tsv`` of (path, size, mode) for every
listed regular file as it is on this system, so tests can build real FileRecords.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../src"))
from slimage.analysis.package_db import parse_dpkg_status
from slimage.analysis.packages import dependency_closure

ROOTS = ["build-essential", "git", "python3", "curl", "ca-certificates", "tzdata"]


def main(out: str) -> None:
    text = Path("/var/lib/dpkg/status").read_text(encoding="utf-8")
    packages = parse_dpkg_status(text)
    base = [n for n, p in packages.items() if p.essential or p.priority == "required"]
    chosen = dependency_closure(packages, ROOTS + base)
    stanzas = []
    for stanza in text.split("\n\n"):
        lines = stanza.strip("\n").splitlines()
        if not lines or not lines[0].startswith("Package: "):
            continue
        if lines[0][len("Package: ") :] not in chosen:
            continue
        kept, skipping = [], False
        for line in lines:
            if line.startswith("Description:"):
                skipping = True
                continue
            if skipping and line.startswith((" ", "\t")):
                continue
            skipping = False
            kept.append(line)
        stanzas.append("\n".join(kept))
    members: dict[str, bytes] = {"var/lib/dpkg/status": ("\n\n".join(stanzas) + "\n").encode()}
    rows = []
    for name in os.listdir("/var/lib/dpkg/info"):
        if not name.endswith(".list") or name[: -len(".list")].split(":")[0] not in chosen:
            continue
        data = Path(f"/var/lib/dpkg/info/{name}").read_bytes()
        members[f"var/lib/dpkg/info/{name}"] = data
        for line in data.decode().splitlines():
            try:
                info = os.lstat(line)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                rows.append(f"{line.lstrip('/')}\t{info.st_size}\t{info.st_mode & 0o7777:o}")
    members["files.tsv"] = ("\n".join(sorted(set(rows))) + "\n").encode()
    with tarfile.open(out, "w:gz") as tar:
        for path, data in sorted(members.items()):
            entry = tarfile.TarInfo(path)
            entry.size = len(data)
            entry.mtime = 0
            tar.addfile(entry, io.BytesIO(data))
    print(f"{len(chosen)} packages, {len(rows)} files -> {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bookworm-dpkg.tar.gz")
