"""The HTML report in a real browser: Debian's chromium driven by Playwright.

The page is opened from a file:// URL, as a CI artifact is: it loads with no console
error and no request, the treemap draws one cell per top-level entry, a layer's "Show"
button filters the treemap to the bytes that layer wrote, cells zoom with the keyboard,
and every number the page shows is the JSON report's for the same image.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slimage.analysis.result import analyze_image
from slimage.filesystem import FileKind
from slimage.image.open import open_image
from slimage.units import human_bytes
from support.tools import require_tool

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SLIMAGE = Path(sys.executable).with_name("slimage")
# Playwright's own browser download is never used: the system chromium, headless, with
# nothing that could reach the network by itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The fat sample's HTML report (written with -o) and its JSON report, by the CLI."""
    directory = tmp_path_factory.mktemp("html")
    image = directory / "fat-sample.tar"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_sample_image.py"), str(image)], check=True
    )
    page = directory / "report.html"
    ran = subprocess.run(
        [str(SLIMAGE), "analyze", str(image), "--format", "html", "-o", str(page)],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == ""
    document = json.loads(
        subprocess.run(
            [str(SLIMAGE), "analyze", str(image), "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    return page, document


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, reports: tuple[Path, dict[str, Any]]) -> Iterator[Any]:
    """The report, loaded; console messages, page errors and requests recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    opened.on(
        "console",
        lambda message: (
            problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on("request", lambda request: requests.append(request.url))
    opened.goto(reports[0].as_uri())
    opened.wait_for_selector("#treemap .cell.top")
    opened.problems = problems
    opened.requests = requests
    yield opened
    context.close()


def _top_cells(page: Any) -> list[str]:
    return [
        str(name)
        for name in page.eval_on_selector_all(
            "#treemap .cell.top", "cells => cells.map(cell => cell.dataset.name)"
        )
    ]


def test_loads_without_errors_or_requests(page: Any, reports: tuple[Path, Any]) -> None:
    assert page.problems == []
    # The only request is the document itself: no CDN, no font, no image.
    assert page.requests == [reports[0].as_uri()]


def test_treemap_has_the_top_level_cells(page: Any, reports: tuple[Path, Any]) -> None:
    document = reports[1]
    # The final filesystem's top-level entries that hold bytes, read here from the image
    # itself; those under 1/5000 of the image are one "N more files" cell.
    result = analyze_image(open_image(str(reports[0].with_name("fat-sample.tar"))))
    by_top: dict[str, list[int]] = {}
    for path, record in result.layers.files.items():
        if record.kind is FileKind.FILE and record.size:
            entry = by_top.setdefault(path.split("/")[0], [0, 0])
            entry[0] += record.size
            entry[1] += 1
    small = [name for name, (size, _) in by_top.items() if size < result.size_bytes // 5000]
    expected = [name for name in by_top if name not in small]
    expected.append("hidden by later layers")
    if small:
        count = sum(by_top[name][1] for name in small)
        expected.append(f"{count} more files" if count > 1 else "1 more file")
    cells = _top_cells(page)
    assert sorted(cells) == sorted(expected)
    assert {"usr", "var", "app"} <= set(cells)
    total = int(page.get_attribute("#treemap-status", "data-bytes"))
    assert total == document["summary"]["content_bytes"]
    cell_bytes = page.eval_on_selector_all(
        "#treemap .cell.top", "cells => cells.map(cell => Number(cell.dataset.bytes))"
    )
    assert sum(cell_bytes) == total
    hidden = page.get_attribute(
        '#treemap .cell.top[data-name="hidden by later layers"]', "data-bytes"
    )
    assert int(hidden) == document["summary"]["hidden_bytes"]


def test_clicking_a_layer_filters_the_treemap(page: Any, reports: tuple[Path, Any]) -> None:
    document = reports[1]
    before = _top_cells(page)
    # Layer 5 is `RUN npm install`: it wrote under /app and /root only.
    layer = document["layers"][4]
    assert "npm install" in layer["created_by"]
    page.click('button.layer-filter[data-layer="4"]')
    assert page.get_attribute('button.layer-filter[data-layer="4"]', "aria-pressed") == "true"
    assert page.get_attribute("#all-layers", "aria-pressed") == "false"
    status = page.text_content("#treemap-status")
    assert "written by layer 5" in status
    assert int(page.get_attribute("#treemap-status", "data-bytes")) == layer["content_bytes"]
    assert sorted(_top_cells(page)) == ["app", "root"]
    assert len(before) > 2
    # The layer with the hidden bytes of `apt-get update` (layer 2) shows them.
    page.click('button.layer-filter[data-layer="1"]')
    assert (
        int(page.get_attribute("#treemap-status", "data-bytes"))
        == (document["layers"][1]["content_bytes"])
    )
    assert "hidden by later layers" in _top_cells(page)
    # Clicking the pressed layer again, or "Show all layers", shows everything again.
    page.click('button.layer-filter[data-layer="1"]')
    assert sorted(_top_cells(page)) == sorted(before)
    page.click('button.layer-filter[data-layer="4"]')
    page.click("#all-layers")
    assert sorted(_top_cells(page)) == sorted(before)


def test_keyboard_zooms_in_and_out(page: Any, reports: tuple[Path, Any]) -> None:
    page.focus('#treemap .cell.top[data-name="var"]')
    page.keyboard.press("Enter")
    assert "var" in page.text_content("#treemap-status")
    assert sorted(_top_cells(page)) == ["cache", "lib"]
    focused = page.evaluate("document.activeElement.dataset.name")
    assert focused in ("cache", "lib")
    assert page.text_content("#crumbs button:last-child") == "var"
    page.keyboard.press("Escape")
    assert "the whole image" in page.text_content("#treemap-status")
    assert "var" in _top_cells(page)
    # Every top-level cell is reachable with Tab, and says what it is.
    labels = page.eval_on_selector_all(
        "#treemap .cell.top", "cells => cells.map(cell => cell.getAttribute('aria-label'))"
    )
    assert all(re.search(r": [\d.]+ (B|kB|MB|GB)", label or "") for label in labels), labels
    assert page.eval_on_selector_all(
        "#treemap .cell.top", "cells => cells.every(cell => cell.tabIndex === 0)"
    )


def test_numbers_shown_are_the_json_reports(page: Any, reports: tuple[Path, Any]) -> None:
    document = reports[1]
    summary = document["summary"]
    for key in ("content_bytes", "reclaimable_bytes", "final_bytes", "hidden_bytes"):
        locator = page.locator(f'#headline dd[data-key="{key}"]')
        assert int(locator.get_attribute("data-bytes")) == summary[key]
        # What the reader sees is that number, rounded by the one size formatter.
        assert locator.inner_text().startswith(human_bytes(summary[key]))
    rows = page.locator("#layers tbody tr")
    assert rows.count() == len(document["layers"])
    for index, layer in enumerate(document["layers"]):
        row = rows.nth(index)
        cell = row.locator('td[data-key="content_bytes"]')
        assert int(cell.get_attribute("data-bytes")) == layer["content_bytes"]
        assert cell.inner_text() == human_bytes(layer["content_bytes"])
    findings = page.locator("#findings li.finding")
    assert findings.count() == len(document["findings"])
    for index, finding in enumerate(document["findings"]):
        item = findings.nth(index)
        assert item.get_attribute("data-code") == finding["code"]
        if finding["bytes_saved"] is not None:
            assert item.locator(".saved").inner_text() == human_bytes(finding["bytes_saved"])
    efficiency = float(page.get_attribute('#dive dd[data-key="efficiency"]', "data-value"))
    assert efficiency == pytest.approx(document["dive"]["efficiency"], abs=1e-12)
    wasted = page.get_attribute('#dive dd[data-key="wasted_bytes"]', "data-bytes")
    assert int(wasted) == document["dive"]["wasted_bytes"]


def test_dark_mode_changes_the_colours(browser: Any, reports: tuple[Path, Any]) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        opened = context.new_page()
        opened.goto(reports[0].as_uri())
        colours[scheme] = opened.evaluate(
            "[getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color]"
        )
        context.close()
    assert colours["light"][0] == "rgb(255, 255, 255)"
    assert colours["dark"][0] != colours["light"][0]
    assert colours["dark"][1] != colours["light"][1]


@pytest.mark.skipif(not os.environ.get("SLIMAGE_SCREENSHOT"), reason="SLIMAGE_SCREENSHOT unset")
def test_screenshot_for_the_docs(page: Any) -> None:
    """SLIMAGE_SCREENSHOT=docs/html-report.png refreshes the README's screenshot."""
    page.set_viewport_size({"width": 1200, "height": 900})
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    page.wait_for_timeout(300)
    page.screenshot(path=os.environ["SLIMAGE_SCREENSHOT"])
