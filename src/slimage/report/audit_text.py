"""``slimage audit`` as text (the terminal, a log) and as markdown (an issue, a wiki page).

Both read the same :class:`~slimage.audit.fleet.Fleet`; names from images and registries
go through :func:`~slimage.report.safe_text.clean` (markdown also escapes its table pipes).
"""

from __future__ import annotations

from collections.abc import Callable

from slimage.audit.fleet import Fleet, by_cause_totals
from slimage.report.safe_text import clean
from slimage.units import human_bytes

TOP_IMAGES = 20


def human_seconds(seconds: float) -> str:
    """``42.0`` -> ``"42 s"``; ``250`` -> ``"4 min 10 s"``; ``5400`` -> ``"1 h 30 min"``."""
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.0f} s" if seconds >= 1 else f"{seconds:.1f} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _headline(fleet: Fleet) -> list[str]:
    t = fleet.totals
    bandwidth = f"{fleet.bandwidth_bits / 1e6:g} Mbit/s"
    lines = [
        f"{plural(t.images, 'image')} ({plural(t.references, 'reference')}"
        + (f", {t.failed} failed" if t.failed else "")
        + f"): {human_bytes(t.content_bytes)} in all, {human_bytes(t.compressed_bytes)} to pull "
        f"one by one, {human_bytes(t.stored_bytes)} stored once per layer",
        f"reclaimable: {human_bytes(t.reclaimable_bytes)} "
        f"({_percent(t.reclaimable_bytes, t.content_bytes)} of the fleet's bytes)",
        f"cold node pull at {bandwidth}: {human_seconds(t.pull_seconds)} now, "
        f"~{human_seconds(t.pull_seconds_after)} with every finding applied",
        f"registry storage: {human_bytes(t.stored_bytes)} (${t.monthly_cost:.2f}/month at "
        f"${fleet.price_per_gb:g}/GB), ~{human_bytes(t.stored_bytes_after)} "
        f"(${t.monthly_cost_after:.2f}/month) with every finding applied",
    ]
    if t.bases > 1:
        lines.append(
            f"{plural(t.images, 'image')} on {plural(t.bases, 'different base')} "
            f"({human_bytes(t.bases_stored_bytes)} of bases a node pulls): one shared base "
            f"saves {human_bytes(t.consolidation_saving_bytes)} of pulls per node"
        )
    return lines


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "0 %"


def render_audit_text(fleet: Fleet) -> str:
    out = [f"slimage audit {clean(fleet.run)}", *_headline(fleet), ""]
    causes = by_cause_totals(fleet)
    if causes:
        out.append("Reclaimable by cause:")
        out += [f"  {human_bytes(size):>10}  {clean(cause)}" for cause, size in causes.items()]
        out.append("")
    out.append("Images, biggest first:")
    for item in fleet.images[:TOP_IMAGES]:
        image = item.image
        names = ", ".join(clean(ref) for ref in item.references)
        out.append(
            f"  {human_bytes(image.content_bytes):>10}  {names}  "
            f"(reclaimable {human_bytes(image.reclaimable_bytes)}, "
            f"pull {human_bytes(image.compressed_bytes)})"
        )
        for finding in image.findings[:3]:
            out.append(
                f"              {finding['code']} {human_bytes(finding['bytes'])}: "
                f"{clean(str(finding['message']))}"
            )
    if len(fleet.images) > TOP_IMAGES:
        out.append(f"  ... {len(fleet.images) - TOP_IMAGES} more (--format json lists all)")
    out += ["", "Base images, most used first:"]
    for base in fleet.bases:
        out.append(
            f"  {plural(len(base.images), 'image'):>10}  {clean(base.name)}  "
            f"{human_bytes(base.compressed_bytes)} to pull, {plural(base.layers, 'layer')}"
        )
    out += _changes(fleet, lambda ref: clean(ref))
    if fleet.failures:
        out += ["", f"Failed ({len(fleet.failures)}):"]
        out += [f"  {clean(f.reference)}: {clean(f.error or '')}" for f in fleet.failures]
    return "\n".join(out) + "\n"


def _changes(fleet: Fleet, name: Callable[[str], str]) -> list[str]:
    if fleet.previous_run is None:
        return []
    out = ["", f"Since {name(fleet.previous_run)}:"]
    if not fleet.changes:
        return [*out, "  no image changed"]
    for change in fleet.changes:
        if change.before_bytes is None:
            out.append(
                f"  new      {name(change.reference)} {human_bytes(change.after_bytes or 0)}"
            )
        elif change.after_bytes is None:
            out.append(
                f"  gone     {name(change.reference)} (was {human_bytes(change.before_bytes)})"
            )
        else:
            delta = change.after_bytes - change.before_bytes
            verb = "grew" if delta > 0 else "shrank"
            sign = "+" if delta > 0 else ""
            out.append(
                f"  {verb:<8} {name(change.reference)} {human_bytes(change.before_bytes)} -> "
                f"{human_bytes(change.after_bytes)} ({sign}{human_bytes(delta)})"
            )
    return out


def _md(text: str) -> str:
    return clean(text).replace("|", "\\|").replace("`", "'")


def render_audit_markdown(fleet: Fleet) -> str:
    out = [f"## slimage audit `{_md(fleet.run)}`", ""]
    out += [f"- {line}" for line in _headline(fleet)]
    out += [
        "",
        "| image | size | pull | reclaimable | base | top finding |",
        "|---|---:|---:|---:|---|---|",
    ]
    bases = {base.key: base.name for base in fleet.bases}
    for item in fleet.images:
        image = item.image
        top = image.findings[0] if image.findings else None
        finding = f"{top['code']} {human_bytes(top['bytes'])}: {top['message']}" if top else ""
        out.append(
            f"| {'<br>'.join(_md(ref) for ref in item.references)} "
            f"| {human_bytes(image.content_bytes)} | {human_bytes(image.compressed_bytes)} "
            f"| {human_bytes(image.reclaimable_bytes)} | {_md(bases.get(item.base, item.base))} "
            f"| {_md(finding)} |"
        )
    causes = by_cause_totals(fleet)
    if causes:
        out += ["", "| cause | reclaimable |", "|---|---:|"]
        out += [f"| {_md(cause)} | {human_bytes(size)} |" for cause, size in causes.items()]
    changes = _changes(fleet, _md)
    if changes:
        out += ["", f"### {changes[1].strip()}", ""]
        out += [f"- {line.strip()}" for line in changes[2:]]
    if fleet.failures:
        out += ["", f"### Failed ({len(fleet.failures)})", ""]
        out += [f"- `{_md(f.reference)}`: {_md(f.error or '')}" for f in fleet.failures]
    return "\n".join(out) + "\n"
