"""Google Trends: the importer on synthetic files in the real export layout, the fetch path with a
fake client, snapshot storage, and the detection on synthetic series with a known onset and peak."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scs_compendium.article import search_interest as si
from scs_compendium.claims import reported_values
from scs_compendium.paths import SNAPSHOT_DIR
from scs_compendium.sources import google_trends as trends
from scs_compendium.sources.datapackage import validate
from scs_compendium.sources.google_trends import client as trends_client

from ..conftest import step_defaults

FIXTURES = Path(__file__).parents[1] / "fixtures" / "trends"
REPORTED = reported_values(list(si.CLAIMS))


def search_interest(snapshots, media=None, scholarship=None, **overrides):
    """The search-interest analysis with the defaults of pipeline.yaml, some overridden."""
    return si.analyse(snapshots, media, scholarship, REPORTED, **{**step_defaults("search_interest"), **overrides})


# --- importing multiTimeline.csv ------------------------------------------------------


def test_monthly_export_with_below_one_and_partial_month():
    snap = trends.parse_multitimeline(FIXTURES / "synthetic_multiTimeline_monthly.csv", retrieved=date(2022, 12, 15))
    frame = snap.frame
    assert len(frame) == 48 and frame["date"].iloc[0] == date(2019, 1, 1)
    assert frame["below_one"].sum() == 3 and frame.loc[frame["below_one"], "value"].eq(0.5).all()
    assert frame["is_partial"].tolist() == [False] * 47 + [True]  # December 2022 had not ended on the 15th
    meta = snap.metadata
    assert (meta["query"], meta["geo"], meta["frequency"], meta["category"]) == ("Social Credit System", "", "month", "All categories")
    assert meta["start"] == "2019-01-01" and meta["end"] == "2022-12-01" and meta["samples"] == 1


def test_complete_month_is_not_partial():
    snap = trends.parse_multitimeline(FIXTURES / "synthetic_multiTimeline_monthly.csv", retrieved=date(2023, 1, 2))
    assert not snap.frame["is_partial"].any()


def test_weekly_export_with_two_series():
    snap = trends.parse_multitimeline(FIXTURES / "synthetic_multiTimeline_weekly.csv", retrieved=date(2022, 11, 30))
    assert snap.metadata["frequency"] == "week" and snap.metadata["geo"] == "US"  # the country's code (issue #24)
    assert snap.metadata["geo_label"] == "United States" and snap.id.endswith("_social-credit_us")
    assert snap.metadata["series"] == ["social credit", "china social credit"]
    assert len(snap.frame) == 8
    last = snap.frame[snap.frame["date"] == date(2022, 11, 27)]
    assert last["is_partial"].all()  # the week of 27 November ends on 3 December


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("synthetic_multiTimeline_latin1.csv", r"line 1: not UTF-8 text \(byte 0xe9\)"),
        ("synthetic_multiTimeline_bad_value.csv", r"line 5, column 2: 'high'; expected a whole number 0-100 or '<1'"),
        ("synthetic_multiTimeline_foreign.csv", r"line 1, column 2: 'price'; expected 'term: \(region\)'.* or pass --geo"),
        ("synthetic_multiTimeline_ragged.csv", r"line 4: 3 values; expected 2"),
    ],
)
def test_malformed_or_foreign_files_name_the_line(name, message):
    with pytest.raises(trends.TrendsError, match=message) as info:
        trends.parse_multitimeline(FIXTURES / name)
    assert name in str(info.value)


def test_bad_header_column(tmp_path):
    path = tmp_path / "synthetic_header.csv"
    path.write_text("Month,Social Credit System\n2020-01,5\n")
    with pytest.raises(trends.TrendsError, match=r"line 1, column 2: 'Social Credit System'; expected 'term: \(region\)'"):
        trends.parse_multitimeline(path)


def test_bad_date(tmp_path):
    path = tmp_path / "synthetic_date.csv"
    path.write_text("Month,x: (Worldwide)\nJan 2020,5\n")
    with pytest.raises(trends.TrendsError, match=r"line 2, column 1: 'Jan 2020' is not a date; expected YYYY-MM"):
        trends.parse_multitimeline(path)


# --- fetching through a fake client -----------------------------------------------------


class FakeClient:
    """Stands in for Google: answers 429 `fail_first` times, then returns a made-up series."""

    name = "fake"
    version = "0"

    def __init__(self, fail_first=0, topic=True):
        self.fail_first = fail_first
        self.calls = 0
        self.queries = []
        self.topic = topic

    def resolve_topic(self, term):
        return {"mid": "/m/synthetic", "title": term, "type": "Topic"} if self.topic else None

    def interest_over_time(self, query):
        self.calls += 1
        self.queries.append(query)
        if self.calls <= self.fail_first:
            raise trends_client.RateLimited("429")
        months = pd.date_range("2020-01-01", periods=4, freq="MS").date
        return pd.DataFrame({"date": months, "value": [1.0, 2.0, 3.0, 4.0 + self.calls], "is_partial": [False] * 3 + [True]})


FIXED_NOW = lambda: datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)  # noqa: E731


def test_fetch_retries_rate_limits_with_backoff():
    waits = []
    client = FakeClient(fail_first=2)
    snap = trends.fetch(client, trends.Query(end="2022-12-31"), samples=1, backoff_s=5, sleep=waits.append,
                        now=FIXED_NOW, log=lambda _: None)
    assert waits == [5, 10]
    assert len(snap.frame) == 4


def test_fetch_gives_up_after_max_retries():
    with pytest.raises(trends.TrendsError, match="still rate limited after 2 retries"):
        trends.fetch(FakeClient(fail_first=10), trends.Query(), samples=1, max_retries=2, sleep=lambda _: None,
                     log=lambda _: None)


def test_fetch_keeps_every_sample_and_records_metadata():
    client = FakeClient()
    snap = trends.fetch(client, trends.Query(end="2022-12-31"), samples=3, sleep=lambda _: None, now=FIXED_NOW,
                        log=lambda _: None)
    assert sorted(snap.frame["sample"].unique()) == [1, 2, 3]
    last = snap.frame[snap.frame["date"] == date(2020, 4, 1)]["value"].tolist()
    assert last == [5.0, 6.0, 7.0]  # each sample differs, as Google's do
    meta = snap.metadata
    assert meta["query_type"] == "topic" and meta["topic_id"] == "/m/synthetic"
    assert client.queries[0].topic_id == "/m/synthetic"
    assert (meta["start"], meta["end"], meta["geo"], meta["samples"]) == ("2004-01-01", "2022-12-31", "", 3)
    assert meta["retrieved_utc"] == "2026-11-25T12:00:00" and meta["client"] == "fake"
    assert snap.id == "20261125T120000Z_social-credit-system_world"


def test_fetch_falls_back_to_search_term():
    snap = trends.fetch(FakeClient(topic=False), trends.Query(), samples=1, sleep=lambda _: None, log=lambda _: None)
    assert snap.metadata["query_type"] == "search term" and snap.metadata["topic_id"] is None


def test_offline_gives_the_manual_route(monkeypatch):
    pytest.importorskip("pytrends", reason="pytrends is the optional extra `trends`, not in requirements.lock")
    import requests

    client = trends_client.PytrendsClient()

    def no_network(*args, **kwargs):
        raise requests.exceptions.ConnectionError("offline")

    monkeypatch.setattr("pytrends.request.TrendReq.__init__", no_network)
    with pytest.raises(trends_client.TrendsOffline, match=r"cannot reach Google Trends .*scs import trends multiTimeline.csv"):
        client.interest_over_time(trends.Query())


# --- storing snapshots ---------------------------------------------------------------------


def test_snapshot_is_stored_registered_and_loaded(data_copy):
    snap = trends.parse_multitimeline(FIXTURES / "synthetic_multiTimeline_monthly.csv", retrieved=date(2023, 1, 2))
    path = trends.write_snapshot(data_copy, snap)
    assert path.parent == data_copy / SNAPSHOT_DIR and path.with_suffix(".json").is_file()
    validate(data_copy)  # the new table is registered and validates
    assert trends.list_snapshots(data_copy) == [path.stem]
    stored = trends.load_snapshots(data_copy)
    loaded = trends.select_snapshot(stored, "latest", None)
    assert len(loaded.frame) == 48 and loaded.metadata["imported_from"] == "synthetic_multiTimeline_monthly.csv"
    assert trends.select_snapshot(stored, "latest", "") is not None  # the file is worldwide
    assert trends.select_snapshot(stored, "latest", "US") is None
    assert trends.select_snapshot(stored, "none", "") is None
    assert trends.write_snapshot(data_copy, snap) == path  # the same content again: nothing new
    assert trends.list_snapshots(data_copy) == [path.stem]
    other = trends.Snapshot(snap.frame.assign(value=snap.frame["value"].clip(upper=50)), snap.metadata)
    with pytest.raises(trends.TrendsError, match="snapshots are never overwritten"):
        trends.write_snapshot(data_copy, other)
    with pytest.raises(Exception, match="parameter snapshot: 'nope'"):
        trends.select_snapshot(stored, "nope", "")


def test_no_snapshot_means_needs_data(data_copy):
    assert trends.load_snapshots(data_copy) == []
    result = search_interest([], media={"dated_pieces_by_half_year": {"2016H2": 2}})
    assert "scs fetch trends" in result["needs_data"] and "scs import trends" in result["needs_data"]
    assert result["offline_evidence"]["dated_media_pieces_by_half_year"] == {"2016H2": 2}


# --- detection on synthetic series -----------------------------------------------------------


def synthetic_series(onset="2016-10", traction="2018-03", peak="2021-09", noise=0.0, seed=0):
    """A made-up monthly curve: ~1 before the onset, ~8 until traction, ~30 after, 100 at the peak."""
    months = pd.date_range("2004-01-01", "2022-12-01", freq="MS")
    values = np.where(months < pd.Timestamp(onset), 1.0, np.where(months < pd.Timestamp(traction), 8.0, 30.0))
    values[months == pd.Timestamp(peak)] = 100.0
    values = values + np.random.default_rng(seed).normal(0, noise, len(values))
    return pd.Series(np.clip(values, 0, 100), index=months)


def test_detection_finds_the_onset_traction_and_peak_it_was_given():
    found = si.detect(synthetic_series(), smoothing=1)
    assert found["onset"] == pd.Timestamp("2016-10-01")
    assert found["traction"] == pd.Timestamp("2018-03-01")
    assert found["peak"] == pd.Timestamp("2021-09-01")


def test_short_blip_is_not_a_sustained_onset():
    series = synthetic_series(onset="2016-10")
    series[pd.Timestamp("2012-05-01")] = 50.0  # one month of interest, then nothing
    found = si.detect(series, smoothing=1, sustain_months=6)
    assert found["onset"] == pd.Timestamp("2016-10-01")


def as_snapshot(*series):
    rows = []
    for sample, s in enumerate(series, start=1):
        rows += [{"date": m.date(), "series": "x", "sample": sample, "value": v, "below_one": False, "is_partial": False}
                 for m, v in s.items()]
    meta = {"query": "x", "geo": "", "retrieved_utc": "2026-11-25T00:00:00", "snapshot_id": "synthetic"}
    return [trends.Snapshot(pd.DataFrame(rows), meta)]


def held(result, claim):
    return list(result["agrees"][claim].values())


def test_each_sample_is_compared_with_the_articles_period():
    agree = as_snapshot(synthetic_series(noise=0.5, seed=1), synthetic_series(noise=0.5, seed=2))
    result = search_interest(agree, smoothing=1)
    assert all(held(result, c) == [True, True] for c in si.CLAIMS)
    off = as_snapshot(synthetic_series(onset="2015-02", traction="2020-03", peak="2022-03"))
    result = search_interest(off, smoothing=1)
    assert all(held(result, c) == [False] for c in si.CLAIMS)
    assert list(result["agrees"]["s3-trends-peak-2021h2"]) == ["sample 1: peak 2022H1"]
    split = as_snapshot(synthetic_series(peak="2021-09"), synthetic_series(peak="2020-05"))
    assert held(search_interest(split, smoothing=1), "s3-trends-peak-2021h2") == [True, False]


def test_a_series_that_does_not_cover_the_period_decides_nothing():
    from scs_compendium.claims import assess, load_registry
    from scs_compendium.engine.spec import load_pipeline

    late = synthetic_series()[lambda s: s.index >= pd.Timestamp("2017-01-01")]  # a weekly export from 2017, say
    result = search_interest(as_snapshot(late), smoothing=1)
    reason = result["agrees"]["s3-trends-rise-end-2016"]
    assert isinstance(reason, str) and "does not cover 2004-01 to 2022-12" in reason
    claim = next(c for c in load_registry() if c.id == "s3-trends-rise-end-2016")
    verdict = assess(claim, load_pipeline(), {"search_interest": {"values": result, "parameters": {}}})
    assert verdict.verdict == "not checkable" and "cannot say when interest rose" in verdict.why


def test_an_all_zero_series_decides_nothing():
    zeros = synthetic_series() * 0
    assert "no interest at all" in search_interest(as_snapshot(zeros), smoothing=1)["agrees"]["s3-trends-peak-2021h2"]
