"""``slimage analyze --format html``: one self-contained page for people and CI artifacts.

The page is rendered from the same document as ``--format json``
(:func:`~slimage.report.analysis_json.analysis_document`), so every number it shows is
the JSON report's number; each carries its exact value in a ``data-bytes`` attribute (and
a tooltip) beside the rounded text. The treemap's data comes from
:mod:`slimage.report.html_treemap`. The template, its stylesheet and its script live in
``report/templates/`` and are inlined: the page loads nothing (its Content-Security-Policy
forbids it), so it works from a ``file://`` URL and as a CI artifact. Text from the image
(paths, steps, config values) is escaped by Jinja2's autoescaping, and the treemap's data
is embedded as JSON with ``<``, ``>`` and ``&`` escaped, then written into the page with
``textContent`` only.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from slimage.image.history import instruction_text
from slimage.report.analysis_json import analysis_document
from slimage.report.html_treemap import FAMILIES, family_of, treemap_data
from slimage.units import human_bytes

if TYPE_CHECKING:
    import jinja2

    from slimage.analysis.result import AnalysisResult

TEMPLATE = "analysis.html.j2"
TOP_PACKAGES = 15
TOP_INEFFICIENCIES = 15


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of every HTML report (its filters: ``bytes``, ``percent``)."""
    from slimage.extras import require

    templates = require("jinja2", "html", "--format html")
    environment: jinja2.Environment = templates.Environment(
        loader=templates.PackageLoader("slimage.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=templates.StrictUndefined,
    )
    environment.filters["bytes"] = human_bytes
    environment.filters["percent"] = _percent
    return environment


def _percent(value: float | None, whole: float | None = None) -> str:
    if value is None:
        return "n/a"
    if whole is not None:
        value = value / whole if whole else 0.0
    return f"{100 * value:.1f}%"


def asset(name: str) -> str:
    """A stylesheet or script of ``templates/``, to inline into a page."""
    return resources.files("slimage.report").joinpath("templates", name).read_text("utf-8")


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``</script>``,
    no ``<!--``, whatever the image's paths contain."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _families(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The legend: per colour family, its label, its waste classes and their bytes."""
    classes: dict[str, int] = document["summary"]["classes"]
    summary = document["summary"]
    rows = []
    for family, (label, members) in FAMILIES.items():
        if family == "kept":
            size = summary["unexplained_bytes"]
        elif family == "hidden":
            size = summary["hidden_bytes"]
        else:
            size = sum(classes.get(name, 0) for name in members)
        rows.append({"id": family, "label": label, "classes": members, "bytes": size})
    return rows


def _layers(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for layer in document["layers"]:
        created_by = layer["created_by"]
        step = instruction_text(created_by) if created_by else "(no recorded step)"
        rows.append({**layer, "number": layer["index"] + 1, "step": step})
    return rows


def _findings(result: AnalysisResult, document: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for finding, row in zip(result.explanation.findings, document["findings"], strict=True):
        waste_class = finding.extra.get("class") if finding.extra else None
        layer_index = finding.extra.get("layer_index") if finding.extra else None
        rows.append(
            {
                **row,
                "family": family_of(str(waste_class)) if waste_class else "kept",
                "layer": layer_index + 1 if isinstance(layer_index, int) else None,
            }
        )
    return rows


def _inventory(document: dict[str, Any]) -> dict[str, Any] | None:
    inventory = document["inventory"]
    if inventory is None:
        return None
    ecosystems = []
    for key, label in (
        ("os_packages", "OS packages"),
        ("python_packages", "Python packages"),
        ("node_packages", "Node packages"),
    ):
        packages = sorted(
            inventory[key], key=lambda package: -int(package.get("installed_bytes") or 0)
        )
        if packages:
            ecosystems.append(
                {
                    "label": label,
                    "count": len(packages),
                    "bytes": sum(int(package.get("installed_bytes") or 0) for package in packages),
                    "top": packages[:TOP_PACKAGES],
                }
            )
    return {**inventory, "ecosystems": ecosystems}


def report_context(result: AnalysisResult) -> dict[str, Any]:
    """Everything the template shows, from the JSON report's document (and the tree)."""
    document = analysis_document(result)
    summary = document["summary"]
    dive = document["dive"]
    return {
        "document": document,
        "image": document["image"],
        "summary": summary,
        "hidden": document["hidden"],
        "reclaimable_share": (
            summary["reclaimable_bytes"] / summary["content_bytes"]
            if summary["content_bytes"]
            else 0.0
        ),
        "families": _families(document),
        "layers": _layers(document),
        "findings": _findings(result, document),
        "inventory": _inventory(document),
        "dive": {**dive, "inefficiencies": dive["inefficiencies"][:TOP_INEFFICIENCIES]},
        "inefficiency_count": len(dive["inefficiencies"]),
        "gates": document["gates"],
        "warnings": document["warnings"],
        "notes": document["notes"],
        "treemap_json": script_json(treemap_data(result)),
        "style": asset("report.css"),
        "script": asset("treemap.js"),
    }


def render_analysis_html(result: AnalysisResult) -> str:
    """The report as one HTML document (UTF-8 text, no external resource)."""
    from markupsafe import Markup

    context = report_context(result)
    # The stylesheet, the script and the JSON are ours (the JSON escaped above): inline
    # them as they are.
    for key in ("treemap_json", "style", "script"):
        context[key] = Markup(context[key])
    return environment().get_template(TEMPLATE).render(**context)
