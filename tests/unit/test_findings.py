"""The notebooks' findings are rendered from the analysis: other parameters or data, other text."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from scs_compendium.article import (actors_figures as af, blacklist_rates as bl, literature_shares as ls,
                                    media_coverage as media, scholarship as sch, search_interest as si, timeline as tl)
from scs_compendium.claims import load_registry, reported_values
from scs_compendium.engine.spec import load_pipeline
from scs_compendium.sources import tables

from ..conftest import REPO, step_defaults
from .test_google_trends import as_snapshot, synthetic_series


def run(module, *data, **overrides):
    """A step's analysis on the real data with the defaults of pipeline.yaml, some overridden."""
    name = module.__name__.rsplit(".", 1)[-1]
    return module.analyse(*data, **{**step_defaults(name), **overrides})


@pytest.fixture(scope="module")
def china():
    return run(ls, tables.load_classification())


def test_literature_findings_follow_the_threshold_and_the_fields():
    frame = tables.load_classification()
    default = ls.findings(run(ls, frame))
    assert "exceed 50% in every corpus" in default and "not shown" not in default
    stricter = ls.findings(run(ls, frame, majority_threshold=0.6, economic_categories=["finance_economics"]))
    assert "are not shown to exceed 60% in every corpus" in stricter
    assert "No field of this corpus counts as economic" in stricter  # Credit China has no finance_economics row


def test_scholarship_findings_follow_first_year(china):
    codebook = tables.load_codebook()
    citations = tables.load_citations(codebook)
    default, recent = (run(sch, citations, codebook, china, first_year=year) for year in (2000, 2020))
    assert recent["works"] < default["works"] and recent["years"]["first"] >= 2020
    for analysis in (default, recent):
        text = sch.findings(analysis, 0.25)
        low, high = analysis["settings"]["year_range"]
        assert f"cites {analysis['works']} Western works of the chosen roles published {low}-{high}" in text
        assert f"date from {analysis['years']['first']} to {analysis['years']['last']}" in text
        assert all(work in text for work in analysis["works_in_two_roles"])
        below = analysis["economic"]["ci_high"] < 0.25
        assert ("the interval lies below" in text) == below
        assert "the 25% under which" in text and "the 10% under which" in sch.findings(analysis, 0.1)
    assert sch.findings(default, 0.25) != sch.findings(recent, 0.25)
    assert "works in two roles: none" in sch.findings(recent, 0.25)


def test_media_findings_follow_what_counts_as_a_few_years():
    pieces = tables.load_pieces()
    default, loose = run(media, pieces), run(media, pieces, few_years_min=1.0)
    assert loose["outlets_within_few_years"] > default["outlets_within_few_years"]
    for analysis in (default, loose):
        text = media.findings(analysis, pieces)
        assert f"{analysis['outlets_within_few_years']} of {analysis['outlets']} lags lie within" in text
        assert f"{int(pieces['date'].notna().sum())} of the pieces are dated" in text
    assert "Outside that span: no outlet." in media.findings(loose, pieces)
    assert "Outside that span: no outlet." not in media.findings(default, pieces)


def test_search_interest_findings_follow_the_snapshot():
    reported = reported_values(list(si.CLAIMS))
    none = run(si, [], {"dated_pieces_by_half_year": {"2016H2": 2, "2018H2": 3}}, None, reported)
    text = si.findings(none)
    assert "needs data" in text and "the most in 2018H2" in text
    found = run(si, as_snapshot(synthetic_series(), synthetic_series(peak="2020-03")), None, None, reported, smoothing=1)
    text = si.findings(found)
    assert "needs data" not in text
    assert "interest rose 2016H2, gained traction in 2018" in text and "2 samples" in text
    assert "s3-trends-peak-2021h2 1 of 2" in text  # one sample peaks in 2020


def test_blacklist_findings_follow_the_claim_years():
    counts, population = tables.load_counts(), tables.load_population()
    entities, reported = tables.load_market_entities(), reported_values(list(bl.ARTICLE_CLAIMS))
    default = run(bl, counts, population, entities, reported)
    other = run(bl, counts, population, entities, reported, claim_years=["2018"])
    text = bl.findings(default)
    for years in default["in_claim_years"].values():
        for year, value in years.items():
            assert f"{year}: {value:.2f}" in text
    flow = default["in_claim_years"]["flow_total"]
    low, high = default["article"]["range_percent"]
    assert text.count("within the range") >= sum(low <= v <= high for v in flow.values())
    assert "blacklisted in 2018;" in bl.findings(other) and "blacklisted in 2019, 2020;" in text
    assert bl.findings(other) != text


