"""The HTML report without a browser: the numbers are the JSON report's, nothing is loaded
from elsewhere, text from the image cannot break out of the page, and the treemap's tree
stays bounded for a 200k-file image. tests/report/test_html_browser.py drives the page."""

from __future__ import annotations

import html.parser
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from slimage.analysis.claims import Claim
from slimage.analysis.path_rules import WasteClass
from slimage.analysis.result import AnalysisResult, analyze_image
from slimage.filesystem import FileKind, FileRecord
from slimage.image.open import open_image
from slimage.report.analysis_json import analysis_document
from slimage.report.html import render_analysis_html, script_json
from slimage.report.html_treemap import FAMILIES, treemap_data
from support.images import make_layer, write_docker_archive

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fat_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled fat sample that `make demo` analyses."""
    path = tmp_path_factory.mktemp("fat") / "fat-sample.tar"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_sample_image.py"), str(path)], check=True
    )
    return path


@pytest.fixture(scope="module")
def fat_result(fat_sample: Path) -> AnalysisResult:
    return analyze_image(open_image(str(fat_sample)))


class _Page(html.parser.HTMLParser):
    """Elements with data-bytes, external references, scripts and unclosed tags."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "wbr", "source", "col", "area"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.references: list[str] = []
        self.data_bytes: list[tuple[dict[str, str | None], str]] = []
        self.scripts: list[str] = []
        self._text: list[list[str]] = []
        self._open: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href", "action", "data"):
            value = attributes.get(name)
            if value and not value.startswith("#"):
                self.references.append(value)
        if tag in self.VOID:
            return
        self.stack.append(tag)
        self._open.append(attributes)
        self._text.append([])

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        attributes = self._open.pop()
        text = "".join(self._text.pop())
        if self._text:
            self._text[-1].append(text)
        if "data-bytes" in attributes:
            self.data_bytes.append((attributes, text))
        if tag == "script":
            self.scripts.append(text)

    def handle_data(self, data: str) -> None:
        if self._text:
            self._text[-1].append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, parser.stack
    return parser


def test_page_is_self_contained_and_well_formed(fat_result: AnalysisResult) -> None:
    page = render_analysis_html(fat_result)
    parsed = _parse(page)
    # Nothing loaded from anywhere: no src/href to another document, and the policy
    # forbids it even if something slipped in.
    assert parsed.references == []
    assert "default-src 'none'" in page
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)
    assert len(page.encode()) < 200_000


def test_numbers_are_the_json_reports(fat_result: AnalysisResult) -> None:
    document = analysis_document(fat_result)
    parsed = _parse(render_analysis_html(fat_result))
    headline = {
        attributes["data-key"]: int(attributes["data-bytes"] or -1)
        for attributes, _ in parsed.data_bytes
        if attributes.get("data-key") and attributes.get("class") is None
    }
    summary = document["summary"]
    for key in (
        "content_bytes",
        "reclaimable_bytes",
        "compressed_bytes",
        "final_bytes",
        "hidden_bytes",
        "classified_waste_bytes",
    ):
        assert headline[key] == summary[key], key
    # The layer table: one row per layer, each number the JSON's.
    cells = [a for a, _ in parsed.data_bytes if a.get("class", "") and "num" in str(a["class"])]
    sizes = [int(a["data-bytes"] or -1) for a in cells if a.get("data-key") == "content_bytes"]
    assert sizes == [layer["content_bytes"] for layer in document["layers"]]
    hidden = [
        int(a["data-bytes"] or -1) for a in cells if a.get("data-key") == "hidden_later_bytes"
    ]
    assert hidden == [layer["hidden_later_bytes"] for layer in document["layers"]]
    # Findings: their bytes, in the JSON's order.
    saved = [int(a["data-bytes"] or -1) for a, _ in parsed.data_bytes if a.get("class") == "saved"]
    assert saved == [f["bytes_saved"] for f in document["findings"] if f["bytes_saved"] is not None]
    # The legend adds up to the image: kept + classified waste + hidden == size.
    legend = [
        int(a["data-bytes"] or -1) for a, _ in parsed.data_bytes if a.get("class") == "family"
    ]
    assert len(legend) == len(FAMILIES)
    assert sum(legend) == summary["content_bytes"]


