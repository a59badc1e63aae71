"""The explorer's tree as plain data: views of the final filesystem and of one layer."""

from __future__ import annotations

from slimage.analysis.result import AnalysisResult
from slimage.explore.model import TreeModel, View
from slimage.filesystem import FileKind

KIB = 1024


def _names(entries: list) -> list[str]:  # type: ignore[type-arg]
    return [entry.name for entry in entries]


def test_final_view_sizes_are_the_final_filesystems(layered_result: AnalysisResult) -> None:
    model = TreeModel.from_result(layered_result)
    index = model.index(View())
    assert index.total_bytes == layered_result.layers.final_bytes
    regular = [r for r in layered_result.layers.files.values() if r.kind is FileKind.FILE]
    assert index.file_count == len(regular)
    top = index.entries("")
    # biggest first; the deleted apt lists are not in the final filesystem
    assert _names(top)[:2] == ["root", "usr"]
    assert "lists" not in _names(index.entries("var/lib/apt"))
    app = next(e for e in index.entries("usr/bin") if e.name == "app")
    assert (app.size, app.layer, app.mark) == (50 * KIB, 1, "")
    assert sum(entry.size for entry in top) == index.total_bytes


def test_layer_views_mark_added_changed_deleted(layered_result: AnalysisResult) -> None:
    model = TreeModel.from_result(layered_result)
    second = model.index(View(layer=1))
    marks = {e.name: e.mark for e in second.entries("usr/bin")}
    assert marks == {"app": "M"}  # it replaced layer 1's app (a hidden path)
    assert [e.mark for e in second.entries("root/.cache/pip")] == ["A"]
    assert second.total_bytes == (50 + 120) * KIB
    third = model.index(View(layer=2))
    deleted = third.entries("var/lib/apt")
    assert [(e.name, e.mark, e.cause) for e in deleted] == [("lists", "D", "deleted_dir")]
    first = model.index(View(layer=0))
    # layer 1's bytes hidden later: its app (overwritten) and the apt lists (deleted)
    hidden = {e.path: e.mark for e in first.entries("usr/bin")}
    assert hidden == {"usr/bin/app": "H"}
    assert "etc" in _names(first.entries(""))


def test_waste_only_keeps_classified_files(layered_result: AnalysisResult) -> None:
    model = TreeModel.from_result(layered_result)
    waste = model.waste_by_path
    assert waste, "the sample has classified waste"
    index = model.index(View(waste="all"))
    assert index.total_bytes == sum(layered_result.layers.files[path].size for path in waste)
    stack = [""]
    while stack:
        for entry in index.entries(stack.pop()):
            if entry.is_dir:
                stack.append(entry.path)
            else:
                assert entry.cause == waste[entry.path]


def test_waste_of_one_cause(fat_result: AnalysisResult) -> None:
    from slimage.report.html_treemap import family_of

    model = TreeModel.from_result(fat_result)
    families = model.waste_families()
    assert families[0] == "base" and "toolchain" in families and families[-1] == "hidden"
    toolchain = model.index(View(waste="toolchain"))
    expected = {p for p, cause in model.waste_by_path.items() if family_of(cause) == "toolchain"}
    assert toolchain.total_bytes == sum(fat_result.layers.files[p].size for p in expected)
    assert toolchain.file_count == len(expected)
    # hidden bytes exist only in a layer's view: the final filesystem has none
    assert model.index(View(waste="hidden")).file_count == 0
    assert model.index(View(layer=1, waste="hidden")).file_count > 0


def test_search_finds_paths_and_opens_their_directories(layered_result: AnalysisResult) -> None:
    model = TreeModel.from_result(layered_result)
    index = model.index(View(query="WHEEL"))
    assert index.matches == ["root/.cache/pip/wheel.whl"]
    assert index.ancestors_to_expand() == ["root", "root/.cache", "root/.cache/pip"]
    assert _names(index.entries("")) == ["root"]


def test_views_are_built_once_and_listed_lazily(fat_result: AnalysisResult) -> None:
    model = TreeModel.from_result(fat_result)
    index = model.index(View())
    assert model.index(View()) is index
    assert index._listed == {}  # nothing listed until asked
    index.entries("")
    assert list(index._listed) == [""]


def test_a_200k_file_filesystem_builds_quickly(layered_result: AnalysisResult) -> None:
    import time

    from slimage.filesystem import FileRecord

    files = {
        f"srv/d{d}/s{s}/f{n}.py": FileRecord(
            f"srv/d{d}/s{s}/f{n}.py", FileKind.FILE, 100, 0o644, 0, 0, 1
        )
        for d in range(50)
        for s in range(40)
        for n in range(100)
    }
    start = time.perf_counter()
    index = TreeModel(files, {}, []).index(View())
    elapsed = time.perf_counter() - start
    assert index.file_count == 200_000
    assert index.total_bytes == 20_000_000
    assert len(index.entries("srv")) == 50
    assert elapsed < 5, elapsed  # ~1 s here; the analysis of such an image takes longer
