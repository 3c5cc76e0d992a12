"""The claims registry validates, every claim says what was searched, and the report holds what a reviewer needs."""

from __future__ import annotations

import copy

import pytest
import yaml

from scs_compendium.claims import BASES, VERDICTS, Claim, assess, load_registry
from scs_compendium.claims.parts import Part
from scs_compendium.engine.spec import load_pipeline
from scs_compendium.errors import ClaimsError
from scs_compendium.outputs.report import build_report, render_html, render_markdown

RESEARCH = {"looked_for": "the count", "searched": ["pages: the count"]}


def test_real_registry_validates_and_names_known_steps():
    pipeline = load_pipeline()
    claims = load_registry(pipeline=pipeline)
    assert len(claims) >= 100
    known = set(pipeline.steps) | set(pipeline.planned)
    assert all(c.step in known for c in claims)
    assert len({c.id for c in claims}) == len(claims)


def test_registry_covers_the_articles_footnoted_figures():
    footnotes = {c.footnote for c in load_registry()}
    assert {11, 14, 22, 26, 37, 59, 66, 67, 68, 73, 74}.issubset(footnotes)


def test_no_claim_carries_a_typed_status_or_a_source_rule():
    text = (load_pipeline().root / "data/claims.yaml").read_text(encoding="utf-8")
    assert "status:" not in text and "kind: source" not in text
    for c in load_registry():
        assert c.research["looked_for"], c.id
        if c.basis == "outside data":
            assert c.parts and c.rule is None and not c.readings, c.id


def test_every_part_of_outside_data_is_decided_by_rows_or_computed():
    for c in load_registry():
        for part in c.parts:
            assert part.type in ("fact", "attribution", "interpretation"), (c.id, part.id)
            if part.type == "interpretation":
                assert part.interpretation and not part.computed, (c.id, part.id)


def test_assess_pending_needs_data_and_results(toy_fresh):
    pipeline = load_pipeline(toy_fresh)
    computed = (Part("x", "what", "x", "fact", rule={"kind": "all_true", "value": "x"}),)
    later = Claim("p", "3", None, "s", None, "later", "outside data", None, RESEARCH, parts=computed)
    assert assess(later, pipeline).verdict == "pending"
    not_run = Claim("q", "3", None, "s", {"value": 1, "unit": "u"}, "a", "the article's own figures",
                    {"kind": "all_true", "value": "n_is_two"}, RESEARCH)
    assert assess(not_run, pipeline).why == "step 'a' has not run yet"
    real = load_pipeline()
    c = Claim("c", "1", None, "s", {"value": [0.15, 0.30], "unit": "%"}, "literature_shares",
              "the article's own figures", {"kind": "within", "value": "k"}, RESEARCH)
    done = assess(c, real, {"literature_shares": {"values": {"k": 0.2}}})
    assert done.verdict == "consistent" and done.value == 0.2
    assert "0.2 lies inside the reported 0.15–0.3 %" in done.why
    assert any("footnote 22" in e for e in done.evidence)  # the data source is cited


def write_registry(root, entries):
    """The registry as people write it: each value written out (the registry refuses YAML anchors and aliases)."""
    (root / "data/claims.yaml").write_text(yaml.safe_dump({"claims": [copy.deepcopy(e) for e in entries]}))


GOOD = {
    "id": "x", "section": "3", "statement": "s", "reported": {"value": 1, "unit": "u"}, "step": "literature_shares",
    "basis": "the article's own figures", "rule": {"kind": "all_true", "value": "economic_majority"},
    "research": {"looked_for": "a review", "searched": ["pages: review"]},
}
OUTSIDE = {
    "id": "y", "section": "5", "statement": "s", "step": "timeline", "basis": "outside data",
    "parts": [{"id": "year", "aspect": "when", "article": "2001", "type": "fact", "compare": "year", "article_value": 2001}],
    "research": {"looked_for": "the year", "searched": ["pages: year"]},
}


