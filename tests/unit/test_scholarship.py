"""Section 3: the citation table, the codebook, and the statistics of scholarship and media."""

from __future__ import annotations


import pandas as pd
import pytest

from scs_compendium.article import media_coverage as media, scholarship as sch
from scs_compendium.article.stats import bootstrap_median
from scs_compendium.errors import DataError
from scs_compendium.sources import tables

from ..conftest import rewrite_csv, step_defaults


def scholarship(citations, codebook, china=None, **overrides):
    """The scholarship analysis with the defaults of pipeline.yaml, some overridden."""
    return sch.analyse(citations, codebook, china, **{**step_defaults("scholarship"), **overrides})


def media_coverage(pieces, **overrides):
    """The media analysis with the defaults of pipeline.yaml, some overridden."""
    return media.analyse(pieces, **{**step_defaults("media_coverage"), **overrides})

# Works per footnote, counted by hand from the article's footnotes 1-80 (footnote 42 cites none;
# footnote 81 is not legible in our copy).
EXPECTED_PER_FOOTNOTE = {
    1: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 1, 8: 4, 9: 1, 10: 2, 11: 1, 12: 3, 13: 1, 14: 20, 15: 15, 16: 3,
    17: 10, 18: 5, 19: 2, 20: 5, 21: 3, 22: 1, 23: 2, 24: 1, 25: 2, 26: 2, 27: 2, 28: 1, 29: 1, 30: 1, 31: 1,
    32: 1, 33: 2, 34: 1, 35: 1, 36: 1, 37: 3, 38: 1, 39: 1, 40: 1, 41: 1, 43: 1, 44: 1, 45: 2, 46: 1, 47: 3,
    48: 1, 49: 4, 50: 3, 51: 1, 52: 2, 53: 3, 54: 1, 55: 1, 56: 2, 57: 2, 58: 3, 59: 1, 60: 1, 61: 1, 62: 2,
    63: 1, 64: 1, 65: 3, 66: 3, 67: 1, 68: 1, 69: 3, 70: 2, 71: 1, 72: 1, 73: 1, 74: 3, 75: 1, 76: 1, 77: 2,
    78: 1, 79: 1, 80: 1,
}


@pytest.fixture(scope="module")
def codebook():
    return tables.load_codebook()


@pytest.fixture(scope="module")
def citations(codebook):
    return tables.load_citations(codebook)


def test_every_footnote_has_all_its_citations(citations):
    assert sch.per_footnote_counts(citations) == EXPECTED_PER_FOOTNOTE


def test_no_duplicates_and_years_in_range(citations):
    numbered = citations[citations["footnote"].notna()]
    assert not numbered.duplicated(["footnote", "work"]).any()
    assert citations["year"].between(1980, 2022).all()


def test_every_role_used_is_defined(citations, codebook):
    used = set(citations["role"].dropna())
    assert used <= set(codebook["role"])
    assert set(codebook["role"]) <= used, "every code of the codebook is used"


def test_works_cited_under_two_roles_keep_both(citations):
    roles = citations.groupby("work")["role"].apply(lambda r: set(r.dropna()))
    assert roles["Hoffman 2017"] == {"prospective", "ongoing_development"}
    assert roles["Ohlberg et al. 2017"] == {"ongoing_development", "not_unanimously_popular"}


def hand_citations():
    rows = [("a 2017", "prospective"), ("b 2018", "prospective"), ("c 2019", "ongoing_development"),
            ("a 2017", "ongoing_development"), ("d 2020", "consultancy")]
    return pd.DataFrame([{"work": w, "role": r, "year": int(w.split()[1])} for w, r in rows])


def test_scholarship_statistics_on_a_hand_made_table(codebook):
    result = scholarship(hand_citations(), codebook)
    assert result["works"] == 4 and result["assignments"] == 5
    assert result["by_role"]["prospective"] == 2
    assert result["economic"]["works"] == 1 and result["economic"]["share"] == 0.25
    assert result["works_in_two_roles"] == ["a 2017"]
    assert result["years"]["median"] == 2018.5
    # 1 of 4 economic: the interval is wide; its upper bound is what 'hardly' is judged by
    assert result["economic"]["ci_high"] > 0.25


def test_year_range_and_roles_filter(codebook):
    result = scholarship(hand_citations(), codebook, roles=["prospective"], first_year=2018, last_year=2022)
    assert result["works"] == 1
    with pytest.raises(ValueError, match="not Western scholarship roles"):
        scholarship(hand_citations(), codebook, roles=["media_piece"])


