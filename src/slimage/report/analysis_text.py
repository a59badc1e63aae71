"""``slimage analyze`` in the terminal: summary, layers, hidden bytes, waste and findings.

The report is built once as lines of styled spans and one table, then written by one of
two writers: Rich on a terminal (colours, wrapping to its width) or where the environment
asks for colour (``FORCE_COLOR``), or a plain writer when the output is piped, which
prints exactly what Rich prints to a pipe without importing Rich (a fifth of the start-up
of a small image's analysis). Piped output is read by people in logs and by grep: a line
per line, never wrapped. Text from the image (paths, build steps) is shown with control
characters escaped (:mod:`slimage.report.safe_text`). Sizes are decimal (kB, MB, GB), as
``docker images`` and dive print them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from slimage.analysis.steps import instruction_text, shorten
from slimage.report.safe_text import clean
from slimage.wording import plural

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult, Gate

BAR_WIDTH = 20
TOP_FINDINGS = 15
TOP_HIDDEN = 8
# Piped output is laid out for this many columns (a terminal uses its own width).
PIPED_WIDTH = 160
CAUSE_LABELS = {
    "overwritten": "overwritten by a later layer",
    "deleted_file": "deleted files",
    "deleted_dir": "deleted directories",
    "opaque": "hidden by opaque directories",
}

# A span is text and a Rich style ("" for none); a line is a sequence of spans.
Span = tuple[str, str]
Line = list[Span]


class LayersTable:
    """The table of layers: headers with their justification, then rows of spans."""

    title = "Layers"
    headers = ("#", "size", "", "hidden later", "files", "step")
    right = (True, True, False, True, True, False)
    no_wrap = (False, False, True, False, False, False)

    def __init__(self) -> None:
        self.rows: list[tuple[Span, ...]] = []


Block = Line | LayersTable


def human_size(size: float) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _bar(part: int, whole: int, width: int = BAR_WIDTH) -> Span:
    filled = round(width * part / whole) if whole else 0
    filled = max(filled, 1) if part else 0
    return ("█" * filled + "·" * (width - filled), "cyan")


def report_blocks(result: AnalysisResult) -> list[Block]:
    """The report as lines and the layers table, in the order they are printed."""
    layers = result.layers
    explanation = result.explanation
    size = layers.content_bytes
    hidden = layers.hidden_bytes
    classified = explanation.explained_bytes
    reclaimable = hidden + classified
    blocks: list[Block] = []
    add = blocks.append

    add([(clean(result.source), "bold")])
    add(
        [
            (human_size(size), "bold"),
            (
                f" in {plural(len(layers.layers), 'layer')} "
                f"({human_size(layers.compressed_bytes)} stored)",
                "",
            ),
            (f" · hidden {human_size(hidden)}", "yellow" if hidden else ""),
            (f" · classified waste {human_size(classified)}", "yellow" if classified else ""),
            (f" · reclaimable {human_size(reclaimable)} ({_share(reclaimable, size)})", "bold"),
        ]
    )
    platform = f" · platform {clean(result.platform)}" if result.platform else ""
    add(
        [
            (
                f"final filesystem {human_size(layers.final_bytes)} in "
                f"{plural(len(layers.files), 'entry')}{platform}",
                "",
            )
        ]
    )
    add([(runtime_line(result.config), "")])

    table = LayersTable()
    largest = max((layer.content_bytes for layer in layers.layers), default=0)
    for layer in layers.layers:
        step = instruction_text(layer.created_by) if layer.created_by else "(no history)"
        if layer.squashed_steps > 1:
            step = f"[{layer.squashed_steps} steps squashed] {step}"
        table.rows.append(
            (
                (str(layer.index + 1), ""),
                (human_size(layer.content_bytes), ""),
                _bar(layer.content_bytes, largest),
                (human_size(layer.hidden_later_bytes) if layer.hidden_later_bytes else "", ""),
                (str(layer.files), ""),
                (clean(shorten(step, 70)), ""),
            )
        )
    add([])
    add(table)

    if hidden:
        add([])
        add([(f"Hidden bytes: {human_size(hidden)} (a squash reclaims them)", "bold")])
        for cause, amount in layers.hidden.items():
            if amount:
                add([(f"  {human_size(amount):>10}  {CAUSE_LABELS[cause]}", "")])
        for item in layers.hidden_items[:TOP_HIDDEN]:
            add(
                [
                    (f"  {human_size(item.size):>10}  {clean(item.path)}  ", ""),
                    (
                        f"({CAUSE_LABELS[item.cause]}; written in layer {item.from_layer + 1}, "
                        f"hidden by layer {item.by_layer + 1})",
                        "dim",
                    ),
                ]
            )

    classes = [(name, amount) for name, amount in explanation.classes.items() if amount]
    if classes:
        add([])
        add(
            [
                (
                    f"Waste in the final filesystem: {human_size(classified)} "
                    f"({_share(classified, explanation.total_bytes)} of it; "
                    f"{human_size(explanation.unexplained_bytes)} not named by any cause)",
                    "bold",
                )
            ]
        )
        for name, amount in sorted(classes, key=lambda item: -item[1]):
            add([(f"  {human_size(amount):>10}  {name}", "")])

    if explanation.findings:
        add([])
        add([("Findings", "bold")])
        findings = sorted(explanation.findings, key=lambda f: -(f.bytes_saved or 0))
        for finding in findings[:TOP_FINDINGS]:
            saved = human_size(finding.bytes_saved) if finding.bytes_saved else ""
            add(
                [
                    (f"  {saved:>10}  ", ""),
                    (finding.code, "bold"),
                    (f" {clean(finding.message)}", ""),
                ]
            )
            if finding.help:
                add([("              ", ""), (clean(finding.help), "dim")])
        if len(findings) > TOP_FINDINGS:
            add([(f"  ... {len(findings) - TOP_FINDINGS} more (--format json lists all)", "")])

    dive = layers.dive
    fraction = dive.user_wasted_fraction
    add([])
    add(
        [
            (
                f"dive's measures: efficiency {100 * dive.efficiency:.4f} %, "
                f"wastedBytes {dive.wasted_bytes}, userWastedPercent "
                + (f"{100 * fraction:.4f} %" if math.isfinite(fraction) else "n/a"),
                "dim",
            )
        ]
    )

    for gate in result.gates:
        add(gate_spans(gate))

    for note in [*layers.notes, *explanation.notes]:
        add([(f"note: {clean(note)}", "dim")])
    for warning in layers.warnings:
        add([("warning:", "yellow"), (f" {clean(warning)}", "")])
    return blocks


def runtime_line(config: Mapping[str, Any]) -> str:
    """``runs as app · entrypoint ["node"] · cmd ["server.js"] · ports 8080/tcp``."""
    import json

    from slimage.analysis.runtime import runtime_settings

    runtime = runtime_settings(config)
    user = runtime.user or "root (no USER)"
    parts = [f"runs as {user}"]
    if runtime.entrypoint:
        parts.append(f"entrypoint {json.dumps(runtime.entrypoint)}")
    parts.append(f"cmd {json.dumps(runtime.cmd)}" if runtime.cmd else "no cmd")
    parts.append(
        f"ports {', '.join(runtime.exposed_ports)}" if runtime.exposed_ports else "no ports"
    )
    return clean(" · ".join(parts))


def gate_spans(gate: Gate) -> Line:
    """``FAIL --max-size: 31.2 MB (limit 20.0 MB)``: one gate's verdict."""
    if gate.unit == "bytes":
        value, limit = human_size(gate.value), human_size(gate.limit)
    elif gate.unit == "count":
        value, limit = f"{gate.value:.0f}", f"{gate.limit:.0f}"
    else:
        value, limit = f"{gate.value:.4f}", f"{gate.limit:.4f}"
    verdict = ("PASS", "green") if gate.passed else ("FAIL", "bold red")
    return [verdict, (f" --{gate.name}: {value} (limit {limit})", "")]


