"""Issue #24, case 5 ('other inputs'): each misuse ends in one clear message (exit code 2) before anything runs,
or works; nothing outside the project (the temporary folder around it) changes."""

from __future__ import annotations

import pytest

from scs_compendium import cli
from scs_compendium.claims import load_registry
from scs_compendium.errors import ClaimsError, shown

from ..conftest import files_outside
from .test_claims import GOOD, write_registry


def scs(root, monkeypatch, capsys, *args):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(root))
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- thresholds of the wrong type are refused when the registry loads -------------------------------------------


def rule(**keys):
    return {"rule": {"kind": "within", "value": "k", **keys}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (rule(low="two years", high=3), r"claim 'x': field 'rule.low' must be a number, @parameter .* got str 'two years'"),
        ({"rule": {"kind": "close", "value": "k", "tolerance": [0.1]}}, r"field 'rule.tolerance' must be a number.* got list"),
        (rule(low=1, high=2, decimals=1.5), r"field 'rule.decimals' must be a whole number of 0 or more, got 1.5"),
        (rule(low=1, high=2, decimals=True), r"field 'rule.decimals' must be a number"),
        (rule(low=1, high=2, require="some"), r"field 'rule.require' must be 'any' or 'all', got 'some'"),
        (rule(low=1, high=2, strict="yes"), r"field 'rule.strict' must be true or false, got 'yes'"),
        (rule(low=1, high=2, label=["a"]), r"field 'rule.label' must be text, got list"),
        ({"rule": {"kind": "close", "value": "k", "tolerance": -0.1}}, r"field 'rule.tolerance' must be 0 or more"),
        ({**rule(), "reported": {"value": "a few", "unit": "years"}},
         r"field 'rule.low \(by default reported.low\)' reads the article's reported value 'a few', which is not a number"),
        ({"step": "scholarship", **rule(low="@grouping", high=2)},
         r"field 'rule.low' names @grouping, a parameter of type str; a threshold needs a number"),
    ],
)
def test_a_rule_with_a_threshold_of_the_wrong_type_is_refused_at_load(data_copy, tmp_path, monkeypatch, capsys, change,
                                                                      message):
    write_registry(data_copy, [{**GOOD, **change}])
    with pytest.raises(ClaimsError, match=message):
        load_registry(data_copy)
    before = files_outside(tmp_path, data_copy)
    code, out, err = scs(data_copy, monkeypatch, capsys, "validate")
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1
    assert files_outside(tmp_path, data_copy) == before


def test_the_real_registrys_rules_pass_the_type_checks():
    assert len(load_registry()) > 100


# --- date parameters: form, order, not in the future, before any kernel starts -------------------------------


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (["search_interest.start=notadate"], "parameter 'start': 'notadate' is not a date; expected YYYY-MM-DD"),
        (["search_interest.start=2022-02-30"], "parameter 'start': '2022-02-30' is not a date"),
        (["search_interest.start=2004-1-1"], "parameter 'start': '2004-1-1' is not a date"),
        (["search_interest.end=3020-01-01"], "parameter 'end': 3020-01-01 is in the future"),
        (["search_interest.start=1850-01-01"], "parameter 'start': 1850-01-01 is before 1900"),
        (["search_interest.start=2020-01-01", "search_interest.end=2019-12-31"],
         "parameter 'end' (2019-12-31) lies before 'start' (2020-01-01); expected start <= end"),
        (["search_interest.start=2023-01-01"], "parameter 'end' (2022-12-31) lies before 'start' (2023-01-01)"),
    ],
)
def test_date_parameters_are_checked_before_any_kernel_starts(data_copy, tmp_path, monkeypatch, capsys, assignments,
                                                              message):
    before = files_outside(tmp_path, data_copy)
    args = [item for pair in assignments for item in ("-p", pair)]
    code, out, err = scs(data_copy, monkeypatch, capsys, "run", "search_interest", *args)
    assert code == 2 and message in err and "Traceback" not in err and "DateParseError" not in err
    assert not (data_copy / "build/notebooks").exists()  # no notebook ran
    assert files_outside(tmp_path, data_copy) == before


def test_a_notebook_run_by_hand_checks_its_dates_too(data_copy):
    from scs_compendium import step_context
    from scs_compendium.errors import ParameterError

    from ..conftest import step_defaults

    namespace = {**step_defaults("search_interest"), "start": "2021-01-01", "end": "2020-01-01"}
    with pytest.raises(ParameterError, match="parameter 'end' .* lies before 'start'"):
        step_context("search_interest", namespace, root=data_copy)


# --- quoted values are cut -------------------------------------------------------------------------------


def test_a_quoted_value_is_cut_to_80_characters():
    assert shown("short") == "'short'"
    long = shown("x" * 2_000)
    assert long.startswith("'xxx") and long.endswith("... (2,000 characters)") and len(long) < 110


