"""Footnote 22 statistics, on hand-computed cases and small hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from scs_compendium.errors import DataError
from scs_compendium.article import literature_shares
from scs_compendium.article.literature_shares import compatible_counts
from scs_compendium.article.stats import majority_test, wilson_interval
from scs_compendium.sources.tables import load_classification

from ..conftest import step_defaults


def analyse(frame, **overrides):
    """The footnote 22 analysis with the defaults of pipeline.yaml, some overridden."""
    return literature_shares.analyse(frame, **{**step_defaults("literature_shares"), **overrides})


@pytest.mark.parametrize(
    ("total", "percent", "qualifier", "expected"),
    [
        (77, 65, "rounded", (50, 50)),  # 49.665 <= k < 50.435
        (77, 22, "rounded", (17, 17)),  # 16.555 <= k < 17.325
        (9106, 33, "rounded", (2960, 3050)),  # 2959.45 <= k < 3050.51
        (9106, 55, "more_than", (5009, 9106)),  # k > 5008.3
        (200, 50, "more_than", (101, 200)),  # exactly half is not 'more than'
        (7, 50, "rounded", (4, 3)),  # 3.465 <= k < 3.535: no whole count fits
    ],
)
def test_compatible_counts_by_hand(total, percent, qualifier, expected):
    assert compatible_counts(total, percent, qualifier) == expected


def test_compatible_counts_half_up_boundaries():
    # 1/8 = 12.5% rounds up to 13%; 3/8 = 37.5% rounds to 38%, not 37%.
    assert compatible_counts(8, 13, "rounded") == (1, 1)
    assert compatible_counts(8, 37, "rounded") == (3, 2)
    # A coarser rounding step widens the range: 30% at 10 points allows 25% <= k/20 < 35%.
    assert compatible_counts(20, 30, "rounded", precision=10) == (5, 6)


def test_compatible_counts_rejects_bad_arguments():
    with pytest.raises(ValueError, match="qualifier"):
        compatible_counts(10, 5, "about")
    with pytest.raises(ValueError, match="total"):
        compatible_counts(0, 5, "rounded")


def test_wilson_interval_matches_the_formula():
    k, n, z = 50, 77, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = wilson_interval(k, n, 0.95)
    assert low == pytest.approx(centre - half, abs=1e-9)
    assert high == pytest.approx(centre + half, abs=1e-9)


def test_majority_test_is_the_upper_binomial_tail():
    # P(X >= 3 | n = 4, p = 1/2) = 5/16
    assert majority_test(3, 4) == pytest.approx(5 / 16)
    assert majority_test(9, 10, threshold=0.5) == pytest.approx(11 / 1024)


def hand_table(**changes) -> pd.DataFrame:
    rows = [
        {"corpus_id": "x", "corpus": "Corpus X (X)", "total": 100, "total_unit": "items",
         "category_id": "econ", "category": "economics", "reported_percent": 60.0,
         "qualifier": "rounded", "economic_field": True},
        {"corpus_id": "x", "corpus": "Corpus X (X)", "total": 100, "total_unit": "items",
         "category_id": "law", "category": "law", "reported_percent": 30.0,
         "qualifier": "more_than", "economic_field": False},
    ]
    frame = pd.DataFrame(rows)
    for key, value in changes.items():
        frame[key] = value
    return frame


def test_analyse_hand_made_table():
    result = analyse(hand_table(), economic_categories=["econ"])
    corpus = result["corpora"]["x"]
    assert corpus["categories"]["econ"]["count_range"] == [60, 60]
    # 'more than 30%' of 100 is 31..100, but the fields are disjoint: at most 100 - 60.
    assert corpus["categories"]["law"]["count_range"] == [31, 40]
    assert corpus["economic"]["min_count"] == 60
    assert corpus["economic"]["p_value"] == pytest.approx(majority_test(60, 100))
    assert corpus["economic"]["above_threshold"] is True  # p = 0.028 < 0.05
    assert result["economic_majority_everywhere"] is True


def test_analyse_verdict_moves_with_parameters():
    # At the 1% level, 60 of 100 is not enough evidence of a majority.
    assert analyse(hand_table(), economic_categories=["econ"], significance=0.01)["economic_majority_everywhere"] is False
    # Counting law as economic too: 60 + 31 of 100.
    moved = analyse(hand_table(), economic_categories=["econ", "law"])
    assert moved["corpora"]["x"]["economic"]["min_count"] == 91
    # Without the disjointness assumption the open range is not cut.
    assert analyse(hand_table(), economic_categories=["econ"], assume_disjoint=False)["corpora"]["x"]["categories"]["law"]["count_range"] == [31, 100]


def test_analyse_rejects_unknown_economic_category():
    with pytest.raises(ValueError, match="economic_categories: \\['nope'\\]"):
        analyse(hand_table(), economic_categories=["nope"])


def test_real_footnote_22_figures():
    result = analyse(load_classification())
    cnki = result["corpora"]["cnki"]
    assert cnki["categories"]["finance_economics"]["count_range"] == [5009, 9106 - 2960]
    assert result["corpora"]["credit_china"]["economic"]["min_count"] == 50
    assert result["all_consistent"] is True
    assert result["economic_majority_everywhere"] is True


def test_table_checks_name_the_file_and_corpus(data_copy):
    path = data_copy / "data/raw/literature_classification.csv"
    path.write_text(path.read_text().replace(",9106,results,governance", ",9107,results,governance"))
    with pytest.raises(DataError, match=r"literature_classification.csv: corpus 'cnki' has differing 'total'"):
        load_classification(data_copy)


def test_shares_over_100_percent_are_refused(data_copy):
    path = data_copy / "data/raw/literature_classification.csv"
    path.write_text(path.read_text().replace(",33,rounded,", ",53,rounded,"))
    with pytest.raises(DataError, match=r"add up to 108.0%"):
        load_classification(data_copy)


def test_notebook_tables():
    from scs_compendium.article.literature_shares import count_table, majority_table

    result = analyse(hand_table(), economic_categories=["econ"])
    assert list(count_table(result)["whole counts allowed"]) == ["60-60", "31-40"]
    assert list(majority_table(result)["least economic count"]) == ["60 of 100"]
