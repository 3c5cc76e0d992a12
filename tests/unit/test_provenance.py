"""Every data row has its source, a quote and an access date; the loaders enforce the provenance rules."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from scs_compendium.errors import DataError
from scs_compendium.sources import tables
from scs_compendium.sources.datapackage import load_descriptor, load_table, validate
from scs_compendium.sources.evidence import load_evidence, load_sources, quote_in
from scs_compendium.sources.tables import ARTICLE_SOURCE

from ..conftest import REPO, rewrite_csv

# Tables whose only source is the article itself: they cite its footnote or section instead.
ARTICLE_TABLES = {"literature_classification": "article_location", "article_citations": "section",
                  "citation_roles_codebook": "footnote"}
QUOTE_COLUMNS = ("quote", "article_quote", "start_quote", "end_quote", "label_quote")


def blank(value) -> bool:
    return pd.isna(value) or str(value).strip() == ""


def tables_of_the_package():
    return [(r["name"], r) for r in load_descriptor()["resources"] if r["path"].startswith("raw/")]


SOURCES = load_sources()


@pytest.mark.parametrize(("name", "resource"), tables_of_the_package(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_row_has_a_source_a_quote_and_an_access_date(name, resource):
    """A row names its source in the sources table: the article (with the article's words and where they
    stand), or a source read on a given day at an address, whose excerpt holds the row's verbatim quote."""
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
        if all(blank(row.get(c)) for c in QUOTE_COLUMNS):
            problems.append(f"line {line}: no quote")
        if "source" not in row:
            if blank(row.get("accessed")):
                problems.append(f"line {line}: no access date")
            continue
        ids = [] if blank(row["source"]) else [i.strip() for i in str(row["source"]).split(";")]
        if not ids or any(i not in SOURCES for i in ids):
            problems.append(f"line {line}: source {row['source']!r} is not a row of the sources table")
            continue
        if ids == [ARTICLE_SOURCE]:
            if blank(row.get("article_quote")) or blank(row.get("article_location")):
                problems.append(f"line {line}: a row resting on the article needs its words and where they stand")
            continue
        read = [SOURCES[i] for i in ids if SOURCES[i].verified]  # a further source named but not read cannot decide
        if not read or not all(s.url.startswith("http") and s.accessed for s in read):
            problems.append(f"line {line}: no source of {ids} was read at an address on a given day")
        if not any(quote_in(str(row["quote"]), s.excerpt) for s in read):
            problems.append(f"line {line}: the quote is not in the excerpt of {ids}")
    assert not problems, f"{resource['path']}: " + "; ".join(problems)
    assert all(s.get("accessed") for s in resource["sources"]), f"{name}: sources need their access date"


def test_no_address_is_typed_in_a_data_table():
    """Addresses live in the sources table only: no data table has an address column or types one."""
    for name, resource in tables_of_the_package():
        columns = {f["name"] for f in resource["schema"]["fields"]}
        assert not columns & {"source_url", "date_source_url", "source_title", "publisher", "mirror_of"}, name
        text = (REPO / "data" / resource["path"]).read_text(encoding="utf-8")
        addresses = {key for key in re.findall(r"https?://[^\s,;)\"']+", text)}
        assert not addresses & {s.url for s in SOURCES.values() if s.url}, (name, addresses)


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
    rewrite_csv(data_copy / "data/evidence/sources.csv", lambda rows: rows[1].update(accessed="2999-01-01"))
    with pytest.raises(DataError, match=r"sources.csv, line 3, column 'accessed': date 2999-01-01 is in the future"):
        validate(data_copy, ["sources"])


def _song_without_quote(rows):
    [row] = [r for r in rows if r["author"] == "Song"]
    row.update(quote="")


@pytest.mark.parametrize(("table", "change", "loader", "message"), [
    ("timeline_events", edit("health-code", quote=""), "load_events",
     r"line \d+, column 'quote': a row with source '[a-z0-9-]+' needs the verbatim quote of that source"),
    ("china_blacklist_counts", edit("ft-current-2020-early", assumption=""), "load_counts",
     r"line \d+, column 'assumption': an approximate date needs"),
    ("timeline_events", edit("opening-up", date_origin="outside_source"), "load_events", r"line 2, column 'date_origin'"),
    ("timeline_events", edit("demo-zones-batch-2", value_origin=""), "load_events", r"line \d+, column 'value_origin'"),
    ("timeline_phases", edit("financial-scs", start_quote=""), "load_phases", r"line 3, column 'start_quote'"),
    ("media_pieces", _song_without_quote, "load_pieces", r"line \d+, column 'quote'"),
], ids=["quote", "assumption", "outside-date", "quantity-origin", "phase-quote", "tone-quote"])
def test_a_broken_provenance_rule_names_file_line_and_column(data_copy, table, change, loader, message):
    rewrite_csv(data_copy / f"data/raw/{table}.csv", change)
    with pytest.raises(DataError, match=rf"{table}.csv, {message}"):
        getattr(tables, loader)(data_copy)


def test_a_row_resting_on_the_article_needs_its_words():
    frame = pd.DataFrame({"source": ["bloch-2022", "bloch-2022"], "quote": ["", ""], "article_quote": ["words", ""]})
    frame.attrs["path"] = "data/raw/toy.csv"
    with pytest.raises(DataError, match=r"toy.csv, line 3, column 'article_quote': a row resting on the article needs"):
        tables.check_provenance(frame)


@pytest.mark.parametrize(("change", "message"), [
    (edit("npcic-2018-new-subjects", source="no-such-source"),
     r"china_blacklist_counts.csv, line 2, column 'source': unknown source 'no-such-source' \(not a row of data/evidence/sources.csv\)"),
    (edit("npcic-2018-new-subjects", quote="2018年,全国新增失信黑名单主体999.9万个"),
     r"china_blacklist_counts.csv, line 2, column 'quote': the quote does not occur in the excerpt of source henan-china-npcic-2018-new-subjects"),
], ids=["unknown-source", "quote-not-in-excerpt"])
def test_a_table_row_is_checked_against_the_sources_table(data_copy, change, message):
    rewrite_csv(data_copy / "data/raw/china_blacklist_counts.csv", change)
    with pytest.raises(DataError, match=message):
        load_evidence(data_copy)


def test_coding_columns_are_declared_as_coding():
    resources = {r["name"]: r for r in load_descriptor()["resources"]}
    fields = {name: {f["name"]: f for f in r["schema"]["fields"]} for name, r in resources.items()}
    assert "Coding by the compendium" in fields["media_pieces"]["tone"]["description"]
    assert fields["media_pieces"]["tone_basis"]["constraints"]["enum"] == ["article_order", "read_piece"]
    assert "compendium_coding" in fields["controversy_responses"]["link_origin"]["constraints"]["enum"]
    assert "compendium_coding" in fields["timeline_phases"]["origin"]["constraints"]["enum"]
    for name in ("china_blacklist_counts", "china_population", "china_market_entities", "western_comparators"):
        for column in ("qualifier", "date_precision", "value_origin"):
            assert fields[name][column]["constraints"]["enum"], (name, column)
