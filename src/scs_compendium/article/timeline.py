"""Sections 5-8: a long, negotiated history.

The dated events of the article, checked against outside sources where one
gives an exact date; the controversies and the responses the article links to
them, with the time between; and the dating arguments (the SCS was promoted
before Xi Jinping led the Party; it is more than twenty years old).
"""

from __future__ import annotations

import re
from itertools import islice, permutations
import textwrap
from datetime import date

import pandas as pd
from matplotlib.text import Text
from matplotlib.transforms import Bbox

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


def analyse(events: pd.DataFrame, pairs: pd.DataFrame, *, inception_event: str, categories: list[str]) -> dict:
    """The outside dates of the events, the response lags, and the age of the SCS (from `inception_event`).

    `categories` are the event categories the figure draws (see `plot_timeline`); the claims' dates are
    decided by their evidence rows (data/evidence/), not here."""
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
        "settings": {"inception_event": inception_event, "as_of_year": as_of_year, "categories": list(categories)},
    }


def event_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events in date order, with their outside dates."""
    cols = ["year", "year_end", "event", "category", "article_location", "exact_date", "source"]
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


def key_events(events: pd.DataFrame, pairs: pd.DataFrame, inception_event: str) -> list[str]:
    """The events the figure names, chosen by rule from the data: the one the SCS's age is counted from
    (`inception_event`) and each response the compendium pairs with a controversy."""
    chosen = [inception_event, *dict.fromkeys(pairs["response"])]
    return [event for event in chosen if event in set(events["id"])]


def event_label(text: str, width: int = 30) -> str:
    """A label from an event's description: no parentheses, its first clause, whole (never cut with '…'), in
    lines of at most `width` characters."""
    text = re.sub(r"\s*\([^)]*\)", "", text).split(";")[0].strip()
    return textwrap.fill(text, width)


COVER = 100  # the weight of a box a label covers (a point, another label); leaving the plot weighs ten times more


def _clashes(box, taken, frame, lines=(), leader=None) -> int:
    """How badly a text's box sits (0: not at all, in display units): leaving `frame` counts most, then each box
    of `taken` (points, other labels) it covers, then each of the `lines` (paths: the response arrows) it
    crosses, then each its `leader` line crosses."""
    inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    covered = sum(box.overlaps(other) for other in taken)
    crossed = sum(line.intersects_bbox(box, filled=False) for line in lines)
    led_across = sum(line.intersects_path(leader, filled=False) for line in lines) if leader is not None else 0
    return 10 * COVER * (not inside) + COVER * covered + 10 * crossed + led_across


def display_path(annotation):
    """The path of an annotation's arrow (or leader line) in display units, as drawn."""
    patch = annotation.arrow_patch
    return patch.get_transform().transform_path(patch.get_path())


def _label(ax, text: str, xy, dx: float, dy: float):
    """An event's name `dx`, `dy` points from it, on a white ground, with a leader line."""
    return ax.annotate(text, xy, xytext=(dx, dy), textcoords="offset points", ha="center", va="bottom" if dy > 0 else "top",
                       fontsize=6, color="0.15", zorder=4, arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.4,
                                                                        "shrinkA": 1, "shrinkB": 3},
                       bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})


# Where a label may go, in points from its point: above or below, then further out (nearest first).
LABEL_OFFSETS = sorted(((dx, dy) for dy in (8, -8, 18, -18, 30, -30) for dx in range(-210, 61, 30)),
                       key=lambda o: abs(o[0]) + abs(o[1]))


