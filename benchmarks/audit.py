"""Audit a 42-image fleet in a local registry vs. analysing each image alone, in one run.

Writes 42 services on three shared bases (tests/support/fleet.py, sizes scaled up so that
reading layers, not start-up, is what is measured), pushes them into a local
docker-registry on 127.0.0.1, then times:

* ``slimage analyze docker://...`` on every image, one after the other, each with a fresh
  layer cache: what checking the fleet costs without ``audit``;
* ``slimage audit REGISTRY`` with a fresh store and cache: every image, each unique layer
  read once;
* ``slimage analyze`` of every image one after the other with one shared layer cache:
  each unique layer read once, but a process and a manifest fetch per image;
* the same audit again with nothing changed (target: under 1 s), ``--reaudits`` times
  (median and range: a run on a shared machine varies), and the requests it made, from
  the registry's access log.

Needs docker-registry and skopeo. Run: ``.venv/bin/python benchmarks/audit.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.fleet import services, write_layout
from support.registry import run_registry

SLIMAGE = [sys.executable, "-m", "slimage"]
REQUEST = re.compile(r'"([A-Z]+) /v2/\S* HTTP[^"]*" \d+ .*"slimage"$')


def _timed(command: list[str], cache: Path) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--images", type=int, default=42)
    parser.add_argument("--scale", type=int, default=100, help="layer size multiplier")
    parser.add_argument("--reaudits", type=int, default=5, help="times the re-audit is run")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slimage-audit-bench-") as scratch:
        root = Path(scratch)
        fleet = services(arguments.images, scale=arguments.scale)
        log = root / "access.log"
        with run_registry(root, access_log=log) as registry:
            references = []
            for service in fleet:
                layout = write_layout(service, root / "layouts")
                reference = f"docker://{registry.host}/team/{service.name}:1"
                references.append(reference)
                registry.push_oci(layout, f"team/{service.name}", "1")
            stored = sum(
                f.stat().st_size for f in (root / "layouts").rglob("blobs/sha256/*") if f.is_file()
            )
            print(f"fleet: {len(fleet)} images, {stored / 1e6:.0f} MB of blobs written")

            alone = sum(
                _timed([*SLIMAGE, "analyze", ref, "--format", "json"], root / f"cache-{n}")
                for n, ref in enumerate(references)
            )
            audit = _timed(
                [*SLIMAGE, "audit", registry.host, "--jobs", "2", "--quiet", "--format", "json",
                 "--store", f"sqlite:///{root / 'a.db'}"],
                root / "cache-audit",
            )  # fmt: skip
            shared = sum(
                _timed([*SLIMAGE, "analyze", ref, "--format", "json"], root / "cache-shared")
                for ref in references
            )
            reaudit = [*SLIMAGE, "audit", registry.host, "--quiet", "--format", "json",
                       "--store", f"sqlite:///{root / 'a.db'}"]  # fmt: skip
            again = []
            for _ in range(max(1, arguments.reaudits)):
                mark = len(log.read_text().splitlines())
                again.append(_timed(reaudit, root / "cache-audit"))
            requests = [  # those of the last re-audit
                m.group(1)
                for line in log.read_text().splitlines()[mark:]
                if (m := REQUEST.search(line))
            ]
    print(f"each image analysed alone:        {alone:7.2f} s")
    print(f"slimage audit (2 jobs):           {audit:7.2f} s  ({alone / audit:.1f}x faster)")
    print(f"each alone, one shared cache:     {shared:7.2f} s  (audit/that {audit / shared:.2f})")
    print(
        f"re-audit, nothing changed:        {statistics.median(again):7.2f} s  "
        f"(median of {len(again)}: {min(again):.2f}-{max(again):.2f} s; "
        f"{len(requests)} requests: {requests.count('HEAD')} HEAD, {requests.count('GET')} GET)"
    )


if __name__ == "__main__":
    main()
