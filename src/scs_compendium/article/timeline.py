"""Sections 5-8: a long, negotiated history.

The dated events of the article, checked against outside sources where one
gives an exact date; the controversies and the responses the article links to
them, with the time between; and the dating arguments (the SCS was promoted
before Xi Jinping led the Party; it is more than twenty years old).
"""

from __future__ import annotations

import textwrap
from datetime import date

import pandas as pd

from ..errors import DataError

PUBLICATION_YEAR = 2022  # Bloch (2022), Asiatische Studien 76(1)
CATEGORIES = ("policy", "scandal", "technology", "controversy", "response", "context")

# Claims of data/claims.yaml that date one event: claim id -> event id.
DATE_CLAIMS = {
    "s6-no-credit-before-1978": "opening-up",
    "s6-trustworthiness-pilots-1984": "trustworthiness-pilots",
    "s6-social-credit-term-1990": "social-credit-term",
    "fn45-social-credit-system-term-2002": "scs-term",
    "s6-credit-agencies-law-1993": "credit-agencies-law",
    "fn55-wto-2001": "wto-accession",
    "fn42-bri-2013": "belt-and-road",
    "s7-milk-scandal-2008": "milk-scandal",
    "s7-wenzhou-collision-2011": "wenzhou-collision",
    "s7-wang-yue-2011": "wang-yue",
    "s7-core-values-2012": "core-values",
    "s7-harmonious-society-2004": "harmonious-society",
    "s7-chinese-dream-2013": "chinese-dream",
    "s72-state-council-guideline-2018": "guideline-2018",
    "s72-ndrc-moral-scores-2019": "ndrc-moral-scores",
    "s72-legislation-priority-2020": "state-council-2020-defining-credit",
    "s8-suzhou-civility-score-2020": "suzhou-civility-score",
    "s8-health-code-2020": "health-code",
    "s7-objectives-shift-2011-2012": "objectives-shift",
}


def event_date(row) -> date:
    """The best date known for an event: the exact date (first of month/year if partial), else 1 July of its year."""
    exact = row["exact_date"] if not pd.isna(row["exact_date"]) else None
    if exact:
        parts = [int(p) for p in str(exact).split("-")] + [1, 1]
        return date(parts[0], parts[1], parts[2])
    return date(int(row["year"]), 7, 1)


def lag(events: pd.DataFrame, first: str, second: str) -> dict:
    """Time from event `first` to event `second`: in days when both are dated to the day, else in years."""
    rows = events.set_index("id")
    for name in (first, second):
        if name not in rows.index:
            raise DataError(f"timeline_events: no event {name!r}")
    a, b = rows.loc[first], rows.loc[second]
    if all(not pd.isna(x["date_precision"]) and x["date_precision"] == "day" for x in (a, b)):
        days = (event_date(b) - event_date(a)).days
        return {"value": days, "unit": "days", "years": round(days / 365.25, 3)}
    end_a = a["year_end"] if not pd.isna(a["year_end"]) else a["year"]
    years = int(b["year"]) - int(end_a)
    return {"value": years, "unit": "years", "years": float(years)}


