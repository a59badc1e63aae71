"""The explorer driven by Textual's pilot: keys pressed, the widgets' contents asserted."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Static, Tree
from textual.widgets.tree import TreeNode

from slimage.analysis.result import AnalysisResult
from slimage.explore.app import ExploreApp
from slimage.explore.model import TreeModel, View
from slimage.report.html_treemap import FAMILIES, family_of
from slimage.units import human_bytes

SIZE = (140, 40)


def _run(
    result: AnalysisResult, script: Callable[[ExploreApp, Pilot[None]], Awaitable[None]]
) -> None:
    async def main() -> None:
        app = ExploreApp(result)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await script(app, pilot)

    asyncio.run(main())


async def _press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


def _shown(node: TreeNode[str]) -> list[TreeNode[str]]:
    """The nodes a user sees: children of expanded nodes, recursively."""
    seen: list[TreeNode[str]] = []
    if node.is_expanded:
        for child in node.children:
            seen.append(child)
            seen.extend(_shown(child))
    return seen


async def _open_all(app: ExploreApp, pilot: Pilot[None]) -> list[TreeNode[str]]:
    """Open every directory (each built when opened); the files' nodes."""
    stack = list(_tree(app).root.children)
    files = []
    while stack:
        node = stack.pop()
        if node.allow_expand:
            node.expand()
            await pilot.pause()
            stack.extend(node.children)
        elif node.data is not None:
            files.append(node)
    return files


def _tree(app: ExploreApp) -> Tree[str]:
    return app.query_one("#files", Tree)


def _paths(app: ExploreApp) -> list[str]:
    return [node.data for node in _shown(_tree(app).root) if node.data is not None]


def test_opens_on_the_final_filesystem_with_layers_and_findings(
    fat_result: AnalysisResult,
) -> None:
    async def script(app: ExploreApp, pilot: Pilot[None]) -> None:
        layers = app.query_one("#layers", DataTable)
        assert layers.row_count == 1 + len(fat_result.layers.layers)
        assert str(layers.get_row_at(1)[3]).startswith("ADD file:debian-bookworm-rootfs")
        assert "final filesystem" in str(_tree(app).root.label)
        top = TreeModel.from_result(fat_result).index(View()).entries("")
        assert _paths(app) == [entry.path for entry in top]  # only the root is listed
        findings = app.query_one("#findings", DataTable)
        codes = [str(findings.get_row_at(row)[0]) for row in range(findings.row_count)]
        assert codes == [finding.code for finding in fat_result.explanation.findings]
        assert {"SA102", "SL1003"} <= set(codes)

    _run(fat_result, script)


def test_selecting_a_layer_shows_its_files(fat_result: AnalysisResult) -> None:
    async def script(app: ExploreApp, pilot: Pilot[None]) -> None:
        before = _paths(app)
        await _press(pilot, "down", "down", "down")  # final, layer 1, 2, 3
        assert "layer 3" in str(_tree(app).root.label)
        after = _paths(app)
        assert after != before
        assert after == [e.path for e in app.model.index(View(layer=2)).entries("")]
        # every file shown was written by layer 3 (expand one directory: built on expand)
        first_dir = _tree(app).root.children[0]
        assert not first_dir.children
        first_dir.expand()
        await pilot.pause()
        assert first_dir.children
        for child in first_dir.children:
            mark = str(child.label)[0]
            assert mark == " " if child.allow_expand else mark in "AMDH", child.label
        status = str(app.query_one("#status", Static).render())
        assert "A added" in status

    _run(fat_result, script)


def test_waste_key_hides_what_is_not_waste(fat_result: AnalysisResult) -> None:
    waste = TreeModel.from_result(fat_result).waste_by_path

    async def script(app: ExploreApp, pilot: Pilot[None]) -> None:
        await _press(pilot, "w")
        assert "waste only" in str(app.query_one("#status", Static).render())
        files = await _open_all(app, pilot)  # every file left is classified waste
        for node in files:
            assert node.data in waste
            assert f"[{waste[node.data]}]" in str(node.label)
        assert len(files) == len(waste)
        # each further press keeps one cause of waste, then everything again
        families = app.model.waste_families()
        assert families[-1] == "hidden"  # not in the final filesystem: the cycle skips it
        for family in families[:-1]:
            await _press(pilot, "w")
            label = FAMILIES[family][0]
            assert f"waste: {label}" in str(app.query_one("#status", Static).render())
            files = await _open_all(app, pilot)
            assert files
            assert {family_of(waste[node.data]) for node in files} == {family}
        await _press(pilot, "w")
        assert "waste" not in str(app.query_one("#status", Static).render())

    _run(fat_result, script)


