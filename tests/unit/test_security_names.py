"""Issue #24, case 1: every name taken from an input is a safe slug or refused, and every path is confined to
the project before anything is written. Each test tries a traversal through one input that becomes a name and
checks that nothing outside the project (the temporary folder around it) changed. The exports are synthetic."""

from __future__ import annotations

import json
import os
import pandas as pd
import pytest

from scs_compendium import cli
from scs_compendium.paths import DATAPACKAGE, SNAPSHOT_DIR
from scs_compendium.sources import google_trends as trends
from scs_compendium.sources.google_trends.snapshots import SNAPSHOT_ID
from scs_compendium.sources.safe import confined, slug

from ..conftest import files_outside

MONTHS = [f"{2004 + i // 12}-{i % 12 + 1:02d}" for i in range(19 * 12)]
TRAVERSALS = ["../../../../raw/media_pieces", "../../../../../escaped", "/tmp/absolute", "..\\..\\windows",
              "a\x00b", "x/../../y"]


def export(tmp_path, header: str):
    path = tmp_path / "synthetic_multiTimeline.csv"
    rows = [f"{m},{min(100, 1 + i // 2)}" for i, m in enumerate(MONTHS)]
    path.write_text("Category: All categories\n\n" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run_import(root, monkeypatch, capsys, *args):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(root))
    code = cli.main(["import", "trends", *args, "--retrieved", "2023-01-02"])
    captured = capsys.readouterr()
    return code, captured.err


def assert_inside(root):
    """Every snapshot file is a safe name in data/raw/google_trends/, and the registered paths say so."""
    folder = root / SNAPSHOT_DIR
    for path in folder.iterdir() if folder.exists() else []:
        assert SNAPSHOT_ID.fullmatch(path.stem), path.name
        assert path.resolve().parent == folder.resolve()
    for resource in json.loads((root / DATAPACKAGE).read_text())["resources"]:
        assert ".." not in resource["path"] and " " not in resource["path"]


@pytest.mark.parametrize("label", TRAVERSALS)
def test_a_region_label_in_the_header_cannot_leave_the_project(data_copy, tmp_path, monkeypatch, capsys, label):
    media = (data_copy / "data/raw/media_pieces.csv").read_bytes()
    path = export(tmp_path, f"Month,Social Credit System: ({label})")
    before = files_outside(tmp_path, data_copy)
    code, err = run_import(data_copy, monkeypatch, capsys, str(path))
    assert code == 2 and "Traceback" not in err
    assert "line 3, column 2: region" in err and "is not a region" in err and "--geo" not in err.split(";")[0]
    assert files_outside(tmp_path, data_copy) == before
    assert (data_copy / "data/raw/media_pieces.csv").read_bytes() == media
    assert not (data_copy / SNAPSHOT_DIR).exists()


@pytest.mark.parametrize("geo", TRAVERSALS)
def test_a_geo_option_cannot_leave_the_project(data_copy, tmp_path, monkeypatch, capsys, geo):
    path = export(tmp_path, "Month,Social Credit System: (Worldwide)")
    before = files_outside(tmp_path, data_copy)
    code, err = run_import(data_copy, monkeypatch, capsys, str(path), "--geo", geo)
    assert code == 2 and "Traceback" not in err and "--geo" in err and "is not a region" in err
    assert files_outside(tmp_path, data_copy) == before
    assert not (data_copy / SNAPSHOT_DIR).exists()


@pytest.mark.parametrize("term", TRAVERSALS[:4])
def test_a_search_term_in_the_header_becomes_a_slug(data_copy, tmp_path, monkeypatch, capsys, term):
    path = export(tmp_path, f"Month,{term}: (Worldwide)")
    before = files_outside(tmp_path, data_copy)
    code, err = run_import(data_copy, monkeypatch, capsys, str(path), "--term", term)
    assert code == 0, err
    assert files_outside(tmp_path, data_copy) == before
    assert_inside(data_copy)
    (stored,) = trends.load_snapshots(data_copy)
    assert stored.metadata["query"] == term  # the term is kept as text; only the file name is a slug
    assert stored.metadata["snapshot_id"] == f"20230102T000000Z_{slug(term, 'term')}_world"


