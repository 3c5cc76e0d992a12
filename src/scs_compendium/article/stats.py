"""Statistics shared by the article's arguments: proportions, bootstrap, periods, labels, quantities with units.

Counts carry their unit. A share divides like by like (persons by persons,
enterprises by market entities); anything else is refused unless the caller
states an explicit assumption that converts the unit (`assume_unit`). Listings
counted since 2013 are an intensity (listings per 100 persons), never a share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import CompendiumError, DataError


def wilson_interval(count: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for the proportion count/total."""
    from statsmodels.stats.proportion import proportion_confint  # here: most steps never need statsmodels

    low, high = proportion_confint(count, total, alpha=1 - level, method="wilson")
    return float(low), float(high)


def majority_test(count: int, total: int, threshold: float = 0.5) -> float:
    """One-sided binomial p-value for 'the share exceeds `threshold`'."""
    from statsmodels.stats.proportion import binom_test

    return float(binom_test(count, total, prop=threshold, alternative="larger"))


def bootstrap_median(values: list[float], n_boot: int, level: float, seed: int) -> tuple[float, float]:
    """Percentile bootstrap interval of the median."""
    rng = np.random.default_rng(seed)
    data = np.asarray(values, dtype=float)
    medians = np.median(rng.choice(data, size=(n_boot, len(data)), replace=True), axis=1)
    return float(np.quantile(medians, (1 - level) / 2)), float(np.quantile(medians, 1 - (1 - level) / 2))


def half_year(stamp) -> str | None:
    """'2016H2' for a date in the second half of 2016; None for None."""
    if stamp is None:
        return None
    stamp = pd.Timestamp(stamp)
    return f"{stamp.year}H{1 if stamp.month <= 6 else 2}"


def half_year_start(label: str) -> pd.Timestamp:
    """The first day of a half-year label such as '2016H2'."""
    return pd.Timestamp(f"{label[:4]}-{'01' if label.endswith('1') else '07'}-01")


def short_label(corpus: str) -> str:
    """'China Academic Journals (CNKI), keyword search' -> 'CNKI'; else the part before a comma."""
    match = re.search(r"\(([^)]+)\)", corpus)
    return match.group(1) if match else corpus.split(",")[0].removesuffix(" website")


# --- quantities with units --------------------------------------------------------------


class UnitError(CompendiumError):
    """A division across incompatible units, or a figure without unit or source."""


UNITS = ("persons", "person-times", "subjects", "enterprises", "entities", "records", "blocked purchases",
         "market entities", "legal entities", "corporate enterprises", "individual businesses")
# (numerator unit, denominator unit) pairs whose quotient is a share of the denominator.
SHARE_UNITS = {
    ("persons", "persons"),
    ("enterprises", "enterprises"),
    ("enterprises", "market entities"),
    ("entities", "market entities"),
    ("entities", "enterprises"),
    ("entities", "legal entities"),
    ("market entities", "market entities"),
}
# Pairs whose quotient is an intensity (events per person), not a share of people.
INTENSITY_UNITS = {("person-times", "persons"), ("blocked purchases", "persons")}


@dataclass(frozen=True)
class Count:
    """A published figure with its unit and source."""

    value: float
    unit: str
    label: str
    source: str
    date: str = ""
    assumptions: tuple[str, ...] = ()

    def __post_init__(self):
        if self.unit not in UNITS:
            raise UnitError(f"{self.label}: unknown unit {self.unit!r}; expected one of {list(UNITS)}")
        if not self.source:
            raise UnitError(f"{self.label}: a figure needs its source")


def assume_unit(count: Count, unit: str, why: str) -> Count:
    """The same figure read in another unit, with the assumption that allows it recorded."""
    return replace(count, unit=unit, assumptions=(*count.assumptions, why))


