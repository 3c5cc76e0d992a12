"""The evidence tables of the real project: every quote occurs in its source, and bad input is refused clearly."""

from __future__ import annotations

import csv

import pytest

from scs_compendium.claims import load_registry
from scs_compendium.claims.checks import check_evidence
from scs_compendium.claims.evidence import Decisions
from scs_compendium.engine.spec import load_pipeline
from scs_compendium.errors import DataError
from scs_compendium.sources.evidence import load_evidence, quote_in

from ..conftest import REPO, rewrite_csv

DEFAULTS = Decisions.of(load_pipeline().step("evidence").defaults())


def test_every_quote_occurs_in_its_sources_excerpt():
    evidence = load_evidence()
    quoted = [row for row in evidence.first if row.quote]
    assert len(quoted) > 100
    missing = [row.where() for row in quoted if not quote_in(row.quote, evidence.sources[row.source].excerpt)]
    assert missing == []


def test_every_non_english_excerpt_has_its_translation_and_every_copy_its_original():
    evidence = load_evidence()
    for source in evidence.sources.values():
        if source.excerpt and source.language != "en":
            assert source.excerpt_en, source.id
        if source.copy_of:
            assert source.copy_of in evidence.sources and source.copy_of != source.id


def test_the_real_evidence_checks_against_the_registry():
    check_evidence(load_registry(), load_evidence(), DEFAULTS)


def test_no_verdict_is_stored_beside_the_rows():
    for name in ("evidence", "evidence_second", "adjudications"):
        header = next(csv.reader((load_pipeline().root / f"data/evidence/{name}.csv").open(encoding="utf-8")))
        assert "verdict" not in header and "status" not in header


def first_row(rows, **match):
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


@pytest.mark.parametrize(("change", "message"), [
    (lambda rows: first_row(rows, stance="supports").update(source="nowhere-2020"),
     r"evidence\.csv, line \d+, claim '[^']+', part '[^']+', source 'nowhere-2020', column 'source': unknown source"),
    (lambda rows: first_row(rows, stance="supports").update(quote="words the source never wrote"),
     r"column 'quote': the quote does not occur in the excerpt of source"),
    (lambda rows: first_row(rows, stance="supports").update(part="no-such-part"),
     r"column 'part': not a part of the claim"),
], ids=["unknown-source", "quote-not-in-excerpt", "unknown-part"])
def test_a_bad_evidence_row_names_file_line_claim_and_column(data_copy, change, message):
    rewrite_csv(data_copy / "data/evidence/evidence.csv", change)
    with pytest.raises(DataError, match=message):
        check_evidence(load_registry(data_copy), load_evidence(data_copy), DEFAULTS)


def test_an_unknown_stance_is_refused_by_the_schema(data_copy):
    rewrite_csv(data_copy / "data/evidence/evidence.csv",
                lambda rows: first_row(rows, stance="supports").update(stance="agrees"))
    with pytest.raises(DataError, match=r"evidence\.csv, line \d+, column 'stance'"):
        load_evidence(data_copy)


def test_a_copy_without_its_original_and_a_source_never_used_are_refused(data_copy):
    path = data_copy / "data/evidence/sources.csv"
    rewrite_csv(path, lambda rows: first_row(rows, kind="blog or copy").update(copy_of="missing-original"))
    with pytest.raises(DataError, match=r"column 'copy_of': a copy of 'missing-original', which is not a source"):
        load_evidence(data_copy)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        row["copy_of"] = "" if row["copy_of"] == "missing-original" else row["copy_of"]
    rows.append({**rows[0], "id": "never-cited", "url": "https://example.org/never"})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataError, match="source 'never-cited' is never used"):
        check_evidence(load_registry(data_copy), load_evidence(data_copy), DEFAULTS)


def test_validate_stops_before_any_kernel_on_a_bad_row(data_copy, monkeypatch, capsys):
    from scs_compendium import cli

    rewrite_csv(data_copy / "data/evidence/evidence.csv",
                lambda rows: first_row(rows, stance="supports").update(quote="words the source never wrote"))
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(data_copy))
    monkeypatch.chdir(data_copy)
    code = cli.main(["validate"])
    output = capsys.readouterr()
    assert code != 0 and "the quote does not occur in the excerpt" in output.err + output.out
    assert "Traceback" not in output.err + output.out


def test_agreement_on_stances_is_also_given_without_the_rows_both_readers_coded_silent():
    from scs_compendium import evidence as step
    from scs_compendium.claims.checks import stance_pairs
    from scs_compendium.claims.evidence import Decisions
    from scs_compendium.engine.spec import load_pipeline

    defaults = load_pipeline(REPO).step("evidence").defaults()
    values = step.analyse(REPO, **defaults)["agreement"]
    pairs = stance_pairs(load_registry(REPO), load_evidence(REPO), Decisions.of(defaults))
    both_silent = sum(a == b == "silent" for _, a, b in pairs)
    assert values["stances"]["items"] == len(pairs) and both_silent > 0
    assert values["stances_found"]["items"] == len(pairs) - both_silent
    assert values["stances_found"]["agree"] == values["stances"]["agree"] - both_silent
