"""``slimage audit``: every image a team ships, analysed once, reported as a fleet.

The flow is the rest of slimage's, one level up::

    sources.py   registry catalog, a file of references, a directory, Kubernetes pods
        -> work.py    each unique image (by image ID) analysed once, in processes,
                      sharded across machines; layers replayed from the layer cache
        -> store.py   SQLite or PostgreSQL (SQLAlchemy Core): idempotent upserts
        -> fleet.py   per image, per base image, fleet totals, trend against the last run
        -> report/audit_*.py and cli/audit.py

The library entry points are :func:`slimage.audit.work.run_audit` and
:func:`slimage.audit.fleet.build_fleet`.
"""
