"""Footnote 73 and the other figures the article cites: what outside sources say.

Each figure carries its corroboration (corroborated, differs, not found) with the
source read. The verdict follows from it: no source is 'not checkable'; a source
that agrees 'reproduced'; a source that differs is 'partly reproduced' when the
number is within a tolerance (or the same number has a narrower meaning, or part
of a period matches) and 'not reproduced' otherwise.
"""

from __future__ import annotations

import pandas as pd

NOT_RESEARCHED = "not researched"


def relative_gap(article: float, source: float) -> float:
    """|source - article| / article."""
    return abs(source - article) / abs(article)


def period_share(batches: list[tuple[int, float]], first: int, last: int) -> float:
    """Share of the items selected within [first, last], from (year, count) batches."""
    total = sum(count for _, count in batches)
    if total <= 0:
        raise ValueError("batches hold no items")
    return sum(count for year, count in batches if first <= year <= last) / total


def verdict(row, tolerance: float = 0.05, batches: list[tuple[int, float]] | None = None) -> tuple[str, str]:
    """Verdict and what the data give for one cited figure."""
    status = row["corroboration"]
    if status == "not found":
        return "not checkable", f"no source found ({row['note']})" if not pd.isna(row["note"]) else "no source found"
    shown = f"{row['source_value']} ({row['source_title']})"
    if status == "corroborated":
        return "reproduced", shown
    if row["comparison"] == "number":
        gap = relative_gap(float(row["article_value"]), float(row["source_value"]))
        return ("partly reproduced" if gap <= tolerance else "not reproduced"), f"{shown}; {gap:.1%} from the article"
    if row["comparison"] == "period":
        first, last = (int(y) for y in str(row["article_value"]).split("-"))
        share = period_share(batches or [], first, last)
        outcome = "reproduced" if share == 1 else "partly reproduced" if share > 0 else "not reproduced"
        return outcome, f"{shown}; {share:.0%} of the items fall within {first}-{last}"
    return "partly reproduced", f"{shown}; {row['note']}" if not pd.isna(row["note"]) else shown


def zone_batches(events: pd.DataFrame) -> list[tuple[int, float]]:
    """(year, zones) of the demonstration-zone batches in timeline_events."""
    rows = events[events["id"].str.startswith("demo-zones-batch")]
    return [(int(r.exact_date[:4]), float(r.source_quantity)) for r in rows.itertuples()]


def analyse(figures: pd.DataFrame, events: pd.DataFrame, claims: list, statuses: tuple[str, ...], *,
            tolerance: float) -> dict:
    """One verdict per cited figure, keyed by the claim it belongs to; and the corroboration of every
    claim of the registry (`claims`, each with `section_key` and `corroboration`) by section, its
    statuses in the order of `statuses`."""
    batches = zone_batches(events)
    verdicts, values, rows = {}, {}, []
    for row in figures.to_dict("records"):
        verdicts[row["claim_id"]], values[row["claim_id"]] = verdict(row, tolerance, batches)
        rows.append({"id": row["id"], "claim_id": row["claim_id"], "figure": row["figure"],
                     "article": f"{row['article_value']} {row['article_unit']}", "corroboration": row["corroboration"],
                     "verdict": verdicts[row["claim_id"]]})
    summary = corroboration_summary(claims, statuses)
    by_section = {section: {k: int(v) for k, v in row.items()} for section, row in summary.iterrows()}
    return {"verdicts": verdicts, "values": values, "figures": rows, "corroboration_by_section": by_section,
            "settings": {"tolerance": tolerance}}


def corroboration_summary(claims: list, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Counts of corroboration status by section, over every claim of the registry."""
    rows = []
    for claim in claims:
        status = claim.corroboration["status"] if claim.corroboration else NOT_RESEARCHED
        rows.append({"section": claim.section_key, "status": status})
    frame = pd.DataFrame(rows)
    table = frame.groupby(["section", "status"]).size().unstack(fill_value=0)
    for status in (*statuses, NOT_RESEARCHED):
        if status not in table:
            table[status] = 0
    order = sorted(table.index, key=lambda s: (not s[0].isdigit(), s))
    return table.loc[order, [*statuses, NOT_RESEARCHED]]


def plot_corroboration(summary: pd.DataFrame, ax) -> None:
    """Stacked bars: for each section of the article, its claims by corroboration status."""
    from ..outputs.style import palette

    colours = [*palette(3), (0.8, 0.8, 0.8)]  # 'not researched' in neutral grey
    left = pd.Series(0, index=summary.index)
    labels = [f"section {s}" if s[0].isdigit() else s for s in summary.index]
    for colour, status in zip(colours, summary.columns):
        ax.barh(labels, summary[status], left=left, color=colour, label=status)
        left = left + summary[status]
    ax.invert_yaxis()
    ax.set_xlabel("claims of the article")
    ax.legend(frameon=False, fontsize=6, loc="lower right")
