"""Section 3, footnote 11: when worldwide interest in the topic 'Social Credit System' rose.

The article reads a Google Trends curve: interest 'rose slightly at the end of
2016', 'gain[ed] traction in 2018' and peaked 'in the second half of 2021'. On a
stored snapshot (see :mod:`scs_compendium.sources.google_trends`) we find the
onset, the traction and the peak in every sample; without one, the claims read
'needs data', and the figure shows the offline evidence beside the article's
periods: the dated media pieces of footnote 14 and the cited Western studies.
"""

from __future__ import annotations

import pandas as pd

from ..sources.google_trends import Snapshot, select_snapshot
from ..sources.google_trends.client import INSTALL_TRENDS
from ..sources.google_trends.series import months_without_data, without_variation
from .stats import half_year, half_year_start


def monthly(frame: pd.DataFrame, include_partial: bool = False) -> pd.DataFrame:
    """Monthly interest per sample (weekly or daily data averaged), first series only."""
    data = frame[frame["series"] == frame["series"].iloc[0]].copy()
    if not include_partial:
        data = data[~data["is_partial"].astype(bool)]
    data["month"] = pd.to_datetime(data["date"]).dt.to_period("M").dt.to_timestamp()
    return data.groupby(["sample", "month"], as_index=False)["value"].mean()


def detect(series: pd.Series, smoothing: int = 3, rise_level: float = 5.0, sustain_months: int = 6,
           traction_level: float = 25.0) -> dict:
    """Onset (first month from which smoothed interest stays >= rise_level for sustain_months),
    traction (first month >= traction_level) and peak (maximum) of a monthly series indexed by month."""
    series = series.sort_index().astype(float)
    smooth = series.rolling(smoothing, center=True, min_periods=1).mean()
    above = (smooth >= rise_level).astype(int)
    sustained = above.rolling(sustain_months, min_periods=sustain_months).min().shift(-(sustain_months - 1))
    onset = smooth.index[sustained.fillna(0).astype(bool)]
    traction = smooth.index[smooth >= traction_level]
    return {
        "onset": onset[0] if len(onset) else None,
        "traction": traction[0] if len(traction) else None,
        "peak": smooth.idxmax() if len(smooth) else None,
        "smoothed": smooth,
    }


# The claims of footnote 11 this step decides; the notebook reads their reported values from the registry.
CLAIMS = ("s3-trends-rise-end-2016", "s3-trends-traction-2018", "s3-trends-peak-2021h2")


def article_periods(reported: dict) -> dict[str, str]:
    """The article's onset half-year, traction year and peak half-year ('2016H2', '2018', '2021H2')."""
    return {claim: str(reported[claim]).replace(" ", "") for claim in CLAIMS}


def cannot_decide(months: pd.DataFrame, start: str, end: str) -> str | None:
    """Why a monthly series cannot decide when interest rose, or None: it must cover the whole period analysed,
    month by month (the rule the import records as `covers_article_period`), and vary."""
    if months.empty:
        return (f"the snapshot has no complete month between {start[:7]} and {end[:7]}: it cannot say when interest "
                "rose")
    missing = months_without_data(months["month"], start, end)
    if missing:
        return (f"the snapshot does not cover {start[:7]} to {end[:7]} month by month ({len(missing)} months missing, "
                f"first {missing[0]}): it cannot say when interest rose")
    if not (months["value"] > 0).any():
        return "the snapshot holds no interest at all (every value 0)"
    return without_variation(months.groupby("month")["value"].mean())


