"""Issue #24, case 4: Google Trends exports that cannot decide the claims give 'not checkable' with the reason
and a figure that says why there is no curve (they crashed the notebook with KeyError 'series'); a series
without variation cannot decide; one coverage rule for import and analysis; a French header; `geo=US` finds
the export of the United States; no blank in a file name. Every series here is synthetic."""

from __future__ import annotations

from datetime import date, timedelta

import matplotlib
import pandas as pd
import pytest

from scs_compendium import cli
from scs_compendium.article import search_interest as si
from scs_compendium.claims import assess, load_registry, reported_values
from scs_compendium.engine.spec import load_pipeline
from scs_compendium.sources import google_trends as trends

from ..conftest import files_outside, step_defaults

matplotlib.use("Agg")
REPORTED = reported_values(list(si.CLAIMS))
MONTHS = [date(2004 + i // 12, i % 12 + 1, 1) for i in range(19 * 12)]  # 2004-01 .. 2022-12


def curve(i: int, n: int) -> str:
    """A made-up rise: '<1' for the first half, then up to 100."""
    return "<1" if i < n // 2 else str(min(100, 5 + (i - n // 2) * 200 // n))


def export(tmp_path, dates, values=None, header="Social Credit System: (Worldwide)", first="Month"):
    values = values or [curve(i, len(dates)) for i in range(len(dates))]
    rows = [f"{d.isoformat()[:7] if first == 'Month' else d.isoformat()},{v}" for d, v in zip(dates, values)]
    path = tmp_path / f"synthetic_{len(dates)}.csv"
    path.write_text("Category: All categories\n\n" + "\n".join([f"{first},{header}", *rows]) + "\n", encoding="utf-8")
    return path


def weeks(start: date, count: int) -> list[date]:
    return [start + timedelta(days=7 * i) for i in range(count)]


UNDECIDABLE = {
    "weekly five years": lambda: (weeks(date(2017, 11, 5), 260), None, "Week", "does not cover 2004-01 to 2022-12"),
    "daily": lambda: ([date(2022, 9, 1) + timedelta(days=i) for i in range(90)], None, "Day", "does not cover"),
    "a gap": lambda: ([m for i, m in enumerate(MONTHS) if i not in (60, 61)], None, "Month", "2 months missing"),
    "three points": lambda: (MONTHS[-3:], ["20", "100", "50"], "Month", "does not cover"),
    "all below one": lambda: (MONTHS, ["<1"] * len(MONTHS), "Month", "every value is below 1"),
    "all 100": lambda: (MONTHS, ["100"] * len(MONTHS), "Month", "does not vary (every value 100)"),
}


def parse(path, **kwargs):
    lines: list[str] = []
    return trends.parse_multitimeline(path, retrieved=kwargs.pop("retrieved", date(2023, 1, 2)), log=lines.append,
                                      **kwargs), lines


def analyse(snapshots, **overrides):
    return si.analyse(snapshots, None, None, REPORTED, **{**step_defaults("search_interest"), **overrides})


def verdicts(result):
    pipeline = load_pipeline()
    claims = [c for c in load_registry() if c.step == "search_interest"]
    document = {"search_interest": {"values": result, "parameters": step_defaults("search_interest")}}
    return {c.id: assess(c, pipeline, document) for c in claims}


def stored(snapshot):
    return [trends.Snapshot(snapshot.frame, {**snapshot.metadata, "snapshot_id": snapshot.id})]


@pytest.mark.parametrize("case", list(UNDECIDABLE))
def test_a_snapshot_that_cannot_decide_reads_not_checkable_and_its_figure_says_why(tmp_path, case):
    import matplotlib.pyplot as plt

    dates, values, first, reason = UNDECIDABLE[case]()
    snapshot, lines = parse(export(tmp_path, dates, values, first=first))
    result = analyse(stored(snapshot))
    assert all(isinstance(result["agrees"][c], str) and reason in result["agrees"][c] for c in si.CLAIMS)
    assert {c: v.verdict for c, v in verdicts(result).items()} == {c: "not checkable" for c in si.CLAIMS}
    assert all(reason in v.why for v in verdicts(result).values())
    figure, ax = plt.subplots()
    si.plot_interest(result, ax)  # raised KeyError: 'series'
    shown = " ".join(t.get_text() for t in ax.texts)
    plt.close(figure)
    assert "No curve: this snapshot cannot decide the claims" in shown and reason.split(" (")[0][:30] in shown
    assert "cannot decide the claims" in si.findings(result)
    if case.startswith("all"):  # the import says so too
        assert any("'not checkable'" in line and reason.split(" (")[0] in line for line in lines)


def test_a_weekly_export_from_the_first_sunday_of_2004_covers_the_period_in_import_and_analysis(tmp_path):
    series = weeks(date(2004, 1, 4), 991)  # to 2022-12-25
    snapshot, lines = parse(export(tmp_path, series, first="Week"))
    assert snapshot.metadata["covers_article_period"] is True
    assert not any("says nothing about the periods" in line for line in lines)
    result = analyse(stored(snapshot))
    assert all(isinstance(result["agrees"][c], dict) for c in si.CLAIMS)  # decided: a verdict for each sample


def test_a_month_not_ended_at_retrieval_counts_alike_in_import_and_analysis(tmp_path):
    snapshot, lines = parse(export(tmp_path, MONTHS), retrieved=date(2022, 12, 15))  # December 2022 is partial
    assert snapshot.metadata["covers_article_period"] is False
    assert any("'not checkable'" in line for line in lines)
    result = analyse(stored(snapshot))
    assert all("1 months missing, first 2022-12" in result["agrees"][c] for c in si.CLAIMS)


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_a_french_header_with_a_space_before_the_colon(tmp_path, space):
    path = export(tmp_path, MONTHS, header=f"Système de crédit social{space}: (Monde)", first="Mois")
    snapshot, _ = parse(path, term="système de crédit social")
    assert snapshot.metadata["query"] == "Système de crédit social" and snapshot.metadata["geo"] == ""
    assert set(snapshot.frame["series"]) == {"Système de crédit social"}
    assert snapshot.id == "20230102T000000Z_systeme-de-credit-social_world"


@pytest.mark.parametrize("label", ["United States", "États-Unis", "Vereinigte Staaten", "US"])
def test_geo_us_finds_the_export_of_the_united_states(data_copy, tmp_path, monkeypatch, capsys, label):
    path = export(tmp_path, MONTHS, header=f"Social Credit System: ({label})")
    before = files_outside(tmp_path, data_copy)
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(data_copy))
    assert cli.main(["import", "trends", str(path), "--retrieved", "2023-01-02"]) == 0, capsys.readouterr().err
    assert files_outside(tmp_path, data_copy) == before
    (name,) = trends.list_snapshots(data_copy)
    assert name == "20230102T000000Z_social-credit-system_us" and " " not in name
    snapshots = trends.load_snapshots(data_copy)
    for geo in ("US", "us", "United States"):
        assert analyse(snapshots, geo=geo)["snapshot"]["snapshot_id"] == name
    assert analyse(snapshots, geo="")["snapshot"] is None  # worldwide: none stored
    assert analyse(snapshots, geo="DE")["snapshot"] is None


def test_a_snapshot_stored_by_an_older_import_under_its_countrys_name_is_found_by_code():
    frame = pd.DataFrame({"date": MONTHS, "series": "x", "sample": 1, "value": 5.0, "below_one": False,
                          "is_partial": False})
    old = trends.Snapshot(frame, {"query": "x", "geo": "United States", "retrieved_utc": "2023-01-02T00:00:00",
                                  "snapshot_id": "20230102T000000Z_x_United States"})
    assert trends.select_snapshot([old], "latest", "US") is old
