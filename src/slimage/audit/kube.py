"""``slimage audit k8s-job``: the manifest of a Kubernetes Indexed Job that audits a fleet
in N shards writing to one store.

Kubernetes runs the pods and gives each its index (``JOB_COMPLETION_INDEX``, 0..N-1);
slimage maps it to ``--shard INDEX/N``. No scheduler or queue of slimage's own: a failed
pod is retried by the Job, and the store's idempotent writes make a retry safe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slimage.errors import UsageError

_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?")


def job_manifest(
    *,
    name: str,
    image: str,
    shards: int,
    store_secret: str,
    audit_args: Sequence[str],
    run: str,
    parallelism: int | None = None,
    namespace: str | None = None,
) -> dict[str, Any]:
    """A ``batch/v1`` Indexed Job: ``shards`` completions, each pod running
    ``slimage audit ARGS --store URL --shard INDEX/N --run RUN``, the store URL read from
    the Secret ``store_secret`` (key ``url``)."""
    if not _NAME.fullmatch(name):
        raise UsageError(f"--name {name!r}: a Kubernetes name (lower case, digits, '-')")
    if shards < 1:
        raise UsageError("--shards must be at least 1")
    if not _NAME.fullmatch(store_secret):
        raise UsageError(f"--store-secret {store_secret!r}: not a valid Secret name")
    # Kubernetes expands $(VAR) in args from the container's environment, to which the
    # Job controller adds JOB_COMPLETION_INDEX: no shell is needed in the image.
    args = [
        "audit",
        *audit_args,
        "--store",
        "$(SLIMAGE_STORE)",
        "--shard",
        f"$(JOB_COMPLETION_INDEX)/{shards}",
        "--run",
        run,
        "--quiet",
    ]
    metadata: dict[str, Any] = {"name": name, "labels": {"app.kubernetes.io/name": "slimage-audit"}}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": {
            "completionMode": "Indexed",
            "completions": shards,
            "parallelism": min(parallelism or shards, shards),
            "backoffLimitPerIndex": 3,
            "maxFailedIndexes": shards,
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "slimage-audit"}},
                "spec": {
                    "restartPolicy": "Never",
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 65532},
                    "containers": [
                        {
                            "name": "audit",
                            "image": image,
                            "command": ["slimage"],
                            "args": args,
                            "env": [
                                {
                                    "name": "SLIMAGE_STORE",
                                    "valueFrom": {
                                        "secretKeyRef": {"name": store_secret, "key": "url"}
                                    },
                                },
                                {"name": "XDG_CACHE_HOME", "value": "/cache"},
                            ],
                            "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
                            "resources": {
                                "requests": {"cpu": "1", "memory": "1Gi"},
                                "limits": {"memory": "4Gi"},
                            },
                        }
                    ],
                    "volumes": [{"name": "cache", "emptyDir": {"sizeLimit": "20Gi"}}],
                },
            },
        },
    }


def render_yaml(document: dict[str, Any]) -> str:
    import yaml

    return str(yaml.safe_dump(document, sort_keys=False, default_flow_style=False))
