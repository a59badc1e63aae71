"""A generated fleet: images on a handful of shared bases, as a platform team has them.

Bases are a Debian-like OS (apt caches left in), an Alpine-like one, and a Node-like one
on top of the Debian base; each service adds its own app layer, some leave build caches.
Everything is deterministic (contents derived from names), so two calls write the same
layers and digests.
"""

from __future__ import annotations

import functools
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from support.images import make_layer, write_oci_layout


def _bytes(name: str, size: int) -> bytes:
    """``size`` incompressible-looking bytes determined by ``name``."""
    seed = hashlib.sha256(name.encode()).digest()
    return random.Random(seed).randbytes(size)


@functools.cache
def base_layers(base: str, scale: int = 1) -> tuple[bytes, ...]:
    """The layers of base ``base``; ``scale`` multiplies their file sizes (benchmarks)."""
    debian = make_layer(
        [
            ("dir", "etc"),
            ("file", "etc/os-release", b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian 12"\n'),
            ("file", "usr/lib/x86_64-linux-gnu/libc.so.6", _bytes("libc", 120_000 * scale)),
            ("file", "bin/sh", _bytes("dash", 20_000 * scale)),
        ]
    )
    apt_cache = make_layer(
        [("file", "var/cache/apt/archives/curl_8.0_amd64.deb", _bytes("curl.deb", 60_000 * scale))]
    )
    if base == "debian":
        return (debian, apt_cache)
    if base == "node":
        node = make_layer([("file", "usr/local/bin/node", _bytes("node", 200_000 * scale))])
        return (debian, apt_cache, node)
    alpine = make_layer(
        [
            ("file", "etc/os-release", b'ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine"\n'),
            ("file", "lib/ld-musl-x86_64.so.1", _bytes("musl", 40_000 * scale)),
        ]
    )
    return (alpine,)


@dataclass(frozen=True)
class Service:
    name: str
    base: str
    version: int = 1
    npm_cache: bool = False
    scale: int = 1

    def layers(self) -> list[bytes]:
        app_bytes = _bytes(f"{self.name}-v{self.version}", 30_000 * self.scale)
        app = make_layer([("file", f"app/{self.name}", app_bytes)])
        layers = [*base_layers(self.base, self.scale), app]
        if self.npm_cache:
            cache = _bytes(f"{self.name}-npm", 25_000 * self.scale)
            layers.append(make_layer([("file", "root/.npm/_cacache/x", cache)]))
        return layers


def services(count: int, scale: int = 1) -> list[Service]:
    """``count`` services spread over the three bases; every third leaves an npm cache."""
    bases = ["node", "debian", "alpine"]
    return [
        Service(f"svc{number:02d}", bases[number % 3], npm_cache=number % 3 == 0, scale=scale)
        for number in range(count)
    ]


def write_layout(service: Service, directory: Path) -> Path:
    return write_oci_layout(directory / service.name, service.layers(), compress="gzip")
