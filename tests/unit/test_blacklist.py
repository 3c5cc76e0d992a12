"""Footnote 66: the rate arithmetic, the unit guard, the verdicts, and the data tables."""

from __future__ import annotations

import pandas as pd
import pytest

from scs_compendium.article import blacklist_rates as bl
from scs_compendium.article import stats
from scs_compendium.claims import reported_values
from scs_compendium.errors import DataError
from scs_compendium.sources.evidence import load_sources
from scs_compendium.sources import tables
from scs_compendium.sources.datapackage import validate

from ..conftest import rewrite_csv, step_defaults

REPORTED = reported_values(list(bl.ARTICLE_CLAIMS))


def analyse(counts, population, entities, reported=REPORTED, **overrides):
    """The step's analysis with the defaults of pipeline.yaml, some overridden."""
    return bl.analyse(counts, population, entities, reported, **{**step_defaults("blacklist_rates"), **overrides})


@pytest.fixture(scope="module")
def real_data():
    return tables.load_counts(), tables.load_population(), tables.load_market_entities()


@pytest.fixture(scope="module")
def real():
    counts, population, entities = tables.load_counts(), tables.load_population(), tables.load_market_entities()
    return counts, population, entities, analyse(counts, population, entities)


def pick(rates, definition, base, year):
    [rate] = [r for r in rates if r["definition"] == definition and r["base"] == base and r["year"] == year]
    return rate


def test_rates_against_hand_computed_values(real):
    *_, analysis = real
    rates = analysis["population_rates"]
    assert pick(rates, "flow", "total", "2019")["percent"] == pytest.approx(100 * 3_000_000 / 1_400_050_000)
    assert pick(rates, "flow", "total", "2018")["percent"] == pytest.approx(100 * 2_614_000 / 1_395_380_000)
    assert pick(rates, "stock", "total", "2020")["percent"] == pytest.approx(100 * 5_700_000 / 1_400_050_000)
    # population aged 16+ from the 2020 census: total less those aged 0-15
    assert pick(rates, "stock", "aged_16_plus", "2020")["percent"] == pytest.approx(
        100 * 5_700_000 / (1_411_778_724 - 268_707_162))
    # end of 2018: the exact person-times figure wins over 'nearly 13 million'
    cumulative = pick(rates, "cumulative", "total", "2018")
    assert cumulative["percent"] == pytest.approx(100 * 12_880_000 / 1_395_380_000)
    assert cumulative["kind"] == "per 100 persons"
    entity = {r["definition"]: r["percent"] for r in analysis["entity_rates"]}
    assert entity["revoked_licences_per_enterprise"] == pytest.approx(100 * 957_900 / 32_315_000)
    assert entity["legal_subjects_per_market_entity"] == pytest.approx(
        100 * 3_594_000 * 59_408 / 341_492 / 103_000_000)


def test_population_16_plus_for_2018_adds_the_age_bands(real):
    _, population, _, _ = real
    count, gap = bl.population_denominator(population, pd.Timestamp("2018-12-31"), "aged_16_plus")
    assert count.value == 897_290_000 + 249_490_000 and gap == 0


def test_assumptions_are_recorded(real):
    *_, analysis = real
    flow_2019 = pick(analysis["population_rates"], "flow", "total", "2019")
    assert any("upper bound" in a for a in flow_2019["assumptions"])
    assert "3,000,000 persons / 1,400,050,000 persons" in flow_2019["arithmetic"]


def test_the_claims_get_every_definition_for_the_years_of_footnote_66(real):
    *_, analysis = real
    years = analysis["in_claim_years"]
    assert set(years["flow_total"]) == {"2019", "2020"}
    assert years["flow_total"]["2019"] == pytest.approx(0.2143, abs=1e-4)
    assert years["stock_total"] == {"2020": pytest.approx(0.407, abs=1e-3)}
    assert "2018" in analysis["other_years"]["flow_total"] and "2018" not in years["flow_total"]
    assert analysis["trustworthy_in_claim_years"]["2020, total"] == pytest.approx(100 - years["stock_total"]["2020"])


def test_claim_years_move_what_the_claims_read(real):
    counts, population, entities, _ = real
    moved = analyse(counts, population, entities, claim_years=["2018"])["in_claim_years"]
    assert set(moved["flow_total"]) == {"2018"}


def test_max_gap_widens_the_table(real):
    counts, population, entities, analysis = real
    wide = analyse(counts, population, entities, max_gap_years=3.5)
    assert len(wide["population_rates"]) > len(analysis["population_rates"])
    assert any(r["base"] == "aged_16_plus" and r["year"] == "2023" for r in wide["population_rates"])


# --- the unit guard ------------------------------------------------------------------

PERSONS = stats.Count(100, "persons", "population", "test source")


