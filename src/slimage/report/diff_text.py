"""``slimage diff`` in the terminal: totals, what runs, causes, directories, files, packages.

Built once as lines of styled spans, then written with Rich on a terminal (or where the
environment asks for colour, as :func:`slimage.report.analysis_text.styled` decides) or
as plain lines when piped. Text from the images (paths, config values, package names) is
shown with control characters escaped (:mod:`slimage.report.safe_text`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import IO

from slimage.diff.model import ChangeGroup, ImageDiff
from slimage.report.safe_text import clean
from slimage.units import human_bytes

TOP_CAUSES = 10
TOP_DIRECTORIES = 10
TOP_FILES = 15
TOP_PACKAGES = 30
TOP_SET_ITEMS = 8

Span = tuple[str, str]
Line = list[Span]

CHANGE_STYLES = {"added": "red", "removed": "green", "changed": "yellow"}


def signed_bytes(delta: int) -> str:
    """``-21.0 MB``, ``+1.20 kB``, ``0 B``."""
    if delta == 0:
        return "0 B"
    return ("+" if delta > 0 else "") + human_bytes(delta)


def signed_count(delta: int) -> str:
    return f"+{delta}" if delta > 0 else str(delta)


def share(delta: int, base: int) -> str:
    """``-73.6%`` of ``base``; empty when there is no base."""
    return f"{100 * delta / base:+.1f}%" if base else ""


def seconds(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    if abs(value) < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(abs(value), 60)
    return f"{'-' if value < 0 else ''}{int(minutes)} min {rest:.0f} s"


def bandwidth(bits: int) -> str:
    for unit, scale in (("Gbit/s", 10**9), ("Mbit/s", 10**6), ("kbit/s", 10**3)):
        if bits >= scale:
            value = bits / scale
            return f"{value:g} {unit}"
    return f"{bits} bit/s"


def _delta_style(delta: float) -> str:
    return "red" if delta > 0 else "green" if delta < 0 else ""


def _group_counts(group: ChangeGroup) -> str:
    parts = []
    if group.removed_files:
        parts.append(f"{group.removed_files} removed ({human_bytes(group.removed_bytes)})")
    if group.added_files:
        parts.append(f"{group.added_files} added ({human_bytes(group.added_bytes)})")
    if group.changed_files:
        parts.append(f"{group.changed_files} changed ({signed_bytes(group.changed_delta)})")
    return ", ".join(parts)


def totals_rows(diff: ImageDiff) -> list[tuple[str, str, str, str, float]]:
    """(label, before, after, change, delta) for the totals table, shared with markdown."""
    before, after = diff.before, diff.after
    rate = bandwidth(diff.bandwidth_bits)
    size_change = signed_bytes(diff.size_delta)
    ratio = share(diff.size_delta, before.size_bytes)
    return [
        (
            "size",
            human_bytes(before.size_bytes),
            human_bytes(after.size_bytes),
            f"{size_change} ({ratio})" if ratio else size_change,
            diff.size_delta,
        ),
        (
            "pull size (as stored)",
            human_bytes(before.compressed_bytes),
            human_bytes(after.compressed_bytes),
            signed_bytes(diff.compressed_delta),
            diff.compressed_delta,
        ),
        (
            f"pull time at {rate}",
            seconds(before.pull_seconds),
            seconds(after.pull_seconds),
            seconds(after.pull_seconds - before.pull_seconds),
            after.pull_seconds - before.pull_seconds,
        ),
        (
            "layers",
            str(before.layers),
            f"{after.layers} ({diff.shared_layers} shared)",
            signed_count(after.layers - before.layers),
            after.layers - before.layers,
        ),
        (
            "files",
            str(before.files),
            str(after.files),
            signed_count(after.files - before.files),
            after.files - before.files,
        ),
        (
            "waste (hidden + classified)",
            human_bytes(before.waste_bytes),
            human_bytes(after.waste_bytes),
            signed_bytes(after.waste_bytes - before.waste_bytes),
            after.waste_bytes - before.waste_bytes,
        ),
    ]


def file_summary(diff: ImageDiff) -> str:
    totals = diff.file_totals
    return (
        f"{totals.removed_files} removed ({human_bytes(totals.removed_bytes)}), "
        f"{totals.added_files} added ({human_bytes(totals.added_bytes)}), "
        f"{totals.changed_files} changed in content "
        f"({human_bytes(totals.changed_before_bytes)} -> "
        f"{human_bytes(totals.changed_after_bytes)}), "
        f"{totals.unchanged_files} unchanged"
    )


def unset(key: str) -> str:
    """How an unset setting reads: an unset user is root."""
    return "(unset: root)" if key == "User" else "(unset)"


def _shown(value: str | None, key: str = "") -> str:
    return unset(key) if value is None else clean(value)


def _items(items: Sequence[str]) -> str:
    if not items:
        return "none"
    shown = [clean(item) for item in items[:TOP_SET_ITEMS]]
    more = f" and {len(items) - TOP_SET_ITEMS} more" if len(items) > TOP_SET_ITEMS else ""
    return ", ".join(shown) + more


def report_lines(diff: ImageDiff) -> list[Line]:
    """The report, line by line, in the order it is printed."""
    lines: list[Line] = []
    add = lines.append
    add([("slimage diff", "bold")])
    add([("  before: ", "dim"), (clean(diff.before.source), "")])
    add([("  after:  ", "dim"), (clean(diff.after.source), "")])
    add([])
    rows = totals_rows(diff)
    cells = [row[:4] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(4)]
    widths = [
        max(width, len(title))
        for width, title in zip(widths, ("", "before", "after", "change"), strict=True)
    ]
    header = ("", "before", "after", "change")
    add(
        [
            (
                "  "
                + header[0].ljust(widths[0])
                + "  "
                + "  ".join(
                    title.rjust(width) for title, width in zip(header[1:], widths[1:], strict=True)
                ),
                "bold",
            )
        ]
    )
    for label, was, now, change, delta in rows:
        add(
            [
                (
                    f"  {label.ljust(widths[0])}  {was.rjust(widths[1])}  {now.rjust(widths[2])}  ",
                    "",
                ),
                (change.rjust(widths[3]), _delta_style(delta)),
            ]
        )
    _runs(diff, add)
    add([])
    add([("Files ", "bold"), (file_summary(diff), "")])
    _causes(diff, add)
    _classes(diff, add)
    _directories(diff, add)
    _files(diff, add)
    _packages(diff, add)
    _inventory(diff, add)
    for gate in diff.gates:
        add([])
        if gate.unit == "ratio":
            text = f"growth {100 * gate.value:+.1f}% (limit {100 * gate.limit:g}%)"
        else:
            text = f"growth {signed_bytes(int(gate.value))} (limit {human_bytes(gate.limit)})"
        add(
            [
                ("max-growth: ", "bold"),
                ("passed" if gate.passed else "FAILED", "green" if gate.passed else "bold red"),
                (f", {text}", ""),
            ]
        )
    for note in diff.notes:
        add([("note: ", "yellow"), (clean(note), "")])
    return lines


def _runs(diff: ImageDiff, add: Callable[[Line], None]) -> None:
    if not diff.config:
        return
    add([])
    add([("What runs ", "bold"), ("(image config)", "dim")])
    for change in diff.config:
        marker = ("! ", "bold yellow") if change.notable else ("  ", "")
        add(
            [
                ("  ", ""),
                marker,
                (f"{clean(change.key)}: ", "bold" if change.notable else ""),
                (_shown(change.before, change.key), "dim"),
                (" -> ", ""),
                (_shown(change.after, change.key), ""),
            ]
        )


def _causes(diff: ImageDiff, add: Callable[[Line], None]) -> None:
    if not diff.causes:
        return
    add([])
    add([("By cause ", "bold"), ("(what the analysis charges the files to)", "dim")])
    for group in diff.causes[:TOP_CAUSES]:
        label = f"{group.title} [{group.waste_class}]" if group.waste_class else group.title
        add(
            [
                (f"  {signed_bytes(group.delta):>10}  ", _delta_style(group.delta)),
                (clean(label), ""),
                (f": {_group_counts(group)}", "dim"),
            ]
        )
    if len(diff.causes) > TOP_CAUSES:
        add([(f"  ... {len(diff.causes) - TOP_CAUSES} more causes", "dim")])


def _classes(diff: ImageDiff, add: Callable[[Line], None]) -> None:
    if not diff.waste_classes:
        return
    add([])
    add([("Waste by class ", "bold"), ("(as analyze classifies it)", "dim")])
    for change in diff.waste_classes:
        verdict = (
            " (gone)" if change.after_bytes == 0 else " (new)" if not change.before_bytes else ""
        )
        add(
            [
                (f"  {change.waste_class:<18}", ""),
                (
                    f"{human_bytes(change.before_bytes):>9} -> "
                    f"{human_bytes(change.after_bytes):>9}  ",
                    "",
                ),
                (signed_bytes(change.delta) + verdict, _delta_style(change.delta)),
            ]
        )


def _directories(diff: ImageDiff, add: Callable[[Line], None]) -> None:
    if not diff.directories:
        return
    add([])
    add([("By directory", "bold")])
    for group in diff.directories[:TOP_DIRECTORIES]:
        add(
            [
                (f"  {signed_bytes(group.delta):>10}  ", _delta_style(group.delta)),
                (clean(group.key), ""),
                (f": {_group_counts(group)}", "dim"),
            ]
        )
    if len(diff.directories) > TOP_DIRECTORIES:
        add([(f"  ... {len(diff.directories) - TOP_DIRECTORIES} more directories", "dim")])


def _files(diff: ImageDiff, add: Callable[[Line], None]) -> None:
    if not diff.files:
        return
    add([])
    add([("Biggest file changes", "bold")])
    for change in diff.files[:TOP_FILES]:
        if change.change == "changed" and change.delta == 0:
            size = f"{human_bytes(change.after_bytes)} same size"
        elif change.change == "changed":
            size = f"{human_bytes(change.before_bytes)} -> {human_bytes(change.after_bytes)}"
        else:
            size = human_bytes(change.weight)
        add(
            [
                (f"  {change.change:<8}", CHANGE_STYLES[change.change]),
                (f"{size:>22}  ", ""),
                (clean(change.path), ""),
                (f"  [{change.cause}]" if change.cause else "", "dim"),
            ]
        )
    if len(diff.files) > TOP_FILES:
        add([(f"  ... {len(diff.files) - TOP_FILES} more (--format json lists them)", "dim")])


def _packages(diff: ImageDiff, add: Callable[[Line], None]) -> None:
    if not diff.packages:
        return
    add([])
    add([("Packages", "bold")])
    styles = {"added": "red", "removed": "green", "upgraded": "yellow", "downgraded": "yellow"}
    for package in diff.packages[:TOP_PACKAGES]:
        if package.change in ("upgraded", "downgraded"):
            version = f"{package.before_version} -> {package.after_version}"
        else:
            version = package.after_version or package.before_version
        where = f" in {package.location}" if package.location else ""
        add(
            [
                (f"  {package.change:<10}", styles[package.change]),
                (f" {package.manager:<6} ", "dim"),
                (clean(f"{package.name} {version}{where}"), ""),
            ]
        )
    if len(diff.packages) > TOP_PACKAGES:
        add([(f"  ... {len(diff.packages) - TOP_PACKAGES} more packages", "dim")])


def _inventory(diff: ImageDiff, add: Callable[[Line], None]) -> None:
    add([])
    add([("Shells, package managers, setuid files", "bold")])
    for item in diff.inventory:
        if not item.changed:
            add([(f"  {item.name}: ", ""), (f"{_items(item.before)} (unchanged)", "dim")])
            continue
        parts: Line = [(f"  {item.name}: ", "bold")]
        if item.removed:
            parts.append((f"removed {_items(item.removed)}", "green"))
        if item.added:
            if item.removed:
                parts.append(("; ", ""))
            parts.append((f"added {_items(item.added)}", "red"))
        add(parts)


def render_diff_text(diff: ImageDiff, stream: IO[str], *, color: bool | None = None) -> None:
    """``color``: style the report (None: as Rich would decide for ``stream``)."""
    from slimage.report.analysis_text import styled

    lines = report_lines(diff)
    if not (styled(stream) if color is None else color):
        stream.write("\n".join("".join(text for text, _ in line) for line in lines) + "\n")
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=stream, highlight=False, soft_wrap=not stream.isatty(), force_terminal=True
    )
    for line in lines:
        console.print(Text.assemble(*line) if line else "")


def gate_lines(diff: ImageDiff) -> list[str]:
    """The gates that failed, one line each (all ``-q`` prints)."""
    lines = []
    for gate in diff.gates:
        if gate.passed:
            continue
        if gate.unit == "ratio":
            text = f"growth {100 * gate.value:+.1f}% (limit {100 * gate.limit:g}%)"
        else:
            text = f"growth {signed_bytes(int(gate.value))} (limit {human_bytes(gate.limit)})"
        lines.append(f"max-growth: FAILED, {text}")
    return lines
