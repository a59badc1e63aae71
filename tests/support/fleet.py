"""A generated fleet: images on a handful of shared bases, as a platform team has them.

Bases are a Debian-like OS (apt caches left in), an Alpine-like one, and a Node-like one
on top of the Debian base; each service adds its own app layer, some leave build caches.
Everything is deterministic (contents derived from names), so two calls write the same
layers and digests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from support.images import make_layer, write_oci_layout


def _bytes(name: str, size: int) -> bytes:
    """``size`` incompressible-looking bytes determined by ``name``."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{name}/{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


DEBIAN = make_layer(
    [
        ("dir", "etc"),
        ("file", "etc/os-release", b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian 12"\n'),
        ("file", "usr/lib/x86_64-linux-gnu/libc.so.6", _bytes("libc", 120_000)),
        ("file", "bin/sh", _bytes("dash", 20_000)),
    ]
)
APT_CACHE = make_layer(
    [("file", "var/cache/apt/archives/curl_8.0_amd64.deb", _bytes("curl.deb", 60_000))]
)
ALPINE = make_layer(
    [
        ("file", "etc/os-release", b'ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine 3.20"\n'),
        ("file", "lib/ld-musl-x86_64.so.1", _bytes("musl", 40_000)),
    ]
)
NODE = make_layer([("file", "usr/local/bin/node", _bytes("node", 200_000))])

BASES = {
    "debian": [DEBIAN, APT_CACHE],
    "alpine": [ALPINE],
    "node": [DEBIAN, APT_CACHE, NODE],
}


@dataclass(frozen=True)
class Service:
    name: str
    base: str
    version: int = 1
    npm_cache: bool = False

    def layers(self) -> list[bytes]:
        app = make_layer(
            [("file", f"app/{self.name}", _bytes(f"{self.name}-v{self.version}", 30_000))]
        )
        layers = [*BASES[self.base], app]
        if self.npm_cache:
            layers.append(
                make_layer([("file", "root/.npm/_cacache/x", _bytes(f"{self.name}-npm", 25_000))])
            )
        return layers


def services(count: int) -> list[Service]:
    """``count`` services spread over the three bases; every third leaves an npm cache."""
    bases = ["node", "debian", "alpine"]
    return [
        Service(f"svc{number:02d}", bases[number % 3], npm_cache=number % 3 == 0)
        for number in range(count)
    ]


def write_layout(service: Service, directory: Path) -> Path:
    return write_oci_layout(directory / service.name, service.layers(), compress="gzip")