@dataclass
class Rate:
    """numerator / denominator in percent, with its arithmetic and assumptions."""

    definition: str
    base: str
    year: str
    numerator: Count
    denominator: Count
    percent: float
    kind: str  # "share" or "per 100 persons"
    denominator_gap_years: float = 0.0
    assumptions: list[str] = field(default_factory=list)

    @property
    def arithmetic(self) -> str:
        return (
            f"{self.numerator.value:,.0f} {self.numerator.unit} / {self.denominator.value:,.0f} "
            f"{self.denominator.unit} = {self.percent:.3f}%" + ("" if self.kind == "share" else " (listings per 100 persons)")
        )

    def as_dict(self) -> dict:
        return {
            "definition": self.definition,
            "base": self.base,
            "year": self.year,
            "percent": self.percent,
            "kind": self.kind,
            "numerator": self.numerator.label,
            "numerator_source": self.numerator.source,
            "denominator": self.denominator.label,
            "denominator_source": self.denominator.source,
            "denominator_gap_years": round(self.denominator_gap_years, 2),
            "assumptions": list(self.numerator.assumptions) + self.assumptions,
            "arithmetic": self.arithmetic,
        }


def share(numerator: Count, denominator: Count) -> float:
    """numerator / denominator in percent, refused unless it is a share (like by like)."""
    if (numerator.unit, denominator.unit) not in SHARE_UNITS:
        raise UnitError(
            f"cannot take {numerator.label} ({numerator.unit}) as a share of {denominator.label} "
            f"({denominator.unit}): a share needs one of {sorted(SHARE_UNITS)}; convert with "
            "assume_unit(...) and state why"
        )
    return 100 * numerator.value / denominator.value


def per_hundred(numerator: Count, denominator: Count) -> float:
    """Events per 100 persons (person-times or blocked purchases over persons)."""
    if (numerator.unit, denominator.unit) not in INTENSITY_UNITS:
        raise UnitError(
            f"cannot take {numerator.label} ({numerator.unit}) per {denominator.unit}: an intensity "
            f"needs one of {sorted(INTENSITY_UNITS)}"
        )
    return 100 * numerator.value / denominator.value


def to_count(row, label: str | None = None) -> Count:
    """A table row as a Count, citing its id and its source (an id of data/evidence/sources.csv)."""
    if not getattr(row, "source", None) or pd.isna(row.source):
        raise DataError(f"figure {row.id!r} has no source")
    return Count(
        value=float(row.value),
        unit=row.unit,
        label=label or row.id,
        source=f"{row.id}: source {row.source}",
        date=row.reference_date.date().isoformat(),
    )


# --- what the sources say: qualifiers, assumptions and derived rows ----------------------
QUALIFIER_BOUND = {"nearly": "an upper bound", "over": "a lower bound", "at_least": "a lower bound", "about": "approximate", "approximately": "approximate"}


def usable(frame: pd.DataFrame) -> pd.DataFrame:
    """Published rows, and derived rows only where no published row has the same indicator and date."""
    if "value_origin" not in frame.columns:
        return frame
    keys = list(zip(frame["indicator"], frame["reference_date"]))
    have = {k for k, origin in zip(keys, frame["value_origin"]) if origin != "derived"}
    return frame[[origin != "derived" or k not in have for k, origin in zip(keys, frame["value_origin"])]]


def recorded(count: Count, row) -> Count:
    """The count with its source's qualifier, the compendium's assumption or, if derived, its derivation recorded."""
    qualifier, derived = getattr(row, "qualifier", "exact"), getattr(row, "value_origin", "published") == "derived"
    notes = [f"{row.id}: {row.assumption}"] if str(getattr(row, "assumption", "")).startswith("ASSUMPTION") else []
    if derived:
        notes.append(f"{row.id} is derived by the compendium (no published figure): {row.derivation}")
    elif qualifier in QUALIFIER_BOUND:
        notes.append(f"{row.id}: the source says '{qualifier.replace('_', ' ')}' {float(row.value):,.0f}; "
                     f"used as printed, so the figure is {QUALIFIER_BOUND[qualifier]}")
    label = ", ".join([count.label] + [qualifier.replace("_", " ")] * (qualifier != "exact") + ["derived"] * derived)
    return replace(count, label=label, assumptions=(*count.assumptions, *notes))
