"""The verdict rules on hand-made values whose answers are known, and the basis that names the verdict."""

from __future__ import annotations

import pytest

from scs_compendium.claims import Claim, Reading, assess
from scs_compendium.claims.parts import Part
from scs_compendium.claims.rules import VERDICT_OF
from scs_compendium.claims.verdicts import decide
from scs_compendium.engine.spec import load_pipeline
from scs_compendium.errors import ClaimsError

PIPELINE = load_pipeline()
FOUND = {"looked_for": "x", "searched": ["pages: x"]}
EVIDENCE = {"evidence": {"values": {}, "parameters": PIPELINE.step("evidence").defaults()}}


def claim(reported, rule=None, basis="outside data", readings=(), research=FOUND) -> Claim:
    return Claim("c", "1", None, "s", reported, "literature_shares", basis, rule, research, tuple(readings))


def outcome(reported, rule, values, parameters=None):
    return decide(claim(reported, rule), rule, values, parameters or {})[0]


@pytest.mark.parametrize(("value", "expected"), [(0.214, "pass"), (0.407, "fail"), (0.1449, "fail"), (0.3049, "pass")])
def test_within_rounds_as_the_article_rounds(value, expected):
    rule = {"kind": "within", "value": "v", "decimals": 2}
    assert outcome({"value": [0.15, 0.30], "unit": "%"}, rule, {"v": value}).outcome == expected


def test_within_a_mapping_any_all_strict_and_empty():
    reported = {"value": [2018, 2020], "unit": "year"}
    years = {"v": {"12 zones": 2018, "16 zones": 2019, "34 zones": 2021}}
    assert outcome(reported, {"kind": "within", "value": "v"}, years).outcome == "pass"  # any
    partial = outcome(reported, {"kind": "within", "value": "v", "require": "all"}, years)
    assert partial.outcome == "partial" and "2021 (34 zones)" in partial.why and "do not" in partial.why
    assert outcome(reported, {"kind": "within", "value": "v", "require": "all", "strict": True}, years).outcome == "fail"
    assert outcome(reported, {"kind": "within", "value": "v"}, {"v": {}}).outcome == "none"
    lag = outcome({"value": [2, 5], "unit": "years"}, {"kind": "within", "value": "v"}, {"v": {"The Washington Post": 2.101}})
    assert lag.why == "2.1 years (The Washington Post) lies inside the reported 2–5 years"  # a duration, to a tenth


def test_close_uses_the_tolerance_parameter():
    reported = {"value": 672, "unit": "cities"}
    rule = {"kind": "close", "value": "v", "tolerance": "@tolerance"}
    assert outcome(reported, rule, {"v": 656}, {"tolerance": 0.0}).outcome == "fail"
    assert outcome(reported, rule, {"v": 656}, {"tolerance": 0.05}).outcome == "pass"  # 2.4% apart
    assert "2.4% apart" in outcome(reported, rule, {"v": 656}, {"tolerance": 0.0}).why
    assert outcome(reported, rule, {"v": None}, {"tolerance": 0.0}).outcome == "none"


@pytest.mark.parametrize(("date", "tolerance", "expected"), [
    ("2012-11-29", 0, "fail"), ("2012-11-29", 1, "pass"), ("2013-03", 0, "pass"), (None, 0, "none")])
def test_date_against_the_reported_year(date, tolerance, expected):
    rule = {"kind": "date", "value": "v", "tolerance_years": "@t"}
    assert outcome({"value": 2013, "unit": "year"}, rule, {"v": date}, {"t": tolerance}).outcome == expected


def test_threshold_below_and_above():
    rule = {"kind": "threshold", "value": "v", "below": "@h", "label": "the upper bound"}
    result = outcome({"value": 0, "unit": "u"}, rule, {"v": 0.208}, {"h": 0.25})
    assert result.outcome == "pass" and result.why == "the upper bound: 0.208 is below 0.25"
    assert outcome({"value": 0, "unit": "u"}, rule, {"v": 0.208}, {"h": 0.10}).outcome == "fail"
    share = {**rule, "label": "the upper bound of the share coded as economic"}  # a share reads as a percentage
    assert outcome({"value": 0, "unit": "u"}, share, {"v": 0.208}, {"h": 0.25}).why == "the upper bound of the share coded as economic: 20.8% is below 25%"
    assert outcome({"value": 0, "unit": "u"}, {"kind": "threshold", "value": "v", "above": 20}, {"v": 21}).outcome == "pass"


