"""Footnote 73 and the other cited figures: corroboration vocabulary and verdict rules."""

from __future__ import annotations


import pandas as pd
import pytest

from scs_compendium.article import actors_figures as cited
from scs_compendium.claims import CORROBORATION, load_registry
from scs_compendium.sources.datapackage import load_descriptor
from scs_compendium.errors import DataError
from scs_compendium.sources.tables import load_events, load_figures

from ..conftest import rewrite_csv


def test_one_corroboration_vocabulary():
    resource = next(r for r in load_descriptor()["resources"] if r["name"] == "cited_figures")
    enum = next(f for f in resource["schema"]["fields"] if f["name"] == "corroboration")["constraints"]["enum"]
    assert tuple(enum) == CORROBORATION
    assert {c.corroboration["status"] for c in load_registry() if c.corroboration} <= set(CORROBORATION)


def test_every_cited_figure_names_a_registered_claim():
    claims = {c.id: c for c in load_registry()}
    for claim_id in load_figures()["claim_id"]:
        assert claims[claim_id].step == "actors_figures"


def figure(**values):
    base = {"corroboration": "differs", "comparison": "number", "article_value": "672", "source_value": "656",
            "source_title": "S", "note": pd.NA}
    return {**base, **values}


@pytest.mark.parametrize(
    ("values", "tolerance", "verdict"),
    [
        ({"corroboration": "not found"}, 0.05, "not checkable"),
        ({"corroboration": "corroborated", "source_value": "672"}, 0.05, "reproduced"),
        ({}, 0.05, "partly reproduced"),  # 16 / 672 = 2.4%
        ({}, 0.01, "not reproduced"),
        ({"comparison": "meaning", "source_value": "96", "article_value": "96"}, 0.05, "partly reproduced"),
    ],
)
def test_verdict_rules(values, tolerance, verdict):
    assert cited.verdict(figure(**values), tolerance)[0] == verdict


def test_period_share_by_hand():
    batches = [(2018, 12), (2019, 16), (2021, 34)]
    assert cited.period_share(batches, 2018, 2020) == pytest.approx(28 / 62)
    row = figure(comparison="period", article_value="2018-2020", source_value="2018-2021")
    assert cited.verdict(row, 0.05, batches) == ("partly reproduced", "2018-2021 (S); 45% of the items fall within 2018-2020")
    assert cited.verdict(row, 0.05, [(2018, 1)])[0] == "reproduced"


def test_zone_batches_come_from_the_event_table():
    assert sorted(cited.zone_batches(load_events())) == [(2018, 12.0), (2019, 16.0), (2021, 34.0)]


def test_real_verdicts():
    analysis = cited.analyse(load_figures(), load_events(), load_registry(), CORROBORATION, tolerance=0.05)
    v = analysis["verdicts"]
    assert v["fn73-demonstration-zones-62"] == "reproduced"
    assert v["fn73-demonstration-zones-2018-2020"] == "partly reproduced"
    assert v["fn73-cities-672"] == "partly reproduced"
    assert v["fn73-ministerial-agencies-47"] == "not checkable"
    assert v["fn26-experian-96-percent"] == "partly reproduced"


def test_summary_counts_every_claim_once():
    claims = load_registry()
    summary = cited.corroboration_summary(claims, CORROBORATION)
    assert int(summary.to_numpy().sum()) == len(claims)
    assert list(summary.columns) == [*CORROBORATION, cited.NOT_RESEARCHED]


def test_differing_figure_without_address_is_refused(data_copy):
    def drop(rows):
        next(r for r in rows if r["id"] == "cities")["source_url"] = ""

    rewrite_csv(data_copy / "data/raw/cited_figures.csv", drop)
    with pytest.raises(DataError, match="figure 'cities': status 'differs' needs the 'source_url'"):
        load_figures(data_copy)


def test_analysis_carries_the_corroboration_of_every_claim():
    claims = load_registry()
    analysis = cited.analyse(load_figures(), load_events(), claims, CORROBORATION, tolerance=0.05)
    total = sum(sum(row.values()) for row in analysis["corroboration_by_section"].values())
    assert total == len(claims)