@pytest.mark.parametrize(
    ("entry", "change", "message"),
    [
        (GOOD, {"step": "nowhere"}, "claim 'x': step 'nowhere' is neither a step nor planned"),
        (GOOD, {"rule": {"kind": "vibes"}}, "claim 'x': rule kind 'vibes' is not one of"),
        (GOOD, {"rule": {"kind": "source"}}, "claim 'x': rule kind 'source' is not one of"),
        (GOOD, {"rule": {"kind": "not_checkable"}}, "claim 'x': rule 'not_checkable' needs 'why'"),
        (GOOD, {"rule": {"kind": "within", "value": "k", "low": "@nope"}}, r"refers to \['@nope'\], not parameters of its step"),
        (GOOD, {"rule": {"kind": "threshold", "value": "k"}}, "needs exactly one of 'below', 'above' or 'at_least'"),
        (GOOD, {"basis": "vibes"}, "basis 'vibes' is not one of"),
        (GOOD, {"basis": "none"}, "basis 'none' is not one of"),
        (GOOD, {"reported": {"value": 1}}, "claim 'x': field 'reported' needs 'value' and 'unit'"),
        (GOOD, {"statement": ""}, "claim 'x': missing field 'statement'"),
        (GOOD, {"research": None}, "claim 'x': missing field 'research'"),
        (GOOD, {"research": {"status": "corroborated", "looked_for": "y"}}, r"unknown key\(s\) \['status'\]"),
        (GOOD, {"colour": "red"}, "claim 'x': unknown field\\(s\\) \\['colour'\\]"),
        (GOOD, {"reported": {"value": 1, "unit": "a (b", "c)": None}}, r"field 'reported' has unknown key\(s\) \['c\)'\]"),
        (OUTSIDE, {"parts": []}, "claim 'y': a claim of outside data needs 'parts'"),
        (OUTSIDE, {"rule": {"kind": "all_true", "value": "x"}}, "claim 'y': a claim of outside data is decided by its parts"),
        (OUTSIDE, {"parts": [{"id": "a", "aspect": "because", "article": "t", "type": "fact"}]}, "aspect 'because' is not one of"),
        (OUTSIDE, {"parts": [{"id": "a", "aspect": "what", "article": "t", "type": "interpretation"}]},
         "an interpretation part names its kind"),
        (OUTSIDE, {"parts": [{"id": "a", "aspect": "when", "article": "t", "type": "fact", "compare": "year",
                              "article_value": "soon"}]}, "article_value 'soon' must be a year"),
        (OUTSIDE, {"parts": [{"id": "a", "aspect": "how many", "article": "t", "type": "fact", "compare": "number",
                              "article_value": 3, "grows": True}]}, "a count that grows needs 'as_of'"),
    ],
)
def test_malformed_entries_name_claim_and_field(data_copy, entry, change, message):
    write_registry(data_copy, [{**entry, **change}])
    with pytest.raises(ClaimsError, match=message):
        load_registry(data_copy)


def test_duplicate_ids_are_refused(data_copy):
    write_registry(data_copy, [GOOD, GOOD])
    with pytest.raises(ClaimsError, match="claim id 'x' appears twice"):
        load_registry(data_copy)


def test_report_formats_hold_every_claim(data_copy):
    write_registry(data_copy, [GOOD, {**GOOD, "id": "z", "step": "timeline"}])
    rows = build_report(data_copy)
    assert [r["verdict"] for r in rows] == ["pending", "pending"]  # nothing has run in the copy
    assert {"id", "section", "statement", "reported", "verdict", "basis", "why", "research", "step", "parts"} <= set(rows[0])
    assert all(r["verdict"] in VERDICTS and r["basis"] in BASES for r in rows)
    html = render_html(rows)
    assert html.count('<tr id="') == 2 and 'id="x"' in html
    assert render_markdown(rows, {"commit": "abc", "generated": "now"}).count("| **pending** |") == 2
