"""``slimage audit --format html``: the fleet report as one self-contained page.

Built from the JSON report's document (:func:`~slimage.report.audit_json.audit_document`),
with the analyze report's Jinja2 environment and stylesheet: no network at view time,
autoescaped (names come from registries and images).
"""

from __future__ import annotations

from markupsafe import Markup

from slimage.audit.fleet import Fleet, by_cause_totals
from slimage.report.audit_json import audit_document
from slimage.report.audit_text import human_seconds
from slimage.report.html import asset, environment

TEMPLATE = "audit.html.j2"


def render_audit_html(fleet: Fleet) -> str:
    document = audit_document(fleet)
    env = environment()
    env.filters.setdefault("duration", human_seconds)
    return env.get_template(TEMPLATE).render(
        doc=document,
        t=document["totals"],
        causes=by_cause_totals(fleet),
        base_names={base["key"]: base["name"] for base in document["bases"]},
        bandwidth=f"{fleet.bandwidth_bits / 1e6:g} Mbit/s",
        style=Markup(asset("report.css")),
    )
