"""``slimage audit`` with a real PostgreSQL store: shards in concurrent processes, a worker
killed mid-run, two auditors racing on the same images."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.fleet import services, write_layout
from support.postgres import run_postgres

pytestmark = pytest.mark.integration

IMAGES = 12
# The killed worker's fleet: large enough that the worker is still far from done when it
# is killed (a worker that stored its third image of twelve could store the rest in the
# time it took to see the third and kill it).
KILLED_FLEET = 120


def _fleet(directory: Path, count: int) -> Path:
    for service in services(count):
        write_layout(service, directory)
    return directory


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fleet(tmp_path_factory.mktemp("pg-fleet"), IMAGES)


@pytest.fixture
def postgres() -> Iterator[str]:
    with run_postgres() as url:
        yield url


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "slimage", "audit", *args]


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(cache)}


def _report(store: str, tmp_path: Path) -> dict[str, object]:
    done = subprocess.run(
        _command("report", "--store", store, "--format", "json"),
        capture_output=True,
        text=True,
        env=_env(tmp_path / "cache"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def _single(fleet_dir: Path, tmp_path: Path) -> dict[str, object]:
    store = f"sqlite:///{tmp_path / 'single.db'}"
    done = subprocess.run(
        _command("--dir", str(fleet_dir), "--store", store, "--run", "weekly", "--quiet"),
        capture_output=True,
        env=_env(tmp_path / "cache-single"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return _report(store, tmp_path)


def _rows(url: str, table: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_four_shards_at_once_give_the_single_process_result(
    fleet_dir: Path, postgres: str, tmp_path: Path
) -> None:
    processes = [
        subprocess.Popen(
            _command(
                "--dir",
                str(fleet_dir),
                "--store",
                postgres,
                "--shard",
                f"{index}/4",
                "--run",
                "weekly",
                "--quiet",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=_env(tmp_path / f"cache-{index}"),
        )
        for index in range(4)
    ]
    for process in processes:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    merged = _report(postgres, tmp_path)
    single = _single(fleet_dir, tmp_path)
    assert merged["totals"] == single["totals"]
    assert merged["images"] == single["images"]
    assert _rows(postgres, "images") == IMAGES
    assert _rows(postgres, "run_entries") == IMAGES


def test_a_killed_worker_restarted_loses_and_duplicates_nothing(
    postgres: str, tmp_path: Path
) -> None:
    fleet_dir = _fleet(tmp_path / "fleet", KILLED_FLEET)
    args = _command("--dir", str(fleet_dir), "--store", postgres, "--run", "weekly", "--quiet")
    worker = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(tmp_path / "c")
    )
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and worker.poll() is None:
        try:
            stored = _rows(postgres, "images")
        except Exception:  # the schema may not exist yet
            stored = 0
        if stored >= 3:
            break
        time.sleep(0.05)
    assert worker.poll() is None, "the worker finished before it could be killed"
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert 3 <= _rows(postgres, "images") < KILLED_FLEET
    again = subprocess.run(args, capture_output=True, env=_env(tmp_path / "c"), timeout=600)
    assert again.returncode == 0, again.stderr
    assert _rows(postgres, "images") == KILLED_FLEET
    assert _rows(postgres, "run_entries") == KILLED_FLEET
    assert _rows(postgres, "image_layers") == sum(len(s.layers()) for s in services(KILLED_FLEET))
    merged = _report(postgres, tmp_path)
    single = _single(fleet_dir, tmp_path)
    assert merged["totals"] == single["totals"]
    assert merged["images"] == single["images"]


def test_two_auditors_racing_on_the_same_images(
    fleet_dir: Path, postgres: str, tmp_path: Path
) -> None:
    racers = [
        subprocess.Popen(
            _command("--dir", str(fleet_dir), "--store", postgres, "--run", "race", "--quiet"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=_env(tmp_path / f"race-{n}"),
        )
        for n in range(2)
    ]
    for racer in racers:
        _, err = racer.communicate(timeout=600)
        assert racer.returncode == 0, err
    assert _rows(postgres, "images") == IMAGES
    assert _rows(postgres, "run_entries") == IMAGES
    assert _rows(postgres, "runs") == 1


def test_resolutions_are_upserted_and_read_back(postgres: str) -> None:
    """What a registry tag resolved to (schema 2): replaced when the tag moves."""
    from slimage.audit.store import EntryRow, Resolution, Store

    store = Store(postgres)
    try:
        old = Resolution("docker://r/app:1", "linux/amd64", "sha256:" + "1" * 64,
                         "sha256:" + "a" * 64, None, ("sha256:" + "b" * 64,))  # fmt: skip
        entry = EntryRow(old.reference, "registry", "app", old.image_id, None)
        store.record_entries("r1", [entry], [old])
        moved = Resolution(old.reference, old.platform, "sha256:" + "2" * 64,
                           "sha256:" + "c" * 64, "2026-12-01T00:00:00Z", ())  # fmt: skip
        store.record_entries("r2", [entry], [moved])
        assert store.resolutions([old.reference], "linux/amd64") == {old.reference: moved}
        assert store.resolutions([old.reference], "linux/arm64") == {}
    finally:
        store.close()
