"""Every data row has its source, a quote and an access date; the loaders enforce the provenance rules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from scs_compendium.errors import DataError
from scs_compendium.sources import tables
from scs_compendium.sources.datapackage import load_descriptor, load_table

from ..conftest import rewrite_csv

# Tables whose only source is the article itself: they cite its footnote or section instead.
ARTICLE_TABLES = {"literature_classification": "article_location", "article_citations": "section",
                  "citation_roles_codebook": "footnote"}
SOURCE_COLUMNS = ("source_url", "date_source_url")
QUOTE_COLUMNS = ("quote", "article_quote", "start_quote", "end_quote", "label_quote")


def blank(value) -> bool:
    return pd.isna(value) or str(value).strip() == ""


def tables_of_the_package():
    return [(r["name"], r) for r in load_descriptor()["resources"] if r["path"].startswith("raw/")]


@pytest.mark.parametrize(("name", "resource"), tables_of_the_package(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_row_has_a_source_a_quote_and_an_access_date(name, resource):
    frame = load_table(name)
    if name in ARTICLE_TABLES:
        assert any("doi.org/10.1515/asia-2021-0019" in s.get("path", "") for s in resource["sources"]), name
        assert all(s.get("accessed") for s in resource["sources"]), f"{name}: sources need their access date"
        column = ARTICLE_TABLES[name]
        cited = frame[column].notna() & (frame[column].astype("string").str.strip() != "")
        assert cited.all(), f"{name}: rows {list(frame.index[~cited] + 2)} cite no footnote or section of the article"
        return
    problems = []
    for line, row in zip(range(2, len(frame) + 2), frame.to_dict("records")):
        has_address = any(not blank(row.get(c)) for c in SOURCE_COLUMNS)
        rests_on_article = (row.get("source_kind", "article") == "article") and not blank(row.get("article_location"))
        if not (has_address or rests_on_article):
            problems.append(f"line {line}: no source (address, or the article's location for a row resting on it)")
        if all(blank(row.get(c)) for c in QUOTE_COLUMNS):
            problems.append(f"line {line}: no quote")
        if blank(row.get("accessed")):
            problems.append(f"line {line}: no access date")
        elif pd.Timestamp(str(row["accessed"])[:10]).date() > date.today():
            problems.append(f"line {line}: access date in the future")
    assert not problems, f"{resource['path']}: " + "; ".join(problems)
    assert all(s.get("accessed") for s in resource["sources"]), f"{name}: sources need their access date"


def test_a_quote_contains_the_number_it_supports():
    """Published counts: the quote prints the value (in units, 万, million or billion)."""
    for loader in (tables.load_counts, tables.load_population, tables.load_market_entities):
        frame = loader()
        for row in frame[frame["value_origin"] == "published"].itertuples():
            quote = row.quote.replace(",", "").replace(" ", "")
            forms = {f"{row.value / d:.6f}".rstrip("0").rstrip(".") for d in (1, 1e4, 1e6, 1e8, 1e9)}
            mixed = {"me-2022-05": "1億5900万", "ent-2022-05": "5011万9000"}  # numerals written in mixed units
            assert any(f in quote for f in forms) or mixed.get(row.id, "\0") in quote, (row.id, row.quote)


# --- the loader checks, each broken on a copy --------------------------------------------


def edit(row_id, **changes):
    def change(rows):
        [row] = [r for r in rows if r.get("id") == row_id]
        row.update(changes)
    return change


def test_derived_value_needs_its_derivation(data_copy):
    rewrite_csv(data_copy / "data/raw/china_population.csv", edit("pop-2018-16plus", derivation=""))
    with pytest.raises(DataError, match=r"china_population.csv, line 12, column 'derivation': a derived value needs its derivation"):
        tables.load_population(data_copy)


def test_value_with_a_derivation_is_not_published(data_copy):
    rewrite_csv(data_copy / "data/raw/china_blacklist_counts.csv", edit("qcc-new-2019-implied", value_origin="published"))
    with pytest.raises(DataError, match=r"china_blacklist_counts.csv, line \d+, column 'value_origin': .* must be marked 'derived'"):
        tables.load_counts(data_copy)


def test_access_date_in_the_future_is_refused(data_copy):
    rewrite_csv(data_copy / "data/raw/china_market_entities.csv", lambda rows: rows[0].update(accessed="2999-01-01"))
    with pytest.raises(DataError, match=r"china_market_entities.csv, line 2, column 'accessed': (access )?date 2999-01-01 is in the future"):
        tables.load_market_entities(data_copy)
    rewrite_csv(data_copy / "data/raw/media_pieces.csv", lambda rows: rows[0].update(accessed="2999-01"))
    with pytest.raises(DataError, match=r"media_pieces.csv, line 2, column 'accessed': access date 2999-01 is in the future"):
        tables.load_pieces(data_copy)


def _song_without_quote(rows):
    [row] = [r for r in rows if r["author"] == "Song"]
    row.update(quote="", source_kind="article")


@pytest.mark.parametrize(("table", "change", "loader", "message"), [
    ("timeline_events", edit("health-code", quote=""), "load_events",
     r"line \d+, column 'quote': a sourced row needs the verbatim quote"),
    ("china_blacklist_counts", edit("npcic-2018-new-subjects", mirror_of=""), "load_counts",
     r"line 2, column 'mirror_of': a mirror must say what it reprints"),
    ("china_blacklist_counts", edit("ft-current-2020-early", assumption=""), "load_counts",
     r"line \d+, column 'assumption': an approximate date needs"),
    ("timeline_events", edit("opening-up", date_origin="outside_source"), "load_events", r"line 2, column 'date_origin'"),
    ("timeline_events", edit("demo-zones-batch-2", value_origin=""), "load_events", r"line \d+, column 'value_origin'"),
    ("timeline_phases", edit("financial-scs", start_quote=""), "load_phases", r"line 3, column 'start_quote'"),
    ("media_pieces", _song_without_quote, "load_pieces", r"line \d+, column 'quote'"),
], ids=["quote", "mirror", "assumption", "outside-date", "quantity-origin", "phase-quote",
        "tone-quote"])
def test_a_broken_provenance_rule_names_file_line_and_column(data_copy, table, change, loader, message):
    rewrite_csv(data_copy / f"data/raw/{table}.csv", change)
    with pytest.raises(DataError, match=rf"{table}.csv, {message}"):
        getattr(tables, loader)(data_copy)


def test_coding_columns_are_declared_as_coding():
    resources = {r["name"]: r for r in load_descriptor()["resources"]}
    fields = {name: {f["name"]: f for f in r["schema"]["fields"]} for name, r in resources.items()}
    assert "Coding by the compendium" in fields["media_pieces"]["tone"]["description"]
    assert fields["media_pieces"]["tone_basis"]["constraints"]["enum"] == ["article_order", "read_piece"]
    assert "compendium_coding" in fields["controversy_responses"]["link_origin"]["constraints"]["enum"]
    assert "compendium_coding" in fields["timeline_phases"]["origin"]["constraints"]["enum"]
    for name in ("china_blacklist_counts", "china_population", "china_market_entities", "western_comparators"):
        for column in ("qualifier", "date_precision", "source_kind", "value_origin"):
            assert fields[name][column]["constraints"]["enum"], (name, column)
