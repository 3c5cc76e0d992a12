"""Footnote 14: sensationalist coverage, then more nuanced articles 'a few years later'.

Per outlet, the lag from its sensationalist piece to its first nuanced one: in
years from exact dates where both are dated, else from the article's years. The
median lag gets a bootstrap interval over outlets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import bootstrap_median, half_year

DAYS_PER_YEAR = 365.25
BOOTSTRAP_LEVEL = 0.95  # confidence level of the interval around the median lag


def _when(row) -> tuple[float, bool]:
    """Decimal year of a piece, and whether it comes from an exact date (else mid-year of the article's year).
    An approximate date places the piece but, like a missing one, cannot decide a timing claim."""
    if not pd.isna(row["date"]):
        stamp = pd.Timestamp(row["date"])
        return stamp.year + (stamp.day_of_year - 1) / DAYS_PER_YEAR, row.get("date_status") == "exact"
    return row["year"] + 0.5, False


def outlet_lags(pieces: pd.DataFrame) -> list[dict]:
    """For each outlet: its sensationalist piece, its first nuanced piece, and the lag in years."""
    out = []
    for outlet, rows in pieces.groupby("outlet", sort=False):
        first = rows[rows["tone"] == "sensationalist"].iloc[0]
        nuanced = rows[rows["tone"] == "nuanced"].copy()
        nuanced["when"] = [(_when(r)[0]) for _, r in nuanced.iterrows()]
        second = nuanced.sort_values("when").iloc[0]
        (t1, dated1), (t2, dated2) = _when(first), _when(second)
        both_dated = dated1 and dated2
        lag = (t2 - t1) if both_dated else float(second["year"] - first["year"])
        out.append({"outlet": outlet, "sensationalist": f"{first['author']} {first['year']}",
                    "nuanced": f"{second['author']} {second['year']}", "start": t1, "end": t2,
                    "lag_years": round(lag, 3), "from_dates": both_dated,
                    "span": [pd.Timestamp(first["date"]).date().isoformat(), pd.Timestamp(second["date"]).date().isoformat()]
                    if both_dated else [int(first["year"]), int(second["year"])]})
    return out


def by_half_year(pieces: pd.DataFrame) -> dict[str, int]:
    """Dated pieces counted by half-year ('2016H2'): offline evidence of when attention rose."""
    dated = pd.to_datetime(pieces.loc[pieces["date"].notna(), "date"])
    keys = [half_year(d) for d in dated]
    return dict(sorted(pd.Series(keys).value_counts().items())) if keys else {}


def analyse(pieces: pd.DataFrame, *, few_years_min: float, few_years_max: float, n_boot: int, seed: int) -> dict:
    """Lags per outlet, their median with a bootstrap interval, and how many fall within 'a few years'."""
    level = BOOTSTRAP_LEVEL
    lags = outlet_lags(pieces)
    values = [item["lag_years"] for item in lags]
    median = float(np.median(values))
    ci = bootstrap_median(values, n_boot, level, seed)
    low, high = few_years_min, few_years_max
    within = sum(low <= v <= high for v in values)
    return {
        "outlets": len(lags),
        "lags": lags,
        "median_lag_years": median,
        "median_ci": list(ci),
        "spread_years": [float(min(values)), float(max(values))],
        "dated_pieces_by_half_year": by_half_year(pieces),
        "pieces_by_year": {str(y): int(c) for y, c in pieces["year"].value_counts().sort_index().items()},
        "outlets_within_few_years": within,
        "nuanced_later": {item["outlet"]: item["lag_years"] > 0 for item in lags},
        "lags_from_dates": {item["outlet"]: item["lag_years"] for item in lags if item["from_dates"]},
        "settings": {"few_years": [low, high], "n_boot": n_boot, "level": level, "seed": seed},
    }


def _day(iso: str) -> str:
    return pd.Timestamp(iso).strftime("%-d %b %Y")  # 22 Oct 2016


def lag_text(item: dict) -> str:
    """'2.1 years (22 Oct 2016 to 29 Nov 2018)' from publication dates; '1 year (2016 to 2017, the article's years)'."""
    lag = item["lag_years"]
    span = item.get("span")
    amount = f"{lag:.1f} years" if item["from_dates"] else f"{lag:g} year{'' if lag == 1 else 's'}"
    if not span:
        return amount
    if item["from_dates"]:
        return f"{amount} ({_day(span[0])} to {_day(span[1])})"
    return f"{amount} ({span[0]} to {span[1]}, the article's years)"


def findings(analysis: dict, pieces: pd.DataFrame) -> str:
    """What the pieces show, as Markdown rendered from the analysis and the table (never typed)."""
    from ..outputs.style import escape_markdown as esc

    low, high = analysis["settings"]["few_years"]
    n, lags = analysis["outlets"], analysis["lags"]
    dated = int(pieces["date"].notna().sum())
    later = sum(analysis["nuanced_later"].values())
    from_dates = ", ".join(f"{esc(item['outlet'])} {lag_text(item)}" for item in lags if item["from_dates"]) or "none"
    ci = analysis["median_ci"]
    outside = [f"{esc(item['outlet'])} ({lag_text(item)})" for item in lags if not low <= item["lag_years"] <= high]
    return "\n".join([
        f"- {len(pieces)} pieces from {n} outlets; {dated} of the pieces are dated by a source, the others only to the "
        f"article's year.",
        f"- In {later} of {n} outlets the first nuanced piece comes later than the sensationalist one; lags from "
        f"{analysis['spread_years'][0]:.1f} to {analysis['spread_years'][1]:.1f} years, median "
        f"{analysis['median_lag_years']:.1f} years ({analysis['settings']['level']:.0%} bootstrap interval "
        f"{ci[0]:.1f} to {ci[1]:.1f} years).",
        f"- {analysis['outlets_within_few_years']} of {n} lags lie within 'a few years' ({low:g} to {high:g} years); "
        f"lags from publication dates: {from_dates}.",
        f"- Outside that span: {', '.join(outside) or 'no outlet'}.",
    ])


def plot_dumbbell(analysis: dict, ax) -> None:
    """One line per outlet from its sensationalist to its first nuanced piece."""
    from ..outputs.style import palette

    colours = palette(2)
    lags = sorted(analysis["lags"], key=lambda item: item["start"])
    for y, item in enumerate(lags):
        ax.plot([item["start"], item["end"]], [y, y], color="0.6", lw=1, zorder=1)
        style = {"s": 16, "zorder": 3}
        ax.scatter(item["start"], y, color=colours[1], **style, label="sensationalist")
        ax.scatter(item["end"], y, color=colours[0], **style, label="first nuanced")
        ax.annotate(f"{item['lag_years']:.1f} y" + ("" if item["from_dates"] else "*"), (item["end"], y),
                    xytext=(4, -2), textcoords="offset points", fontsize=6)
    ax.set_yticks(range(len(lags)), [item["outlet"] for item in lags])
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), frameon=False, fontsize=6, loc="lower center",
              bbox_to_anchor=(0.5, 1.0), ncol=2)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year (* lag from the article's years;\notherwise from publication dates)")
