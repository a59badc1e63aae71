"""The audit store: SQLite by default, PostgreSQL for teams, one code path (SQLAlchemy Core).

Tables (schema version :data:`SCHEMA_VERSION`)::

    images       one row per image ID (the config digest): sizes, waste, findings
    layers       one row per layer digest: sizes
    image_layers which layers an image has, bottom first
    runs         one row per audit run (a name shared by every shard of the run)
    run_entries  which reference a run saw, and the image ID it resolved to or its error
    resolutions  what a registry reference last resolved to: the digest of the manifest
                 it named, and that image's ID, creation time and layers (schema 2)

Rows about images and layers are facts about content-addressed data, so writing one is an
idempotent insert that ignores a conflict: two auditors that analyse the same image or
layer at once store it once, and a worker killed mid-run loses at most the image it was
on. A run's entries are upserts keyed by (run, reference), and so are resolutions, keyed
by (reference, platform): a re-audit asks the registry only which manifest digest each
tag names now (a HEAD) and takes the rest from here when it has not changed.

Migrations are a small ordered list applied under a version row, not Alembic: the schema
is six tables, it ships inside the package, and users never write migrations of their
own; a dependency and a migrations folder would cost more than they save.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slimage.errors import UsageError

SCHEMA_VERSION = 2


def default_url(environ: Mapping[str, str] | None = None) -> str:
    """``sqlite:///~/.cache/slimage/audit.db`` (``$XDG_CACHE_HOME`` honoured)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME", "~"), ".cache")
    return f"sqlite:///{Path(os.path.expanduser(base)) / 'slimage' / 'audit.db'}"


@dataclass(frozen=True)
class ImageRow:
    image_id: str
    platform: str | None
    created: str | None
    content_bytes: int
    compressed_bytes: int
    hidden_bytes: int
    waste_bytes: int
    reclaimable_bytes: int
    by_cause: Mapping[str, int]
    findings: Sequence[Mapping[str, Any]]
    user: str | None
    os_name: str | None
    steps: Sequence[str]  # the step that made each layer, bottom first


@dataclass(frozen=True)
class LayerRow:
    digest: str
    compressed_bytes: int
    content_bytes: int


@dataclass(frozen=True)
class Resolution:
    """What a registry reference resolved to when its manifest had ``manifest_digest``."""

    reference: str
    platform: str  # the platform chosen from an index (this machine's)
    manifest_digest: str  # of the manifest the reference names (an index's, if one)
    image_id: str
    created: str | None
    layers: tuple[str, ...]  # layer digests, bottom first


@dataclass(frozen=True)
class EntryRow:
    reference: str
    origin: str
    repository: str
    image_id: str | None
    error: str | None


