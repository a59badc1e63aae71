"""`slimage init`: detect the project's stack and write a small multi-stage Dockerfile."""

from __future__ import annotations

from slimage.generate.render import render_dockerfile
from slimage.stacks import detect_project

__all__ = ["detect_project", "render_dockerfile"]
