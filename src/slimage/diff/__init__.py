"""``slimage diff``: two images compared by content, in one streaming pass each.

::

    from slimage.diff import DiffOptions, diff_images

    diff = diff_images("before.tar", "after.tar", DiffOptions(max_growth_bytes=0))
    print(diff.size_delta, diff.file_totals.added_files, diff.gates_passed)

The model is :mod:`slimage.diff.model`; the renderers are ``slimage.report.diff_text``,
``diff_json`` and ``diff_markdown``.
"""

from __future__ import annotations

from slimage.diff.compute import compare, diff_images
from slimage.diff.model import DiffOptions, ImageDiff

__all__ = ["DiffOptions", "ImageDiff", "compare", "diff_images"]
