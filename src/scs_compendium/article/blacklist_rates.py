"""Footnote 66: how many are blacklisted, and how the answer depends on what is counted.

Counts carry their unit (:mod:`.stats`): a share divides like by like, and
anything else is refused unless the code states an explicit assumption that
converts the unit. Cumulative listings since 2013 are an intensity (listings per
100 persons), never a share.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataError
from .stats import Count, Rate, assume_unit, per_hundred, recorded, share, to_count, usable

POPULATION_DEFINITIONS = ("flow", "stock", "cumulative")
POPULATION_BASES = ("total", "aged_16_plus")
ENTITY_LABELS = {
    "revoked_licences_per_market_entity": "revoked licences / market entities",
    "revoked_licences_per_enterprise": "revoked licences / enterprises",
    "legal_subjects_per_market_entity": "legal-person subjects (est.) / market entities",
    "legal_subjects_per_enterprise": "legal-person subjects (est.) / enterprises",
    "legal_subjects_per_legal_entity": "legal-person subjects (est.) / legal entities (census)",
}
ENTITY_DEFINITIONS = tuple(ENTITY_LABELS)
# Footnote 66's 'moral entities' (personnes morales) are legal persons: enterprises and other legal entities.
LEGAL_SUBJECT_DENOMINATORS = (("legal_subjects_per_market_entity", "market entities"),
                              ("legal_subjects_per_enterprise", "enterprises"),
                              ("legal_subjects_per_legal_entity", "legal entities"))


# --- denominators -------------------------------------------------------------------


def _years_between(a: pd.Timestamp, b: pd.Timestamp) -> float:
    return abs((a - b).days) / 365.25


def population_denominator(population: pd.DataFrame, when: pd.Timestamp, base: str) -> tuple[Count, float]:
    """The population figure nearest to `when` for the base ('total' or 'aged_16_plus'), and the gap in years."""
    if base not in POPULATION_BASES:
        raise ValueError(f"base must be one of {POPULATION_BASES}, got {base!r}")
    candidates: list[Count] = []
    population = usable(population)
    if base == "total":
        for row in population[population["indicator"].isin(["population_year_end", "population_census"])].itertuples():
            candidates.append(recorded(to_count(row, f"population {row.reference_date.date()} ({row.id})"), row))
    else:
        by_id = {row.id: row for row in population.itertuples()}
        for row in population[population["indicator"] == "population_aged_16_59"].itertuples():
            older = population[(population["indicator"] == "population_aged_60_plus") & (population["reference_date"] == row.reference_date)]
            for other in older.itertuples():
                candidates.append(Count(
                    row.value + other.value, "persons", f"population aged 16+ {row.reference_date.date()}",
                    f"{row.id} + {other.id}: source {row.source}", row.reference_date.date().isoformat(),
                ))
        for row in population[population["indicator"] == "population_census"].itertuples():
            young = population[(population["indicator"] == "population_census_aged_0_15") & (population["reference_date"] == row.reference_date)]
            for other in young.itertuples():
                candidates.append(Count(
                    row.value - other.value, "persons", f"population aged 16+ (census {row.reference_date.date()})",
                    f"{row.id} - {other.id}: source {by_id[row.id].source}", row.reference_date.date().isoformat(),
                ))
    if not candidates:
        raise DataError(f"no population figure for base {base!r}")
    best = min(candidates, key=lambda c: _years_between(pd.Timestamp(c.date), when))
    return best, _years_between(pd.Timestamp(best.date), when)


def entity_denominator(entities: pd.DataFrame, when: pd.Timestamp, unit: str) -> tuple[Count, float]:
    """The registered market entities (or enterprises) figure nearest to `when`."""
    rows = usable(entities).loc[lambda frame: frame["unit"] == unit]
    if rows.empty:
        raise DataError(f"no figure of {unit} in china_market_entities")
    best = min(rows.itertuples(), key=lambda r: _years_between(r.reference_date, when))
    return recorded(to_count(best, f"{unit} {best.reference_date.date()} ({best.id})"), best), _years_between(best.reference_date, when)


# --- the rates ----------------------------------------------------------------------

PERSON_TIMES_AS_PERSONS = (
    "new listings counted in person-times or subjects are taken as persons: someone listed twice in "
    "a year counts twice and subjects include some legal persons, so the share is an upper bound"
)
CUMULATIVE_AS_LISTINGS = (
    "a cumulative count since October 2013 includes people since removed and repeat listings: it is "
    "a number of listings, not of people now listed"
)


def population_rates(counts: pd.DataFrame, population: pd.DataFrame, max_gap_years: float = 1.0) -> list[Rate]:
    """Every population rate the data support: definition x base x year."""
    rates: list[Rate] = []
    counts = usable(counts)
    flows = counts[(counts["indicator"] == "new_dishonest_judgment_debtors") & (counts["measure"] == "flow")]
    stocks = counts[counts["indicator"] == "court_list_current"]
    cumulative = counts[counts["indicator"].isin(["court_list_cumulative", "new_dishonest_judgment_debtors_cumulative"])]
    # The latest cumulative figure of each year stands for that year; on a tie, an exact figure wins.
    ordered = cumulative.assign(_exact=cumulative["qualifier"] == "exact").sort_values(["reference_date", "_exact", "id"])
    latest = ordered.groupby(ordered["reference_date"].dt.year).tail(1)
    for base in POPULATION_BASES:
        for row in flows.itertuples():
            numerator = recorded(to_count(row, f"new listings {row.period} ({row.id})"), row)
            if numerator.unit != "persons":
                numerator = assume_unit(numerator, "persons", PERSON_TIMES_AS_PERSONS)
            rates += _rate("flow", base, str(row.period), numerator, population, row.reference_date, max_gap_years, share)
        for row in stocks.itertuples():
            numerator = recorded(to_count(row, f"people listed now, {row.reference_date.date()} ({row.id})"), row)
            rates += _rate("stock", base, str(row.reference_date.year), numerator, population, row.reference_date, max_gap_years, share)
        for row in latest.itertuples():
            numerator = recorded(to_count(row, f"listings since 2013, {row.reference_date.date()} ({row.id})"), row)
            if numerator.unit != "person-times":
                numerator = assume_unit(numerator, "person-times", CUMULATIVE_AS_LISTINGS)
            rates += _rate("cumulative", base, str(row.reference_date.year), numerator, population, row.reference_date, max_gap_years, per_hundred)
    return rates


def _rate(definition, base, year, numerator, population, when, max_gap, divide) -> list[Rate]:
    denominator, gap = population_denominator(population, when, base)
    if gap > max_gap:
        return []
    kind = "share" if divide is share else "per 100 persons"
    return [Rate(definition, base, year, numerator, denominator, divide(numerator, denominator), kind, gap)]


def entity_rates(counts: pd.DataFrame, entities: pd.DataFrame, max_gap_years: float = 1.0) -> list[Rate]:
    """Shares of market entities (or enterprises) blacklisted, under each definition the data allow."""
    rates: list[Rate] = []
    by_indicator = {ind: rows for ind, rows in usable(counts).groupby("indicator")}
    for row in by_indicator.get("npcic_new_revoked_business_licences", pd.DataFrame()).itertuples():
        revoked = recorded(to_count(row, f"revoked business licences {row.period} ({row.id})"), row)
        for definition, unit in (("revoked_licences_per_market_entity", "market entities"),
                                 ("revoked_licences_per_enterprise", "enterprises")):
            denominator, gap = entity_denominator(entities, row.reference_date, unit)
            if gap <= max_gap_years:
                rates.append(Rate(definition, unit, str(row.period), revoked, denominator, share(revoked, denominator), "share", gap))
    monthly_total = by_indicator.get("npcic_monthly_new_blacklisted_subjects", pd.DataFrame())
    monthly_legal = by_indicator.get("npcic_monthly_new_blacklisted_legal_persons", pd.DataFrame())
    for row in by_indicator.get("npcic_new_blacklisted_subjects", pd.DataFrame()).itertuples():
        month_total = monthly_total[monthly_total["period"].str.startswith(str(row.period))]
        month_legal = monthly_legal[monthly_legal["period"].str.startswith(str(row.period))]
        if month_total.empty or month_legal.empty:
            continue
        fraction = float(month_legal["value"].iloc[0]) / float(month_total["value"].iloc[0])
        legal = Count(
            row.value * fraction, "subjects", f"legal-person subjects newly listed {row.period} (est.)",
            f"{row.id} x {month_legal['id'].iloc[0]} / {month_total['id'].iloc[0]}",
            row.reference_date.date().isoformat(),
        )
        legal = assume_unit(legal, "entities", (
            f"the legal-person share of new subjects in {month_legal['period'].iloc[0]} "
            f"({fraction:.1%}) applied to the whole year"
        ))
        for definition, unit in LEGAL_SUBJECT_DENOMINATORS:
            denominator, gap = entity_denominator(entities, row.reference_date, unit)
            if gap <= max_gap_years:
                rates.append(Rate(definition, unit, str(row.period), legal, denominator, share(legal, denominator),
                                  "share", gap))
    return rates


# --- tables -------------------------------------------------------------------------


def sensitivity_table(analysis: dict) -> pd.DataFrame:
    """Every definition x denominator x year of an analysis: the rate and its arithmetic."""
    rows = analysis["population_rates"] + analysis["entity_rates"]
    return pd.DataFrame(rows)[
        ["definition", "base", "year", "percent", "kind", "arithmetic", "denominator_gap_years", "assumptions"]
    ]


def cumulative_series(counts: pd.DataFrame) -> pd.DataFrame:
    """The court list over time: cumulative listings (as published) and new listings per year."""
    cumulative = counts[counts["indicator"] == "court_list_cumulative"].sort_values("reference_date")
    new = counts[(counts["indicator"] == "new_dishonest_judgment_debtors") & (counts["measure"] == "flow")]
    return cumulative, new.sort_values("reference_date")


ARTICLE_CLAIMS = ("fn66-blacklisted-population-share", "fn66-blacklisted-entities-share",
                  "fn66-local-target-0-2-percent", "s71-trustworthy-99-percent")


def article_figures(values: dict) -> dict:
    """Footnote 66's and section 7.1's figures from the reported values of ARTICLE_CLAIMS."""
    return {"range_percent": [float(v) for v in values["fn66-blacklisted-population-share"]],
            "entity_percent": float(values["fn66-blacklisted-entities-share"]),
            "local_target_percent": float(values["fn66-local-target-0-2-percent"]),
            "trustworthy_percent": float(values["s71-trustworthy-99-percent"])}


def analyse(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    entities: pd.DataFrame,
    reported: dict,
    *,
    claim_years: list[str],
    definitions: list[str],
    bases: list[str],
    max_gap_years: float,
) -> dict:
    """Every rate by definition, base and year; those of the years footnote 66 speaks of apart.

    `definitions` and `bases` choose what the figure shows; the claims read every definition, rounded to the
    decisions `population_decimals` or `entity_decimals` as the article may have rounded (data/claims.yaml: only
    the verdict rule reads them)."""
    article = article_figures(reported)
    claim_years = [str(y) for y in claim_years]
    pop = population_rates(counts, population, max_gap_years)
    ent = entity_rates(counts, entities, max_gap_years)
    def by_year(rates: list[Rate], in_years: bool) -> dict[str, dict[str, float]]:
        """Rate (percent) by year for each definition and base, within the claim's years or outside them."""
        table: dict[str, dict[str, float]] = {f"{d}_{b}": {} for d in POPULATION_DEFINITIONS for b in POPULATION_BASES}
        table.update({d: {} for d in ENTITY_DEFINITIONS})
        for r in rates:
            key = r.definition if r.definition in ENTITY_DEFINITIONS else f"{r.definition}_{r.base}"
            table.setdefault(key, {})
            if (r.year in claim_years) == in_years:
                table[key][r.year] = r.percent
        return table

    stock = [r for r in pop if r.definition == "stock" and r.year in claim_years]
    return {
        "rate_by_key": {f"{r.definition}_{r.base}_{r.year}".replace(" ", "_"): r.percent for r in pop + ent},
        "population_rates": [r.as_dict() for r in pop],
        "entity_rates": [r.as_dict() for r in ent],
        "in_claim_years": by_year(pop + ent, True),
        "other_years": by_year(pop + ent, False),
        "trustworthy_in_claim_years": {f"{r.year}, {r.base.replace('_', ' ')}": 100 - r.percent for r in stock},
        "article": article,
        "settings": {"claim_years": claim_years, "definitions": list(definitions), "bases": list(bases),
                     "max_gap_years": max_gap_years},
    }


