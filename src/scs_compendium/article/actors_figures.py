"""Footnote 73 and the other figures the article cites: what outside sources say.

Each figure carries what a source read for the compendium gives (with its address
and quote in `cited_figures.csv`); the claims registry compares it with the
article's figure. The step also counts, section by section, what the research of
every claim of the registry found.
"""

from __future__ import annotations

import pandas as pd

NOT_RESEARCHED = "not researched"


def zone_batches(events: pd.DataFrame) -> dict[str, int]:
    """'12 zones (2018-01)' -> 2018: the demonstration-zone batches of timeline_events, by the year of their date."""
    rows = events[events["id"].str.startswith("demo-zones-batch")]
    return {f"{r.source_quantity:g} zones ({r.exact_date})": int(r.exact_date[:4]) for r in rows.itertuples()}


def analyse(figures: pd.DataFrame, events: pd.DataFrame, claims: list, statuses: tuple[str, ...], *,
            tolerance: float) -> dict:
    """What sources give for each cited figure (`source_values`, by claim), the dated batches of
    demonstration zones, and the research status of every claim of the registry (`claims`, each with
    `section_key` and `corroboration`) by section, in the order of `statuses`. `tolerance` is the
    relative gap within which a source's number still matches the article's (the claims' rules use it)."""
    source_values, rows = {}, []
    for row in figures.to_dict("records"):
        if row["comparison"] == "number":
            found = row["source_value"]
            source_values[row["claim_id"]] = None if pd.isna(found) or found == "" else float(found)
        rows.append({"id": row["id"], "claim_id": row["claim_id"], "figure": row["figure"],
                     "article": f"{row['article_value']} {row['article_unit']}", "corroboration": row["corroboration"],
                     "source": None if pd.isna(row["source_value"]) else str(row["source_value"])})
    summary = corroboration_summary(claims, statuses)
    by_section = {section: {k: int(v) for k, v in row.items()} for section, row in summary.iterrows()}
    return {"source_values": source_values, "zone_batches": zone_batches(events), "figures": rows,
            "corroboration_by_section": by_section, "settings": {"tolerance": tolerance}}


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


def findings(analysis: dict) -> str:
    """What the sources say of the cited figures, as Markdown rendered from the analysis (never typed)."""
    from ..outputs.style import escape_markdown as esc

    figures, by_section = analysis["figures"], analysis["corroboration_by_section"]
    counts = pd.Series([f["corroboration"] for f in figures]).value_counts()
    lines = [f"- {len(figures)} cited figures: " + ", ".join(f"{n} {status}" for status, n in counts.items()) + "."]
    lines += [f"    - {esc(f['figure'])}: the article {esc(f['article'])}, a source {esc(f['source'])}"
              for f in figures if f["corroboration"] in ("differs", "partly corroborated")]
    batches = analysis["zone_batches"]
    lines.append(f"- Demonstration zones by dated batch: {esc('; '.join(f'{k}: {v}' for k, v in batches.items()))}.")
    totals = pd.DataFrame(by_section).sum(axis=1)
    lines.append(f"- Across the registry's {int(totals.sum())} claims: "
                 + ", ".join(f"{int(n)} {status}" for status, n in totals.items() if n) + ".")
    return "\n".join(lines)


def research_table(analysis: dict) -> pd.DataFrame:
    """The research status of every claim by section, as `analyse` counted it (sections by rows)."""
    return pd.DataFrame.from_dict(analysis["corroboration_by_section"], orient="index")


def plot_corroboration(summary: pd.DataFrame, ax) -> None:
    """Stacked bars: for each section of the article, its claims by corroboration status."""
    from ..outputs.style import palette

    # A colour for every status (none may drop out of the bars): agreement blue, disagreement vermillion,
    # no source in greys, lightest where nothing was looked for.
    cb = palette(10)
    colours = {"corroborated": cb[0], "partly corroborated": cb[9], "differs": cb[3], "not found": (0.62, 0.62, 0.62),
               "not applicable": (0.8, 0.8, 0.8), NOT_RESEARCHED: (0.92, 0.92, 0.92)}
    left = pd.Series(0, index=summary.index)
    labels = [f"section {s}" if s[0].isdigit() else s for s in summary.index]
    for status in [s for s in summary.columns if summary[s].any()]:  # a status no claim has stays out of the legend
        ax.barh(labels, summary[status], left=left, color=colours.get(status, "0.5"), label=status,
                edgecolor="0.6" if status == NOT_RESEARCHED else "none", lw=0.4)
        left = left + summary[status]
    ax.invert_yaxis()
    ax.set_xlabel("claims of the article")
    ax.legend(frameon=False, fontsize=6, loc="lower right")
