"""Footnote 22: the subject shares of the Chinese literature on the SCS (CNKI, Credit China).

The article gives rounded percentages of two corpora. From them we derive the
whole counts each percentage allows, a Wilson interval for each share, and a
one-sided binomial test of 'most Chinese scholarly literature stems from
economics' (the economic share exceeds one half).
"""

from __future__ import annotations

import math
import textwrap
from fractions import Fraction

import pandas as pd

from .stats import majority_test, short_label, wilson_interval

QUALIFIERS = ("rounded", "more_than")


def compatible_counts(total: int, percent: float, qualifier: str, precision: float = 1.0) -> tuple[int, int]:
    """Whole counts k of `total` that the reported percentage allows.

    `rounded`: 100k/total rounds (half up) to `percent` at `precision` points, i.e.
    percent - precision/2 <= 100k/total < percent + precision/2.
    `more_than`: 100k/total > percent.
    Returns (low, high); low > high means no whole count fits.
    """
    if total <= 0:
        raise ValueError(f"total must be positive, got {total}")
    if qualifier not in QUALIFIERS:
        raise ValueError(f"qualifier must be one of {QUALIFIERS}, got {qualifier!r}")
    p = Fraction(str(percent))
    if qualifier == "more_than":
        return math.floor(p * total / 100) + 1, total
    half = Fraction(str(precision)) / 2
    low = math.ceil((p - half) * total / 100)
    high = math.ceil((p + half) * total / 100) - 1
    return max(low, 0), min(high, total)


def cannot_fail(total: int, qualifier: str, precision: float) -> str:
    """Why a whole-count check of a percentage of `total` items cannot fail ('' when it can): with many items
    every percentage at the article's rounding is reachable by some whole count, so agreement shows nothing."""
    if qualifier == "more_than":
        return (f"a check that cannot fail: 'more than' a share below 100% is reached by some whole count of any "
                f"{total:,} items")
    if 100 / total <= precision:
        return (f"a check that cannot fail: with {total:,} items every percentage rounded to {precision:g} point"
                f"{'s' if precision != 1 else ''} is reached by some whole count")
    return ""


def analyse(
    frame: pd.DataFrame,
    *,
    confidence_level: float,
    majority_threshold: float,
    significance: float,
    percent_precision: float,
    assume_disjoint: bool,
    economic_categories: list[str],
) -> dict:
    """Counts, intervals and the majority test for every corpus of the table."""
    economic = set(economic_categories)
    unknown = economic - set(frame["category_id"])
    if unknown:
        raise ValueError(
            f"economic_categories: {sorted(unknown)} not in the table; categories: {sorted(set(frame['category_id']))}"
        )
    corpora, majority = {}, {}
    for corpus, rows in frame.groupby("corpus_id", sort=False):
        total = int(rows["total"].iloc[0])
        ranges = {
            row.category_id: compatible_counts(total, float(row.reported_percent), row.qualifier, percent_precision)
            for row in rows.itertuples()
        }
        if assume_disjoint:
            # Disjoint categories share one total: an open-ended range ends where the others begin.
            for cat, (low, high) in ranges.items():
                others = sum(lo for other, (lo, _) in ranges.items() if other != cat)
                ranges[cat] = (low, min(high, total - others))
        categories = {}
        for row in rows.itertuples():
            low, high = ranges[row.category_id]
            implied = float(row.reported_percent) * total / 100
            point = low if row.qualifier == "more_than" else min(max(round(implied), low), high)
            wl, wh = wilson_interval(point, total, confidence_level)
            prefix = "more than " if row.qualifier == "more_than" else ""
            span = f"{low:,}" if low == high else f"{low:,}–{high:,}"
            fits = (f"{span} of {total:,} {rows['total_unit'].iloc[0]} give {prefix}{float(row.reported_percent):g}%"
                    if low <= high else f"no whole count of {total:,} gives {prefix}{float(row.reported_percent):g}%")
            blind = cannot_fail(total, row.qualifier, percent_precision)
            categories[row.category_id] = {
                "label": row.category,
                "whole_count": blind or {fits: low <= high},
                "check_can_fail": not blind,
                "reported_percent": float(row.reported_percent),
                "qualifier": row.qualifier,
                "implied_count": implied,
                "count_range": [low, high],
                "consistent": low <= high,
                "point_count": point,
                "point_share": point / total,
                "wilson": [wl, wh],
                "economic": row.category_id in economic,
            }
        econ_ids = [c for c in categories if c in economic]
        econ_count = sum(categories[c]["count_range"][0] for c in econ_ids)  # the least the article allows
        corpus_result = {
            "label": rows["corpus"].iloc[0],
            "total": total,
            "total_unit": rows["total_unit"].iloc[0],
            "categories": categories,
            "all_consistent": all(c["consistent"] for c in categories.values()),
            "economic": {
                "categories": econ_ids,
                "min_count": econ_count,
                "min_share": econ_count / total,
                "wilson": list(wilson_interval(econ_count, total, confidence_level)),
                "p_value": majority_test(econ_count, total, majority_threshold) if econ_ids else 1.0,
            },
        }
        econ = corpus_result["economic"]
        econ["above_threshold"] = bool(econ_ids) and econ["p_value"] < significance and econ["min_share"] > majority_threshold
        corpora[corpus] = corpus_result
        majority[f"{short_label(corpus_result['label'])}: at least {econ['min_share']:.1%} economic, one-sided "
                 f"p = {econ['p_value']:.2g} against {majority_threshold:.0%} at level {significance:g}"] = econ["above_threshold"]
    return {
        "corpora": corpora,
        "all_consistent": all(c["all_consistent"] for c in corpora.values()),
        "economic_majority_everywhere": all(c["economic"]["above_threshold"] for c in corpora.values()),
        "economic_majority": majority,
        "settings": {
            "confidence_level": confidence_level,
            "majority_threshold": majority_threshold,
            "significance": significance,
            "percent_precision": percent_precision,
            "assume_disjoint": assume_disjoint,
            "economic_categories": sorted(economic),
        },
    }