def render_analysis_text(
    result: AnalysisResult, stream: IO[str], *, color: bool | None = None
) -> None:
    """``color``: style the report (None: as Rich would decide, see :func:`styled`)."""
    blocks = report_blocks(result)
    if (styled(stream) if color is None else color) or not write_plain(blocks, stream):
        write_rich(blocks, stream, color=color)


def styled(stream: IO[str]) -> bool:
    """Whether Rich would style ``stream`` (its rules: ``TTY_COMPATIBLE``, then
    ``FORCE_COLOR``, then whether it is a terminal), so CI logs that ask for colour get it."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    return stream.isatty()


def write_plain(blocks: Sequence[Block], stream: IO[str]) -> bool:
    """Write ``blocks`` as Rich writes them to a pipe; False (nothing written) when the
    table holds text whose terminal width is not its length, which Rich must lay out."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, LayersTable):
            table = _plain_table(block)
            if table is None:
                return False
            lines.extend(table)
        else:
            lines.append("".join(text for text, _ in block))
    stream.write("\n".join(lines) + "\n")
    return True


def _plain_table(table: LayersTable) -> list[str] | None:
    """Rich's layout of a table without edges, in one line per row, or None when a cell
    is not plain ASCII (or the bar) or the table would not fit the piped width."""
    cells = [table.headers, *[[text for text, _ in row] for row in table.rows]]
    for row in cells[1:]:
        for text in row:
            if not (text.isascii() or not text.strip("█·")):
                return None
    widths = [max(len(row[column]) for row in cells) for column in range(len(table.headers))]
    if sum(widths) + 3 * (len(widths) - 1) > PIPED_WIDTH:
        return None

    def line(row: Sequence[str], separator: str) -> str:
        return separator.join(
            text.rjust(width) if right else text.ljust(width)
            for text, width, right in zip(row, widths, table.right, strict=True)
        )

    rule = "╇".join("━" * (width + (1 if edge else 2)) for width, edge in _edges(widths))
    body = [line(row, " │ ") for row in cells[1:]]
    return [table.title, line(table.headers, " ┃ "), rule, *body]


def _edges(widths: Sequence[int]) -> list[tuple[int, bool]]:
    """Each column's width and whether it is the first or last (padded on one side)."""
    last = len(widths) - 1
    return [(width, index in (0, last)) for index, width in enumerate(widths)]


def write_rich(blocks: Sequence[Block], stream: IO[str], *, color: bool | None = None) -> None:
    """Write ``blocks`` with Rich: styled on a terminal (or as ``color`` says), wrapped to
    its width."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    piped = not stream.isatty()
    console = Console(
        file=stream,
        highlight=False,
        soft_wrap=piped,
        width=PIPED_WIDTH if piped else None,
        force_terminal=color,
        no_color=None if color is None else not color,
    )
    for block in blocks:
        if isinstance(block, LayersTable):
            table = Table(title=block.title, title_justify="left", show_edge=False, pad_edge=False)
            for header, right, no_wrap in zip(
                block.headers, block.right, block.no_wrap, strict=True
            ):
                table.add_column(header, justify="right" if right else "left", no_wrap=no_wrap)
            for row in block.rows:
                table.add_row(*(Text(text, style=style) for text, style in row))
            console.print(table)
        elif not block:
            console.print()
        else:
            console.print(Text.assemble(*block))
