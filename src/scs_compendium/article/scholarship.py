"""Section 3, footnotes 14-22: how the West writes about the SCS, from the article's own citations.

The article sorts its Western-language citations into roles (prospective studies,
studies of the ongoing development, ..., consultancy reports). Coded by those roles,
the cited literature gives the shares of each strand, the years when the scholarly
wave came, and the share that reads the SCS economically, which we set beside
footnote 22's Chinese shares.
"""

from __future__ import annotations

import pandas as pd

from .stats import short_label, wilson_interval

WESTERN = "western_scholarship"
GROUPINGS = ("role", "strand", "lens")


def per_footnote_counts(citations: pd.DataFrame) -> dict[int, int]:
    """Number of works cited in each footnote."""
    numbered = citations[citations["footnote"].notna()]
    return {int(k): int(v) for k, v in numbered.groupby("footnote").size().items()}


def analyse(citations: pd.DataFrame, codebook: pd.DataFrame, china: dict | None, *, roles: list[str],
            first_year: int, last_year: int, confidence_level: float, grouping: str) -> dict:
    """Shares of the Western-language literature by role and lens, and its years.

    `grouping` sets how the works are counted for the figure: by `role`, by the article's three
    `strand`s (prospective, descriptive, consultancy), or by `lens` (political, economic).
    """
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {list(GROUPINGS)}, got {grouping!r}")
    book = codebook.set_index("role")
    western_roles = list(book.index[book["strand"] == WESTERN])
    unknown = sorted(set(roles) - set(western_roles))
    if unknown:
        raise ValueError(f"roles: {unknown} are not Western scholarship roles; expected some of {western_roles}")
    low, high = first_year, last_year
    coded = citations[citations["role"].isin(roles) & citations["year"].between(low, high)].copy()
    coded["lens"] = coded["role"].map(book["lens"])
    works = coded.groupby("work").agg(year=("year", "first"), roles=("role", lambda r: sorted(set(r))),
                                      economic=("lens", lambda lens: (lens == "economic").any()))
    n_works = int(len(works))
    if n_works == 0:
        raise ValueError("no Western scholarship citation falls within the chosen roles and years")
    by_role = {role: int((coded["role"] == role).sum()) for role in roles}
    n_economic = int(works["economic"].sum())
    economic_ci = wilson_interval(n_economic, n_works, confidence_level)
    political_ci = wilson_interval(n_works - n_economic, n_works, confidence_level)
    years = works["year"].astype(int)
    multi = [work for work, r in works["roles"].items() if len(r) > 1]

    coded["strand"] = coded["role"].map(book["western_strand"])  # the article's three strands
    strands = {strand: int(coded.loc[coded["strand"] == strand, "work"].nunique())
               for strand in ("prospective", "descriptive", "consultancy")}
    column = {"role": "role", "strand": "strand", "lens": "lens"}[grouping]
    groups = {str(k): int(v) for k, v in coded.groupby(column, sort=False)["work"].nunique().items()}
    share = n_economic / n_works
    china_economic = bool(china and china.get("economic_majority_everywhere"))
    # The two halves of 'a political rather than an economic lens', each stated with its numbers.
    political_lens = {
        f"West: {1 - share:.0%} of {n_works} works read it politically, {confidence_level:.0%} interval "
        f"{political_ci[0]:.0%}–{political_ci[1]:.0%}, lower bound above 50%": political_ci[0] > 0.5,
        "China: an economic majority in both corpora of footnote 22"
        + ("" if china else " (literature_shares has not run)"): china_economic,
    }
    return {
        "works": n_works,
        "assignments": int(len(coded)),
        "by_role": by_role,
        "groups": groups,
        "works_in_two_roles": multi,
        "economic": {"works": n_economic, "share": share, "ci": list(economic_ci), "ci_high": economic_ci[1]},
        "political": {"works": n_works - n_economic, "share": 1 - share, "ci": list(political_ci)},
        "years": {"median": float(years.median()), "first": int(years.min()), "last": int(years.max()),
                  "from_2017": float((years >= 2017).mean()),
                  "counts": {str(y): int(c) for y, c in years.value_counts().sort_index().items()}},
        "china": {short_label(c["label"]): c["economic"]["min_share"] for c in china["corpora"].values()} if china else {},
        "strands": strands,
        "political_lens": political_lens,
        "settings": {"roles": roles, "year_range": [low, high], "confidence_level": confidence_level,
                     "grouping": grouping},
    }