def test_a_term_with_no_latin_letter_gets_a_name_too(data_copy, tmp_path, monkeypatch, capsys):
    path = export(tmp_path, "Month,社会信用体系: (全球)")
    code, err = run_import(data_copy, monkeypatch, capsys, str(path))
    assert code == 0, err
    (stored,) = trends.list_snapshots(data_copy)
    assert SNAPSHOT_ID.fullmatch(stored) and stored.endswith("_world") and "_term-" in stored


class FakeClient:
    name, version = "fake", "0"

    def resolve_topic(self, term):
        return None

    def interest_over_time(self, query):
        months = pd.date_range("2004-01-01", "2022-12-01", freq="MS").date
        return pd.DataFrame({"date": months, "value": [float(min(100, i // 2)) for i in range(len(months))],
                             "is_partial": False})


@pytest.mark.parametrize("term", TRAVERSALS[:4])
def test_a_fetched_term_becomes_a_slug(data_copy, tmp_path, term):
    before = files_outside(tmp_path, data_copy)
    snap = trends.fetch(FakeClient(), trends.Query(term=term, end="2022-12-31"), samples=1, log=lambda _: None)
    path = trends.write_snapshot(data_copy, snap, log=lambda _: None)
    assert path.resolve().parent == (data_copy / SNAPSHOT_DIR).resolve()
    assert files_outside(tmp_path, data_copy) == before
    assert_inside(data_copy)


@pytest.mark.parametrize(("field", "value"), [("geo", "../../../../raw/media_pieces"), ("retrieved_utc", "../../x"),
                                              ("query", "../../../etc/passwd")])
def test_a_snapshot_with_forged_metadata_is_stored_under_a_safe_name(data_copy, tmp_path, field, value):
    snap = trends.fetch(FakeClient(), trends.Query(end="2022-12-31"), samples=1, log=lambda _: None)
    snap.metadata[field] = value
    before = files_outside(tmp_path, data_copy)
    try:
        path = trends.write_snapshot(data_copy, snap, log=lambda _: None)
    except trends.TrendsError as exc:  # a name that cannot be made safe is refused
        assert "not safe as a file name" in str(exc) and "nothing was imported" in str(exc)
    else:
        assert path.resolve().parent == (data_copy / SNAPSHOT_DIR).resolve()
    assert files_outside(tmp_path, data_copy) == before
    assert_inside(data_copy)


def test_a_snapshot_folder_that_links_out_of_the_project_is_refused(data_copy, tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, data_copy / SNAPSHOT_DIR)
    path = export(tmp_path, "Month,Social Credit System: (Worldwide)")
    before = files_outside(tmp_path, data_copy)
    code, err = run_import(data_copy, monkeypatch, capsys, str(path))
    assert code == 2 and "Traceback" not in err and "leads outside the project" in err
    assert list(elsewhere.iterdir()) == [] and files_outside(tmp_path, data_copy) == before


def test_a_snapshot_parameter_cannot_name_a_file():
    meta = {"query": "x", "geo": "", "retrieved_utc": "2026-11-25T00:00:00", "snapshot_id": "20261125T000000Z_x_world"}
    stored = [trends.Snapshot(pd.DataFrame(), meta)]
    with pytest.raises(Exception, match=r"parameter snapshot: '../../../etc/passwd' not in data/raw/google_trends"):
        trends.select_snapshot(stored, "../../../etc/passwd", "")


def test_confined_refuses_what_resolves_outside(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    assert confined(root, "data/x.csv") == (root / "data/x.csv").resolve()
    for outside in ("../x", "data/../../x", "/etc/passwd"):
        with pytest.raises(Exception, match="leads outside the project"):
            confined(root, outside)


def test_a_table_that_links_out_of_the_project_is_not_read(data_copy, tmp_path, monkeypatch, capsys):
    outside = tmp_path / "outside.csv"
    table = data_copy / "data/raw/controversy_responses.csv"
    outside.write_bytes(table.read_bytes())
    table.unlink()
    os.symlink(outside, table)
    before = files_outside(tmp_path, data_copy)
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(data_copy))
    code = cli.main(["validate"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "data/raw/controversy_responses.csv: leads outside the project (a symbolic link" in err
    assert files_outside(tmp_path, data_copy) == before