def test_search_finds_a_path(fat_result: AnalysisResult) -> None:
    async def script(app: ExploreApp, pilot: Pilot[None]) -> None:
        await _press(pilot, "slash", *"app/.env", "enter")  # "/" types in the search box
        assert _paths(app) == ["app", "app/.env"]
        label = str(_shown(_tree(app).root)[-1].label)
        assert ".env" in label and "[secrets]" in label
        status = str(app.query_one("#status", Static).render())
        assert status.endswith("search 'app/.env': 1 path"), status
        await _press(pilot, "escape")
        assert len(_paths(app)) > 2

    _run(fat_result, script)


def test_a_layer_that_deletes_marks_what_it_deleted(layered_result: AnalysisResult) -> None:
    async def script(app: ExploreApp, pilot: Pilot[None]) -> None:
        await _press(pilot, "down", "down", "down", "tab", "tab")  # layers, findings, files
        assert "layer 3" in str(_tree(app).root.label)
        assert app.focused is _tree(app)
        await _press(pilot, "down", "enter", "down", "enter", "down", "enter")
        labels = [str(node.label) for node in _shown(_tree(app).root)]
        assert any(label.startswith("D ") and "lists" in label for label in labels), labels

    _run(layered_result, script)


def test_without_a_terminal_or_without_textual_it_says_so(tmp_path: Path) -> None:
    from conftest import write_layered_image

    image = str(write_layered_image(tmp_path / "img.tar"))
    env = {**os.environ, "NO_COLOR": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "slimage", "explore", image],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("slimage: error: explore needs a terminal")
    hide_textual = (
        "import sys; sys.modules['textual'] = None; from slimage.cli import main; "
        f"main(['explore', {image!r}])"
    )
    run = subprocess.run(
        [sys.executable, "-c", hide_textual], capture_output=True, text=True, env=env
    )
    assert run.returncode == 5
    assert "pip install 'slimage[tui]'" in run.stderr
    assert run.stderr.count("\n") == 1


def test_a_big_directory_lists_its_biggest_and_one_more_line(tmp_path: Path) -> None:
    from slimage.api import analyze
    from slimage.explore.app import MAX_CHILDREN
    from support.images import make_layer, write_docker_archive

    count = MAX_CHILDREN + 50
    files = [("file", f"srv/f{n:04d}", b"x" * (n + 1)) for n in range(count)]
    result = analyze(str(write_docker_archive(tmp_path / "img.tar", [make_layer(files)])))

    async def script(app: ExploreApp, pilot: Pilot[None]) -> None:
        srv = _tree(app).root.children[0]
        srv.expand()
        await pilot.pause()
        assert len(srv.children) == MAX_CHILDREN + 1
        assert srv.children[0].data == "srv/f0449"  # biggest first
        rest = human_bytes(sum(range(1, 51)))  # the 50 smallest: 1..50 bytes
        assert str(srv.children[-1].label).strip() == f"{rest}  … 50 more"

    _run(result, script)


def _explore_in_a_pty(image: str, *options: str) -> bytes:
    """Run ``slimage explore`` on a pseudo-terminal until its screen shows, press q, and
    return what it drew; its exit code must be 0."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: slimage explore on the pty
        os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
        os.environ.pop("NO_COLOR", None)
        command = ["-m", "slimage", "explore", *options, image]
        os.execv(sys.executable, [sys.executable, *command])
    screen = b""
    deadline = time.monotonic() + 60
    try:
        while b"final filesystem" not in screen and time.monotonic() < deadline:
            if select.select([fd], [], [], 1)[0]:
                screen += os.read(fd, 65536)
        assert b"final filesystem" in screen
        os.write(fd, b"q")
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 1)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        os.close(fd)
    return screen


def _colours(screen: bytes) -> set[int]:
    """The xterm 256-colour indices drawn that are not greys (232-255, the cube's diagonal)."""
    greys = {16, 59, 102, 145, 188, 231, *range(232, 256)}
    return {int(n) for n in re.findall(rb"[34]8;5;(\d+)", screen)} - greys


def test_the_command_runs_the_app_in_a_terminal(fat_sample: Path) -> None:
    coloured = _colours(_explore_in_a_pty(str(fat_sample)))
    # --color never sets NO_COLOR, with which Textual draws in greys (one accent stays)
    plain = _colours(_explore_in_a_pty(str(fat_sample), "--color", "never"))
    assert len(coloured) >= 5, coloured
    assert len(plain) <= 1 and plain < coloured, (plain, coloured)
