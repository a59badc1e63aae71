"""Which packages care about the C library: Node addons with glibc prebuilt binaries,
Python distributions with musl wheels (or pure Python), for the alpine advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


# Node addons that ship glibc prebuilt binaries or need node-gyp: alpine means a source build.
GLIBC_NODE_ADDONS = frozenset(
    {
        "bcrypt",
        "sharp",
        "better-sqlite3",
        "canvas",
        "node-gyp",
        "sqlite3",
        "argon2",
        "node-sass",
        "grpc",
        "@grpc/grpc-js-native",
        "re2",
        "cpu-features",
        "ssh2",
        "@swc/core",
        "puppeteer",
        "playwright",
        "@prisma/client",
        "prisma",
    }
)


# Python distributions that ship musllinux wheels or are pure Python: the only ones that let
# slimage suggest python:*-alpine. Anything else may need a source build on musl.
MUSL_SAFE_PYTHON = frozenset(
    {
        "flask",
        "django",
        "fastapi",
        "starlette",
        "uvicorn",
        "gunicorn",
        "requests",
        "httpx",
        "click",
        "jinja2",
        "werkzeug",
        "itsdangerous",
        "markupsafe",
        "pydantic",
        "pyyaml",
        "redis",
        "boto3",
        "botocore",
        "six",
        "certifi",
        "idna",
        "urllib3",
        "charset-normalizer",
        "python-dotenv",
        "typing-extensions",
        "pip",
        "setuptools",
        "wheel",
    }
)