# --- figures ------------------------------------------------------------------------

DEFINITION_LABELS = {
    ("flow", "total"): "new listings in the year / population",
    ("flow", "aged_16_plus"): "new listings in the year / population 16+",
    ("stock", "total"): "people listed now / population",
    ("stock", "aged_16_plus"): "people listed now / population 16+",
    ("cumulative", "total"): "listings since 2013 / population\n(per 100 persons, not a share)",
    ("cumulative", "aged_16_plus"): "listings since 2013 / population 16+\n(per 100 persons, not a share)",
}
def findings(analysis: dict) -> str:
    """Which reading gives the article's figures, as Markdown rendered from the analysis (never typed)."""
    article, years = analysis["article"], ", ".join(analysis["settings"]["claim_years"])
    low, high = article["range_percent"]

    def against(value: float) -> str:
        end = "upper" if value > high else "lower"
        return "within the range" if low <= value <= high else f"{value / (high if value > high else low):.1f} times the range's {end} end"

    lines = [f"- The article: {low:g}-{high:g}% of the population blacklisted in {years}; each reading in those years:"]
    for (definition, base), label in DEFINITION_LABELS.items():
        rates = analysis["in_claim_years"].get(f"{definition}_{base}", {})
        unit = " per 100 persons" if definition == "cumulative" else "%"
        if rates:
            lines.append(f"    - {label.replace(chr(10), ' ')}: " + "; ".join(f"{y}: {v:.2f}{unit} ({against(v)})" for y, v in rates.items()))
    trust = "; ".join(f"{k}: {v:.1f}%" for k, v in analysis["trustworthy_in_claim_years"].items()) or "no stock figure in those years"
    lines.append(f"- Not listed now (100% less the stock), against the article's {article['trustworthy_percent']:g}%: {trust}.")
    lines.append(f"- Entities, against the article's {article['entity_percent']:g}% and the local target of at most "
                 f"{article['local_target_percent']:g}%: " + ("; ".join(f"{ENTITY_LABELS[r['definition']]} {r['year']}: "
                 f"{r['percent']:.2f}%" for r in analysis["entity_rates"]) or "no entity rate within the allowed gap") + ".")
    return "\n".join(lines)


