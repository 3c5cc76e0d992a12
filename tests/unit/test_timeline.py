"""Sections 5-8: the event table, the lags, and the dating verdicts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from scs_compendium.article import timeline as tl
from scs_compendium.sources import tables
from scs_compendium.errors import DataError
from scs_compendium.sources.evidence import load_sources

from ..conftest import rewrite_csv, step_defaults

SOURCES = load_sources()



def timeline(events, pairs, **overrides):
    """The timeline analysis with the defaults of pipeline.yaml, some overridden."""
    return tl.analyse(events, pairs, **{**step_defaults("timeline"), **overrides})

@pytest.fixture(scope="module")
def events():
    return tables.load_events()


def test_event_table_is_sound(events):
    assert events["id"].is_unique
    assert events["article_location"].str.contains(r"\bs\d|fn\d").all(), "every event cites a section or footnote"
    assert events["year"].between(1978, 2022).all()
    for row in events.to_dict("records"):
        assert isinstance(tl.event_date(row), date)  # every date parses
        if not pd.isna(row["exact_date"]):
            ids = row["source"].split(";")
            assert all(i in SOURCES and i != tables.ARTICLE_SOURCE and SOURCES[i].url for i in ids)


def test_the_timelines_dating_claims_are_decided_by_evidence_rows_not_by_the_step():
    from scs_compendium.claims import load_registry

    claims = [c for c in load_registry() if c.step == "timeline"]
    assert claims and all(c.basis == "outside data" and c.parts for c in claims)
    assert not any(p.rule or p.readings for c in claims for p in c.parts)  # no part reads the timeline's results


def hand_events(**rows) -> pd.DataFrame:
    base = {"year_end": pd.NA, "exact_date": pd.NA, "date_precision": pd.NA}
    return pd.DataFrame([{"id": key, **base, **value} for key, value in rows.items()])


def test_lag_in_days_when_both_dated_to_the_day():
    frame = hand_events(a={"year": 2020, "exact_date": "2020-09-03", "date_precision": "day"},
                        b={"year": 2020, "exact_date": "2020-09-06", "date_precision": "day"})
    assert tl.lag(frame, "a", "b") == {"value": 3, "unit": "days", "years": round(3 / 365.25, 3)}


def test_lag_in_years_from_the_end_of_a_span():
    frame = hand_events(a={"year": 2009, "year_end": 2011}, b={"year": 2019, "exact_date": "2019-05", "date_precision": "month"})
    assert tl.lag(frame, "a", "b") == {"value": 8, "unit": "years", "years": 8.0}
    with pytest.raises(DataError, match="no event 'zz'"):
        tl.lag(frame, "a", "zz")


def test_what_the_claims_read(events):
    analysis = timeline(events, tables.load_pairs(events))
    assert analysis["source_dates"]["belt-and-road"] == "2013-09-07"
    assert analysis["source_dates"]["trustworthiness-pilots"] is None  # no outside date found
    assert analysis["age_years"] == 21  # 2001 (the article's inception) to 2022
    assert all(analysis["responses_follow"].values())
    suzhou = next(item for item in analysis["response_lags"] if item["id"] == "suzhou")
    # the rollback day (6 Sep 2020) could not be confirmed: it is dated to the month, so the lag is in years
    assert (suzhou["lag"], suzhou["lag_unit"]) == (0, "years")


def test_inception_parameter_moves_the_verdict(events):
    late = timeline(events, tables.load_pairs(events), inception_event="planning-outline-2014")
    assert late["age_years"] == 8




def test_pair_naming_an_unknown_event_is_refused(data_copy):
    rewrite_csv(data_copy / "data/raw/controversy_responses.csv", lambda rows: rows[0].update(response="nowhere"))
    events = tables.load_events(data_copy)
    with pytest.raises(DataError, match=r"controversy_responses.csv: column 'response': \['nowhere'\] not in timeline_events"):
        tables.load_pairs(events, data_copy)


def test_exact_date_without_source_is_refused(data_copy):
    def drop_source(rows):
        for r in rows:
            if r["id"] == "belt-and-road":
                r["source"] = tables.ARTICLE_SOURCE
    rewrite_csv(data_copy / "data/raw/timeline_events.csv", drop_source)
    with pytest.raises(DataError, match="event 'belt-and-road': an exact date needs, in column 'source', the source that gives it"):
        tables.load_events(data_copy)


def test_malformed_date_is_refused(data_copy):
    def bad_date(rows):
        rows[0]["exact_date"] = "Sept 2013"
    rewrite_csv(data_copy / "data/raw/timeline_events.csv", bad_date)
    with pytest.raises(DataError, match=r"timeline_events.csv, line 2, column 'exact_date'"):
        tables.load_events(data_copy)
