"""Issue #15, round two: a broken data-package descriptor or schema, a missing column and implausible
years or dates are each one clear error (exit 2), and year parameters are plausible."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from scs_compendium import cli
from scs_compendium.engine.params import check_value, resolve_parameters
from scs_compendium.engine.spec import Parameter, load_pipeline
from scs_compendium.errors import ParameterError

from ..conftest import rewrite_csv

THIS_YEAR = date.today().year


def validate_cli(root, monkeypatch, capsys):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(root))
    code = cli.main(["validate"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def edit_descriptor(root, change):
    path = root / "data/datapackage.json"
    descriptor = json.loads(path.read_text())
    change(descriptor, next(r for r in descriptor["resources"] if r["name"] == "western_comparators"))
    path.write_text(json.dumps(descriptor, indent=2))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, r: d.update(resources={}), "'resources' must be a list of tables, got dict"),
        (lambda d, r: r["schema"].update(fields="id"), "resource 'western_comparators': 'schema' must be an object"),
        (lambda d, r: r["schema"]["fields"][3].update(type="yr"),
         "column 'year': type 'yr' is not a Table Schema type"),
        (lambda d, r: r["schema"]["fields"][0].update(constraints={"minimum": "abc"}),
         "the descriptor or its schema is invalid: Field is not valid: constraint \"minimum\" is not supported"),
        (lambda d, r: r["schema"].update(primaryKey=["nope"]), "primary key \"['nope']\" does not match the fields"),
        (lambda d, r: r.update(path="../../outside.csv"), "'path' '../../outside.csv' must be a file path relative"),
        (lambda d, r: d["resources"].append("table"), "] must be an object, got str"),
    ],
)
def test_an_invalid_descriptor_or_schema_is_one_clear_error(data_copy, monkeypatch, capsys, change, message):
    edit_descriptor(data_copy, change)
    code, output = validate_cli(data_copy, monkeypatch, capsys)
    assert code == 2, output
    assert message in output and "Traceback" not in output and "\n\n" not in output.strip()


def test_a_missing_column_is_named_as_missing(data_copy, monkeypatch, capsys):
    path = data_copy / "data/raw/western_comparators.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([row[:1] + row[2:] for row in rows])  # drop 'country'
    code, output = validate_cli(data_copy, monkeypatch, capsys)
    assert code == 2
    assert "data/raw/western_comparators.csv, line 1: column(s) ['country'] missing" in output
    assert len(output.strip().splitlines()) == 2  # the heading line and one problem: no cascade of cell errors


def test_a_year_that_cannot_be_true_is_refused(data_copy, monkeypatch, capsys):
    rewrite_csv(data_copy / "data/raw/western_comparators.csv", lambda rows: rows[0].update(year="3020"))
    code, output = validate_cli(data_copy, monkeypatch, capsys)
    assert code == 2
    assert (f"data/raw/western_comparators.csv, line 2, column 'year': year 3020 is not plausible; expected a year "
            f"from 1900 to {THIS_YEAR}") in output


def test_a_date_in_the_future_is_refused(data_copy, monkeypatch, capsys):
    def future(rows):
        rows[0]["reference_date"] = f"{THIS_YEAR + 3}-01-01"
    rewrite_csv(data_copy / "data/raw/china_population.csv", future)
    code, output = validate_cli(data_copy, monkeypatch, capsys)
    assert code == 2 and f"column 'reference_date': date {THIS_YEAR + 3}-01-01 is in the future" in output


def test_year_parameters_must_be_plausible():
    pipeline = load_pipeline()
    with pytest.raises(ParameterError, match=r"parameter 'claim_years': '3020' is not a plausible year; expected a "
                                             rf"year from 1900 to {THIS_YEAR}"):
        resolve_parameters(pipeline, ["blacklist_rates"], ["claim_years=2019,3020"])
    with pytest.raises(ParameterError, match="parameter 'claim_years': 'twenty' is not a year"):
        resolve_parameters(pipeline, ["blacklist_rates"], ["claim_years=twenty"])
    assert resolve_parameters(pipeline, ["blacklist_rates"], ["claim_years=2019"])["blacklist_rates"]["claim_years"] \
        == ["2019"]
    with pytest.raises(ParameterError, match="parameter 'year_end': 3020 is not a plausible year"):
        check_value(Parameter("year_end", "int", 2000, "d"), 3020)
    assert check_value(Parameter("tolerance_years", "int", 0, "d"), 0) == 0  # a span of years, not a year