def analyse(snapshots: list[Snapshot], media: dict | None, scholarship: dict | None, reported: dict, *,
            snapshot: str, geo: str, start: str, end: str, smoothing: int, rise_level: float, sustain_months: int,
            traction_level: float) -> dict:
    """The three claims of section 3 on the chosen snapshot, or 'needs data' with the command to run."""
    article = article_periods(reported)
    chosen = select_snapshot(snapshots, snapshot, geo)
    evidence = {"dated_media_pieces_by_half_year": (media or {}).get("dated_pieces_by_half_year", {}),
                "media_pieces_by_year": (media or {}).get("pieces_by_year", {}),
                "cited_studies_by_year": (scholarship or {}).get("years", {}).get("counts", {})}
    if chosen is None:
        return {
            "needs_data": (
                "no Google Trends snapshot in data/raw/google_trends/: download multiTimeline.csv from "
                "trends.google.com and run `.venv/bin/scs import trends multiTimeline.csv` (nothing to install), or, "
                "with internet access, install the optional pytrends "
                f"(`{INSTALL_TRENDS}`) and run `.venv/bin/scs fetch trends --end 2022-12-31`; "
                "then `.venv/bin/scs run search_interest`"
            ),
            "snapshot": None,
            "offline_evidence": evidence,
            "article": article,
        }
    months = monthly(chosen.frame)
    months = months[(months["month"] >= pd.Timestamp(start)) & (months["month"] <= pd.Timestamp(end))]
    cannot = cannot_decide(months, start, end)
    if cannot:  # a series that cannot decide the claims never gets a verdict; the figure says why
        return {"snapshot": chosen.metadata, "agrees": {claim: cannot for claim in CLAIMS}, "no_curve": cannot,
                "offline_evidence": evidence, "article": article}
    settings = dict(smoothing=smoothing, rise_level=rise_level, sustain_months=sustain_months, traction_level=traction_level)
    mean = months.groupby("month")["value"].mean()
    found = detect(mean, **settings)
    per_sample = [detect(group.set_index("month")["value"], **settings) for _, group in months.groupby("sample")]
    onset = [half_year(d["onset"]) for d in per_sample]
    peaks = [half_year(d["peak"]) for d in per_sample]
    traction = [None if d["traction"] is None else str(d["traction"].year) for d in per_sample]
    # For each claim, each sample: does the period it finds equal the article's?
    agrees = {}
    for claim, found_periods, what in (("s3-trends-rise-end-2016", onset, "onset"),
                                       ("s3-trends-traction-2018", traction, "traction"),
                                       ("s3-trends-peak-2021h2", peaks, "peak")):
        agrees[claim] = {f"sample {i}: {what} {period or 'never'}": period == article[claim]
                         for i, period in enumerate(found_periods, start=1)}
    spread = months.groupby("month")["value"].agg(["min", "max"])
    return {
        "snapshot": chosen.metadata,
        "agrees": agrees,
        "series": {m.strftime("%Y-%m"): float(v) for m, v in mean.items()},
        "smoothed": {m.strftime("%Y-%m"): float(v) for m, v in found["smoothed"].items()},
        "sample_range": {m.strftime("%Y-%m"): [float(r["min"]), float(r["max"])] for m, r in spread.iterrows()},
        "onset": half_year(found["onset"]),
        "traction_year": None if found["traction"] is None else found["traction"].year,
        "peak": half_year(found["peak"]),
        "offline_evidence": evidence,
        "article": article,
        "settings": {"start": start, "end": end, **settings},
    }


def findings(analysis: dict) -> str:
    """What the snapshot (or, without one, the offline evidence) shows, as Markdown rendered from the analysis."""
    from ..outputs.style import escape_markdown as esc

    article = analysis["article"]
    said = ", ".join(f"{what} {article[claim]}" for claim, what in zip(CLAIMS, ("rose", "traction", "peak")))
    meta = analysis.get("snapshot")
    if meta is None:
        lines = [f"- No Google Trends snapshot is used, so the claims read *needs data*: {analysis['needs_data']}."]
    elif "series" not in analysis:
        reason = next(iter(analysis["agrees"].values()))
        lines = [f"- Snapshot {esc(meta.get('snapshot_id', ''))} cannot decide the claims: {esc(reason)}."]
    else:
        agree = {claim: sum(v.values()) for claim, v in analysis["agrees"].items()}
        samples = len(next(iter(analysis["agrees"].values())))
        lines = [f"- Snapshot {esc(meta.get('snapshot_id', ''))} ({esc(meta.get('geo') or 'worldwide')}, {samples} samples): "
                 f"interest rose {analysis['onset'] or 'never'}, gained traction in {analysis['traction_year'] or 'no year'}, "
                 f"peaked {analysis['peak']}; the article: {said}.",
                 "- Samples agreeing with the article: " + "; ".join(f"{claim} {n} of {samples}" for claim, n in agree.items()) + "."]
    evidence = analysis["offline_evidence"]
    for key, what in (("dated_media_pieces_by_half_year", "dated media pieces of footnote 14, by half-year"),
                      ("cited_studies_by_year", "cited Western studies, by year")):
        counts = evidence.get(key) or {}
        if counts:
            top = max(counts.values())
            lines.append(f"- Offline, the {what}: {', '.join(f'{k} {v}' for k, v in counts.items())}; the most in "
                         f"{', '.join(k for k, v in counts.items() if v == top)}.")
    return "\n".join(lines)


