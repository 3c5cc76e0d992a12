"""The evidence rule on synthetic sources and rows (test material only: nothing here is data of the article)."""

from __future__ import annotations

import pytest

from scs_compendium.claims.agreement import agreement
from scs_compendium.claims.evidence import (CONFLICTING, CONTRADICTED, PARTLY, SUPPORTED, UNDECIDED, Decisions,
                                            claim_verdict, decide_read_part, part_outcome, read_row)
from scs_compendium.claims.parts import Part
from scs_compendium.sources.evidence import Evidence, Row, Source, quote_in

KINDS = {"official document": {"official_first": 4, "scholarship_first": 3, "flat": 2},
         "peer-reviewed": {"official_first": 3, "scholarship_first": 4, "flat": 2},
         "press": {"official_first": 2, "scholarship_first": 2, "flat": 2},
         "blog or copy": {"official_first": 1, "scholarship_first": 1, "flat": 1},
         "the article": {"official_first": 0, "scholarship_first": 0, "flat": 0}}
DEFAULT = Decisions("official_first", 2, True, True, 0, 0.0, 0.2)


def source(sid, kind, published="2015", verified=True, copy_of="", cites="no"):
    return Source(sid, f"title {sid}", "", "", published, f"https://example.org/{sid}", "2026-12-03", "en", kind,
                  copy_of, cites, verified, "excerpt", "", "")


def evidence(*sources):
    table = {s.id: s for s in (source("article", "the article", "2022"), *sources)}
    return Evidence(table, KINDS, [], [], {}, [], None, None)


def row(src, stance="", value="", precision="", same=True, part="p", as_of="", claim="c"):
    return Row(claim, part, src, "q", "", value, precision, as_of, stance, same, "" if same else "another city", "t", "2026-12-03")


FACT = Part("p", "what", "it happened", "fact")
YEAR = Part("p", "when", "2014", "fact", compare="year", article_value=2014, article_precision="exact")


def outcome(ev, rows, part=FACT, decisions=DEFAULT):
    return part_outcome([read_row(r, part, ev, decisions) for r in rows])[0]


def test_support_and_contradiction_follow_the_strength_of_the_sources():
    ev = evidence(source("law", "official document"), source("paper", "peer-reviewed"), source("news", "press"))
    assert outcome(ev, [row("paper", "supports")]) == SUPPORTED
    assert outcome(ev, [row("paper", "supports"), row("law", "contradicts")]) == CONTRADICTED
    assert outcome(ev, [row("law", "supports"), row("paper", "contradicts")]) == SUPPORTED
    assert outcome(ev, [row("news", "supports"), row("news", "partly supports", part="p")]) == SUPPORTED


def test_equal_sources_that_disagree_conflict():
    ev = evidence(source("a", "press"), source("b", "press"))
    assert outcome(ev, [row("a", "supports"), row("b", "contradicts")]) == CONFLICTING


def test_another_object_cannot_contradict_and_gives_at_most_partial_support():
    ev = evidence(source("a", "official document"))
    assert outcome(ev, [row("a", "contradicts", same=False)]) == UNDECIDED
    assert outcome(ev, [row("a", "supports", same=False)]) == PARTLY


def test_unverified_copies_citing_and_weak_sources_cannot_decide():
    ev = evidence(source("u", "official document", verified=False), source("blog", "blog or copy"),
                  source("cites", "peer-reviewed", cites="yes"))
    for sid in ("u", "blog", "cites"):
        assert outcome(ev, [row(sid, "contradicts")]) == UNDECIDED
    assert outcome(ev, [row("blog", "supports")], decisions=Decisions("official_first", 1, True, True, 0, 0.0, 0.2)) == SUPPORTED


def test_a_copy_counts_as_its_original_only_when_the_decision_says_so():
    ev = evidence(source("orig", "official document", verified=False), source("mirror", "blog or copy", copy_of="orig"))
    assert outcome(ev, [row("mirror", "supports")]) == SUPPORTED
    strict = Decisions("official_first", 2, False, True, 0, 0.0, 0.2)
    assert outcome(ev, [row("mirror", "supports")], decisions=strict) == UNDECIDED


def test_later_sources_decide_only_when_allowed():
    ev = evidence(source("late", "press", published="2024-05"), source("undated", "press", published=""))
    assert outcome(ev, [row("late", "supports")]) == SUPPORTED
    historian = Decisions("official_first", 2, True, False, 0, 0.0, 0.2)
    assert outcome(ev, [row("late", "supports")], decisions=historian) == UNDECIDED
    assert outcome(ev, [row("undated", "supports")], decisions=historian) == UNDECIDED