def response_lags(events: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    """Each controversy -> response pair with the time between them."""
    out = []
    for pair in pairs.itertuples():
        gap = lag(events, pair.controversy, pair.response)
        out.append({"id": pair.id, "controversy": pair.controversy, "response": pair.response,
                    "lag": gap["value"], "lag_unit": gap["unit"], "lag_years": gap["years"],
                    "link_in_article": pair.link_in_article})
    return out


def date_verdict(row, tolerance_years: int = 0) -> tuple[str, str]:
    """Verdict for a claim that dates one event, and what the data give.

    A source's year equal to the article's (within `tolerance_years`) reproduces it,
    unless the source confirms only the date of a claim that says more (partly);
    one year off is partly reproduced; more is not; no source is not checkable.
    A number given with the event must match too (within 20%).
    """
    if pd.isna(row["exact_date"]):
        return "not checkable", f"{int(row['year'])} (article only; no outside date found)"
    article_first, article_last = int(row["year"]), int(row["year_end"]) if not pd.isna(row["year_end"]) else int(row["year"])
    source_year = int(row["source_year"])
    off = 0 if article_first <= source_year <= article_last else min(abs(source_year - article_first), abs(source_year - article_last))
    shown = f"{row['exact_date']} ({row['date_source']})"
    if off <= tolerance_years:
        verdict = "partly reproduced" if row["source_confirms"] == "date only" else "reproduced"
    else:
        verdict = "partly reproduced" if off == 1 else "not reproduced"
    if not pd.isna(row["article_quantity"]) and not pd.isna(row["source_quantity"]):
        shown += f"; {row['source_quantity']:g} {row['quantity_unit']} (article: {row['article_quantity']:g})"
        close = abs(row["source_quantity"] - row["article_quantity"]) <= 0.2 * abs(row["article_quantity"])
        if not close and verdict == "reproduced":
            verdict = "partly reproduced"
    return verdict, shown


def analyse(events: pd.DataFrame, pairs: pd.DataFrame, *, tolerance_years: int, inception_event: str,
            categories: list[str]) -> dict:
    """Verdicts for the dating claims, the response lags, and the arguments built on dates.

    `categories` are the event categories the figure draws (see `plot_timeline`)."""
    as_of_year = PUBLICATION_YEAR
    rows = events.set_index("id", drop=False)
    verdicts, values = {}, {}
    for claim_id, event_id in DATE_CLAIMS.items():
        verdicts[claim_id], values[claim_id] = date_verdict(rows.loc[event_id], tolerance_years)
    # An argument about discourse, not a dated event: only the article's dating exists.
    verdicts["s7-objectives-shift-2011-2012"] = "not checkable"
    values["s7-objectives-shift-2011-2012"] = "2011-2012 (article); coincides with Wenzhou and Wang Yue (2011) and the core values (2012)"

    jiang, xi = rows.loc["jiang-promotes-scs"], rows.loc["xi-general-secretary"]
    before = int(jiang["year"]) < int(xi["source_year"] if not pd.isna(xi["source_year"]) else xi["year"])
    verdicts["s5-promoted-by-jiang-2001"] = "reproduced" if before else "not reproduced"
    values["s5-promoted-by-jiang-2001"] = (
        f"promoted {int(jiang['year'])} (article), {int(xi['year']) - int(jiang['year'])} years before Xi became "
        f"general secretary ({xi['exact_date']})"
    )
    inception = int(rows.loc[inception_event, "year"])
    age = as_of_year - inception
    verdicts["s9-more-than-20-years"] = "reproduced" if age > 20 else "not reproduced"
    values["s9-more-than-20-years"] = f"{age} years ({inception} to {as_of_year})"

    lags = response_lags(events, pairs)
    positive = [item for item in lags if item["lag_years"] >= 0]
    verdicts["s8-controversies-led-to-corrections"] = (
        "reproduced" if lags and len(positive) == len(lags) else "partly reproduced" if positive else "not reproduced"
    )
    values["s8-controversies-led-to-corrections"] = (
        f"{len(positive)} of {len(lags)} responses follow their controversy; lags "
        + ", ".join(f"{item['lag']} {item['lag_unit'].rstrip('s') if item['lag'] == 1 else item['lag_unit']}" for item in lags)
    )
    verdicts["fn74-earlier-controversies"] = "not checkable"
    earlier = events[events["article_location"].str.contains(r"\bfn74\b") & (events["category"] == "controversy")]
    values["fn74-earlier-controversies"] = ", ".join(f"{r.id} {r.year}" for r in earlier.itertuples()) + " (article only)"
    verdicts["s5-internet-freedom-until-2009"] = "not checkable"
    values["s5-internet-freedom-until-2009"] = "a characterisation of discourse (Delise et al. 2016); no dated event"

    sourced = events["exact_date"].notna()
    return {
        "exact_dates": {r.id: r.exact_date for r in events[sourced].itertuples()},
        "verdicts": verdicts,
        "values": values,
        "response_lags": lags,
        "events": int(len(events)),
        "events_with_outside_date": int(sourced.sum()),
        "settings": {"tolerance_years": tolerance_years, "inception_event": inception_event, "as_of_year": as_of_year,
                     "categories": list(categories)},
    }


def event_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events in date order, with their outside dates."""
    cols = ["year", "year_end", "event", "category", "article_location", "exact_date", "date_source"]
    return events.sort_values(["year", "id"])[cols]


def plot_timeline(events: pd.DataFrame, phases: pd.DataFrame, lags: list[dict], ax, categories=CATEGORIES) -> None:
    """Events by category on a time axis, the article's phases shaded, controversy -> response arrows."""
    from ..outputs.style import palette

    colours = dict(zip(CATEGORIES, palette(len(CATEGORIES))))
    levels = {c: i for i, c in enumerate(categories[::-1])}
    for i, phase in enumerate(phases.itertuples()):
        ax.axvspan(phase.start, phase.end + 1, color="0.93" if i % 2 else "0.97", zorder=0)
        ax.text((phase.start + phase.end + 1) / 2, len(levels) - 0.45 + 0.55 * (i % 2), textwrap.fill(phase.label, 24),
                ha="center", va="bottom", fontsize=5.5, color="0.35")
    shown = events[events["category"].isin(categories)]
    positions = {}
    for row in shown.itertuples():
        when = event_date({"exact_date": row.exact_date, "year": row.year})
        x = when.year + (when.timetuple().tm_yday - 1) / 365.25
        y = levels[row.category]
        dated = not pd.isna(row.exact_date)
        ax.scatter(x, y, s=14, zorder=3, edgecolors=colours[row.category],
                   facecolors=colours[row.category] if dated else "white", linewidths=0.8)
        if not pd.isna(row.year_end):
            ax.plot([row.year, row.year_end + 1], [y, y], color=colours[row.category], lw=2, alpha=0.5, zorder=2)
        positions[row.id] = (x, y)
    for item in lags:
        if item["controversy"] in positions and item["response"] in positions:
            ax.annotate("", xy=positions[item["response"]], xytext=positions[item["controversy"]],
                        arrowprops={"arrowstyle": "->", "color": "0.4", "lw": 0.6, "connectionstyle": "arc3,rad=0.25"})
    ax.set_yticks(list(levels.values()), list(levels.keys()))
    ax.set_ylim(-0.6, len(levels) + 0.9)
    ax.set_xlim(1976, PUBLICATION_YEAR + 1)
    ax.set_xlabel("year (filled: date confirmed by an outside source; open: the article's year only)")
