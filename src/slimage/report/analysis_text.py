"""``slimage analyze`` in the terminal: summary, layers, hidden bytes, waste, findings.

Rich renders to any stream; colours and the width follow the stream (plain text when
piped). Sizes are decimal (kB, MB, GB), as ``docker images`` and dive print them.
"""

from __future__ import annotations

import math
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from slimage.analysis.result import AnalysisResult
from slimage.analysis.steps import instruction_text, shorten

BAR_WIDTH = 20
TOP_FINDINGS = 15
TOP_HIDDEN = 8
CAUSE_LABELS = {
    "overwritten": "overwritten by a later layer",
    "deleted_file": "deleted files",
    "deleted_dir": "deleted directories",
    "opaque": "hidden by opaque directories",
}


def human_size(size: float) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _bar(part: int, whole: int, width: int = BAR_WIDTH) -> Text:
    filled = round(width * part / whole) if whole else 0
    filled = max(filled, 1) if part else 0
    return Text("█" * filled + "·" * (width - filled), style="cyan")


def render_analysis_text(result: AnalysisResult, stream: IO[str]) -> None:
    # Piped output is read by people in logs and by grep: a line per line, never wrapped
    # (tables are laid out for 160 columns); a terminal wraps to its width.
    piped = not stream.isatty()
    console = Console(file=stream, highlight=False, soft_wrap=piped, width=160 if piped else None)
    layers = result.layers
    explanation = result.explanation
    size = layers.content_bytes
    hidden = layers.hidden_bytes
    classified = explanation.explained_bytes
    reclaimable = hidden + classified

    console.print(Text(result.source, style="bold"))
    summary = Text()
    summary.append(f"{human_size(size)}", style="bold")
    summary.append(
        f" in {len(layers.layers)} layers ({human_size(layers.compressed_bytes)} stored)"
    )
    summary.append(f" · hidden {human_size(hidden)}", style="yellow" if hidden else "")
    summary.append(
        f" · classified waste {human_size(classified)}", style="yellow" if classified else ""
    )
    summary.append(
        f" · reclaimable {human_size(reclaimable)} ({_share(reclaimable, size)})", style="bold"
    )
    console.print(summary)
    console.print(
        f"final filesystem {human_size(layers.final_bytes)} in {len(layers.files)} entries"
        + (f" · platform {result.platform}" if result.platform else "")
    )

    table = Table(title="Layers", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("size", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("hidden later", justify="right")
    table.add_column("files", justify="right")
    table.add_column("step")
    largest = max((layer.content_bytes for layer in layers.layers), default=0)
    for layer in layers.layers:
        step = instruction_text(layer.created_by) if layer.created_by else "(no history)"
        if layer.squashed_steps > 1:
            step = f"[{layer.squashed_steps} steps squashed] {step}"
        table.add_row(
            str(layer.index + 1),
            human_size(layer.content_bytes),
            _bar(layer.content_bytes, largest),
            human_size(layer.hidden_later_bytes) if layer.hidden_later_bytes else "",
            str(layer.files),
            shorten(step, 70),
        )
    console.print()
    console.print(table)

    if hidden:
        console.print()
        console.print(
            Text(f"Hidden bytes: {human_size(hidden)} (a squash reclaims them)", style="bold")
        )
        for cause, amount in layers.hidden.items():
            if amount:
                console.print(f"  {human_size(amount):>10}  {CAUSE_LABELS[cause]}")
        for item in layers.hidden_items[:TOP_HIDDEN]:
            console.print(
                f"  {human_size(item.size):>10}  {escape(item.path)}  "
                f"[dim]({CAUSE_LABELS[item.cause]}; written in layer {item.from_layer + 1}, "
                f"hidden by layer {item.by_layer + 1})[/dim]"
            )

    classes = [(name, amount) for name, amount in explanation.classes.items() if amount]
    if classes:
        console.print()
        console.print(
            Text(
                f"Waste in the final filesystem: {human_size(classified)} "
                f"({_share(classified, explanation.total_bytes)} of it; "
                f"{human_size(explanation.unexplained_bytes)} not named by any cause)",
                style="bold",
            )
        )
        for name, amount in sorted(classes, key=lambda item: -item[1]):
            console.print(f"  {human_size(amount):>10}  {name}")

    if explanation.findings:
        console.print()
        console.print(Text("Findings", style="bold"))
        findings = sorted(explanation.findings, key=lambda f: -(f.bytes_saved or 0))
        for finding in findings[:TOP_FINDINGS]:
            saved = human_size(finding.bytes_saved) if finding.bytes_saved else ""
            console.print(f"  {saved:>10}  [bold]{finding.code}[/bold] {escape(finding.message)}")
            if finding.help:
                console.print(f"              [dim]{escape(finding.help)}[/dim]")
        if len(findings) > TOP_FINDINGS:
            console.print(f"  ... {len(findings) - TOP_FINDINGS} more (--format json lists all)")

    dive = layers.dive
    fraction = dive.user_wasted_fraction
    console.print()
    console.print(
        f"[dim]dive's measures: efficiency {100 * dive.efficiency:.4f} %, "
        f"wastedBytes {dive.wasted_bytes}, userWastedPercent "
        + (f"{100 * fraction:.4f} %" if math.isfinite(fraction) else "n/a")
        + "[/dim]"
    )

    for gate in result.gates:
        if gate.unit == "bytes":
            value, limit = human_size(gate.value), human_size(gate.limit)
        else:
            value, limit = f"{gate.value:.4f}", f"{gate.limit:.4f}"
        verdict = "[green]PASS[/green]" if gate.passed else "[bold red]FAIL[/bold red]"
        console.print(f"{verdict} --{gate.name}: {value} (limit {limit})")

    for note in [*layers.notes, *explanation.notes]:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    for warning in layers.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
