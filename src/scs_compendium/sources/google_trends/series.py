"""What a Google Trends series can say: its frequency, the periods it covers, gaps, and series that say nothing.

The snapshot metadata records `first_period`, `last_period` (start dates of the first and
last periods, ISO), `complete` (no period missing between them), `missing_periods` (the first
missing ones, ISO) with `missing_period_count`, and `covers_article_period`: every month of the
article's search, 2004-01 to 2022-12, holds a complete (not partial) period of the series. That is
the one coverage rule: the import records it, and the analysis applies the same
:func:`months_without_data` to the months it analyses, so that a weekly export starting on the
first Sunday of 2004 covers the period in both. An analysis must not decide a claim about a period
the series does not cover, nor on a series that does not vary (:func:`without_variation`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, Iterable

import pandas as pd

from .client import TrendsError

ARTICLE_PERIOD = (date(2004, 1, 1), date(2022, 12, 31))  # the article searched Google Trends from 2004 to 2022
_SHOWN_GAPS = 24


def frequency_of(dates: Iterable) -> str:
    """'day', 'week' or 'month', from the usual spacing of the dates."""
    days = pd.Series(sorted(set(pd.to_datetime(list(dates))))).diff().dt.days.dropna()
    if days.empty:
        return "month"
    step = days.median()
    return "day" if step <= 1 else "week" if step <= 7 else "month"


def _next(period: date, frequency: str) -> date:
    if frequency == "day":
        return period + timedelta(days=1)
    if frequency == "week":
        return period + timedelta(days=7)
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def months_without_data(dates: Iterable, start, end) -> list[pd.Period]:
    """The months from `start` to `end` (dates or ISO text) in which no period of the series starts."""
    wanted = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    have = set(pd.to_datetime(pd.Series(list(dates), dtype=object)).dt.to_period("M"))
    return [period for period in wanted if period not in have]


def without_variation(values: Iterable, below_one: Iterable | None = None) -> str | None:
    """Why a series cannot say when interest rose or peaked, or None: every value 0, every value '<1', or
    every value the same (a constant 100, say)."""
    values = pd.Series(list(values), dtype=float)
    low = pd.Series(list(below_one), dtype=bool) if below_one is not None else values < 1
    if values.empty:
        return "the series is empty"
    if ((values == 0) & ~low).all():
        return "the series holds no interest at all (every value 0)"
    if (low | (values < 1)).all():
        return "every value is below 1 (Google's '<1'): too little interest to say when it rose or peaked"
    if values.max() == values.min():
        return f"the series does not vary (every value {values.iloc[0]:g}): it cannot say when interest rose or peaked"
    return None


def coverage(dates: Iterable, frequency: str, partial: Iterable = ()) -> dict:
    """The metadata keys on coverage: first and last period, completeness, missing periods, and whether the
    complete periods (`partial` ones left out) cover the article's period month by month."""
    present = sorted({pd.Timestamp(d).date() for d in dates})
    first, last = present[0], present[-1]
    have = set(present)
    missing, period = [], first
    while period < last:
        period = _next(period, frequency)
        if period <= last and period not in have:
            missing.append(period)
    unfinished = {pd.Timestamp(d).date() for d in partial}
    uncovered = months_without_data([d for d in present if d not in unfinished], *ARTICLE_PERIOD)
    return {
        "first_period": first.isoformat(),
        "last_period": last.isoformat(),
        "complete": not missing,
        "missing_periods": [d.isoformat() for d in missing[:_SHOWN_GAPS]],
        "missing_period_count": len(missing),
        "covers_article_period": not uncovered,
        "uncovered_article_months": len(uncovered),
    }


def check_series(frame: pd.DataFrame, metadata: dict, where: str, log: Callable[[str], None]) -> None:
    """Refuse a series that can decide nothing (all zeros); warn of gaps, of a short coverage and of a series
    that does not vary (its claims will read 'not checkable')."""
    chosen = frame[frame["series"] == metadata["query"]]
    if chosen.empty or ((chosen["value"] == 0) & ~chosen["below_one"].astype(bool)).all():
        raise TrendsError(
            f"{where}: every value of {metadata['query']!r} is 0: Google Trends had too little search volume to "
            "report (or the query is misspelt); such a series cannot decide the claims and is not imported"
        )
    flat = without_variation(chosen["value"], chosen["below_one"])
    if flat:
        log(f"warning: {where}: {flat}; the claims will read 'not checkable'")
    if not metadata.get("complete", True):
        shown = ", ".join(metadata["missing_periods"][:5])
        log(f"warning: {where}: {metadata['missing_period_count']} {metadata['frequency']}(s) missing between "
            f"{metadata['first_period']} and {metadata['last_period']} (first: {shown}); the snapshot is marked "
            "incomplete (complete: false)")
    if not metadata.get("covers_article_period", True):
        log(f"warning: {where}: the series runs from {metadata['first_period']} to {metadata['last_period']}"
            + (f" with {metadata['uncovered_article_months']} month(s) of the article's period that hold no complete "
               "period" if metadata.get("uncovered_article_months") else "")
            + f"; the article's claims speak of {ARTICLE_PERIOD[0]:%Y-%m} to {ARTICLE_PERIOD[1]:%Y-%m} (rise at the end of "
            "2016, traction in 2018, peak in 2021 H2): it says nothing about the periods it does not cover, and the "
            "claims will read 'not checkable'. Export 2004 to 2022 (a monthly series) for the claims")