def test_share_refuses_incompatible_units():
    times = stats.Count(3, "person-times", "listings", "test source")
    with pytest.raises(stats.UnitError, match=r"cannot take listings \(person-times\) as a share of population"):
        stats.share(times, PERSONS)
    with pytest.raises(stats.UnitError, match="cannot take"):
        stats.share(stats.Count(3, "blocked purchases", "tickets", "s"), PERSONS)
    with pytest.raises(stats.UnitError, match="an intensity needs"):
        stats.per_hundred(stats.Count(3, "persons", "people", "s"), PERSONS)


def test_explicit_assumption_allows_the_division():
    times = stats.Count(3, "person-times", "listings", "test source")
    converted = stats.assume_unit(times, "persons", "each listing is a different person")
    assert stats.share(converted, PERSONS) == 3.0
    assert converted.assumptions == ("each listing is a different person",)
    assert stats.per_hundred(times, PERSONS) == 3.0


def test_figure_without_unit_or_source_is_rejected():
    with pytest.raises(stats.UnitError, match="unknown unit 'tickets'"):
        stats.Count(1, "tickets", "x", "source")
    with pytest.raises(stats.UnitError, match="x: a figure needs its source"):
        stats.Count(1, "persons", "x", "")


# --- the data tables ------------------------------------------------------------------

TABLES = ["china_blacklist_counts", "china_population", "china_market_entities", "western_comparators"]


def test_tables_validate_against_their_schemas():
    validate(names=TABLES)


def test_every_figure_has_a_source_and_a_known_unit():
    counts = tables.load_counts()
    sources = load_sources()
    assert counts["source"].isin(list(sources)).all()
    assert all(sources[s].url.startswith("http") and sources[s].publisher for s in counts["source"])
    assert set(counts["unit"]) <= set(stats.UNITS)


def test_unknown_unit_in_the_data_is_rejected(data_copy):
    path = data_copy / "data/raw/china_blacklist_counts.csv"
    path.write_text(path.read_text().replace(",blocked purchases,", ",tickets,", 1))
    with pytest.raises(DataError, match=r"china_blacklist_counts.csv, line \d+, column 'unit': value 'tickets' breaks a constraint"):
        tables.load_counts(data_copy)


def test_figure_without_source_is_rejected(data_copy):
    rewrite_csv(data_copy / "data/raw/china_population.csv", lambda rows: rows[0].update(source=""))
    with pytest.raises(DataError, match=r"china_population.csv, line 2, column 'source': a value is required, but the cell is blank"):
        tables.load_population(data_copy)


def test_the_articles_figures_come_from_the_claims_registry(real_data):
    counts, population, entities = real_data
    assert bl.article_figures(REPORTED)["range_percent"] == [0.15, 0.30]
    moved = {**REPORTED, "fn66-blacklisted-population-share": [0.35, 0.45]}  # as if the registry said 0.35-0.45%
    assert analyse(counts, population, entities, moved)["article"]["range_percent"] == [0.35, 0.45]


# --- qualifiers, derived rows and the legal-person denominators ------------------------


def test_a_qualified_count_keeps_its_qualifier(real):
    *_, analysis = real
    flow_2019 = pick(analysis["population_rates"], "flow", "total", "2019")
    assert flow_2019["numerator"].endswith(", nearly")  # 接近300万: 3,000,000 is an upper bound
    assert any("says 'nearly' 3,000,000" in a and "upper bound" in a for a in flow_2019["assumptions"])
    stock_2020 = pick(analysis["population_rates"], "stock", "total", "2020")
    assert any(a.startswith("ft-current-2020-early: ASSUMPTION (compendium)") for a in stock_2020["assumptions"])


def test_derived_rows_are_used_only_where_no_published_figure_exists(real_data):
    counts, population, entities = real_data
    # end 2020: the published 1.412 billion, not the derived 1,412,120,000
    count, gap = bl.population_denominator(population, pd.Timestamp("2020-12-31"), "total")
    assert "pop-2020-end)" in count.label and count.value == 1_412_000_000 and gap == 0
    # end 2020 market entities: no published figure, so the derived one, marked as such
    count, _ = bl.entity_denominator(entities, pd.Timestamp("2020-12-31"), "market entities")
    assert count.label.endswith("derived") and any("154,000,000 / 1.111" in a for a in count.assumptions)
    assert "npcic-2019-03-new-subjects" not in set(stats.usable(counts[counts["value_origin"] == "published"])["id"])
    assert len(stats.usable(counts)) == len(counts)  # the derived counts fill gaps (own indicator or month)


def test_legal_person_denominators_are_in_the_data(real_data):
    *_, entities = real_data
    by_id = entities.set_index("id")
    assert by_id.loc["legal-entities-2018-census", "value"] == 21_789_000  # 法人单位, NBS census, end 2018
    assert by_id.loc["corp-enterprises-2018-census", "value"] == 18_570_000  # 企业法人
    assert load_sources()[by_id.loc["legal-entities-2018-census", "source"]].kind == "official statistics"
