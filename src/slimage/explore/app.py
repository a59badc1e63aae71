"""``slimage explore``: the Textual app over one :class:`AnalysisResult`.

The analysis does all the reading (the CLI runs :func:`slimage.api.analyze` first); the
app only shows: the layers (and the final filesystem) on the left with the findings below
them, the file tree of the selected one on the right (:mod:`slimage.explore.model`), built
a directory at a time when it is expanded.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Static, Tree
from textual.widgets.tree import TreeNode

from slimage.analysis.result import AnalysisResult
from slimage.analysis.steps import instruction_text
from slimage.explore.model import Entry, TreeIndex, TreeModel, View
from slimage.report.analysis_json import analysis_document
from slimage.report.html_treemap import FAMILIES
from slimage.report.safe_text import clean
from slimage.units import human_bytes
from slimage.wording import plural

# The HTML report's family colours (report.css, dark theme).
FAMILY_COLOURS: dict[str, str] = {
    "kept": "#5d8fbd",
    "base": "#8c79ad",
    "toolchain": "#d0704a",
    "caches": "#d6a736",
    "dev": "#b9638f",
    "docs": "#7cae69",
    "vcs": "#c94747",
    "duplicates": "#5fb3a9",
    "hidden": "#7d828a",
}
MARK_STYLES = {"A": "green", "M": "yellow", "D": "red", "H": "magenta"}
# Children listed per directory; the rest are one "N more" row (a 50k-file directory
# would otherwise be 50k widgets' worth of tree lines made at once).
MAX_CHILDREN = 400
FINAL = "final"


def entry_label(entry: Entry, view: View) -> Text:
    """One tree line: mark, size, name (coloured by its cause), cause, layer."""
    text = Text()
    if view.layer is not None:
        text.append(f"{entry.mark or ' '} ", style=MARK_STYLES.get(entry.mark, ""))
    text.append(f"{human_bytes(entry.size):>10}  ")
    if entry.is_dir:
        text.append(f"{clean(entry.name)}/", style="bold")
        text.append(f"  {plural(entry.files, 'file')}", style="dim")
        return text
    text.append(clean(entry.name), style=FAMILY_COLOURS.get(entry.family, ""))
    if entry.cause:
        text.append(f"  [{entry.cause}]", style=FAMILY_COLOURS.get(entry.family, "dim"))
    if entry.layer is not None and view.layer is None:
        text.append(f"  L{entry.layer + 1}", style="dim")
    return text


class ExploreApp(App[None]):
    """Layers and findings on the left, the selected layer's file tree on the right."""

    TITLE = "slimage explore"
    CSS = """
    #left { width: 45%; }
    #layers { height: auto; max-height: 60%; }
    #findings { height: 1fr; border-top: solid $accent; }
    #headline { height: auto; padding: 0 1; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    #files { height: 1fr; }
    #search { display: none; }
    #search.visible { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "cycle_waste", "Waste (by cause)"),
        Binding("slash", "search", "Search"),
        Binding("escape", "clear_search", "Clear search", show=False),
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, result: AnalysisResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.document = analysis_document(result)
        self.model = TreeModel.from_result(result)
        self.view = View()
        self.index: TreeIndex = self.model.index(self.view)

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._headline(), id="headline")
        with Horizontal():
            with Vertical(id="left"):
                yield DataTable(id="layers", cursor_type="row", zebra_stripes=True)
                yield DataTable(id="findings", cursor_type="row")
            with Vertical(id="right"):
                yield Input(placeholder="search paths (Enter), Escape clears", id="search")
                yield Static("", id="status")
                yield Tree("/", id="files")
        yield Footer()

    def on_mount(self) -> None:
        layers = self.query_one("#layers", DataTable)
        layers.add_columns("#", "size", "hidden later", "step")
        summary = self.document["summary"]
        layers.add_row(
            "all",
            human_bytes(summary["final_bytes"]),
            human_bytes(summary["hidden_bytes"]),
            "final filesystem",
            key=FINAL,
        )
        for layer in self.document["layers"]:
            created_by = layer["created_by"]
            step = instruction_text(created_by) if created_by else "(no recorded step)"
            layers.add_row(
                str(layer["index"] + 1),
                human_bytes(layer["content_bytes"]),
                human_bytes(layer["hidden_later_bytes"]),
                clean(step)[:120],
                key=str(layer["index"]),
            )
        findings = self.query_one("#findings", DataTable)
        findings.add_columns("code", "saves", "finding")
        for row in self.document["findings"]:
            findings.add_row(
                row["code"],
                human_bytes(row["bytes_saved"] or 0),
                clean(row["message"])[:160],
            )
        if not self.document["findings"]:
            findings.add_row("", "", "no findings")
        self._show()
        layers.focus()

    def _headline(self) -> Text:
        summary = self.document["summary"]
        text = Text()
        text.append(clean(self.result.source), style="bold")
        text.append(
            f"  size {human_bytes(summary['content_bytes'])}"
            f"  final {human_bytes(summary['final_bytes'])}"
            f"  hidden {human_bytes(summary['hidden_bytes'])}"
            f"  reclaimable {human_bytes(summary['reclaimable_bytes'])}\n"
        )
        classes = summary["classes"]
        for family, (label, members) in FAMILIES.items():
            size = (
                summary["hidden_bytes"]
                if family == "hidden"
                else sum(classes.get(member, 0) for member in members)
            )
            if family == "kept" or not size:
                continue
            text.append("■ ", style=FAMILY_COLOURS[family])
            text.append(f"{label} {human_bytes(size)}  ")
        return text

    # -- the tree -----------------------------------------------------------------

    def _show(self) -> None:
        """Rebuild the tree for :attr:`view`: the root's children only, plus the
        directories leading to the first search matches."""
        self.index = self.model.index(self.view)
        tree = self.query_one("#files", Tree)
        tree.clear()
        where = "final filesystem" if self.view.layer is None else f"layer {self.view.layer + 1}"
        tree.root.set_label(f"/ ({where})")
        tree.root.data = ""
        self._fill(tree.root, "")
        tree.root.expand()
        for path in self.index.ancestors_to_expand():
            node = self._find(tree.root, path)
            if node is not None and node.allow_expand:
                self._fill(node, path)
                node.expand()
        self.query_one("#status", Static).update(self._status())

    def _status(self) -> str:
        parts = [
            f"{human_bytes(self.index.total_bytes)} in {plural(self.index.file_count, 'file')}",
            self._waste_label(),
        ]
        if self.view.query:
            matches = plural(len(self.index.matches), "path")
            parts.append(f"search {clean(self.view.query)!r}: {matches}")
        if self.view.layer is not None:
            parts.append("A added M changed D deleted H hidden later")
        return " · ".join(part for part in parts if part)

    def _find(self, root: TreeNode[str], path: str) -> TreeNode[str] | None:
        node = root
        for end in range(1, path.count("/") + 2):
            prefix = "/".join(path.split("/")[:end])
            for child in node.children:
                if child.data == prefix:
                    node = child
                    break
            else:
                return None
        return node

    def _fill(self, node: TreeNode[str], path: str) -> None:
        if node.children:
            return
        entries = self.index.entries(path)
        for entry in entries[:MAX_CHILDREN]:
            label = entry_label(entry, self.view)
            if entry.is_dir:
                node.add(label, data=entry.path, allow_expand=True)
            else:
                node.add_leaf(label, data=entry.path)
        rest = entries[MAX_CHILDREN:]
        if rest:
            size = sum(entry.size for entry in rest)
            node.add_leaf(Text(f"{human_bytes(size):>10}  … {len(rest)} more", style="dim"))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[str]) -> None:
        if event.node.data is not None:
            self._fill(event.node, event.node.data)

    # -- actions ------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "layers" or event.row_key.value is None:
            return
        key = event.row_key.value
        layer = None if key == FINAL else int(key)
        if layer != self.view.layer:
            self.view = View(layer, self.view.waste, self.view.query)
            self._show()

    def _waste_label(self) -> str:
        if self.view.waste is None:
            return ""
        if self.view.waste == "all":
            return "waste only"
        return f"waste: {FAMILIES[self.view.waste][0]}"

    def action_cycle_waste(self) -> None:
        """Everything -> all waste -> each cause with waste in this image -> everything."""
        families = self.model.waste_families()
        if self.view.layer is None:  # hidden bytes are in no file of the final filesystem
            families = [family for family in families if family != "hidden"]
        cycle: list[str | None] = [None, "all", *families]
        at = cycle.index(self.view.waste) if self.view.waste in cycle else 0
        following = cycle[(at + 1) % len(cycle)]
        self.view = View(self.view.layer, following, self.view.query)
        self._show()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("visible")
        search.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.remove_class("visible")
        if self.view.query:
            self.view = View(self.view.layer, self.view.waste, "")
            self._show()
        self.query_one("#files", Tree).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.view = View(self.view.layer, self.view.waste, event.value.strip())
        self._show()
        self.query_one("#files", Tree).focus()