DODGE = 0.22  # vertical offset between the years of one row (row spacing 1)


def plot_rates(analysis: dict, ax_people, ax_entities) -> None:
    """Rates by definition and year, with the article's range (people) and 2% (entities) marked."""
    from ..outputs.style import palette

    definitions = analysis["settings"]["definitions"]
    bases = analysis["settings"]["bases"]
    rows = [r for r in analysis["population_rates"] if r["definition"] in definitions and r["base"] in bases]
    keys = [k for k in DEFINITION_LABELS if k[0] in definitions and any((r["definition"], r["base"]) == k for r in rows)]
    years_seen = sorted({r["year"] for r in rows})
    colours = dict(zip(years_seen, palette(len(years_seen))))
    low, high = analysis["article"]["range_percent"]
    claim_years = sorted(analysis["settings"]["claim_years"])
    years = claim_years[0] if len(claim_years) == 1 else f"{claim_years[0]}-{claim_years[-1]}"
    ax_people.axvspan(low, high, color="0.85", zorder=0, label=f"article: {low:g}-{high:g}% ({years})")
    for y, key in enumerate(keys[::-1]):
        row = sorted((r for r in rows if (r["definition"], r["base"]) == key), key=lambda r: r["year"])
        for i, r in enumerate(row):  # the years of a row one under the other (earliest on top): none hides another
            at = (r["percent"], y - DODGE * (i - (len(row) - 1) / 2))
            ax_people.scatter(*at, color=colours[r["year"]], s=18,
                              zorder=3, marker="o" if r["kind"] == "share" else "D", edgecolors="white", linewidths=0.4)
            # each point named by its year, so that no colour alone tells two years apart: beside the point, or, in a
            # row whose points crowd together, right of the row at the point's own height
            spread = max(p["percent"] for p in row) - min(p["percent"] for p in row)
            crowded = len(row) > 1 and spread < 0.1 * max(p["percent"] for p in rows)
            ax_people.annotate(str(r["year"]), (max(p["percent"] for p in row) if crowded else at[0], at[1]),
                               xytext=(5, 0), textcoords="offset points", fontsize=6, va="center", color="0.25")
    ax_people.set_yticks(range(len(keys)), [DEFINITION_LABELS[k] for k in keys[::-1]])
    ax_people.set_xlabel("% of population")
    ax_people.set_xlim(0, max(r["percent"] for r in rows) * 1.08 if rows else 1)
    from matplotlib.lines import Line2D

    handles = [*ax_people.get_legend_handles_labels()[0]] + [
        Line2D([], [], ls="", marker="o", color=colours[year], label=year) for year in years_seen] + [
        Line2D([], [], ls="", marker=m, color="0.4", label=k) for m, k in (("o", "share of persons"),
                                                                           ("D", "listings per 100 persons"))
        if any((r["kind"] == "share") == (m == "o") for r in rows)]
    ax_people.legend(handles=handles, frameon=False, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax_people.set_title("People", loc="left")

    entity_rows, labels = analysis["entity_rates"], ENTITY_LABELS
    for y, r in enumerate(entity_rows):
        ax_entities.scatter(r["percent"], y, color=colours.get(r["year"], "0.3"), s=18, zorder=3)
        ax_entities.annotate(r["year"], (r["percent"], y), xytext=(4, 3), textcoords="offset points", fontsize=6)
    ax_entities.set_yticks(range(len(entity_rows)), [labels[r["definition"]] for r in entity_rows])
    article = analysis["article"]
    ax_entities.axvline(article["entity_percent"], color="0.3", ls="--", lw=0.8,
                        label=f"article: {article['entity_percent']:g}% ({years})")
    ax_entities.axvline(article["local_target_percent"], color="0.3", ls=":", lw=0.8,
                        label=f"local target: at most {article['local_target_percent']:g}%")
    ax_entities.legend(frameon=False, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax_entities.set_xlabel("% of entities")
    ax_entities.set_xlim(0, None)
    ax_entities.set_ylim(-0.5, len(entity_rows) - 0.5)
    ax_entities.set_title("Entities", loc="left")


def plot_court_list(counts: pd.DataFrame, ax_cumulative, ax_new) -> None:
    """The court list of dishonest judgment debtors: cumulative listings and new listings per year."""
    from ..outputs.style import palette

    cumulative, new = cumulative_series(counts)
    colours = palette(2)
    for unit, marker, colour in (("persons", "o", colours[0]), ("person-times", "s", colours[1])):
        part = cumulative[cumulative["unit"] == unit]
        ax_cumulative.scatter(part["reference_date"], part["value"] / 1e6, marker=marker, color=colour, s=14,
                              label=f"as published, in {unit}", zorder=3)
    ax_cumulative.plot(cumulative["reference_date"], cumulative["value"] / 1e6, color="0.6", lw=0.8, zorder=1)
    ax_cumulative.set_ylabel("million, cumulative since 2013")
    ax_cumulative.legend(frameon=False, fontsize=6, loc="upper left")
    ax_cumulative.set_title("Listed since October 2013", loc="left")
    periods = new["period"].astype(int)
    ax_new.bar(periods, new["value"] / 1e6, color=colours[0])
    ax_new.set_xticks(periods, periods.astype(str))
    ax_new.set_ylabel("million new listings")
    ax_new.set_title("New listings per year", loc="left")


def plot_comparators(analysis: dict, comparators: pd.DataFrame, ax) -> None:
    """China's rates beside Western private-credit measures, on a log scale (orders of magnitude only)."""
    from ..outputs.style import palette

    colours = palette(3)
    rows = []
    years = set(analysis["settings"]["claim_years"])
    years |= {max((r["year"] for r in analysis["population_rates"] if r["definition"] == "stock"), default="")}
    for r in analysis["population_rates"]:
        if r["base"] == "total" and r["year"] in years:
            label = {"flow": "CN new court listings / population", "stock": "CN people on court list / population",
                     "cumulative": "CN court listings since 2013 / population"}[r["definition"]]
            rows.append((f"{label} ({r['year']})", r["percent"], colours[0]))
    names = {"negative_credit_entry": "DE SCHUFA negative entry", "over_indebtedness": "DE over-indebted adults",
             "debt_in_collections": "US debt in collections", "credit_invisible": "US credit invisible (no record)"}
    for row in comparators.sort_values("year").sort_values("measure", key=lambda m: m.map(list(names).index), kind="stable").itertuples():
        colour = colours[2] if row.measure == "credit_invisible" else colours[1]
        rows.append((f"{names[row.measure]} ({row.year})", float(row.value), colour))
    for y, (label, value, colour) in enumerate(rows[::-1]):
        ax.scatter(value, y, color=colour, s=16, zorder=3)
    ax.set_yticks(range(len(rows)), [label for label, _, _ in rows[::-1]])
    ax.set_xscale("log")
    ax.set_xlim(0.05, 100)
    ticks = [0.1, 1, 10, 100]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    from matplotlib.lines import Line2D

    kinds = [("public sanction list (court list)", colours[0]), ("private payment default", colours[1]),
             ("no credit record", colours[2])]
    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=c, label=k) for k, c in kinds],
              frameon=False, fontsize=6, loc="upper right")  # the top rows (China) end left of 10%
    ax.set_xlabel("% (log scale): public sanction list (CN) vs private payment default (DE, US)")
    ax.grid(axis="x", which="major", color="0.9")