def test_real_scholarship_verdicts(citations, codebook):
    china = {"economic_majority_everywhere": True,
             "corpora": {"cnki": {"label": "X (CNKI)", "economic": {"min_share": 0.55}}}}
    result = scholarship(citations, codebook, china)
    assert result["works"] == 38 and result["economic"]["works"] == 3
    assert result["economic"]["ci_high"] == pytest.approx(0.208, abs=1e-3)
    assert list(result["political_lens"].values()) == [True, True]
    assert result["strands"] == {"prospective": 15, "descriptive": 21, "consultancy": 3}
    assert result["china"] == {"CNKI": 0.55}




def test_unknown_role_code_is_refused(data_copy):
    rewrite_csv(data_copy / "data/raw/article_citations.csv", lambda rows: rows[20].update(role="visionary"))
    with pytest.raises(DataError, match=r"article_citations.csv, line 22, column 'role': unknown role 'visionary'"):
        tables.load_citations(tables.load_codebook(data_copy), data_copy)


def test_citation_without_year_is_refused(data_copy):
    rewrite_csv(data_copy / "data/raw/article_citations.csv", lambda rows: rows[3].update(year=""))
    with pytest.raises(DataError, match=r"article_citations.csv, line 5, column 'year': a value is required"):
        tables.load_citations(tables.load_codebook(data_copy), data_copy)


# --- media ---------------------------------------------------------------------------


def test_media_lags_on_hand_made_pieces():
    pieces = pd.DataFrame([
        {"outlet": "A", "author": "x", "year": 2016, "tone": "sensationalist", "date": "2016-01-01", "date_status": "exact"},
        {"outlet": "A", "author": "y", "year": 2019, "tone": "nuanced", "date": "2019-01-01", "date_status": "exact"},
        {"outlet": "B", "author": "z", "year": 2016, "tone": "sensationalist", "date": None, "date_status": "year only"},
        {"outlet": "B", "author": "w", "year": 2017, "tone": "nuanced", "date": None, "date_status": "year only"},
        {"outlet": "B", "author": "v", "year": 2020, "tone": "nuanced", "date": None, "date_status": "year only"},
    ])
    lags = {item["outlet"]: item for item in media.outlet_lags(pieces)}
    assert lags["A"]["lag_years"] == pytest.approx(3 * 365 / 365.25 + 1 / 365.25, abs=1e-3) and lags["A"]["from_dates"]
    assert lags["B"]["lag_years"] == 1.0 and lags["B"]["nuanced"] == "w 2017"
    result = media_coverage(pieces, few_years_min=2.0, few_years_max=5.0)
    assert result["nuanced_later"] == {"A": True, "B": True}
    assert result["median_lag_years"] == pytest.approx(2.0, abs=0.01) and result["outlets_within_few_years"] == 1
    assert list(result["lags_from_dates"]) == ["A"]  # B is dated by the article's years only
    assert result["dated_pieces_by_half_year"] == {"2016H1": 1, "2019H1": 1}


def test_an_approximate_date_places_a_piece_but_cannot_decide_its_lag():
    pieces = pd.DataFrame([
        {"outlet": "A", "author": "x", "year": 2016, "tone": "sensationalist", "date": "2016-10-22", "date_status": "approximate"},
        {"outlet": "A", "author": "y", "year": 2018, "tone": "nuanced", "date": "2018-11-29", "date_status": "exact"},
    ])
    (lag,) = media.outlet_lags(pieces)
    assert lag["from_dates"] is False and lag["lag_years"] == 2.0  # the years only, not the two dates


def test_bootstrap_is_reproducible_and_brackets_the_median():
    values = [1, 2, 2, 3, 3]
    assert bootstrap_median(values, 2000, 0.95, 1) == bootstrap_median(values, 2000, 0.95, 1)
    low, high = bootstrap_median(values, 500, 0.95, 3)
    assert low <= 2 <= high and 1 <= low and high <= 3


def test_real_media_table():
    pieces = tables.load_pieces()
    assert pieces["outlet"].nunique() == 9  # footnote 14 names nine outlets
    result = media_coverage(pieces)
    assert all(item["lag_years"] > 0 for item in result["lags"])
    assert result["median_lag_years"] == 2.0


def test_outlet_without_nuanced_piece_is_refused(data_copy):
    rewrite_csv(data_copy / "data/raw/media_pieces.csv", lambda rows: rows[1].update(tone="sensationalist"))
    with pytest.raises(DataError, match="outlet 'Business Insider': expected one sensationalist piece"):
        tables.load_pieces(data_copy)


def test_grouping_counts_works_once_per_group(codebook):
    by_strand = scholarship(hand_citations(), codebook, grouping="strand")["groups"]
    assert by_strand == {"prospective": 2, "descriptive": 2, "consultancy": 1}  # 'a 2017' is in two strands
    assert scholarship(hand_citations(), codebook, grouping="lens")["groups"] == {"political": 3, "economic": 1}
    with pytest.raises(ValueError, match="grouping must be one of"):
        scholarship(hand_citations(), codebook, grouping="colour")
