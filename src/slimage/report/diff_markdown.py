"""``slimage diff --format markdown``: a report ready to post as a pull-request comment.

GitHub-flavoured markdown: a one-line verdict, the totals table, what runs differently
(called out first: a changed user or entry point is what a reviewer must check), then the
causes, directories, biggest files and packages in collapsed ``<details>`` sections so
the comment stays short. Text from the images goes into code spans whose fences no
backtick inside can close, with table pipes escaped.
"""

from __future__ import annotations

import re

from slimage.diff.model import ChangeGroup, ImageDiff
from slimage.report.diff_text import (
    bandwidth,
    file_summary,
    seconds,
    share,
    signed_bytes,
    totals_rows,
    unset,
)
from slimage.report.safe_text import clean
from slimage.units import human_bytes

TOP_CAUSES = 15
TOP_DIRECTORIES = 15
TOP_FILES = 25
TOP_PACKAGES = 50


def code(text: str) -> str:
    """``text`` as an inline code span, safe inside a table cell."""
    text = clean(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return clean(text).replace("|", "\\|")


def _value(value: str | None, key: str = "") -> str:
    return f"*{unset(key)}*" if value is None else code(value)


def _counts(group: ChangeGroup) -> tuple[str, str, str]:
    removed = (
        f"{group.removed_files} ({human_bytes(group.removed_bytes)})" if group.removed_files else ""
    )
    added = f"{group.added_files} ({human_bytes(group.added_bytes)})" if group.added_files else ""
    changed = (
        f"{group.changed_files} ({signed_bytes(group.changed_delta)})"
        if group.changed_files
        else ""
    )
    return removed, added, changed


def render_diff_markdown(diff: ImageDiff) -> str:
    before, after = diff.before, diff.after
    out: list[str] = []
    add = out.append
    ratio = share(diff.size_delta, before.size_bytes)
    verdict = (
        "smaller" if diff.size_delta < 0 else "bigger" if diff.size_delta > 0 else "the same size"
    )
    add(
        f"### slimage diff: {human_bytes(before.size_bytes)} → {human_bytes(after.size_bytes)} "
        f"({signed_bytes(diff.size_delta)}{', ' + ratio if ratio else ''}, {verdict})"
    )
    add("")
    add(f"Before: {code(before.source)}  ")
    add(f"After: {code(after.source)}")
    add("")
    for gate in diff.gates:
        limit = f"{100 * gate.limit:g}%" if gate.unit == "ratio" else human_bytes(gate.limit)
        status = "✅ passed" if gate.passed else "❌ **failed**"
        add(f"**max-growth** {limit}: {status}  ")
    if diff.gates:
        add("")
    add("| | before | after | change |")
    add("|---|--:|--:|--:|")
    for label, was, now, difference, _ in totals_rows(diff):
        add(f"| {label} | {was} | {now} | {difference} |")
    add("")
    notable = [change for change in diff.config if change.notable]
    if notable:
        add("> [!WARNING]")
        settings = [
            f"{change.key} {_value(change.before, change.key)} → {_value(change.after, change.key)}"
            for change in notable
        ]
        add("> **Runs differently:** " + "; ".join(settings))
        add("")
    add(f"**Files:** {file_summary(diff).replace(' -> ', ' → ')}.")
    add("")
    if diff.causes:
        add("<details><summary>By cause (what the analysis charges the files to)</summary>")
        add("")
        add("| change | cause | class | removed | added | changed |")
        add("|--:|---|---|--:|--:|--:|")
        for group in diff.causes[:TOP_CAUSES]:
            removed, added, changed = _counts(group)
            add(
                f"| {signed_bytes(group.delta)} | {_cell(group.title)} | "
                f"{group.waste_class} | {removed} | {added} | {changed} |"
            )
        if diff.waste_classes:
            add("")
            add("Waste by class (as `slimage analyze` classifies it):")
            add("")
            add("| class | before | after | change |")
            add("|---|--:|--:|--:|")
            for waste in diff.waste_classes:
                add(
                    f"| {waste.waste_class} | {human_bytes(waste.before_bytes)} | "
                    f"{human_bytes(waste.after_bytes)} | {signed_bytes(waste.delta)} |"
                )
        add("")
        add("</details>")
        add("")
    if diff.directories:
        add("<details><summary>By directory</summary>")
        add("")
        add("| change | directory | removed | added | changed |")
        add("|--:|---|--:|--:|--:|")
        for group in diff.directories[:TOP_DIRECTORIES]:
            removed, added, changed = _counts(group)
            add(
                f"| {signed_bytes(group.delta)} | {code(group.key)} | "
                f"{removed} | {added} | {changed} |"
            )
        add("")
        add("</details>")
        add("")
    if diff.files:
        add(f"<details><summary>Biggest file changes ({len(diff.files)} in all)</summary>")
        add("")
        add("| change | before | after | path | cause |")
        add("|---|--:|--:|---|---|")
        for file in diff.files[:TOP_FILES]:
            was = human_bytes(file.before_bytes) if file.change != "added" else ""
            now = human_bytes(file.after_bytes) if file.change != "removed" else ""
            add(f"| {file.change} | {was} | {now} | {code(file.path)} | {file.cause} |")
        add("")
        add("</details>")
        add("")
    if diff.packages:
        add(f"<details><summary>Packages ({len(diff.packages)} changed)</summary>")
        add("")
        add("| change | manager | package | before | after |")
        add("|---|---|---|---|---|")
        for package in diff.packages[:TOP_PACKAGES]:
            name = package.name + (f" ({package.location})" if package.location else "")
            add(
                f"| {package.change} | {package.manager} | {_cell(name)} | "
                f"{_cell(package.before_version)} | {_cell(package.after_version)} |"
            )
        add("")
        add("</details>")
        add("")
    changed_sets = [item for item in diff.inventory if item.changed]
    if changed_sets or diff.config:
        add("<details><summary>Config, shells, package managers, setuid files</summary>")
        add("")
        add("| what | before | after |")
        add("|---|---|---|")
        for change in diff.config:
            key = f"**{change.key}**" if change.notable else change.key
            was, now = _value(change.before, change.key), _value(change.after, change.key)
            add(f"| {_cell(key)} | {was} | {now} |")
        for item in diff.inventory:
            was = ", ".join(code(entry) for entry in item.before) or "none"
            now = ", ".join(code(entry) for entry in item.after) or "none"
            add(f"| {item.name} | {was} | {now} |")
        add("")
        add("</details>")
        add("")
    add(
        f"<sub>Pull times at {bandwidth(diff.bandwidth_bits)}; the after image shares "
        f"{diff.shared_layers} of its {after.layers} layers with the before image "
        f"({human_bytes(diff.new_layer_bytes)} to pull where the before image is present, "
        f"{seconds(diff.new_layer_bytes * 8 / diff.bandwidth_bits)}). Files compared by "
        "content digest.</sub>"
    )
    for note in diff.notes:
        add("")
        add(f"> {_cell(note)}")
    return "\n".join(out) + "\n"
