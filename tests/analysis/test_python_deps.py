from __future__ import annotations

from analysis_fixtures import SITE, python_venv

from slimage.analysis.python_deps import (
    canonical_name,
    dev_kind,
    dev_only,
    find_distributions,
)

RUNTIME = {
    # slimage's runtime requirements and theirs (extras excluded), read off their METADATA.
    "slimage", "typer", "rich", "zstandard", "bashlex", "jinja2", "markupsafe", "pydantic",
    "pydantic-core", "annotated-types", "typing-inspection", "typing-extensions",
    "shellingham", "annotated-doc", "markdown-it-py", "mdurl", "pygments",
}  # fmt: skip


def test_reads_metadata_and_record() -> None:
    _, contents = python_venv()
    distributions = {d.name: d for d in find_distributions(contents)}
    assert len(distributions) == 40
    pytest = distributions["pytest"]
    assert pytest.site_dir == SITE
    assert pytest.version == "9.2.0"
    assert {"iniconfig", "packaging", "pluggy"} <= set(pytest.requires)
    assert f"{SITE}/_pytest/python.py" in pytest.files
    assert "opt/venv/bin/pytest" in pytest.files  # RECORD's ../../../bin/pytest
    # Requirements behind an extra are not runtime requirements.
    assert "pytest" not in distributions["slimage"].requires


def test_requested_app_keeps_exactly_its_runtime_closure() -> None:
    files, contents = python_venv()
    distributions = find_distributions(contents)
    requested = {d.metadata_dir for d in distributions if d.name == "slimage"}
    verdict = dev_only(distributions, requested)
    kept = {d.name for d in distributions if d.metadata_dir not in verdict}
    assert kept == RUNTIME
    kinds = {d.name: verdict[d.metadata_dir] for d in distributions if d.metadata_dir in verdict}
    assert kinds["pip"] == kinds["setuptools"] == "packaging-tool"
    assert kinds["mypy"] == kinds["pluggy"] == kinds["attrs"] == "dev-tool"
    dev_files = {p for d in distributions if d.metadata_dir in verdict for p in d.files}
    dev_bytes = sum(files[p].size for p in dev_files if p in files)
    assert dev_bytes > 0.5 * sum(r.size for r in files.values())  # mypy alone is huge


def test_without_marks_leaves_are_the_roots() -> None:
    _, contents = python_venv()
    distributions = find_distributions(contents)
    verdict = dev_only(distributions, set())
    kept = {d.name for d in distributions if d.metadata_dir not in verdict}
    # Leaves that are not known dev tools stay (conservative): the benchmark helpers,
    # jsonschema and the dockerfile parser are not recognisable as dev-only by name.
    assert kept >= RUNTIME
    assert {"pytest", "mypy", "ruff", "hypothesis", "pip", "pluggy"}.isdisjoint(kept)


def test_a_tool_the_app_requires_stays() -> None:
    metadata = {
        f"{SITE}/app-1.dist-info/METADATA": b"Name: app\nRequires-Dist: setuptools>=40\n",
        f"{SITE}/setuptools-69.dist-info/METADATA": b"Name: setuptools\nVersion: 69\n",
        f"{SITE}/pytest-8.dist-info/METADATA": b"Name: pytest\nRequires-Dist: pluggy\n",
        f"{SITE}/pluggy-1.dist-info/METADATA": b"Name: pluggy\n",
    }
    distributions = find_distributions(metadata)
    verdict = dev_only(distributions, set())
    assert sorted(verdict) == [f"{SITE}/pluggy-1.dist-info", f"{SITE}/pytest-8.dist-info"]


def test_names() -> None:
    assert canonical_name("Typing_Extensions") == "typing-extensions"
    assert canonical_name("zope.interface") == "zope-interface"
    assert dev_kind("types-requests") == "dev-tool"
    assert dev_kind("pytest-cov") == "dev-tool"
    assert dev_kind("wheel") == "packaging-tool"
    assert dev_kind("flask") is None


def test_record_rows_outside_the_environment_are_ignored() -> None:
    contents = {
        f"{SITE}/evil-1.dist-info/METADATA": b"Name: pytest\n",
        f"{SITE}/evil-1.dist-info/RECORD": (
            b"_pytest/x.py,sha256=a,10\n"
            b"../../../bin/pytest,sha256=b,20\n"
            b"../../../../../etc/passwd,sha256=c,30\n"
        ),
    }
    [distribution] = find_distributions(contents)
    assert distribution.files == [f"{SITE}/_pytest/x.py", "opt/venv/bin/pytest"]