def test_treemap_root_holds_every_layer_byte(fat_result: AnalysisResult) -> None:
    document = analysis_document(fat_result)
    root = treemap_data(fat_result)
    assert root["s"] == document["summary"]["content_bytes"]
    assert sum(child["s"] for child in root["c"]) == root["s"]
    # Per layer, exact: what the layer filter shows is the layer's content bytes.
    for layer in document["layers"]:
        assert root["l"].get(str(layer["index"]), 0) == layer["content_bytes"]
    names = {child["n"] for child in root["c"]}
    assert {"usr", "var", "app", "hidden by later layers"} <= names

    def walk(node: dict[str, object]) -> Iterator[dict[str, object]]:
        yield node
        for child in node.get("c", []):  # type: ignore[attr-defined]
            yield from walk(child)

    for node in walk(root):
        children = node.get("c")
        if children:
            assert sum(child["s"] for child in children) == node["s"], node["n"]  # type: ignore[index]
        assert node["f"] in FAMILIES


def test_text_from_the_image_cannot_break_out(tmp_path: Path) -> None:
    evil = '"><img src=x onerror=alert(1)><!--'
    step = "RUN echo '</script><script>alert(2)</script>'"
    layer = make_layer(
        [
            ("dir", "app"),
            ("file", f"app/{evil}", b"x" * 50_000),
            ("file", "app/ok", b"y" * 50_000),
        ]
    )
    archive = tmp_path / "evil.tar"
    write_docker_archive(archive, [layer], history=[{"created_by": step}])
    result = analyze_image(open_image(str(archive)))
    page = render_analysis_html(result)
    parsed = _parse(page)
    assert parsed.references == []
    assert "<img" not in page and "<script>alert" not in page and "<!--" not in page
    assert parsed.scripts[0].count("<") == 0
    # The tree still carries the name, for textContent to show it as text.
    data = json.loads(parsed.scripts[0])
    names = {child["n"] for child in data["c"][0]["c"]}
    assert evil in names


def test_script_json_escapes_markup() -> None:
    text = script_json({"n": "</script><!-- & -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"n": "</script><!-- & -->"}


def test_a_200k_file_image_stays_under_a_megabyte(fat_sample: Path) -> None:
    """200k small files in 4000 directories across the layers, some of them waste: the
    tree is bounded, the page well under 1 MB, and the bytes still add up."""
    fat_result = analyze_image(open_image(str(fat_sample)))  # its own: changed below
    files = dict(fat_result.layers.files)
    claims = fat_result.explanation.claims.by_path
    classes = [
        WasteClass.PACKAGE_CACHE,
        WasteClass.DEV_DEPENDENCIES,
        WasteClass.DOCS,
        WasteClass.BUILD_TOOLCHAIN,
    ]
    layer_count = len(fat_result.layers.layers)
    for number in range(200_000):
        directory = f"srv/tree{number % 40:02d}/pkg{number % 4000:04d}"
        path = f"{directory}/file{number:06d}.py"
        files[path] = FileRecord(
            path, FileKind.FILE, number * 7919 % 4000 + 1, 0o644, 0, 0, number % layer_count
        )
        if number % 3 == 0:
            claims[path] = Claim(classes[number % len(classes)], "synthetic", directory)
    fat_result.layers.files = files
    page = render_analysis_html(fat_result)
    root = treemap_data(fat_result)
    size = len(page.encode())
    assert size < 1_000_000, size
    nodes = 0
    stack = [root]
    while stack:
        node = stack.pop()
        nodes += 1
        stack.extend(node.get("c", []))
    assert nodes < 5000
    expected = sum(r.size for r in files.values() if r.kind is FileKind.FILE)
    assert root["s"] == expected + fat_result.layers.hidden_bytes


def test_cli_writes_html_to_stdout_or_output(fat_sample: Path, tmp_path: Path) -> None:
    slimage = str(Path(sys.executable).with_name("slimage"))
    printed = subprocess.run(
        [slimage, "analyze", str(fat_sample), "--format", "html"], capture_output=True, text=True
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("<!DOCTYPE html>")
    written = tmp_path / "report.html"
    ran = subprocess.run(
        [slimage, "analyze", str(fat_sample), "--format", "html", "--output", str(written)],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0 and ran.stdout == ""
    assert written.read_text("utf-8") == printed.stdout
    # Where it cannot write, and what has no HTML report, end in one line and exit 2.
    for arguments, message in (
        (["-o", str(tmp_path / "missing" / "r.html")], "--output: cannot write"),
        (["--quick"], "--quick reads no layer"),
    ):
        failed = subprocess.run(
            [slimage, "analyze", str(fat_sample), "--format", "html", *arguments],
            capture_output=True,
            text=True,
        )
        assert failed.returncode == 2
        assert failed.stderr.startswith("slimage: error: ") and message in failed.stderr
        assert failed.stderr.count("\n") == 1
