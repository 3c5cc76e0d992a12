"""The claims registry validates, every claim is researched, and the report holds what a reviewer needs."""

from __future__ import annotations

import copy

import pytest
import yaml

from scs_compendium.claims import BASES, VERDICTS, Claim, assess, load_registry
from scs_compendium.engine.spec import load_pipeline
from scs_compendium.errors import ClaimsError
from scs_compendium.outputs.report import build_report, render_html, render_markdown

RESEARCH = {"status": "not found", "looked_for": "the count", "searched": ["pages: the count"], "sources": []}


def claim(rule=None, basis="outside data", research=RESEARCH, step="literature_shares", readings=()) -> Claim:
    return Claim(id="c", section="1", footnote=None, statement="s", reported={"value": [0.15, 0.30], "unit": "%"},
                 step=step, basis=basis, rule=rule, research=research, readings=readings)


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


def test_every_claim_is_researched_and_says_what_was_searched():
    for c in load_registry():
        assert c.research["status"] and c.research["looked_for"], c.id
        if c.research["status"] in ("not found", "not applicable"):
            assert c.research.get("searched"), f"{c.id}: what was searched?"
        for source in c.research.get("sources") or []:
            assert source["url"] and source["accessed"], c.id


def test_only_outside_data_can_reproduce():
    for c in load_registry():
        rules = [c.rule] if c.rule else [r.rule for r in c.readings]
        if c.basis == "none":
            assert all(r["kind"] in ("not_checkable", "source") for r in rules), c.id


def test_assess_pending_needs_data_and_results(toy_fresh):
    pipeline = load_pipeline(toy_fresh)
    later = Claim("p", "3", None, "s", {"value": 1, "unit": "u"}, "later", "outside data",
                  {"kind": "all_true", "value": "x"}, RESEARCH)
    assert assess(later, pipeline).verdict == "pending"
    not_run = Claim("q", "3", None, "s", {"value": 1, "unit": "u"}, "a", "outside data",
                    {"kind": "all_true", "value": "n_is_two"}, RESEARCH)
    assert assess(not_run, pipeline).why == "step 'a' has not run yet"
    real = load_pipeline()
    c = claim({"kind": "within", "value": "k"})
    needs = assess(c, real, {"literature_shares": {"values": {"needs_data": "run `scs fetch trends`"}}})
    assert needs.verdict == "needs data" and "scs fetch trends" in needs.why
    done = assess(c, real, {"literature_shares": {"values": {"k": 0.2}}})
    assert done.verdict == "reproduced" and done.value == 0.2
    assert "0.2 lies inside the reported 0.15–0.3 %" in done.why
    assert any("footnote 22" in e for e in done.evidence)  # the data source is cited


def write_registry(root, entries):
    """The registry as people write it: each value written out (the registry refuses YAML anchors and aliases)."""
    (root / "data/claims.yaml").write_text(yaml.safe_dump({"claims": [copy.deepcopy(e) for e in entries]}))


GOOD = {
    "id": "x", "section": "3", "statement": "s", "reported": {"value": 1, "unit": "u"}, "step": "literature_shares",
    "basis": "the article's own figures", "rule": {"kind": "all_true", "value": "economic_majority"},
    "research": {"status": "not applicable", "looked_for": "a review", "searched": ["pages: review"]},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"step": "nowhere"}, "claim 'x': step 'nowhere' is neither a step nor planned"),
        ({"rule": {"kind": "vibes"}}, "claim 'x': rule kind 'vibes' is not one of"),
        ({"rule": {"kind": "not_checkable"}}, "claim 'x': rule 'not_checkable' needs 'why'"),
        ({"rule": {"kind": "within", "value": "k", "low": "@nope"}}, r"refers to \['@nope'\], not parameters of its step"),
        ({"rule": {"kind": "threshold", "value": "k"}}, "needs exactly one of 'below', 'above' or 'at_least'"),
        ({"basis": "vibes"}, "basis 'vibes' is not one of"),
        ({"basis": "none"}, "basis 'none' goes with rule 'not_checkable'"),
        ({"reported": {"value": 1}}, "claim 'x': field 'reported' needs 'value' and 'unit'"),
        ({"statement": ""}, "claim 'x': missing field 'statement'"),
        ({"research": None}, "claim 'x': missing field 'research'"),
        ({"research": {"status": "maybe", "looked_for": "y"}}, "research status must be one of"),
        ({"research": {"status": "corroborated", "looked_for": "y", "sources": []}}, "needs a source with its quote"),
        ({"research": {"status": "not found", "looked_for": "y"}, "rule": {"kind": "not_checkable", "why": "w"}},
         "must say what was searched"),
        ({"readings": [{"id": "a", "label": "a", "rule": {"kind": "source"}}]}, "give either 'rule' or 'readings'"),
        ({"colour": "red"}, "claim 'x': unknown field\\(s\\) \\['colour'\\]"),
        ({"reported": {"value": 1, "unit": "a (b", "c)": None}}, r"field 'reported' has unknown key\(s\) \['c\)'\]"),
    ],
)
def test_malformed_entries_name_claim_and_field(data_copy, change, message):
    write_registry(data_copy, [{**GOOD, **change}])
    with pytest.raises(ClaimsError, match=message):
        load_registry(data_copy)


def test_duplicate_ids_are_refused(data_copy):
    write_registry(data_copy, [GOOD, GOOD])
    with pytest.raises(ClaimsError, match="claim id 'x' appears twice"):
        load_registry(data_copy)


def test_report_formats_hold_every_claim(data_copy):
    write_registry(data_copy, [GOOD, {**GOOD, "id": "y", "step": "timeline"}])
    rows = build_report(data_copy)
    assert [r["verdict"] for r in rows] == ["pending", "pending"]  # nothing has run in the copy
    assert {"id", "section", "statement", "reported", "verdict", "basis", "why", "research", "step"} <= set(rows[0])
    assert all(r["verdict"] in VERDICTS and r["basis"] in BASES for r in rows)
    html = render_html(rows)
    assert html.count('<tr id="') == 2 and 'id="x"' in html
    assert render_markdown(rows, {"commit": "abc", "generated": "now"}).count("| **pending** |") == 2