def test_timeline_findings_follow_the_inception_event():
    events = tables.load_events()
    pairs = tables.load_pairs(events)
    for inception in ("jiang-promotes-scs", "planning-outline-2014"):
        analysis = run(tl, events, pairs, inception_event=inception)
        text = tl.findings(analysis, events)
        name = events.set_index("id").loc[inception, "event"]
        assert f"'{name}'" in text and f"the SCS is {analysis['age_years']} years old" in text
        assert text.count("\n    - ") == len(pairs)  # one line per controversy -> response pair


def test_actors_findings_follow_the_verdicts():
    from scs_compendium.claims.registry import article_counts

    analysis = af.analyse(tables.load_events(), article_counts(af.FN73))
    one = af.findings(analysis, {cid: "reproduced" for cid in af.FN73})
    other = af.findings(analysis, {cid: "not reproduced" for cid in af.FN73})
    assert one.count(": reproduced") == len(af.FN73) and "not reproduced" not in one
    assert other.count(": not reproduced") == len(af.FN73)


@pytest.mark.parametrize("step", list(load_pipeline(REPO).steps.values()), ids=lambda s: s.name)
def test_every_notebook_renders_its_findings(step):
    """A notebook states its findings from code (its step's findings()), not in typed prose."""
    code = "\n".join(c.source for c in nbformat.read(REPO / step.notebook, as_version=4).cells if c.cell_type == "code")
    assert "findings(" in code and "Markdown(" in code


def test_a_range_of_years_reads_without_thousands_separators():
    from scs_compendium.outputs.formatting import format_value

    assert format_value([2018, 2020]) == "2018–2020"
    assert format_value([9106, 77]) == "9,106–77" and format_value(2958) == "2,958"  # counts keep their separators


def test_media_lags_read_with_their_unit_and_the_dates_or_years_they_come_from():
    assert media.lag_text({"lag_years": 2.101, "from_dates": True, "span": ["2016-10-22", "2018-11-29"]}) == \
        "2.1 years (22 Oct 2016 to 29 Nov 2018)"
    assert media.lag_text({"lag_years": 1.0, "from_dates": False, "span": [2016, 2017]}) == \
        "1 year (2016 to 2017, the article's years)"
    pieces = tables.load_pieces()
    text = media.findings(run(media, pieces), pieces)
    assert re.search(r"Outside that span: [^.]+ \(\d year[s]? \(\d{4} to \d{4}, the article's years\)\)", text)
    assert re.search(r"median \d\.\d years \(95% bootstrap interval \d\.\d to \d\.\d years\)", text)


def test_what_the_article_reports_reads_as_prose():
    from scs_compendium.outputs.formatting import format_reported

    assert format_reported({"value": 55, "unit": "% of 9,106 results", "qualifier": "more than"}) == "more than 55% of 9,106 results"
    assert format_reported({"value": "hardly", "unit": "statement"}) == "hardly"  # not 'hardly statement'
    assert format_reported({"value": 1984, "unit": "year"}) == "1984"  # not '1984 year'
    assert format_reported({"value": [2018, 2020], "unit": "year"}) == "2018–2020"
    assert format_reported({"value": 77, "unit": "literary references"}) == "77 literary references"


def test_a_why_after_a_full_stop_starts_a_sentence():
    from scs_compendium.outputs.formatting import sentence
    from scs_compendium.outputs.report import verdicts_markdown

    assert sentence("count: undecided") == "Count: undecided" and sentence("9 of 9 hold") == "9 of 9 hold"
    row = {"id": "c1", "verdict": "consistent", "basis": "b", "statement": "S.", "reported": "r", "why": "a check holds",
           "readings": []}
    assert "*The article: r.* A check holds." in verdicts_markdown([row])


def test_a_notebooks_list_of_verdicts_does_not_read_the_evidence_tables_again(monkeypatch):
    """The list at the end of a notebook shows no evidence rows: building it reads none (it once read every evidence
    table again for each claim of outside data, 70 times in the timeline notebook)."""
    from scs_compendium.outputs import report

    def refuse(root=None):
        raise AssertionError("the evidence tables were read")

    monkeypatch.setattr(report, "load_evidence", refuse)
    events = tables.load_events()
    analysis = tl.analyse(events, tables.load_pairs(events), **step_defaults("timeline"))
    shown = report.verdicts("timeline", analysis, load_pipeline(REPO).step("timeline").defaults()).data
    claims = [c.id for c in load_registry() if c.step == "timeline"]
    assert len(claims) > 8 and all(f'<a id="claim-{claim}">' in shown for claim in claims)