def count_table(analysis: dict) -> pd.DataFrame:
    """One row per corpus and field: reported share, implied count, whole counts allowed."""
    return pd.DataFrame([
        {
            "corpus": corpus["label"],
            "field": cat["label"],
            "reported": ("> " if cat["qualifier"] == "more_than" else "") + f"{cat['reported_percent']:g}%",
            "implied count": round(cat["implied_count"], 1),
            "whole counts allowed": f"{cat['count_range'][0]:,}-{cat['count_range'][1]:,}",
            "consistent": cat["consistent"],
        }
        for corpus in analysis["corpora"].values()
        for cat in corpus["categories"].values()
    ])


def majority_table(analysis: dict) -> pd.DataFrame:
    """One row per corpus: the least economic share allowed, its interval and the one-sided test."""
    level = analysis["settings"]["confidence_level"]
    return pd.DataFrame([
        {
            "corpus": corpus["label"],
            "economic fields": ", ".join(corpus["economic"]["categories"]),
            "least economic count": f"{corpus['economic']['min_count']:,} of {corpus['total']:,}",
            "share": round(corpus["economic"]["min_share"], 4),
            f"{level:.0%} Wilson interval": [round(x, 4) for x in corpus["economic"]["wilson"]],
            "one-sided p": corpus["economic"]["p_value"],
            "above threshold": corpus["economic"]["above_threshold"],
        }
        for corpus in analysis["corpora"].values()
    ])


def findings(analysis: dict) -> str:
    """What the figures imply, corpus by corpus, as Markdown rendered from the analysis (never typed)."""
    from ..outputs.style import escape_markdown as esc

    settings = analysis["settings"]
    lines = []
    for corpus in analysis["corpora"].values():
        econ, cats = corpus["economic"], corpus["categories"]
        misfits = [esc(cats[c]["label"]) for c in cats if not cats[c]["consistent"]]
        fits = "every percentage fits a whole count" if not misfits else f"no whole count fits {', '.join(misfits)}"
        verdict = "above" if econ["above_threshold"] else "not shown to be above"
        share = (f"The economic fields ({', '.join(esc(cats[c]['label']) for c in econ['categories'])}) hold at least "
                 f"{econ['min_count']:,} ({econ['min_share']:.1%}; {settings['confidence_level']:.0%} Wilson interval "
                 f"{econ['wilson'][0]:.1%} to {econ['wilson'][1]:.1%}), one-sided p = {econ['p_value']:.2g}"
                 if econ["categories"] else "No field of this corpus counts as economic")
        lines.append(f"- **{esc(short_label(corpus['label']))}** ({corpus['total']:,} {esc(corpus['total_unit'])}): "
                     f"{fits}. {share}: {verdict} {settings['majority_threshold']:.0%} at level {settings['significance']:g}.")
    everywhere = "exceed" if analysis["economic_majority_everywhere"] else "are not shown to exceed"
    precision = settings["percent_precision"]
    lines.append(f"- So the economic fields ({esc(', '.join(settings['economic_categories']))}) {everywhere} "
                 f"{settings['majority_threshold']:.0%} in every corpus, reading the percentages to {precision:g} "
                 f"point{'s' * (precision != 1)}.")
    return "\n".join(lines)


def plot_shares(analysis: dict, ax) -> None:
    """Reported shares with Wilson intervals, economic fields coloured apart, the threshold marked."""
    from ..outputs.style import palette

    colours = palette(2)
    labels, shares, lows, highs, colour = [], [], [], [], []
    for corpus in analysis["corpora"].values():
        for cat in corpus["categories"].values():
            prefix = "more than " if cat["qualifier"] == "more_than" else ""
            field = textwrap.fill(f"{short_label(corpus['label'])}: {cat['label']}", 30)  # whole, never cut
            labels.append(f"{field}\n({prefix}{cat['reported_percent']:g}% of {corpus['total']:,})")
            shares.append(cat["point_share"] * 100)
            lows.append((cat["point_share"] - cat["wilson"][0]) * 100)
            highs.append((cat["wilson"][1] - cat["point_share"]) * 100)
            colour.append(colours[0] if cat["economic"] else colours[1])
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, shares, color=colour, xerr=[lows, highs], capsize=2, error_kw={"lw": 0.8})
    ax.set_yticks(positions, labels)
    threshold = analysis["settings"]["majority_threshold"] * 100
    ax.axvline(threshold, color="0.3", ls="--", lw=0.8)
    ax.text(threshold, len(labels) - 0.45, f" {threshold:g}%", va="bottom", fontsize=7, color="0.3")
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"share of corpus (%),\n{analysis['settings']['confidence_level']:.0%} Wilson interval")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=colours[0], label="economic fields"), Patch(color=colours[1], label="other fields")],
        loc="lower right", frameon=False,
    )
