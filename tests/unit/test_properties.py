"""Property-based tests (hypothesis) for the CSV importer, the parameter parser and the placeholder filler."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scs_compendium.outputs import paper
from scs_compendium.sources import google_trends as trends
from scs_compendium.errors import ParameterError
from scs_compendium.engine.params import parse_value
from scs_compendium.engine.spec import Parameter

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- the parameter parser --------------------------------------------------------------


@FAST
@given(st.integers(min_value=-10**9, max_value=10**9))
def test_int_round_trip(value):
    assert parse_value(Parameter("n", "int", 0, "d"), str(value)) == value


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_float_round_trip(value):
    assert parse_value(Parameter("x", "float", 0.0, "d"), repr(value)) == value


@FAST
@given(st.lists(st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=12), max_size=6))
def test_list_round_trip(items):
    assert parse_value(Parameter("l", "list", [], "d"), ",".join(items)) == items


@FAST
@given(st.text(max_size=30), st.sampled_from(["int", "float", "bool", "str", "list"]))
def test_any_text_gives_a_value_of_the_type_or_a_parameter_error(text, kind):
    param = Parameter("p", kind, None, "d")
    try:
        value = parse_value(param, text)
    except ParameterError as exc:
        assert "parameter 'p'" in str(exc)
        return
    expected = {"int": int, "float": float, "bool": bool, "str": str, "list": list}[kind]
    assert isinstance(value, expected)


# --- the multiTimeline.csv importer ------------------------------------------------------

cells = st.one_of(st.integers(min_value=0, max_value=100).map(str), st.just("<1"))


@FAST
@given(st.lists(cells, min_size=1, max_size=60), st.booleans())
def test_monthly_export_round_trip(tmp_path_factory, values, with_category):
    path = tmp_path_factory.mktemp("prop") / "synthetic_multiTimeline.csv"
    lines = (["Category: All categories", ""] if with_category else []) + ["Month,x: (Worldwide)"]
    lines += [f"{2004 + i // 12}-{i % 12 + 1:02d},{v}" for i, v in enumerate(values)]
    path.write_text("\n".join(lines) + "\n")
    if all(v == "0" for v in values):  # a series of zeros can decide nothing: refused
        with pytest.raises(trends.TrendsError, match="every value of 'x' is 0"):
            trends.parse_multitimeline(path, retrieved=date(2030, 1, 1), log=lambda _: None)
        return
    snap = trends.parse_multitimeline(path, retrieved=date(2030, 1, 1), log=lambda _: None)
    assert snap.frame["value"].tolist() == [0.5 if v == "<1" else float(v) for v in values]
    assert snap.frame["below_one"].tolist() == [v == "<1" for v in values]
    assert list(snap.frame["date"]) == sorted(snap.frame["date"]) and not snap.frame["is_partial"].any()


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_parse_or_raise_a_trends_error(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("prop") / "synthetic_noise.csv"
    path.write_bytes(blob)
    try:
        trends.parse_multitimeline(path, retrieved=date(2030, 1, 1), log=lambda _: None)
    except trends.TrendsError as exc:
        assert str(path) in str(exc)


# --- the placeholder filler ----------------------------------------------------------------


class DictResolver(paper.Resolver):
    """The filler over an in-memory results dict (no files)."""

    def __init__(self, results):
        self.results = results

    def value(self, source, key):
        try:
            return self.results[source][key]
        except KeyError:
            raise paper.PaperError(f"placeholder {source}:{key}: missing (step {source!r} should write it)") from None


keys = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=10)
numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@FAST
@given(st.dictionaries(keys, numbers, min_size=1, max_size=5), st.sampled_from(["num1", "num2", "int", "pct1"]))
def test_filler_formats_every_value(values, fmt):
    resolver = DictResolver({"step": values})
    text = " ".join(f"<{{{{step:{k}|{fmt}}}}}>" for k in values)
    filled = resolver.fill(text)
    assert filled == " ".join(f"<{paper.FORMATTERS[fmt](v)}>" for v in values.values())
    assert "{{" not in filled


@FAST
@given(keys, keys)
def test_filler_names_a_missing_key(present, missing):
    if present == missing:
        return
    with pytest.raises(paper.PaperError, match=f"step:{missing}"):
        DictResolver({"step": {present: 1.0}}).fill(f"{{{{step:{missing}|num1}}}}")


@FAST
@given(st.text(alphabet=string.printable.replace("{", "").replace("}", ""), max_size=80))
def test_text_without_placeholders_is_unchanged(text):
    assert DictResolver({}).fill(text) == text