def test_a_huge_parameter_value_is_quoted_cut(data_copy, monkeypatch, capsys):
    code, out, err = scs(data_copy, monkeypatch, capsys, "run", "search_interest", "-p",
                         "search_interest.smoothing=" + "9" * 100_000)
    assert code == 2 and "parameter 'smoothing'" in err and len(err) < 500


def test_a_huge_trends_header_cell_is_quoted_cut(data_copy, tmp_path, monkeypatch, capsys):
    path = tmp_path / "synthetic_multiTimeline.csv"
    path.write_text("Month," + "x" * 5_000_000 + "\n2020-01,5\n", encoding="utf-8")
    code, out, err = scs(data_copy, monkeypatch, capsys, "import", "trends", str(path))
    assert code == 2 and "line 1, column 2" in err and len(err) < 1000


# --- the report and the paper check each result against the hash the run recorded ---------------------------


def published(root, step="literature_shares", values=None):
    """A result as `scs run` leaves it: written, and its hash recorded in build/manifest.json."""
    import json

    from scs_compendium.engine.store import sha256_file, write_results

    path = write_results(root / f"build/results/{step}.json", step, {}, {"parameters": {}, "inputs": []},
                         values or {"corpora": {"cnki": {"total": 9106}}})
    manifest = {"steps": {step: {"status": "succeeded", "outputs": {f"build/results/{step}.json": sha256_file(path)}}}}
    (root / "build/manifest.json").write_text(json.dumps(manifest))
    return path


def tamper(path, how):
    text = path.read_text()
    path.write_text(text.replace("9106", "9999") if how == "edited" else text[: len(text) // 2])


@pytest.mark.parametrize("how", ["edited", "truncated"])
def test_the_report_refuses_a_result_that_is_not_what_the_run_wrote(data_copy, tmp_path, monkeypatch, capsys, how):
    from scs_compendium.claims import assess
    from scs_compendium.engine.spec import load_pipeline
    from scs_compendium.errors import ResultsError

    path = published(data_copy)
    pipeline = load_pipeline(data_copy)
    from scs_compendium.claims import Claim

    claim = Claim("c", "3", 22, "s", {"value": 1, "unit": "u"}, "literature_shares", "the article's own figures",
                  {"kind": "not_checkable", "why": "a rule that reads no value"}, {"looked_for": "x", "searched": ["x"]})
    assert assess(claim, pipeline).verdict != "pending"  # as written: read
    tamper(path, how)
    with pytest.raises(ResultsError, match=r"build/results/literature_shares.json is not what `scs run` wrote"):
        assess(claim, pipeline)
    before = files_outside(tmp_path, data_copy)
    code, out, err = scs(data_copy, monkeypatch, capsys, "report")
    assert code == 2 and "build/results/literature_shares.json is not what `scs run` wrote" in err
    assert "scs run literature_shares" in err and "Traceback" not in err
    assert not (data_copy / "build/claims.json").exists()  # no report from a tampered result
    assert files_outside(tmp_path, data_copy) == before


@pytest.mark.parametrize("how", ["edited", "truncated"])
def test_the_paper_refuses_a_result_that_is_not_what_the_run_wrote(data_copy, how):
    from scs_compendium.engine.spec import load_pipeline
    from scs_compendium.outputs.paper import PaperError, Resolver

    path = published(data_copy)
    assert Resolver(load_pipeline(data_copy)).value("literature_shares", "corpora.cnki.total") == 9106
    tamper(path, how)
    with pytest.raises(PaperError, match=r"literature_shares.json is not what `scs run` wrote.*scs run literature_shares"):
        Resolver(load_pipeline(data_copy)).value("literature_shares", "corpora.cnki.total")


# --- publishing: each replace atomic even across file systems, all or none, clear when nothing can be written ---


@pytest.fixture
def staged(tmp_path):
    """A staging folder with a step's three outputs, and a project holding the previous ones."""
    root, staging = tmp_path / "project", tmp_path / "project/build/.staging/a"
    for rel in ("build/results/a.json", "figures/a.png", "figures/a.svg"):
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(f"new {rel}")
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"old {rel}")
    return root, staging, ["build/results/a.json", "figures/a.png", "figures/a.svg"]


def state(root, relpaths):
    return {rel: (root / rel).read_text() for rel in relpaths}


def leftovers(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob(".*.partial"))


def test_publishing_renames_only_within_a_folder_so_another_file_system_is_no_matter(staged, monkeypatch):
    import errno
    import os
    from pathlib import Path

    from scs_compendium.engine.store import publish_files

    root, staging, relpaths = staged
    real = os.replace

    def across_devices(src, dst):  # what a rename from build/ to figures/ on another disk does
        if Path(src).parent != Path(dst).parent:
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", across_devices)
    hashes = publish_files(staging, root, relpaths)
    assert state(root, relpaths) == {rel: f"new {rel}" for rel in relpaths} and set(hashes) == set(relpaths)
    assert leftovers(root) == []


@pytest.mark.parametrize(("error", "text"), [(28, "No space left on device"), (30, "Read-only file system"),
                                             (13, "Permission denied")])
def test_a_full_disk_or_a_read_only_folder_publishes_nothing_and_keeps_what_was_there(staged, monkeypatch, error,
                                                                                     text):
    import shutil

    from scs_compendium.engine import store
    from scs_compendium.errors import ResultsError

    root, staging, relpaths = staged
    calls = []
    real = shutil.copyfileobj

    def fail_on_the_second(source, out, *args):
        calls.append(out)
        if len(calls) == 2:
            raise OSError(error, text, str(root / relpaths[1]))
        return real(source, out, *args)

    monkeypatch.setattr(store.shutil, "copyfileobj", fail_on_the_second)
    with pytest.raises(ResultsError, match=f"cannot write .*figures/a.png: {text}; nothing of this step was published "
                                           "and the previous outputs are kept"):
        store.publish_files(staging, root, relpaths)
    assert state(root, relpaths) == {rel: f"old {rel}" for rel in relpaths}  # none replaced
    assert leftovers(root) == []


def test_a_read_only_build_folder_is_one_clear_message(data_copy, tmp_path, monkeypatch, capsys):
    import errno
    import tempfile

    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(dir))

    (data_copy / "build").mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    before = files_outside(tmp_path, data_copy)
    code, out, err = scs(data_copy, monkeypatch, capsys, "report")
    assert code == 2 and "Traceback" not in err
    assert f"cannot read or write {data_copy}/build" in err and ": Read-only file system" in err and "were kept" in err
    assert files_outside(tmp_path, data_copy) == before


