"""``slimage verify``: run an image and check that it still does its job.

Library use (what ``rewrite --verify`` calls)::

    from slimage.verify import HttpProbe, VerifySpec, verify_image, verify_like

    spec = VerifySpec(http=(HttpProbe.parse(":8000/health=200"),), timeout=60)
    report = verify_image("app.tar", spec)            # report.passed, report.failed
    report = verify_like("slim.tar", "fat.tar", spec)  # same status and body required

Every container a call starts is removed before it returns, also on errors, Ctrl-C and
SIGTERM. See :mod:`slimage.verify.run` for the rules of each check.
"""

from __future__ import annotations

from slimage.verify.model import Check, HttpProbe, VerifyReport, VerifySpec
from slimage.verify.run import verify_image, verify_like
from slimage.verify.runtime import RUNTIMES

__all__ = [
    "RUNTIMES",
    "Check",
    "HttpProbe",
    "VerifyReport",
    "VerifySpec",
    "verify_image",
    "verify_like",
]
