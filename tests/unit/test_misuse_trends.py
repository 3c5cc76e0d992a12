"""Issue #15, round two: Google Trends files as people really download them, series that cannot decide a
claim, and an import that is atomic, idempotent, keeps datapackage.json as it was and makes only the
search-interest step stale. Every file here is synthetic (made-up numbers in the real layouts)."""

from __future__ import annotations

import difflib
import json
from datetime import date, timedelta

import pandas as pd
import pytest

from scs_compendium import cli
from scs_compendium.engine.plan import Planner
from scs_compendium.engine.spec import load_pipeline
from scs_compendium.paths import DATAPACKAGE, SNAPSHOT_DIR
from scs_compendium.sources import google_trends as trends
from scs_compendium.sources.google_trends import client as trends_client

MONTHS = [f"{2004 + i // 12}-{i % 12 + 1:02d}" for i in range(19 * 12)]  # 2004-01 .. 2022-12
VALUES = [str(min(100, max(0, (i - 150) // 2))) if i > 150 else "<1" for i in range(len(MONTHS))]


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / f"synthetic_{name}.csv"
    path.write_bytes(text.encode(encoding))
    return path


def parse(path, **kwargs):
    lines: list[str] = []
    snap = trends.parse_multitimeline(path, retrieved=kwargs.pop("retrieved", date(2023, 1, 2)), log=lines.append,
                                      **kwargs)
    return snap, lines


def monthly_text(header="Month,Social Credit System: (Worldwide)", category="Category: All categories", sep=","):
    rows = [f"{m}{sep}{v}" for m, v in zip(MONTHS, VALUES)]
    return "\n".join([category, "", header, *rows]) + "\n"


# --- layouts --------------------------------------------------------------------------------


def test_the_export_in_another_interface_language(tmp_path):
    path = write(tmp_path, "de", monthly_text("Monat,Sozialkreditsystem: (Weltweit)", "Kategorie: Alle Kategorien"))
    snap, _ = parse(path)
    meta = snap.metadata
    assert (meta["query"], meta["geo"], meta["frequency"], meta["category"]) == \
        ("Sozialkreditsystem", "", "month", "Alle Kategorien")
    assert len(snap.frame) == len(MONTHS) and meta["complete"] and meta["covers_article_period"]


def test_a_file_re_saved_by_excel(tmp_path):
    rows = [f'"{m}";"{v}"' for m, v in zip(MONTHS, VALUES)]
    text = "\ufeff" + "\r\n".join(['"Category: All categories";', ";", '"Month";"Social Credit System: (Worldwide)"',
                                    *rows]) + "\r\n"
    snap, _ = parse(write(tmp_path, "excel", text))
    assert snap.metadata["geo"] == "" and snap.metadata["category"] == "All categories"
    assert snap.frame["value"].iloc[-1] == float(VALUES[-1]) and snap.frame["below_one"].iloc[0]


@pytest.mark.parametrize("quoted", [True, False])
def test_the_newer_layout_with_a_time_column_and_iso_dates(tmp_path, quoted):
    q = '"' if quoted else ""
    rows = [f"{q}{m}-01T00:00:00{q},{q}{v}{q}" for m, v in zip(MONTHS, VALUES)]
    path = write(tmp_path, "time", "\n".join([f"{q}Time{q},{q}Social Credit System{q}", *rows]) + "\n")
    with pytest.raises(trends.TrendsError, match=r"line 1, column 2: 'Social Credit System'.*or pass --geo"):
        parse(path)  # the file does not say its region: the user must
    snap, _ = parse(path, geo="")
    assert snap.metadata["frequency"] == "month" and snap.metadata["geo"] == "" and len(snap.frame) == len(MONTHS)


@pytest.mark.parametrize(("step", "frequency"), [(7, "week"), (1, "day")])
def test_weekly_and_daily_series(tmp_path, step, frequency):
    days = [date(2022, 1, 2) + timedelta(days=step * i) for i in range(20)]
    text = "Category: All categories\n\nDay,social credit: (Worldwide)\n" + "".join(
        f"{d.isoformat()},{10 + i}\n" for i, d in enumerate(days))
    snap, lines = parse(write(tmp_path, frequency, text))
    assert snap.metadata["frequency"] == frequency and snap.metadata["complete"]
    assert snap.metadata["first_period"] == "2022-01-02" and not snap.metadata["covers_article_period"]
    assert any("says nothing about the periods it does not cover" in line for line in lines)


def test_several_terms_in_one_file(tmp_path):
    header = "Month,social credit: (Worldwide),Social Credit System: (Worldwide),china: (Worldwide)"
    rows = [f"{m},1,{v},50" for m, v in zip(MONTHS, VALUES)]
    path = write(tmp_path, "terms", "\n".join(["Category: All categories", "", header, *rows]) + "\n")
    snap, lines = parse(path)  # default: the topic's column
    assert snap.metadata["query"] == "Social Credit System" and snap.frame["series"].iloc[0] == "Social Credit System"
    assert any("took 'Social Credit System'" in line and "--term" in line for line in lines)
    snap, lines = parse(path, term="china")
    assert snap.metadata["query"] == "china" and snap.frame["series"].iloc[0] == "china"
    with pytest.raises(trends.TrendsError, match=r"no column for --term 'scs'; the file has \['social credit'"):
        parse(path, term="scs")


def test_a_regional_export_is_refused_with_what_it_is(tmp_path):
    text = ("Category: All categories\n\nCountry,Social Credit System: (1/1/04 - 12/31/22)\n"
            "China,100\nUnited States,45\nGermany,\nSingapore,<1\n")
    with pytest.raises(trends.TrendsError, match=r"regional export \(geoMap.csv.*multiTimeline.csv"):
        parse(write(tmp_path, "geoMap", text))


def test_a_related_queries_export_is_refused_with_what_it_is(tmp_path):
    text = ("Category: All categories\n\nTOP\nsocial credit score,100\nchina social credit,85\n\n"
            "RISING\nsocial credit score,Breakout\nsocial credit app,+250%\n")
    with pytest.raises(trends.TrendsError, match=r"related queries or related topics export.*multiTimeline.csv"):
        parse(write(tmp_path, "relatedQueries", text))


# --- series that cannot decide a claim -----------------------------------------------------------


def test_a_series_of_zeros_is_refused(tmp_path):
    text = "Month,Social Credit System: (Worldwide)\n" + "".join(f"{m},0\n" for m in MONTHS)
    with pytest.raises(trends.TrendsError, match="every value of 'Social Credit System' is 0.*cannot decide"):
        parse(write(tmp_path, "zeros", text))


def test_missing_periods_are_warned_and_recorded(tmp_path):
    kept = [(m, v) for i, (m, v) in enumerate(zip(MONTHS, VALUES)) if i not in (40, 41, 100)]
    text = "Month,Social Credit System: (Worldwide)\n" + "".join(f"{m},{v}\n" for m, v in kept)
    snap, lines = parse(write(tmp_path, "gaps", text))
    meta = snap.metadata
    assert meta["complete"] is False and meta["missing_period_count"] == 3
    assert meta["missing_periods"] == ["2007-05-01", "2007-06-01", "2012-05-01"]
    assert (meta["first_period"], meta["last_period"]) == ("2004-01-01", "2022-12-01")
    assert any("3 month(s) missing" in line for line in lines)


def test_a_weekly_series_from_2017_says_it_does_not_cover_2016(tmp_path):
    weeks = [date(2017, 11, 5) + timedelta(days=7 * i) for i in range(260)]
    text = "Week,Social Credit System: (Worldwide)\n" + "".join(f"{w},{5 + i % 50}\n" for i, w in enumerate(weeks))
    snap, lines = parse(write(tmp_path, "weekly2017", text))
    assert snap.metadata["first_period"] == "2017-11-05" and snap.metadata["covers_article_period"] is False
    assert any("2017-11-05" in line and "2016" in line for line in lines)


# --- the import -------------------------------------------------------------------------------------


def run_cli(root, monkeypatch, capsys, *args):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(root))
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def export(tmp_path):
    return write(tmp_path, "multiTimeline", monthly_text())


def test_import_keeps_datapackage_json_as_it_was_and_is_idempotent(data_copy, export, monkeypatch, capsys):
    before = (data_copy / DATAPACKAGE).read_text()
    code, out, err = run_cli(data_copy, monkeypatch, capsys, "import", "trends", str(export), "--retrieved", "2023-01-02")
    assert code == 0, err
    after = (data_copy / DATAPACKAGE).read_text()
    removed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith("- ")]
    assert len(removed) <= 1, removed  # at most the closing brace of the last table gains a comma
    assert list(json.loads(after)) == list(json.loads(before))  # key order kept
    code, out, err = run_cli(data_copy, monkeypatch, capsys, "import", "trends", str(export), "--retrieved", "2023-02-03")
    assert code == 0 and "already stored" in err
    assert len(trends.list_snapshots(data_copy)) == 1 and (data_copy / DATAPACKAGE).read_text() == after


def test_import_makes_only_the_search_interest_step_stale(data_copy, export, monkeypatch, capsys):
    def fingerprints():
        pipeline = load_pipeline(data_copy)
        planner = Planner(pipeline)
        return {name: planner.fingerprint(step, step.defaults()) for name, step in pipeline.steps.items()}

    old = fingerprints()
    assert run_cli(data_copy, monkeypatch, capsys, "import", "trends", str(export))[0] == 0
    new = fingerprints()
    assert [name for name in old if old[name] != new[name]] == ["search_interest"]


def test_an_import_that_cannot_finish_leaves_nothing_behind(data_copy, export, monkeypatch, capsys):
    before = (data_copy / DATAPACKAGE).read_text()
    from scs_compendium.sources.google_trends import snapshots

    real = snapshots.atomic_write_text

    def refuse_descriptor(path, text):
        if str(path).endswith("datapackage.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, text)

    monkeypatch.setattr(snapshots, "atomic_write_text", refuse_descriptor)
    code, out, err = run_cli(data_copy, monkeypatch, capsys, "import", "trends", str(export))
    assert code == 2 and "Traceback" not in err
    assert "cannot write" in err and "datapackage.json: Permission denied" in err and "Nothing was imported" in err
    assert (data_copy / DATAPACKAGE).read_text() == before
    assert not (data_copy / SNAPSHOT_DIR).exists() or not any((data_copy / SNAPSHOT_DIR).iterdir())


def test_a_read_only_data_folder_is_a_clear_error(data_copy, export, monkeypatch, capsys):
    import tempfile

    def read_only(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", str(dir))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)  # what a read-only folder does (tests may run as root)
    code, out, err = run_cli(data_copy, monkeypatch, capsys, "import", "trends", str(export))
    assert code == 2 and "Traceback" not in err
    assert "google_trends: Permission denied" in err and "must be writable" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "missing.csv: file not found; expected the multiTimeline.csv"),
        (["EXPORT", "--retrieved", "25/11/2022"], "--retrieved '25/11/2022': not a date in the form YYYY-MM-DD"),
        (["EXPORT", "--retrieved", "2022-11-25T10:00"], "--retrieved '2022-11-25T10:00': not a date in the form"),
        (["EXPORT", "--retrieved", "3020-01-01"], "--retrieved 3020-01-01: in the future"),
        (["EXPORT", "--retrieved", "1999-01-01"], "before Google Trends data begin"),
    ],
)
def test_import_errors_are_one_paragraph(data_copy, export, monkeypatch, capsys, args, message):
    args = [str(export) if a == "EXPORT" else str(data_copy / a) if a.endswith(".csv") else a for a in args]
    code, out, err = run_cli(data_copy, monkeypatch, capsys, "import", "trends", *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_broken_datapackage_json_met_during_an_import(data_copy, export, monkeypatch, capsys):
    (data_copy / DATAPACKAGE).write_text('{"name": "x", "resources": [')
    code, out, err = run_cli(data_copy, monkeypatch, capsys, "import", "trends", str(export))
    assert code == 2 and "Traceback" not in err
    assert "data/datapackage.json: not valid JSON (line 1" in err and "nothing was imported" in err
    assert not (data_copy / SNAPSHOT_DIR).exists() or not any((data_copy / SNAPSHOT_DIR).iterdir())


# --- the fetch client --------------------------------------------------------------------------------


def test_fetch_without_pytrends_says_how_to_install_the_extra(data_copy, monkeypatch, capsys):
    from importlib import metadata

    def absent(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", absent)
    code, out, err = run_cli(data_copy, monkeypatch, capsys, "fetch", "trends", "--end", "2022-12-31")
    assert code == 2 and "Traceback" not in err
    assert "GeneralMills/pytrends#636" in err and "five-year" in err  # the caveat, said each time
    assert "pip install -e '.[trends]'" in err and "scs import trends" in err
    assert "`.venv/uv/bin/uv pip install --python .venv/bin/python -e '.[trends]'`" in err  # works without pip


class DisagreeingClient:
    name, version = "fake", "0"

    def __init__(self):
        self.calls = 0

    def resolve_topic(self, term):
        return None

    def interest_over_time(self, query):
        self.calls += 1
        months = pd.date_range("2004-01-01", "2022-12-01", freq="MS").date
        values = [float(min(100, i // 2)) for i in range(len(months))]
        if self.calls == 2:  # a sample altered for an automated client
            values = [min(100.0, v + 30) for v in values]
        return pd.DataFrame({"date": months, "value": values, "is_partial": False})


def test_samples_that_disagree_are_refused():
    with pytest.raises(trends.TrendsError, match=r"samples disagree by up to 30 points.*tolerance of 10 points"):
        trends.fetch(DisagreeingClient(), trends.Query(end="2022-12-31"), samples=3, log=lambda _: None)
    snap = trends.fetch(DisagreeingClient(), trends.Query(end="2022-12-31"), samples=1, log=lambda _: None)
    assert snap.metadata["complete"] and snap.metadata["covers_article_period"]


def test_pytrends_is_an_optional_extra():
    import tomllib

    from ..conftest import REPO

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["optional-dependencies"]["trends"] == ["pytrends==4.9.2"]
    assert not any("pytrends" in dep for dep in project["dependencies"])
    assert trends_client.PYTRENDS_MISSING.startswith("pytrends is not installed")
