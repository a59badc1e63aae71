"""``slimage audit`` against a real Registry v2 (docker-registry) holding a 40-image fleet.

The registry's own access log says which blobs slimage fetched: every unique layer once
across the fleet, and after one image changes, only that image's new layers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.fleet import Service, services, write_layout
from support.registry import Registry, run_registry

pytestmark = pytest.mark.integration

FLEET = 42
RETAGGED = ("svc01", "svc02", "svc03")  # also pushed as :2, the same image
BLOB_GET = re.compile(r'"GET /v2/([^ ]+)/blobs/(sha256:[0-9a-f]{64}) HTTP[^"]*" 200 .*"slimage"$')
REQUEST = re.compile(r'"([A-Z]+) /v2/([^ ]*) HTTP[^"]*" \d+ .*"slimage"$')


@dataclass
class Fleet:
    registry: Registry
    log: Path
    layouts: Path
    references: list[str]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    root = tmp_path_factory.mktemp("audit-registry")
    log = root / "access.log"
    layouts = root / "layouts"
    with run_registry(root, access_log=log) as registry:
        references = []
        for service in services(FLEET):
            layout = write_layout(service, layouts)
            references.append(registry.push_oci(layout, f"team/{service.name}", "1"))
            if service.name in RETAGGED:
                references.append(registry.push_oci(layout, f"team/{service.name}", "2"))
        yield Fleet(registry, log, layouts, references)


def _audit(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "slimage", "audit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def _blob_gets(log: Path, since: int = 0) -> Counter[str]:
    lines = log.read_text().splitlines()[since:]
    return Counter(m.group(2) for line in lines if (m := BLOB_GET.search(line)))


def _requests(log: Path, since: int = 0) -> list[tuple[str, str]]:
    """(method, path under /v2/) of each request slimage made."""
    lines = log.read_text().splitlines()[since:]
    return [(m.group(1), m.group(2)) for line in lines if (m := REQUEST.search(line))]


def _manifest_layers(layout: Path) -> list[str]:
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((layout / "blobs" / "sha256" / digest).read_text())
    return [layer["digest"] for layer in manifest["layers"]]


def test_a_registry_fleet_reads_each_layer_once(fleet: Fleet, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'audit.db'}"
    mark = len(fleet.log.read_text().splitlines())
    done = _audit(
        fleet.registry.host, "--store", store, "--jobs", "2", "--run", "first",
        "--format", "json", cache=tmp_path / "cache",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    totals = document["totals"]
    assert totals["references"] == FLEET + len(RETAGGED)
    assert totals["images"] == FLEET  # a retag is the same image, analysed once
    # Every unique layer of the fleet was fetched, and none twice.
    unique = {d for path in fleet.layouts.iterdir() for d in _manifest_layers(path)}
    fetched = _blob_gets(fleet.log, mark)
    layer_fetches = {digest: n for digest, n in fetched.items() if digest in unique}
    assert set(layer_fetches) == unique
    assert max(layer_fetches.values()) == 1, layer_fetches
    # The fleet's numbers equal the same layouts audited from disk.
    local = _audit(
        "--dir", str(fleet.layouts), "--store", f"sqlite:///{tmp_path / 'local.db'}",
        "--format", "json", cache=tmp_path / "cache-local",
    )  # fmt: skip
    local_totals = json.loads(local.stdout)["totals"]
    for key in ("content_bytes", "compressed_bytes", "stored_bytes", "reclaimable_bytes"):
        assert totals[key] == local_totals[key], key
    retagged = next(i for i in document["images"] if len(i["references"]) == 2)
    assert retagged["references"][0].endswith(":1") and retagged["references"][1].endswith(":2")

    # Nothing changed: the second audit analyses nothing and fetches no layer.
    mark = len(fleet.log.read_text().splitlines())
    again = _audit(
        fleet.registry.host, "--store", store, "--run", "second", "--format", "json",
        cache=tmp_path / "cache",
    )  # fmt: skip
    assert again.returncode == 0
    assert not set(_blob_gets(fleet.log, mark)) & unique
    assert json.loads(again.stdout)["changes"] == []
    # ... and asks the registry only its listing and, per tag, which manifest it names.
    requests = _requests(fleet.log, mark)
    heads = sorted(path for method, path in requests if method == "HEAD")
    listed = sorted(ref.split("/", 1)[1].replace(":", "/manifests/") for ref in fleet.references)
    assert heads == listed
    others = [r for r in requests if r[0] != "HEAD"]
    assert all(path.endswith("tags/list?n=1000") for _, path in others[1:]), others
    assert others[0] == ("GET", "_catalog?n=1000")
    assert len(others) == 1 + FLEET

    # One service changes: only its new layers are fetched.
    changed = Service("svc07", "debian", version=2, npm_cache=True)
    layout = write_layout(changed, tmp_path / "changed")
    fleet.registry.push_oci(layout, "team/svc07", "1")
    mark = len(fleet.log.read_text().splitlines())
    third = _audit(
        fleet.registry.host, "--store", store, "--run", "third", "--format", "json",
        cache=tmp_path / "cache",
    )  # fmt: skip
    assert third.returncode == 0, third.stderr
    new_layers = set(_manifest_layers(layout)) - unique
    assert len(new_layers) == 2  # the new app layer and the npm cache
    fetched_now = set(_blob_gets(fleet.log, mark))
    assert new_layers <= fetched_now
    assert not fetched_now & unique
    changes = json.loads(third.stdout)["changes"]
    assert [c["reference"] for c in changes] == [f"docker://{fleet.registry.host}/team/svc07:1"]


def test_failures_are_counted_and_the_audit_goes_on(fleet: Fleet, tmp_path: Path) -> None:
    listing = tmp_path / "images.txt"
    listing.write_text(
        "\n".join(
            [
                fleet.references[0],
                f"{fleet.registry.host}/team/svc00:no-such-tag",  # manifest 404
                f"{fleet.registry.host}/team/nobody:1",  # repository unknown
                "127.0.0.1:1/team/app:1",  # nothing listens there
            ]
        )
        + "\n"
    )
    done = _audit(
        "--images", str(listing), "--store", f"sqlite:///{tmp_path / 'a.db'}", "--format",
        "json", cache=tmp_path / "cache",
    )  # fmt: skip
    assert done.returncode == 1
    assert "3 of 4 images could not be audited" in done.stderr
    document = json.loads(done.stdout)
    assert document["totals"]["images"] == 1
    errors = {f["reference"]: f["error"] for f in document["failures"]}
    assert "not found" in errors[f"{fleet.registry.host}/team/svc00:no-such-tag"]
    assert "127.0.0.1:1" in errors["127.0.0.1:1/team/app:1"]


def test_a_registry_that_wants_credentials(tmp_path: Path) -> None:
    (tmp_path / "private").mkdir()
    with run_registry(tmp_path / "private", htpasswd=("alice", "s3cret!")) as registry:
        layout = write_layout(Service("locked", "alpine"), tmp_path / "layouts")
        reference = registry.push_oci(layout, "team/locked", "1")
        listing = tmp_path / "images.txt"
        listing.write_text(reference + "\n")
        done = _audit(
            "--images", str(listing), "--store", f"sqlite:///{tmp_path / 'a.db'}",
            cache=tmp_path / "cache",
        )  # fmt: skip
        assert done.returncode == 1
        assert "401 unauthorized" in done.stdout
        listed = _audit(
            registry.host, "--store", f"sqlite:///{tmp_path / 'b.db'}", cache=tmp_path / "c"
        )
        assert listed.returncode == 3
        assert "401" in listed.stderr
