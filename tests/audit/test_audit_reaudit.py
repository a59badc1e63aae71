"""A re-audit of registry tags asks the registry one HEAD per tag while nothing changed,
and still sees a tag that moved or went away (against the fault registry on 127.0.0.1;
tests/integration/test_audit_registry.py does the same against a real one)."""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from slimage.audit.fleet import build_fleet
from slimage.audit.sources import Target
from slimage.audit.store import Store
from slimage.audit.work import AuditOptions, AuditOutcome, run_audit
from support.fault_registry import FaultRegistry
from support.images import make_config, make_layer, sha256

RAW = [make_layer([("file", "etc/os-release", b"ID=debian\n"), ("file", "app/x", b"x" * 5000)])]
LAYERS = [gzip.compress(layer, mtime=0) for layer in RAW]
CONFIG = make_config([sha256(layer) for layer in RAW])


@pytest.fixture
def server() -> Iterator[FaultRegistry]:
    registry = FaultRegistry(LAYERS, CONFIG, "application/vnd.oci.image.layer.v1.tar+gzip")
    with registry.serve() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    opened = Store(f"sqlite:///{tmp_path / 'audit.db'}")
    yield opened
    opened.close()


def _audit(server: FaultRegistry, store: Store, run: str) -> AuditOutcome:
    targets = [Target(f"docker://{server.host}/app:{tag}", "registry", "app") for tag in ("1", "2")]
    server.requests.clear()
    return run_audit(targets, store, AuditOptions(run=run, scope="test"))


def test_an_unchanged_tag_costs_one_head(server: FaultRegistry, store: Store) -> None:
    first = _audit(server, store, "r1")
    assert (first.images, first.analysed, first.failed) == (1, 1, 0)
    again = _audit(server, store, "r2")
    assert (again.images, again.analysed, again.failed) == (1, 0, 0)
    assert sorted(server.requests) == [
        ("HEAD", "/v2/app/manifests/1"),
        ("HEAD", "/v2/app/manifests/2"),
    ]
    before = build_fleet(store, "r1", bandwidth_bits=1e8, price_per_gb=0.1)
    after = build_fleet(store, "r2", bandwidth_bits=1e8, price_per_gb=0.1)
    assert after.images == before.images and after.totals == before.totals
    assert after.changes == []


def test_a_moved_tag_is_read_again(server: FaultRegistry, store: Store) -> None:
    _audit(server, store, "r1")
    # The tags now name another manifest (of the same image: its ID, the config's
    # digest, is unchanged, so nothing is analysed again).
    manifest = json.loads(server.manifest)
    manifest["annotations"] = {"org.opencontainers.image.revision": "2"}
    server.plan.manifest_override = json.dumps(manifest).encode()
    moved = _audit(server, store, "r2")
    assert (moved.images, moved.analysed, moved.failed) == (1, 0, 0)
    assert ("GET", "/v2/app/manifests/1") in server.requests
    assert ("GET", f"/v2/app/blobs/{sha256(CONFIG)}") in server.requests
    # The new digest is remembered: the run after costs one HEAD a tag again.
    _audit(server, store, "r3")
    assert {method for method, _ in server.requests} == {"HEAD"}


def test_a_tag_gone_since_the_last_run_is_reported(server: FaultRegistry, store: Store) -> None:
    _audit(server, store, "r1")
    server.plan.statuses["/manifests/2"] = [404, 404]  # the HEAD, then the full look
    gone = _audit(server, store, "r2")
    assert gone.failed == 1
    fleet = build_fleet(store, "r2", bandwidth_bits=1e8, price_per_gb=0.1)
    [failure] = fleet.failures
    assert failure.reference.endswith("/app:2") and "not found" in (failure.error or "")


def test_a_schema_1_store_gains_the_resolutions_table(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    Store(f"sqlite:///{path}").close()
    with contextlib.closing(sqlite3.connect(path)) as connection:  # as schema 1 left it
        connection.execute("DROP TABLE resolutions")
        connection.execute("UPDATE slimage_schema SET version = 1")
        connection.commit()
    store = Store(f"sqlite:///{path}")
    try:
        assert store.resolutions(["docker://r/app:1"], "linux/amd64") == {}
    finally:
        store.close()
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT version FROM slimage_schema").fetchall() == [(2,)]
