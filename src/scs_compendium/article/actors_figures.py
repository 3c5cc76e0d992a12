"""Footnote 73: the actors of co-production the article counts, and the dated batches of demonstration zones.

The article's counts are typed once, in the claims registry (each claim's part compared by number);
whether outside sources give the same counts is decided by the claims' evidence rows
(`data/evidence/`), which this module never reads. The step draws the counts, marking each with the
verdict its claim received, and dates the demonstration zones' batches from `timeline_events.csv`.
"""

from __future__ import annotations

import pandas as pd

FN73 = ("fn73-ministerial-agencies-47", "fn73-market-institutions-65", "fn73-universities-16", "fn73-provinces-32",
        "fn73-cities-672", "fn73-demonstration-zones-62")


def zone_batches(events: pd.DataFrame) -> dict[str, int]:
    """'12 zones (2018-01)' -> 2018: the demonstration-zone batches of timeline_events, by the year of their date."""
    rows = events[events["id"].str.startswith("demo-zones-batch")]
    return {f"{r.source_quantity:g} zones ({r.exact_date})": int(r.exact_date[:4]) for r in rows.itertuples()}


def analyse(events: pd.DataFrame, counts: dict[str, tuple[str, float]]) -> dict:
    """The article's counts of footnote 73 (`counts`: claim id -> (what is counted, the article's number), from the
    registry) and the dated batches of demonstration zones with their years."""
    batches = zone_batches(events)
    return {"counts": {cid: {"what": what, "article": value} for cid, (what, value) in counts.items()},
            "zone_batches": batches, "zone_years": sorted(set(batches.values())),
            "zones_in_batches": sum(float(label.split()[0]) for label in batches)}


def findings(analysis: dict, verdicts: dict[str, str]) -> str:
    """What the step shows, as Markdown rendered from the analysis and the claims' verdicts (never typed)."""
    from ..outputs.style import escape_markdown as esc

    counts = analysis["counts"]
    lines = [f"- Footnote 73 counts {len(counts)} kinds of actor; outside sources decide: "
             + "; ".join(f"{esc(c['what'])} ({c['article']:g}): {esc(verdicts.get(cid, 'pending'))}"
                         for cid, c in counts.items()) + "."]
    years = analysis["zone_years"]
    lines.append(f"- The dated batches of demonstration zones ({esc('; '.join(analysis['zone_batches']))}) add up to "
                 f"{analysis['zones_in_batches']:g} zones, selected in {', '.join(map(str, years))}.")
    return "\n".join(lines)


def plot_counts(analysis: dict, verdicts: dict[str, str], ax) -> None:
    """The article's counts of footnote 73 on a log scale, each bar coloured (and marked) by its claim's verdict."""
    from ..outputs.style import verdict_colours, verdict_glyph

    colours = verdict_colours()
    counts = analysis["counts"]
    labels = [c["what"] for c in counts.values()]
    values = [c["article"] for c in counts.values()]
    shown = [verdicts.get(cid, "pending") for cid in counts]
    ax.barh(labels, values, color=[colours.get(v, "0.5") for v in shown], edgecolor="0.3", lw=0.4)
    for y, (value, verdict) in enumerate(zip(values, shown)):
        ax.text(value * 1.08, y, f"{value:g}  {verdict_glyph(verdict)} {verdict}", va="center", fontsize=6)
    ax.set_xscale("log")
    ax.set_xlim(1, max(values) * 30)
    from matplotlib.ticker import FuncFormatter

    ax.set_xticks([10 ** k for k in range(0, 7, 2) if 10 ** k <= max(values) * 30])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))  # '10,000', not 10 with a 4-pt exponent
    ax.invert_yaxis()
    ax.set_xlabel("the article's count (log scale)")