class Store:
    """An open audit store. ``url`` is an SQLAlchemy URL: ``sqlite:///path`` or
    ``postgresql://user@host/db`` (psycopg 3: ``pip install 'slimage[postgres]'``)."""

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa

        self.url = url
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///") :]).expanduser().parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        try:
            self.engine = sa.create_engine(url)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as error:
            raise UsageError(f"--store {self.url!r}: {error}") from None
        except ImportError:
            raise UsageError(
                f"--store {self.url!r}: the PostgreSQL driver is missing: "
                "pip install 'slimage[postgres]'"
            ) from None
        self._tables = _tables(sa)
        try:
            self._migrate()
        except sa.exc.OperationalError as error:
            raise UsageError(f"--store {self.url!r}: cannot open ({error.orig})") from None

    def close(self) -> None:
        self.engine.dispose()

    # -- schema ----------------------------------------------------------------------------

    def _migrate(self) -> None:
        import sqlalchemy as sa

        meta, version = self._tables["meta"], self._tables["version"]
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Several shards may open a fresh store at once: one creates, the others wait.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7305)"))
            version.create(connection, checkfirst=True)
            current = connection.execute(sa.select(version.c.version)).scalar()
            if current is None:
                current = 0
                connection.execute(version.insert().values(version=0))
            if current > SCHEMA_VERSION:
                raise UsageError(
                    f"--store {self.url!r}: written by a newer slimage (schema {current})"
                )
            if current < SCHEMA_VERSION:
                for number, migration in enumerate(MIGRATIONS, start=1):
                    if number > current:
                        migration(connection, meta)
                connection.execute(version.update().values(version=SCHEMA_VERSION))

    # -- writes ----------------------------------------------------------------------------

    def known_images(self, image_ids: Iterable[str]) -> set[str]:
        import sqlalchemy as sa

        images = self._tables["images"]
        wanted = list(image_ids)
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = connection.execute(
                    sa.select(images.c.image_id).where(images.c.image_id.in_(chunk))
                )
                found.update(row[0] for row in rows)
        return found

    def add_image(self, image: ImageRow, layers: Sequence[LayerRow]) -> None:
        """Store an analysed image and its layers (ignored if already there)."""
        t = self._tables
        with self.engine.begin() as connection:
            for layer in layers:
                self._insert_ignore(
                    connection,
                    t["layers"],
                    {
                        "digest": layer.digest,
                        "compressed_bytes": layer.compressed_bytes,
                        "content_bytes": layer.content_bytes,
                    },
                    ["digest"],
                )
            self._insert_ignore(
                connection,
                t["images"],
                {
                    "image_id": image.image_id,
                    "platform": image.platform,
                    "created": image.created,
                    "content_bytes": image.content_bytes,
                    "compressed_bytes": image.compressed_bytes,
                    "hidden_bytes": image.hidden_bytes,
                    "waste_bytes": image.waste_bytes,
                    "reclaimable_bytes": image.reclaimable_bytes,
                    "by_cause": json.dumps(dict(image.by_cause), sort_keys=True),
                    "findings": json.dumps(list(image.findings)),
                    "user_name": image.user,
                    "os_name": image.os_name,
                    "steps": json.dumps(list(image.steps)),
                    "analyzed_at": _now(),
                },
                ["image_id"],
            )
            for position, layer in enumerate(layers):
                self._insert_ignore(
                    connection,
                    t["image_layers"],
                    {"image_id": image.image_id, "position": position, "digest": layer.digest},
                    ["image_id", "position"],
                )

    def start_run(self, name: str, scope: str) -> None:
        self._insert_ignore_once(
            self._tables["runs"], {"name": name, "scope": scope, "started_at": _now()}, ["name"]
        )

    def record_entries(
        self, run: str, entries: Iterable[EntryRow], resolutions: Iterable[Resolution] = ()
    ) -> None:
        """What ``run`` saw for each reference (replaces an earlier try's answers) and
        the registry references it resolved anew, in one transaction: a store on disk
        pays its commit (a sync to disk) once per run, not once per reference."""
        entry_rows = [
            {
                "run": run,
                "reference": entry.reference,
                "origin": entry.origin,
                "repository": entry.repository,
                "image_id": entry.image_id,
                "error": entry.error,
            }
            for entry in entries
        ]
        resolution_rows = [
            {
                "reference": r.reference,
                "platform": r.platform,
                "manifest_digest": r.manifest_digest,
                "image_id": r.image_id,
                "created": r.created,
                "layers": json.dumps(list(r.layers)),
            }
            for r in resolutions
        ]
        with self.engine.begin() as connection:
            self._upsert(connection, "run_entries", ["run", "reference"], entry_rows)
            self._upsert(connection, "resolutions", ["reference", "platform"], resolution_rows)

    def _upsert(
        self, connection: Any, name: str, keys: list[str], rows: list[dict[str, Any]]
    ) -> None:
        """Insert ``rows`` (one statement, executed for all), replacing those whose keys
        are there already."""
        if not rows:
            return
        statement = _dialect(connection).insert(self._tables[name])
        statement = statement.on_conflict_do_update(
            index_elements=keys,
            set_={key: statement.excluded[key] for key in rows[0] if key not in keys},
        )
        connection.execute(statement, rows)

    # -- reads -----------------------------------------------------------------------------

    def resolutions(self, references: Iterable[str], platform: str) -> dict[str, Resolution]:
        """The last resolution of each of ``references`` on ``platform``, by reference."""
        import sqlalchemy as sa

        table = self._tables["resolutions"]
        wanted = list(references)
        found: dict[str, Resolution] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = connection.execute(
                    sa.select(table).where(
                        table.c.platform == platform, table.c.reference.in_(chunk)
                    )
                )
                for r in rows:
                    found[r.reference] = Resolution(
                        r.reference,
                        r.platform,
                        r.manifest_digest,
                        r.image_id,
                        r.created,
                        tuple(json.loads(r.layers)),
                    )
        return found

    def runs(self) -> list[tuple[str, str]]:
        """(name, started_at) of every run, oldest first."""
        import sqlalchemy as sa

        runs = self._tables["runs"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(runs.c.name, runs.c.started_at).order_by(runs.c.started_at, runs.c.name)
            )
            return [(row[0], row[1]) for row in rows]

    def entries(self, run: str) -> list[EntryRow]:
        import sqlalchemy as sa

        table = self._tables["run_entries"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(table).where(table.c.run == run).order_by(table.c.reference)
            )
            return [
                EntryRow(r.reference, r.origin, r.repository, r.image_id, r.error) for r in rows
            ]

    def images(self, image_ids: Iterable[str]) -> dict[str, tuple[ImageRow, list[LayerRow]]]:
        import sqlalchemy as sa

        t = self._tables
        wanted = sorted(set(image_ids))
        result: dict[str, tuple[ImageRow, list[LayerRow]]] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for r in connection.execute(
                    sa.select(t["images"]).where(t["images"].c.image_id.in_(chunk))
                ):
                    result[r.image_id] = (_image_row(r), [])
                joined = (
                    sa.select(
                        t["image_layers"].c.image_id,
                        t["layers"].c.digest,
                        t["layers"].c.compressed_bytes,
                        t["layers"].c.content_bytes,
                    )
                    .join(t["layers"], t["layers"].c.digest == t["image_layers"].c.digest)
                    .where(t["image_layers"].c.image_id.in_(chunk))
                    .order_by(t["image_layers"].c.image_id, t["image_layers"].c.position)
                )
                for r in connection.execute(joined):
                    if r.image_id in result:
                        result[r.image_id][1].append(
                            LayerRow(r.digest, r.compressed_bytes, r.content_bytes)
                        )
        return result

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _insert_ignore(
        connection: Any, table: Any, values: Mapping[str, Any], keys: list[str]
    ) -> None:
        statement = (
            _dialect(connection)
            .insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=keys)
        )
        connection.execute(statement)

    def _insert_ignore_once(self, table: Any, values: Mapping[str, Any], keys: list[str]) -> None:
        with self.engine.begin() as connection:
            self._insert_ignore(connection, table, values, keys)


