"""The data package validates, and broken data get errors naming file, line and column."""

from __future__ import annotations

import json

import pytest

from scs_compendium.sources.datapackage import load_descriptor, load_table, validate, validate_cached
from scs_compendium.errors import DataError

CSV = "data/raw/literature_classification.csv"


def test_real_data_package_validates():
    validate()  # raises on any problem


def test_every_table_has_source_licence_and_described_columns():
    descriptor = load_descriptor()
    for resource in descriptor["resources"]:
        assert resource["sources"] and all(s["title"] for s in resource["sources"])
        assert resource.get("licenses") or descriptor.get("licenses")
        assert all(f["description"] for f in resource["schema"]["fields"])


def test_load_table_applies_schema_types():
    frame = load_table("literature_classification")
    assert str(frame["total"].dtype) == "Int64"
    assert str(frame["economic_field"].dtype) == "boolean"
    assert frame.attrs["path"] == CSV


def test_wrong_type_names_line_and_column(data_copy):
    path = data_copy / CSV
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(",9106,", ",many,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        validate(data_copy)
    assert f"{CSV}, line 3, column 'total': expected integer, got 'many'" in str(info.value)


def test_a_table_found_valid_is_checked_again_once_its_bytes_change(data_copy, monkeypatch):
    from scs_compendium.sources import datapackage

    checked = []
    schema_check = datapackage._frictionless_problems
    monkeypatch.setattr(datapackage, "_frictionless_problems", lambda root, r: checked.append(r["name"]) or schema_check(root, r))
    validate(data_copy, ["literature_classification"])
    validate(data_copy, ["literature_classification"])
    assert checked == ["literature_classification"]  # unchanged: the schema is checked once per process
    path = data_copy / CSV
    path.write_text(path.read_text().replace(",9106,", ",91x6,", 1))  # the same size, another byte
    with pytest.raises(DataError, match="line 2, column 'total': expected integer, got '91x6'"):
        validate(data_copy, ["literature_classification"])
    assert checked == ["literature_classification"] * 2


def test_extra_cell_names_line(data_copy):
    path = data_copy / CSV
    path.write_text(path.read_text() + "cnki,x,1,y,z,w,1,rounded,true,2022,s,fn,EXTRA\n")
    with pytest.raises(DataError, match=rf"{CSV}, line 6, column 13: an extra value: expected 12 columns"):
        validate(data_copy)


def test_enum_breach_is_reported(data_copy):
    path = data_copy / CSV
    path.write_text(path.read_text().replace(",more_than,", ",about,"))
    with pytest.raises(DataError, match=rf"{CSV}, line 2, column 'qualifier': value 'about' breaks a constraint"):
        validate(data_copy)


def test_missing_file_is_named(data_copy):
    (data_copy / CSV).unlink()
    with pytest.raises(DataError, match=rf"{CSV}: file not found \(table 'literature_classification'\)"):
        validate(data_copy)


def test_table_without_source_is_refused(data_copy):
    path = data_copy / "data/datapackage.json"
    descriptor = json.loads(path.read_text())
    del descriptor["resources"][0]["sources"]
    path.write_text(json.dumps(descriptor))
    with pytest.raises(DataError, match="resource 'literature_classification': every table needs 'sources'"):
        load_descriptor(data_copy)


def test_validation_cache_skips_unchanged_data_and_catches_changes(data_copy):
    assert validate_cached(data_copy) is True
    assert validate_cached(data_copy) is False
    path = data_copy / CSV
    path.write_text(path.read_text().replace(",9106,", ",x,", 1))
    with pytest.raises(DataError):
        validate_cached(data_copy)


def test_run_refuses_invalid_data_before_any_kernel(data_copy):
    from scs_compendium.chain import compendium_runner as Runner

    path = data_copy / CSV
    path.write_text(path.read_text().replace(",77,", ",seventy-seven,", 1))
    with pytest.raises(DataError, match="column 'total'"):
        Runner(data_copy, log=lambda _: None).run()
    assert not (data_copy / "build/notebooks").exists()
    assert not (data_copy / "figures").exists()
