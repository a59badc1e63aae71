"""What runs and as whom: image config settings and inventory sets, before and after.

A changed user or entry point (``Entrypoint``/``Cmd``) is ``notable``: the image may no
longer start the same way, which is what a reviewer of a slimming change must check.
Env values that look like secrets are masked as the analysis masks them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slimage.analysis.inventory import Inventory, image_config_body
from slimage.analysis.secrets import mask, scan_env
from slimage.diff.model import ConfigChange, SetChange

# Settings compared as a whole, and whether a change to them is called out.
_SETTINGS = (
    ("User", True),
    ("Entrypoint", True),
    ("Cmd", True),
    ("WorkingDir", False),
    ("StopSignal", False),
    ("Healthcheck", False),
    ("Shell", False),
)


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _env(body: Mapping[str, Any]) -> dict[str, str]:
    env = body.get("Env")
    values: dict[str, str] = {}
    if isinstance(env, list):
        for entry in env:
            if isinstance(entry, str):
                name, _, value = entry.partition("=")
                values[name] = mask(value) if scan_env([entry]) else value
    return values


def _names(body: Mapping[str, Any], key: str) -> list[str]:
    value = body.get(key)
    return sorted(str(name) for name in value) if isinstance(value, Mapping) else []


def compare_config(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ConfigChange]:
    """Every config setting that differs: user, entry point, command, working directory,
    each Env variable, exposed ports, volumes and labels."""
    old, new = image_config_body(before), image_config_body(after)
    changes: list[ConfigChange] = []
    for key, notable in _SETTINGS:
        was, now = _text(old.get(key)), _text(new.get(key))
        if was != now:
            changes.append(ConfigChange(key, was, now, notable))
    old_env, new_env = _env(old), _env(new)
    for name in sorted(old_env.keys() | new_env.keys()):
        was_value, now_value = old_env.get(name), new_env.get(name)
        if was_value != now_value:
            changes.append(ConfigChange(f"Env {name}", was_value, now_value))
    for key in ("ExposedPorts", "Volumes"):
        was_names, now_names = _names(old, key), _names(new, key)
        if was_names != now_names:
            changes.append(
                ConfigChange(key, " ".join(was_names) or None, " ".join(now_names) or None)
            )
    old_labels, new_labels = old.get("Labels") or {}, new.get("Labels") or {}
    if isinstance(old_labels, Mapping) and isinstance(new_labels, Mapping):
        for name in sorted(old_labels.keys() | new_labels.keys()):
            was_label, now_label = old_labels.get(name), new_labels.get(name)
            if was_label != now_label:
                changes.append(ConfigChange(f"Label {name}", _text(was_label), _text(now_label)))
    return changes


def compare_inventory(before: Inventory, after: Inventory) -> list[SetChange]:
    """Shell, package managers, setuid and setgid files present before and after."""
    return [
        SetChange(
            "shell", [before.shell] if before.shell else [], [after.shell] if after.shell else []
        ),
        SetChange("package managers", before.package_managers, after.package_managers),
        SetChange("setuid files", before.setuid_files, after.setuid_files),
        SetChange("setgid files", before.setgid_files, after.setgid_files),
    ]