def _dialect(connection: Any) -> Any:
    """The dialect module whose ``insert`` has ``ON CONFLICT`` (only the one in use is
    imported: SQLAlchemy's PostgreSQL dialect costs ~80 ms to import)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql
    from sqlalchemy.dialects import sqlite

    return sqlite


def _image_row(r: Any) -> ImageRow:
    return ImageRow(
        image_id=r.image_id,
        platform=r.platform,
        created=r.created,
        content_bytes=r.content_bytes,
        compressed_bytes=r.compressed_bytes,
        hidden_bytes=r.hidden_bytes,
        waste_bytes=r.waste_bytes,
        reclaimable_bytes=r.reclaimable_bytes,
        by_cause=json.loads(r.by_cause),
        findings=json.loads(r.findings),
        user=r.user_name,
        os_name=r.os_name,
        steps=json.loads(r.steps),
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _tables(sa: Any) -> dict[str, Any]:
    meta = sa.MetaData()
    text, big = sa.Text, sa.BigInteger
    tables = {
        "meta": meta,
        "version": sa.Table("slimage_schema", meta, sa.Column("version", sa.Integer)),
        "images": sa.Table(
            "images",
            meta,
            sa.Column("image_id", text, primary_key=True),
            sa.Column("platform", text),
            sa.Column("created", text),
            sa.Column("content_bytes", big, nullable=False),
            sa.Column("compressed_bytes", big, nullable=False),
            sa.Column("hidden_bytes", big, nullable=False),
            sa.Column("waste_bytes", big, nullable=False),
            sa.Column("reclaimable_bytes", big, nullable=False),
            sa.Column("by_cause", text, nullable=False),
            sa.Column("findings", text, nullable=False),
            sa.Column("user_name", text),
            sa.Column("os_name", text),
            sa.Column("steps", text, nullable=False),
            sa.Column("analyzed_at", text, nullable=False),
        ),
        "layers": sa.Table(
            "layers",
            meta,
            sa.Column("digest", text, primary_key=True),
            sa.Column("compressed_bytes", big, nullable=False),
            sa.Column("content_bytes", big, nullable=False),
        ),
        "image_layers": sa.Table(
            "image_layers",
            meta,
            sa.Column("image_id", text, primary_key=True),
            sa.Column("position", sa.Integer, primary_key=True),
            sa.Column("digest", text, nullable=False),
        ),
        "runs": sa.Table(
            "runs",
            meta,
            sa.Column("name", text, primary_key=True),
            sa.Column("scope", text, nullable=False),
            sa.Column("started_at", text, nullable=False),
        ),
        "run_entries": sa.Table(
            "run_entries",
            meta,
            sa.Column("run", text, primary_key=True),
            sa.Column("reference", text, primary_key=True),
            sa.Column("origin", text, nullable=False),
            sa.Column("repository", text, nullable=False),
            sa.Column("image_id", text),
            sa.Column("error", text),
        ),
        "resolutions": sa.Table(
            "resolutions",
            meta,
            sa.Column("reference", text, primary_key=True),
            sa.Column("platform", text, primary_key=True),
            sa.Column("manifest_digest", text, nullable=False),
            sa.Column("image_id", text, nullable=False),
            sa.Column("created", text),
            sa.Column("layers", text, nullable=False),
        ),
    }
    return tables


def _create_v1(connection: Any, meta: Any) -> None:
    for name in ("images", "layers", "image_layers", "runs", "run_entries"):
        meta.tables[name].create(connection, checkfirst=True)


def _add_resolutions(connection: Any, meta: Any) -> None:
    meta.tables["resolutions"].create(connection, checkfirst=True)


# Schema migrations, in order: entry N takes a store from version N-1 to N.
MIGRATIONS: list[Callable[[Any, Any], None]] = [_create_v1, _add_resolutions]