def plot_timeline(events: pd.DataFrame, phases: pd.DataFrame, lags: list[dict], ax, categories=CATEGORIES,
                  labelled=()) -> None:
    """Events by category on a time axis; the compendium's phases shaded and named above the plot (one row of
    names per overlap); controversy -> response arrows; the `labelled` events named (see `key_events`)."""
    from ..outputs.style import palette

    colours = dict(zip(CATEGORIES, palette(len(CATEGORIES))))
    levels = {c: i for i, c in enumerate(categories[::-1])}
    ax.set_ylim(-0.7, len(levels) - 0.2)
    ax.set_xlim(1976, PUBLICATION_YEAR + 1)
    ax.set_yticks(list(levels.values()), list(levels.keys()))
    ax.set_xlabel("year (filled: date confirmed by an outside source; open: the article's year only)\n"
                  "shaded and named above: the compendium's phases (its coding of the periods the article describes)")
    renderer = ax.figure.canvas.get_renderer()
    if ax.figure.get_layout_engine() is not None:  # place the names where the layout puts the axes
        ax.figure.get_layout_engine().execute(ax.figure)
    names = []
    for i, phase in enumerate(phases.sort_values("start").itertuples()):
        ax.axvspan(phase.start, phase.end + 1, color="0.9" if i % 2 else "0.97", zorder=0)
        ax.axvline(phase.start, color="0.55", lw=0.5, ls=(0, (2, 2)), zorder=1)  # where a phase begins, whatever its shade
        for row in range(len(phases)):  # the first row where the name overlaps no other
            name = ax.annotate(textwrap.fill(phase.label, 26), ((phase.start + phase.end + 1) / 2, 1), xytext=(0, 2 + 17 * row),
                               xycoords=("data", "axes fraction"), textcoords="offset points", ha="center", va="bottom",
                               fontsize=6, color="0.3", annotation_clip=False)
            box = name.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in names):
                names.append(box)
                break
            name.remove()
    if ax.figure.get_layout_engine() is not None:  # and the labels where it puts the axes under those names,
        ax.figure.get_layout_engine().execute(ax.figure)
        ax.figure.set_layout_engine("none")  # a layout that keeps them there (a later one would move the points)
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
    arrows = []
    for item in lags:
        if item["controversy"] in positions and item["response"] in positions:
            arrow = ax.annotate("", xy=positions[item["response"]], xytext=positions[item["controversy"]],
                                arrowprops={"arrowstyle": "->", "color": "0.4", "lw": 0.6, "connectionstyle": "arc3,rad=0.25"})
            arrow.update_positions(renderer)
            arrows.append(display_path(arrow))
    frame = ax.get_window_extent(renderer).padded(-2 * ax.figure.dpi / 72)  # labels clear of the spines
    points = [ax.transData.transform_bbox(Bbox.from_bounds(x - 0.6, y - 0.12, 1.2, 0.24)) for x, y in positions.values()]
    text = shown.set_index("id")["event"]
    places = {event: _places(ax, event_label(text[event]), positions[event], points, frame, arrows, renderer)
              for event in labelled if event in positions}
    # each label at its nearest place that covers no point, label or arrow (or, in a crowded figure, the one
    # that clashes least), the labels taken in the order that leaves the fewest clashes in all
    _, order, chosen = min((_greedy(places, order) for order in islice(permutations(places), 120)), key=lambda t: t[0])
    for event, (_, dx, dy, _box) in zip(order, chosen):
        _label(ax, event_label(text[event]), positions[event], dx, dy)


def _greedy(places: dict, order: tuple) -> tuple:
    """The labels of `order` placed one after another, each at its best place given those before it (the nearest
    of the best): the clashes in all, the order and the place of each."""
    placed, total = [], 0
    for event in order:
        costs = [p[0] + COVER * sum(p[3].overlaps(other[3]) for other in placed) for p in places[event]]
        best = costs.index(min(costs))
        total += costs[best]
        placed.append(places[event][best])
    return total, order, placed


def _places(ax, text: str, xy, points, frame, arrows, renderer) -> list[tuple]:
    """Each place a label may take (nearest first): how badly it sits among the points and arrows, its offset and
    the box of its text."""
    places = []
    for dx, dy in LABEL_OFFSETS:
        label = _label(ax, text, xy, dx, dy)
        label.update_positions(renderer)
        box = Text.get_window_extent(label, renderer)  # the text alone, without its leader line
        places.append((_clashes(box, points, frame, arrows, display_path(label)), dx, dy, box))
        label.remove()
    return places
