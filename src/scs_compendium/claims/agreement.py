"""Agreement between two readings: Cohen's kappa (statsmodels) and Krippendorff's alpha (krippendorff).

The items of a coding (evidence rows, claim verdicts, citation roles, media tones) are coded by
two readers; agreement is reported with the number of items, the share on which the two
agree, kappa and alpha (nominal), and the table of the two codings. A statistic that chance
agreement leaves undefined (one category only) is None, with the reason.
"""

from __future__ import annotations

from collections import Counter

# The codings read twice: (name in the evidence step's results, label, the `coding` of their adjudications)
# ('stances_found' leaves out the rows both readers coded silent: most rows pair a part with a source that does not
# speak to it, and their agreement alone would lift the figure.)
CODINGS = (("verdicts", "claim verdicts", "verdict"), ("stances", "row stances", "stance"),
           ("stances_found", "row stances (not both silent)", "stance"),
           ("roles", "citation roles of the Western literature", "role"), ("tones", "media tones of footnote 14", "tone"))


def agreement(first: list[str], second: list[str]) -> dict:
    """Agreement of two codings of the same items (position i of each list codes item i)."""
    import numpy as np
    from statsmodels.stats.inter_rater import cohens_kappa

    if len(first) != len(second):
        raise ValueError(f"two codings of different lengths: {len(first)} and {len(second)}")
    items = len(first)
    categories = sorted(set(first) | set(second))
    result = {"items": items, "agree": sum(a == b for a, b in zip(first, second)), "categories": categories,
              "table": {f"{a} / {b}": n for (a, b), n in sorted(Counter(zip(first, second)).items())}}
    result["observed"] = result["agree"] / items if items else None
    if items == 0 or len(categories) < 2:
        why = "no items" if items == 0 else f"every item is coded {categories[0]!r} by both readers"
        return result | {"kappa": None, "alpha": None, "undefined": why}
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for a, b in zip(first, second):
        table[index[a], index[b]] += 1
    with np.errstate(invalid="ignore"):  # its standard error may be undefined; kappa itself is not
        kappa = float(cohens_kappa(table).kappa)
    return result | {"kappa": None if np.isnan(kappa) else kappa, "alpha": krippendorff_alpha(first, second, index)}


def krippendorff_alpha(first: list[str], second: list[str], index: dict[str, int]) -> float | None:
    """Krippendorff's alpha, nominal, for two readers without missing codes."""
    import krippendorff
    import numpy as np

    data = np.array([[index[c] for c in first], [index[c] for c in second]], dtype=float)
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                     value_domain=list(range(len(index)))))
    return None if np.isnan(alpha) else alpha


def disagreements(keys: list[str], first: list[str], second: list[str]) -> list[dict]:
    """The items the two readings code differently."""
    return [{"item": k, "first": a, "second": b} for k, a, b in zip(keys, first, second) if a != b]


def describe(result: dict) -> str:
    """'kappa 0.62, alpha 0.62; the readers agree on 81 of 96 items (84%)' for text."""
    if result["items"] == 0:
        return "no items"
    share = f"the readers agree on {result['agree']} of {result['items']} items ({result['observed']:.0%})"
    if result.get("undefined"):
        return f"{share}; kappa and alpha undefined ({result['undefined']})"
    return f"Cohen's kappa {result['kappa']:.2f}, Krippendorff's alpha {result['alpha']:.2f}; {share}"