def test_all_true_pass_partial_fail_and_wrong_type():
    rule = {"kind": "all_true", "value": "v"}
    assert outcome({"value": 1, "unit": "u"}, rule, {"v": {"a": True, "b": True}}).outcome == "pass"
    partial = outcome({"value": 1, "unit": "u"}, rule, {"v": {"a": True, "b": False}})
    assert partial.outcome == "partial" and "not: b" in partial.why
    assert outcome({"value": 1, "unit": "u"}, rule, {"v": {"a": False}}).outcome == "fail"
    with pytest.raises(ClaimsError, match="needs true/false"):
        outcome({"value": 1, "unit": "u"}, rule, {"v": {"a": 1}})


@pytest.mark.parametrize("basis", ["the article's own figures", "the compendium's coding of the article"])
def test_checks_on_the_article_itself_are_never_reproduction(basis):
    assert VERDICT_OF[basis]["pass"] == "consistent" and VERDICT_OF[basis]["fail"] == "inconsistent"
    c = claim({"value": [0.15, 0.30], "unit": "%"}, {"kind": "within", "value": "v"}, basis=basis)
    assert assess(c, PIPELINE, {"literature_shares": {"values": {"v": 0.2}}}).verdict == "consistent"


def test_readings_of_a_computed_part_combine_as_declared_never_by_the_most_lenient():
    readings = (
        Reading("flow", "flow", {"kind": "within", "value": "flow", "decimals": 2}, "outside data"),
        Reading("stock", "stock", {"kind": "within", "value": "stock", "decimals": 2}, "outside data"),
        Reading("own", "own arithmetic", {"kind": "within", "value": "own"}, "the article's own figures"),
    )

    def verdict(combine, values):
        part = Part("share", "how many", "0.15-0.30%", "fact", readings=readings, combine=combine)
        c = Claim("c", "1", None, "s", {"value": [0.15, 0.30], "unit": "%"}, "literature_shares", "outside data",
                  None, FOUND, parts=(part,))
        return assess(c, PIPELINE, {"literature_shares": {"values": values}, **EVIDENCE})

    split = {"flow": 0.21, "stock": 0.41, "own": 0.2}
    result = verdict("all", split)
    assert result.verdict == "depends on reading" and "flow: supported; stock: contradicted" in result.parts[0].why
    assert [r.verdict for r in result.readings] == ["reproduced", "not reproduced", "consistent"]
    assert verdict("flow", split).verdict == "reproduced"  # the reading the article's words fix
    assert verdict("stock", split).verdict == "not reproduced"
    both = verdict("all", {"flow": 0.21, "stock": 0.2, "own": 0.9})
    assert both.verdict == "reproduced"  # the reading on the article's own figures does not decide


def test_a_threshold_refers_to_a_parameter_the_results_hold():
    c = claim({"value": 1, "unit": "u"}, {"kind": "close", "value": "v", "tolerance": "@tolerance"},
              basis="the article's own figures")
    with pytest.raises(ClaimsError, match="parameter @tolerance not in the results"):
        assess(c, PIPELINE, {"literature_shares": {"values": {"v": 1}, "parameters": {}}})


def test_threshold_at_least_over_a_mapping():
    rule = {"kind": "threshold", "value": "v", "at_least": "reported", "label": "the share not listed"}
    reported = {"value": 99, "unit": "%"}
    assert outcome(reported, rule, {"v": {"2020, total": 99.59, "2020, aged 16 plus": 99.5}}).outcome == "pass"
    partial = outcome(reported, rule, {"v": {"2019": 99.2, "2020": 98.9}})
    assert partial.outcome == "partial" and "98.9% (2020) is below 99%" in partial.why  # with the article's unit
    assert outcome(reported, rule, {"v": {}}).outcome == "none"