def role_table(analysis: dict, codebook: pd.DataFrame) -> pd.DataFrame:
    """Works per role with the article's wording and lens."""
    book = codebook.set_index("role")
    total = analysis["assignments"]
    return pd.DataFrame([
        {"role": role, "footnote": int(book.loc[role, "footnote"]), "lens": book.loc[role, "lens"], "works": n,
         "share of assignments": round(n / total, 3), "article's wording": book.loc[role, "article_wording"]}
        for role, n in analysis["by_role"].items()
    ])


def findings(analysis: dict, hardly_threshold: float) -> str:
    """What the coded citations show, as Markdown rendered from the analysis (never typed), against the decision
    `hardly_threshold` (a threshold only the verdict rule reads: the analysis never takes it)."""
    from ..outputs.style import escape_markdown as esc

    settings, years, econ = analysis["settings"], analysis["years"], analysis["economic"]
    low, high = settings["year_range"]
    level, hardly = settings["confidence_level"], hardly_threshold
    two = ", ".join(esc(work) for work in analysis["works_in_two_roles"]) or "none"
    strands = ", ".join(f"{n} {strand}" for strand, n in analysis["strands"].items())
    below = econ["ci_high"] < hardly
    china = "; ".join(f"{esc(name)} at least {share:.0%}" for name, share in analysis["china"].items())
    lines = [
        f"- The article cites {analysis['works']} Western works of the chosen roles published {low}-{high} "
        f"({analysis['assignments']} role assignments; works in two roles: {two}). By the article's strands: {strands}.",
        f"- {econ['works']} of them ({econ['share']:.0%}; {level:.0%} interval {econ['ci'][0]:.0%} to {econ['ci'][1]:.0%}) "
        f"read the SCS economically: the interval {'lies below' if below else 'does not lie below'} the "
        f"{hardly:.0%} under which Western research 'hardly addresses economic aspects'.",
        f"- The cited studies date from {years['first']} to {years['last']} (median {years['median']:g}); "
        f"{years['from_2017']:.0%} of them from 2017 on.",
        f"- China, by footnote 22's corpora: {china}." if china else "- China: the literature_shares step has not run.",
    ]
    return "\n".join(lines)


def plot_scholarship(analysis: dict, ax_roles, ax_contrast, ax_years) -> None:
    """Works by role; economic share West vs China; years of the cited studies."""
    from ..outputs.style import palette

    colours = palette(3)
    groups = analysis["groups"]
    ax_roles.barh([g.replace("_", " ") for g in groups], list(groups.values()), color=colours[0])
    ax_roles.invert_yaxis()
    ax_roles.set_xlabel("cited works")
    ax_roles.set_title(f"Western scholarship\nby {analysis['settings']['grouping']}", loc="left")

    labels = ["West (article's citations)"] + [f"China: {name}" for name in analysis["china"]]
    shares = [analysis["economic"]["share"] * 100] + [v * 100 for v in analysis["china"].values()]
    ax_contrast.barh(labels, shares, color=[colours[1]] + [colours[2]] * len(analysis["china"]))
    west = analysis["economic"]
    ax_contrast.errorbar(west["share"] * 100, 0, capsize=2, color="0.2", lw=0.8,
                         xerr=[[(west["share"] - west["ci"][0]) * 100], [(west["ci"][1] - west["share"]) * 100]])
    ax_contrast.axvline(50, color="0.3", ls="--", lw=0.8)
    ax_contrast.invert_yaxis()
    ax_contrast.set_xlim(0, 100)
    ax_contrast.set_xlabel("% reading the SCS economically")
    ax_contrast.set_title("Economic lens:\nWest vs China", loc="left")

    counts = analysis["years"]["counts"]
    ax_years.bar([int(y) for y in counts], list(counts.values()), color=colours[0])
    from matplotlib.ticker import MaxNLocator, MultipleLocator

    ax_years.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))  # few enough years to read them level
    ax_years.xaxis.set_minor_locator(MultipleLocator(1))
    ax_years.set_xlabel("year of the cited study")
    ax_years.set_ylabel("works")
    ax_years.set_title("When the scholarly\nwave came", loc="left")
