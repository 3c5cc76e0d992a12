"""Issue #24, case 3: YAML anchors and aliases (an alias bomb) are refused in data/claims.yaml and pipeline.yaml
before anything is expanded; a research record with unknown keys or fields of the wrong type is refused with
the claim and the field. Each error is one clear message (exit code 2), and nothing outside the project
changes."""

from __future__ import annotations


import pytest

from scs_compendium import cli
from scs_compendium.claims import load_registry
from scs_compendium.errors import ClaimsError

from ..conftest import files_outside
from .test_claims import GOOD, write_registry

BOMB = "\n".join(
    ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]" for i in range(1, 10)]
) + "\n"


def validate(root, monkeypatch, capsys):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(root))
    code = cli.main(["validate"])
    return code, capsys.readouterr().err


def test_an_alias_bomb_in_the_registry_is_refused_unexpanded(data_copy, tmp_path, monkeypatch, capsys):
    registry = data_copy / "data/claims.yaml"
    registry.write_text(BOMB + registry.read_text(encoding="utf-8"), encoding="utf-8")
    before = files_outside(tmp_path, data_copy)
    code, err = validate(data_copy, monkeypatch, capsys)
    assert code == 2 and "Traceback" not in err and "MemoryError" not in err
    assert "data/claims.yaml: line 1, column 7: YAML anchor &lol0; anchors and aliases are not allowed" in err
    assert files_outside(tmp_path, data_copy) == before


def test_an_alias_bomb_inside_a_claims_research_is_refused(data_copy, monkeypatch, capsys):
    registry = data_copy / "data/claims.yaml"
    text = registry.read_text(encoding="utf-8")
    text = text.replace("    status: not found\n", "    status: not found\n    note: *lol9\n", 1)
    registry.write_text(BOMB + text, encoding="utf-8")
    code, err = validate(data_copy, monkeypatch, capsys)
    assert code == 2 and "anchors and aliases are not allowed" in err


def test_an_alias_alone_and_a_merge_key_are_refused(data_copy):
    registry = data_copy / "data/claims.yaml"
    text = registry.read_text(encoding="utf-8")
    first = text.index("- id: s3-trends-rise-end-2016")
    registry.write_text(text[:first] + "- <<: *base\n  id: y\n" + text[first:], encoding="utf-8")
    with pytest.raises(ClaimsError, match=r"data/claims.yaml: line \d+, column 7: YAML alias \*base"):
        load_registry(data_copy)


def test_an_alias_bomb_in_pipeline_yaml_is_refused(data_copy, monkeypatch, capsys):
    spec = data_copy / "pipeline.yaml"
    spec.write_text(BOMB + spec.read_text(encoding="utf-8"), encoding="utf-8")
    code, err = validate(data_copy, monkeypatch, capsys)
    assert code == 2 and "pipeline.yaml: line 1, column 7: YAML anchor &lol0" in err and "Traceback" not in err


def test_python_tags_and_deep_nesting_are_refused(data_copy, monkeypatch, capsys):
    registry = data_copy / "data/claims.yaml"
    registry.write_text("claims: !!python/object/apply:os.system ['touch /tmp/scs-pwned']\n", encoding="utf-8")
    code, err = validate(data_copy, monkeypatch, capsys)
    assert code == 2 and "data/claims.yaml: not valid YAML" in err and "Traceback" not in err
    registry.write_text("claims: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    code, err = validate(data_copy, monkeypatch, capsys)
    assert code == 2 and "data/claims.yaml:" in err and "Traceback" not in err and len(err) < 1000


def test_a_registry_that_is_not_utf8_names_the_line(data_copy, monkeypatch, capsys):
    registry = data_copy / "data/claims.yaml"
    registry.write_bytes(b"claims:\n- id: caf\xe9\n")
    code, err = validate(data_copy, monkeypatch, capsys)
    assert code == 2 and "data/claims.yaml: line 2: not UTF-8 text (byte 0xe9)" in err


RESEARCH = GOOD["research"]


@pytest.mark.parametrize(
    ("research", "message"),
    [
        ({**RESEARCH, "note": ["lol"] * 9}, r"claim 'x': field 'research.note' must be text, got list"),
        ({**RESEARCH, "note": {"a": 1}}, r"field 'research.note' must be text, got dict"),
        ({**RESEARCH, "looked_for": 5}, r"field 'research.looked_for' must be text, got int"),
        ({**RESEARCH, "searched": "pages: review"}, r"field 'research.searched' must be a list of text, got str"),
        ({**RESEARCH, "searched": [["nested"]]}, r"field 'research.searched #1' must be text, got list"),
        ({**RESEARCH, "source_value": {"a": [1, 2]}}, r"field 'research.source_value' must be text or a number"),
        ({**RESEARCH, "colour": "red"}, r"field 'research' has unknown key\(s\) \['colour'\]"),
        ({**RESEARCH, "sources": [{"title": "t", "url": "https://a.example"}]},
         r"field 'research' has unknown key\(s\) \['sources'\]"),  # sources live in data/evidence/sources.csv
    ],
)
def test_research_records_of_the_wrong_shape_name_the_claim_and_field(data_copy, research, message):
    write_registry(data_copy, [{**GOOD, "research": research}])
    with pytest.raises(ClaimsError, match=message):
        load_registry(data_copy)


def test_a_research_error_is_one_short_message(data_copy, monkeypatch, capsys):
    write_registry(data_copy, [{**GOOD, "research": {**RESEARCH, "note": ["lol" * 1000] * 1000}}])
    code, err = validate(data_copy, monkeypatch, capsys)
    assert code == 2 and "field 'research.note' must be text" in err and len(err) < 600