def test_dates_are_compared_with_the_tolerance_and_approximate_ones_cannot_decide():
    ev = evidence(source("law", "official document"))
    assert outcome(ev, [row("law", value="2014-06-14", precision="day")], YEAR) == SUPPORTED
    assert outcome(ev, [row("law", value="2015", precision="year")], YEAR) == CONTRADICTED
    lenient = Decisions("official_first", 2, True, True, 1, 0.0, 0.2)
    assert outcome(ev, [row("law", value="2015", precision="year")], YEAR, lenient) == SUPPORTED
    assert outcome(ev, [row("law", value="2015", precision="approximate")], YEAR) == UNDECIDED


def test_a_growing_count_is_compared_only_at_the_articles_date():
    count = Part("p", "how many", "672 cities", "fact", compare="number", article_value=672, article_precision="exact",
                 grows=True, as_of=2021)
    ev = evidence(source("stats", "official document"))
    assert outcome(ev, [row("stats", value="656", precision="exact", as_of="2018")], count) == UNDECIDED
    assert outcome(ev, [row("stats", value="656", precision="exact", as_of="2021")], count) == CONTRADICTED
    assert outcome(ev, [row("stats", value="672", precision="exact", as_of="2021")], count) == SUPPORTED


def test_an_approximate_figure_allows_its_tolerance():
    some = Part("p", "how many", "some twenty", "fact", compare="number", article_value=20, article_precision="approximate")
    ev = evidence(source("news", "press"))
    assert outcome(ev, [row("news", value="18", precision="exact")], some) == SUPPORTED
    assert outcome(ev, [row("news", value="30", precision="exact")], some) == CONTRADICTED


def test_claim_verdicts_from_part_outcomes():
    parts = [FACT, Part("q", "when", "2014", "fact")]
    image = Part("i", "what", "like a river", "interpretation", interpretation="analogy")

    def verdict(outcomes, searched=True, extra=()):
        from scs_compendium.claims.evidence import PartResult

        results = [PartResult(p.id, o, "") for p, o in zip(parts, outcomes)] + [PartResult(p.id, UNDECIDED, "") for p in extra]
        return claim_verdict(parts + list(extra), results, searched)[0]

    assert verdict([SUPPORTED, SUPPORTED]) == "reproduced"
    assert verdict([SUPPORTED, SUPPORTED], extra=[image]) == "partly reproduced"
    assert verdict([SUPPORTED, UNDECIDED]) == "partly reproduced"
    assert verdict([SUPPORTED, CONTRADICTED]) == "not reproduced"
    assert verdict([SUPPORTED, CONFLICTING]) == "conflicting evidence"
    assert verdict([UNDECIDED, UNDECIDED]) == "not checkable"
    assert verdict([UNDECIDED, UNDECIDED], searched=False) == "not searched"
    from scs_compendium.claims.evidence import PartResult
    assert claim_verdict([image], [PartResult("i", UNDECIDED, "")], True)[0] == "not checkable"


def test_a_part_is_decided_by_its_own_rows_only():
    ev = evidence(source("law", "official document"))
    rows = [row("law", "supports", part="other"), row("law", "contradicts", claim="another-claim")]
    assert decide_read_part("c", FACT, rows, ev, DEFAULT).outcome == UNDECIDED


@pytest.mark.parametrize("quote, found", [
    ("the State Council\" issued", True),
    ('"the   State  Council"\n issued', True),
    ("planning outline ... State Council", True),
    ("State Council ... planning outline", False),
    ("the People's Bank", False),
])
def test_quotes_are_found_after_normalising_marks_and_whitespace(quote, found):
    excerpt = "In 2014 the planning outline was published: “the State Council” issued it."
    assert quote_in(quote, excerpt) is found


def test_agreement_matches_a_hand_computed_kappa():
    # 10 items, observed agreement 0.8; marginals (a: 5/5, b: 5/5): expected 0.5, kappa = (0.8-0.5)/0.5 = 0.6
    first = ["a"] * 5 + ["b"] * 5
    second = ["a"] * 4 + ["b"] + ["a"] + ["b"] * 4
    result = agreement(first, second)
    assert result["items"] == 10 and result["agree"] == 8
    assert result["kappa"] == pytest.approx(0.6)
    # alpha (nominal): 1 - D_o / D_e = 1 - (4 / 20) / (2 * 10 * 10 / (20 * 19)) = 0.62
    assert result["alpha"] == pytest.approx(0.62)


def test_agreement_is_undefined_when_only_one_category_is_used():
    result = agreement(["a", "a"], ["a", "a"])
    assert result["kappa"] is None and "every item" in result["undefined"]
