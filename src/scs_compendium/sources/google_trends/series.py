"""What a Google Trends series can say: its frequency, the periods it covers, gaps, and series that say nothing.

The snapshot metadata records `first_period`, `last_period` (start dates of the first and
last periods, ISO), `complete` (no period missing between them), `missing_periods` (the first
missing ones, ISO) with `missing_period_count`, and `covers_article_period` (the series runs
from the start of the article's search, 2004-01, to its end, 2022-12). An analysis must not
decide a claim about a period the series does not cover.
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


def coverage(dates: Iterable, frequency: str) -> dict:
    """The metadata keys on coverage: first and last period, completeness, missing periods."""
    present = sorted({pd.Timestamp(d).date() for d in dates})
    first, last = present[0], present[-1]
    have = set(present)
    missing, period = [], first
    while period < last:
        period = _next(period, frequency)
        if period <= last and period not in have:
            missing.append(period)
    end = _next(last, frequency) - timedelta(days=1)
    return {
        "first_period": first.isoformat(),
        "last_period": last.isoformat(),
        "complete": not missing,
        "missing_periods": [d.isoformat() for d in missing[:_SHOWN_GAPS]],
        "missing_period_count": len(missing),
        "covers_article_period": first <= ARTICLE_PERIOD[0] and end >= ARTICLE_PERIOD[1],
    }


def check_series(frame: pd.DataFrame, metadata: dict, where: str, log: Callable[[str], None]) -> None:
    """Refuse a series that can decide nothing (all zeros); warn of gaps and of a short coverage."""
    chosen = frame[frame["series"] == metadata["query"]]
    if chosen.empty or ((chosen["value"] == 0) & ~chosen["below_one"].astype(bool)).all():
        raise TrendsError(
            f"{where}: every value of {metadata['query']!r} is 0: Google Trends had too little search volume to "
            "report (or the query is misspelt); such a series cannot decide the claims and is not imported"
        )
    if not metadata.get("complete", True):
        shown = ", ".join(metadata["missing_periods"][:5])
        log(f"warning: {where}: {metadata['missing_period_count']} {metadata['frequency']}(s) missing between "
            f"{metadata['first_period']} and {metadata['last_period']} (first: {shown}); the snapshot is marked "
            "incomplete (complete: false)")
    if not metadata.get("covers_article_period", True):
        log(f"warning: {where}: the series runs from {metadata['first_period']} to {metadata['last_period']}; the "
            f"article's claims speak of {ARTICLE_PERIOD[0]:%Y-%m} to {ARTICLE_PERIOD[1]:%Y-%m} (rise at the end of "
            "2016, traction in 2018, peak in 2021 H2): it says nothing about the periods it does not cover. "
            "Export 2004 to 2022 (a monthly series) for the claims")
