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


def analyse(events: pd.DataFrame, pairs: pd.DataFrame, *, tolerance_years: int, inception_event: str,
            categories: list[str]) -> dict:
    """The outside dates of the events, the response lags, and the age of the SCS (from `inception_event`).

    `categories` are the event categories the figure draws (see `plot_timeline`)."""
    as_of_year = PUBLICATION_YEAR
    rows = events.set_index("id", drop=False)
    inception = int(rows.loc[inception_event, "year"])
    lags = response_lags(events, pairs)
    sourced = events["exact_date"].notna()
    return {
        "exact_dates": {r.id: r.exact_date for r in events[sourced].itertuples()},
        "source_dates": {r.id: (None if pd.isna(r.exact_date) else r.exact_date) for r in events.itertuples()},
        "source_quantities": {r.id: float(r.source_quantity) for r in events.itertuples() if not pd.isna(r.source_quantity)},
        "age_years": as_of_year - inception,
        "responses_follow": {
            f"{item['controversy']} -> {item['response']} ({item['lag']} {item['lag_unit']})": item["lag_years"] >= 0
            for item in lags},
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


def findings(analysis: dict, events: pd.DataFrame) -> str:
    """What the dated events show, as Markdown rendered from the analysis and the table (never typed)."""
    from ..outputs.style import escape_markdown as esc

    settings, names = analysis["settings"], events.set_index("id")["event"]
    inception = settings["inception_event"]
    lines = [f"- {analysis['events']} dated events; {analysis['events_with_outside_date']} of them dated by an outside source.",
             f"- Counted from '{esc(names[inception])}' ({int(events.set_index('id').loc[inception, 'year'])}, the "
             f"article's year), the SCS is {analysis['age_years']} years old in {settings['as_of_year']}."]
    follow = sum(item["lag_years"] >= 0 for item in analysis["response_lags"])
    lines.append(f"- In {follow} of {len(analysis['response_lags'])} controversy -> response pairs the response comes no "
                 "earlier than the controversy:")
    lines += [f"    - {esc(names[item['controversy']])} -> {esc(names[item['response']])}: {item['lag']} "
              f"{item['lag_unit'].removesuffix('s') if item['lag'] == 1 else item['lag_unit']}" for item in analysis["response_lags"]]
    return "\n".join(lines)


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
