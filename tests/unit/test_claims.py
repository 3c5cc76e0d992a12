"""The claims registry validates, and the rules give the verdicts they promise."""

from __future__ import annotations

import pytest
import yaml

from scs_compendium.claims import VERDICTS, Claim, assess, load_registry
from scs_compendium.claims.verdicts import apply_rule
from scs_compendium.outputs.report import build_report, render_html, render_markdown
from scs_compendium.errors import ClaimsError
from scs_compendium.engine.spec import load_pipeline


def claim(kind: str, keys=("k",), reported=None, **rule) -> Claim:
    return Claim(
        id="c", section="1", footnote=None, statement="s",
        reported=reported or {"value": 1, "unit": "u"}, step="literature_shares",
        keys=tuple(keys), rule={"kind": kind, **rule},
    )


def test_real_registry_validates_and_names_known_steps():
    pipeline = load_pipeline()
    claims = load_registry(pipeline=pipeline)
    assert len(claims) >= 50
    known = set(pipeline.steps) | set(pipeline.planned)
    assert all(c.step in known for c in claims)
    assert len({c.id for c in claims}) == len(claims)


def test_registry_covers_the_articles_footnoted_figures():
    footnotes = {c.footnote for c in load_registry()}
    assert {11, 14, 22, 26, 59, 66, 67, 68, 73, 74}.issubset(footnotes)


@pytest.mark.parametrize(
    ("flags", "verdict"),
    [([True, True], "reproduced"), ([True, False], "partly reproduced"), ([False, False], "not reproduced")],
)
def test_all_true_rule(flags, verdict):
    keys = [f"k{i}" for i in range(len(flags))]
    assert apply_rule(claim("all_true", keys), dict(zip(keys, flags))) == verdict


def test_only_the_rules_claims_use_are_known():
    from scs_compendium.claims import RULES

    used = {c.rule["kind"] for c in load_registry()}
    assert set(RULES) == used, "a rule no claim uses is dead code; a used rule must be known"


def test_verdict_key_and_not_checkable_rules():
    assert apply_rule(claim("verdict_key"), {"k": "partly reproduced"}) == "partly reproduced"
    with pytest.raises(ClaimsError, match="not a verdict"):
        apply_rule(claim("verdict_key"), {"k": "maybe"})
    assert apply_rule(claim("not_checkable", why="x"), {"k": 3}) == "not checkable"


def test_rules_refuse_results_of_the_wrong_type():
    with pytest.raises(ClaimsError, match="needs true/false"):
        apply_rule(claim("all_true"), {"k": 1})


def test_assess_pending_needs_data_and_results(toy_fresh):
    planned = Claim("p", "3", None, "s", {"value": 1, "unit": "u"}, "later", ("x",), {"kind": "all_true"})
    assert assess(planned, load_pipeline(toy_fresh)).verdict == "pending"
    not_run = Claim("q", "3", None, "s", {"value": 1, "unit": "u"}, "a", ("n",), {"kind": "all_true"})
    assert assess(not_run, load_pipeline(toy_fresh)).evidence == ["step 'a' has not run yet"]
    pipeline = load_pipeline()
    c = claim("all_true")
    needs = assess(c, pipeline, {"literature_shares": {"values": {"needs_data": "run `scs fetch trends`"}}})
    assert needs.verdict == "needs data" and "scs fetch trends" in needs.evidence[-1]
    done = assess(c, pipeline, {"literature_shares": {"values": {"k": True}}})
    assert done.verdict == "reproduced" and done.reproduced is True
    assert any("footnote 22" in e for e in done.evidence)  # the data source is cited


def write_registry(root, entries):
    (root / "data/claims.yaml").write_text(yaml.safe_dump({"claims": entries}))


GOOD = {
    "id": "x", "section": "3", "statement": "s", "reported": {"value": 1, "unit": "u"},
    "step": "literature_shares", "keys": ["all_consistent"], "rule": {"kind": "all_true"},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"step": "nowhere"}, "claim 'x': step 'nowhere' is neither a step nor planned"),
        ({"rule": {"kind": "vibes"}}, "claim 'x': rule kind 'vibes' is not one of"),
        ({"rule": {"kind": "not_checkable"}}, "claim 'x': rule 'not_checkable' needs 'why'"),
        ({"reported": {"value": 1}}, "claim 'x': field 'reported' needs 'value' and 'unit'"),
        ({"statement": ""}, "claim 'x': missing field 'statement'"),
        ({"keys": []}, "claim 'x': rule 'all_true' needs at least one result key"),
        ({"colour": "red"}, "claim 'x': unknown field\\(s\\) \\['colour'\\]"),
        ({"corroboration": {"status": "maybe", "source": "s"}}, "corroboration status must be one of"),
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
    assert {"id", "section", "statement", "reported", "reproduced", "verdict", "evidence", "step"} <= set(rows[0])
    assert all(r["verdict"] in VERDICTS for r in rows)
    html = render_html(rows)
    assert html.count("<tr data-verdict=") == 2
    assert render_markdown(rows).count("| **pending** |") == 2
