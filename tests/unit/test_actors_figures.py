"""Footnote 73 and the other cited figures: what the step hands the claims registry."""

from __future__ import annotations

import pytest

from scs_compendium.article import actors_figures as cited
from scs_compendium.claims import RESEARCH_STATUSES, load_registry
from scs_compendium.errors import DataError
from scs_compendium.sources.tables import load_events, load_figures

from ..conftest import rewrite_csv, step_defaults


def analyse(**overrides):
    return cited.analyse(load_figures(), load_events(), load_registry(), RESEARCH_STATUSES,
                         **{**step_defaults("actors_figures"), **overrides})


def test_every_cited_figure_names_a_registered_claim():
    claims = {c.id: c for c in load_registry()}
    for claim_id in load_figures()["claim_id"]:
        assert claim_id in claims


def test_numbers_a_source_gives_are_handed_over_and_missing_ones_are_none():
    values = analyse()["source_values"]
    assert values["fn73-cities-672"] == 656.0  # 中国信用 2018 (4): 656 cities monitored
    assert values["fn73-demonstration-zones-62"] == 62.0
    assert values["fn73-ministerial-agencies-47"] is None  # no source gives the count


def test_zone_batches_come_from_the_event_table():
    batches = cited.zone_batches(load_events())
    assert sorted(batches.values()) == [2018, 2019, 2021]
    assert sum(float(label.split()[0]) for label in batches) == 62


def test_summary_counts_every_claim_once():
    claims = load_registry()
    summary = cited.corroboration_summary(claims, RESEARCH_STATUSES)
    assert int(summary.to_numpy().sum()) == len(claims)
    assert list(summary.columns) == [*RESEARCH_STATUSES, cited.NOT_RESEARCHED]
    assert summary[cited.NOT_RESEARCHED].sum() == 0, "every claim carries research"


def test_analysis_carries_the_research_of_every_claim():
    total = sum(sum(row.values()) for row in analyse()["corroboration_by_section"].values())
    assert total == len(load_registry())


def test_differing_figure_without_address_is_refused(data_copy):
    def drop(rows):
        next(r for r in rows if r["id"] == "cities")["source_url"] = ""

    rewrite_csv(data_copy / "data/raw/cited_figures.csv", drop)
    with pytest.raises(DataError, match="figure 'cities': status 'differs' needs the 'source_url'"):
        load_figures(data_copy)


def test_the_notebooks_table_is_the_summary_analyse_counted():
    claims = load_registry()
    direct = cited.corroboration_summary(claims, RESEARCH_STATUSES)
    table = cited.research_table(analyse())
    assert list(table.index) == list(direct.index) and list(table.columns) == list(direct.columns)
    assert (table.to_numpy() == direct.to_numpy()).all()