# --- tables: empty, not UTF-8, too large, a huge header cell ------------------------------------------------


def test_a_table_with_only_its_header_says_it_needs_rows(data_copy, tmp_path, monkeypatch, capsys):
    table = data_copy / "data/raw/controversy_responses.csv"
    table.write_text(table.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    before = files_outside(tmp_path, data_copy)
    code, out, err = scs(data_copy, monkeypatch, capsys, "validate")
    assert code == 2 and "Traceback" not in err
    assert "data/raw/controversy_responses.csv: only a header, no rows; table 'controversy_responses' needs at least one row" in err
    table.write_text("", encoding="utf-8")
    code, out, err = scs(data_copy, monkeypatch, capsys, "validate")
    assert code == 2 and "data/raw/controversy_responses.csv: empty; table 'controversy_responses' needs at least one row" in err
    assert files_outside(tmp_path, data_copy) == before


def test_an_encoding_error_names_the_line_and_what_was_expected(data_copy, monkeypatch, capsys):
    table = data_copy / "data/raw/media_pieces.csv"
    lines = table.read_bytes().split(b"\n")
    lines[4] = b"caf\xe9," + lines[4]
    table.write_bytes(b"\n".join(lines))
    code, out, err = scs(data_copy, monkeypatch, capsys, "validate")
    assert code == 2 and "Traceback" not in err
    assert "data/raw/media_pieces.csv, line 5, column 4: not utf-8 text (byte 0xe9); expected UTF-8 text" in err


def test_a_table_over_the_size_limit_is_refused_unread_and_a_large_one_is_announced(data_copy, monkeypatch, capsys):
    from scs_compendium.sources import table_checks

    table = data_copy / "data/raw/media_pieces.csv"
    monkeypatch.setattr(table_checks, "MAX_TABLE_BYTES", table.stat().st_size - 1)
    code, out, err = scs(data_copy, monkeypatch, capsys, "validate")
    assert code == 2 and "data/raw/media_pieces.csv:" in err and "above the limit of" in err and "Nothing of it was read" in err
    monkeypatch.setattr(table_checks, "MAX_TABLE_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(table_checks, "ANNOUNCE_BYTES", table.stat().st_size - 1)
    code, out, err = scs(data_copy, monkeypatch, capsys, "validate")
    assert code == 0 and "checking data/raw/media_pieces.csv (" in err


def test_a_huge_header_cell_is_quoted_cut_once(data_copy, monkeypatch, capsys):
    table = data_copy / "data/raw/controversy_responses.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join([lines[0] + "," + "h" * 2_000_000, *lines[1:]]) + "\n", encoding="utf-8")
    code, out, err = scs(data_copy, monkeypatch, capsys, "validate")
    assert code == 2 and "not in the schema" in err and len(err) < 2_000
