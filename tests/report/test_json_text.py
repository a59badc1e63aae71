"""dumps_indented writes exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import enum
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from slimage.report import LintReport, render_lint
from slimage.report._json_text import dumps_indented
from slimage.report.json import to_dict as json_document
from slimage.report.sarif import to_dict as sarif_document
from slimage.rules.engine import lint
from slimage.rules.registry import all_rules

CORPUS = Path(__file__).parents[1] / "data" / "corpus" / "dockerfiles"


def _standard(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


class Level(enum.IntEnum):
    LOW = 1


class Name(enum.StrEnum):
    A = "a"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),  # control characters, quotes, backslashes, surrogates, non-ASCII
    st.sampled_from([Level.LOW, Name.A]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=3),
    ),
    max_leaves=25,
)


@given(values)
def test_any_value_is_written_as_the_standard_encoder_writes_it(value: object) -> None:
    assert dumps_indented(value) == _standard(value)


def test_corpus_reports_are_byte_identical() -> None:
    files = sorted(CORPUS.iterdir())[:40]
    findings = [f for path in files for f in lint(path.read_text(), path=path.name).findings]
    assert findings
    report = LintReport(
        findings=findings, files=[p.name for p in files], rules=list(all_rules()), errors=["x"]
    )
    for document in (json_document(report), sarif_document(report)):
        assert dumps_indented(document) == _standard(document)
    assert render_lint(report, "json") == _standard(json_document(report)) + "\n"
