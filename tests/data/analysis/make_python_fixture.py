"""Regenerate site-packages.tar.gz from a real virtualenv (run by hand, not by the tests).

Copies every ``*.dist-info``'s METADATA and RECORD (what content_wanted keeps) from
SITE_PACKAGES, under ``opt/venv/lib/python3.11/site-packages/``. RECORD rows carry each
file's size, so tests can rebuild the FileRecords of the whole environment.
"""

from __future__ import annotations

import io
import os
import sys
import tarfile
from pathlib import Path

PREFIX = "opt/venv/lib/python3.11/site-packages"


def main(site: str, out: str) -> None:
    with tarfile.open(out, "w:gz") as tar:
        for name in sorted(os.listdir(site)):
            if not name.endswith(".dist-info"):
                continue
            for member in ("METADATA", "RECORD"):
                path = os.path.join(site, name, member)
                if not os.path.exists(path):
                    continue
                data = Path(path).read_bytes()
                entry = tarfile.TarInfo(f"{PREFIX}/{name}/{member}")
                entry.size = len(data)
                tar.addfile(entry, io.BytesIO(data))
    print(f"-> {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "site-packages.tar.gz")