def claimed_periods(article: dict) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """Shaded spans for the article's three periods (half-years and a year)."""
    def span(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        if "H" in label:
            start = half_year_start(label)
            return start, start + pd.DateOffset(months=6)
        return pd.Timestamp(f"{label}-01-01"), pd.Timestamp(f"{int(label) + 1}-01-01")

    names = {"s3-trends-rise-end-2016": "rose slightly", "s3-trends-traction-2018": "gained traction",
             "s3-trends-peak-2021h2": "peak"}
    return [(*span(article[claim]), f"{names[claim]} ({article[claim]})") for claim in CLAIMS]


def plot_timing(analysis: dict, ax) -> None:
    """The article's claimed periods with the dated media pieces and the cited studies: the offline evidence."""
    from ..outputs.style import palette

    colours = palette(3)
    evidence = analysis["offline_evidence"]
    for start, stop, label in claimed_periods(analysis["article"]):
        ax.axvspan(start, stop, color="0.9", zorder=0)
        # named above the plot, centred on the period, so that no label covers a count
        ax.text(start + (stop - start) / 2, 1.01, label.replace(" (", "\n("), transform=ax.get_xaxis_transform(),
                fontsize=6, ha="center", va="bottom", linespacing=1.1)
    by_half = evidence["dated_media_pieces_by_half_year"]
    halves = [half_year_start(k) for k in by_half]
    ax.bar(halves, list(by_half.values()), width=150, align="edge", color=colours[0],
           label="dated media pieces (footnote 14), per half-year")
    for key, colour, marker, label in (("media_pieces_by_year", colours[1], "o", "all footnote 14 pieces, per year"),
                                       ("cited_studies_by_year", colours[2], "s", "cited Western studies (fn. 15-21), per year")):
        series = evidence.get(key, {})
        years = [pd.Timestamp(f"{y}-07-01") for y in series]
        ax.plot(years, list(series.values()), marker, color=colour, ms=3, label=label)
    ax.set_ylabel("pieces or studies (not Google Trends)")
    ax.legend(frameon=False, fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)
    ax.set_xlim(pd.Timestamp("2015-01-01"), pd.Timestamp("2023-01-01"))
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts
    ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # room for the note above the counts
    ax.text(0.005, 0.97, "Not Google Trends data: counts of the article's own sources under the periods the article\n"
            "claims for Google Trends interest, shaded", transform=ax.transAxes, fontsize=6, va="top", ha="left",
            color="0.25", bbox={"boxstyle": "square,pad=0.2", "fc": "white", "ec": "0.7", "lw": 0.4})


def plot_interest(analysis: dict, ax) -> None:
    """The Google Trends curve: mean of samples, their range, the smoothed curve and the detected points; for a
    snapshot that cannot decide the claims, the article's periods and why there is no curve."""
    from ..outputs.style import palette

    meta = analysis["snapshot"]
    title = f"{meta['query']} ({meta.get('geo') or 'worldwide'}), retrieved {meta['retrieved_utc'][:10]}"
    for start, stop, _ in claimed_periods(analysis["article"]):
        ax.axvspan(start, stop, color="0.9", zorder=0)
    if "series" not in analysis:
        import textwrap

        ax.set_xlim(pd.Timestamp("2004-01-01"), pd.Timestamp("2023-01-01"))
        ax.set_ylim(0, 100)
        reason = analysis.get("no_curve") or next(iter(analysis["agrees"].values()))
        ax.text(0.5, 0.5, "No curve: this snapshot cannot decide the claims.\n" + textwrap.fill(str(reason), 90),
                transform=ax.transAxes, ha="center", va="center", fontsize=7,
                bbox={"facecolor": "white", "edgecolor": "0.6", "boxstyle": "round"})
        ax.set_ylabel("Google Trends interest (0-100)")
        ax.set_title(title, loc="left")
        return
    colours = palette(3)
    months = pd.to_datetime(list(analysis["series"]))
    ranges = list(analysis["sample_range"].values())
    ax.fill_between(months, [r[0] for r in ranges], [r[1] for r in ranges], color=colours[0], alpha=0.25, lw=0,
                    label="range of samples")
    ax.plot(months, list(analysis["series"].values()), color=colours[0], lw=0.8, label="interest (mean of samples)")
    ax.plot(months, list(analysis["smoothed"].values()), color=colours[1], lw=1, label="smoothed")
    ax.set_ylabel("Google Trends interest (0-100)")
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, fontsize=6, loc="upper left")
