"""Footnote 73: the article's counts come from the registry, the zone batches from the event table."""

from __future__ import annotations

import pytest

from scs_compendium.article import actors_figures as af
from scs_compendium.claims.registry import article_counts
from scs_compendium.errors import ClaimsError
from scs_compendium.sources.tables import load_events


def test_the_articles_counts_are_read_from_the_registry():
    counts = article_counts(af.FN73)
    assert counts["fn73-cities-672"][1] == 672.0
    assert counts["fn73-ministerial-agencies-47"][1] == 47.0
    assert set(counts) == set(af.FN73)


def test_a_claim_without_a_number_part_is_refused():
    with pytest.raises(ClaimsError, match="s5-promoted-by-jiang-2001.*compared by number"):
        article_counts(("s5-promoted-by-jiang-2001",))


def test_zone_batches_come_from_the_event_table():
    analysis = af.analyse(load_events(), article_counts(af.FN73))
    assert analysis["zone_years"] == [2018, 2019, 2021]
    assert analysis["zones_in_batches"] == 62


def test_findings_name_each_count_with_the_verdict_it_is_given():
    analysis = af.analyse(load_events(), article_counts(af.FN73))
    text = af.findings(analysis, {"fn73-cities-672": "partly reproduced"})
    assert "(672): partly reproduced" in text
    assert "(47): pending" in text
