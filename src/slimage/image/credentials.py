"""Registry credentials where Docker and podman keep them; never printed.

Looked up in order: ``$DOCKER_CONFIG/config.json`` (default ``~/.docker/config.json``):
``credHelpers[registry]``, then ``credsStore``, then ``auths``; then the containers
``auth.json`` (``$REGISTRY_AUTH_FILE``, ``$XDG_RUNTIME_DIR/containers/auth.json``).
Helpers are the ``docker-credential-NAME`` programs, asked with ``get`` as Docker asks.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slimage.errors import ConfigError, RegistryAuthError
from slimage.reference import DOCKER_HUB

# Docker keeps Docker Hub's entry under its old v1 index URL.
_HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")


@dataclass(frozen=True)
class Credentials:
    """A login for one registry: a user name with a password or an identity token; never printed."""

    username: str
    password: str = field(repr=False)
    # An OAuth identity (refresh) token from `docker login` with a helper: exchanged for
    # a bearer token, never sent as a password.
    identity_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=<hidden>)"


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def lookup_credentials(
    registry: str,
    *,
    environ: Mapping[str, str] | None = None,
    run: Runner = subprocess.run,
) -> Credentials | None:
    env = os.environ if environ is None else environ
    docker_config = _docker_config_path(env)
    config = _read_config(docker_config)
    keys = (
        _HUB_KEYS
        if registry == DOCKER_HUB
        else (registry, f"https://{registry}", f"http://{registry}")
    )
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key in keys:
            helper = helpers.get(key)
            if isinstance(helper, str) and helper:
                return _from_helper(helper, key, run)
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        found = _from_helper(store, keys[0], run)
        if found is not None:
            return found
    found = _from_auths(config, keys, docker_config)
    if found is not None:
        return found
    for path in _auth_json_paths(env):
        found = _from_auths(_read_config(path), keys, path)
        if found is not None:
            return found
    return None


def _docker_config_path(env: Mapping[str, str]) -> Path:
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    return Path(env.get("HOME", str(Path.home()))) / ".docker" / "config.json"


def _auth_json_paths(env: Mapping[str, str]) -> list[Path]:
    paths = []
    if env.get("REGISTRY_AUTH_FILE"):
        paths.append(Path(env["REGISTRY_AUTH_FILE"]))
    if env.get("XDG_RUNTIME_DIR"):
        paths.append(Path(env["XDG_RUNTIME_DIR"]) / "containers" / "auth.json")
    return paths


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise ConfigError(f"{path}: not valid JSON") from None
    return data if isinstance(data, dict) else {}


def _from_auths(config: Mapping[str, Any], keys: tuple[str, ...], path: Path) -> Credentials | None:
    auths = config.get("auths")
    if not isinstance(auths, dict):
        return None
    for key in keys:
        entry = auths.get(key) or auths.get(key.rstrip("/"))
        if not isinstance(entry, dict):
            continue
        token = entry.get("identitytoken")
        if isinstance(entry.get("auth"), str) and entry["auth"]:
            try:
                decoded = base64.b64decode(entry["auth"], validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise ConfigError(f"{path}: auths[{key!r}].auth is not base64") from None
            username, sep, password = decoded.partition(":")
            if not sep:
                raise ConfigError(f"{path}: auths[{key!r}].auth is not user:password")
            return Credentials(username, password, token if isinstance(token, str) else None)
        if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
            return Credentials(entry["username"], entry["password"])
        if isinstance(token, str) and token:
            return Credentials("", "", token)
    return None


def _from_helper(helper: str, server: str, run: Runner) -> Credentials | None:
    program = f"docker-credential-{helper}"
    if shutil.which(program) is None:
        raise RegistryAuthError(
            f"{server}: the Docker config names credential helper {helper!r}, "
            f"but {program} is not on PATH"
        )
    try:
        result = run([program, "get"], input=server, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise RegistryAuthError(f"{server}: {program} did not answer within 30 s") from None
    if result.returncode != 0:
        # Helpers say "credentials not found" on stdout with a non-zero code.
        return None
    try:
        data = json.loads(result.stdout)
    except ValueError:
        raise RegistryAuthError(
            f"{server}: {program} returned something that is not JSON"
        ) from None
    username = data.get("Username") if isinstance(data, dict) else None
    secret = data.get("Secret") if isinstance(data, dict) else None
    if not isinstance(username, str) or not isinstance(secret, str):
        return None
    if username == "<token>":
        return Credentials("", "", secret)
    return Credentials(username, secret)
