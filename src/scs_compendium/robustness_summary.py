"""What the robustness step's results say of the evaluated grids: per claim its share of agreeing variants and
where it flips, per step its grid, the decision table, the counts of analyses run and reused, and the article's
own number each claim is compared with (see :mod:`scs_compendium.robustness`)."""

from __future__ import annotations

from typing import Any

from .claims.entry_checks import reported_numbers
from .claims.registry import rules_of
from .outputs.robustness_view import levels, shown_value


def summarise(default: dict[str, str], results: list[tuple[dict, dict[str, str]]]) -> dict[str, dict]:
    """Per claim, over every variant of a grid (`results`: what each changes from the run, and its verdicts): how
    many variants, how many give the run's verdict (`default`), each parameter alone that flips it, and how many
    combinations of several parameters do."""
    summary = {}
    for claim_id, verdict in default.items():
        if verdict == "needs data":  # nothing to move until the data are there
            continue
        changed = [(overrides, verdicts[claim_id]) for overrides, verdicts in results if verdicts[claim_id] != verdict]
        summary[claim_id] = {"default": verdict, "variants": len(results), "agree": len(results) - len(changed),
                             "changed": len(changed),
                             "flips": [{"parameters": o, "verdict": v} for o, v in changed if len(o) == 1],
                             "combinations": sum(len(o) > 1 for o, _ in changed)}
    return summary


def describe(entry: dict) -> str:
    """'robust (12/12)' or 'fragile (10/12: not reproduced when hardly_threshold = 0.1)' for the report."""
    ratio = f"{entry['agree']}/{entry['variants']}"
    if not entry["changed"]:
        return f"robust ({ratio})"
    alone: dict[tuple, list] = {}
    for flip in entry["flips"]:
        (name, value), = flip["parameters"].items()
        alone.setdefault((flip["verdict"], name), []).append(value)
    parts = [f"{verdict} when {name} = {' or '.join(map(shown_value, values))}" for (verdict, name), values in alone.items()]
    combined = entry["combinations"]
    if combined:
        parts.append(f"{combined} combination{'s' if combined > 1 else ''} of parameters")
    minority = "; the run's verdict is the minority of its grid" if entry["agree"] * 2 < entry["variants"] else ""
    return f"fragile ({ratio}: {'; '.join(parts)}{minority})"


COMPARED_WITH_REPORTED = {"within": ("low", "high"), "close": ("target",), "date": ("low", "high")}  # their defaults


def article_value(claim) -> Any:
    """The article's own number (or range) that a claim's rules compare its value with, from the registry's
    `reported`; None when the article gives no number or no rule compares with it."""
    reported = (claim.reported or {}).get("value")
    if not reported_numbers(reported):
        return None
    for rule in rules_of(claim):
        if any(isinstance(v, str) and v.startswith("reported") for v in rule.values()) or \
                any(k not in rule for k in COMPARED_WITH_REPORTED.get(rule["kind"], ())):
            return reported
    return None


def summarise_grids(pipeline, grids: dict, tasks: list[tuple], outcomes: list, base: dict[str, dict],
                    reused: list[bool] | None = None) -> dict:
    """The results of the robustness step from the evaluated tasks (`reused`: which came from the cache): per claim
    its share and flips, per step its grid, the decision table, and the counts (see :func:`analyse`)."""
    reused = reused or [False] * len(tasks)
    verdicts = {name: [{} for _ in g["rows"]] for name, g in grids.items()}
    numbers = {name: [{} for _ in g["rows"]] for name, g in grids.items()}
    position: dict[tuple, int] = {}  # the tasks of one group of claims follow the rows of their grid
    counts = {name: dict.fromkeys(("analyses_run", "analyses_reused", "verdicts_evaluated", "verdicts_reused"), 0)
              for name in grids}
    for task, (found, values, ran), was_reused in zip(tasks, outcomes, reused):
        name, group = task[0], tuple(task[3]) if len(task) > 3 and task[3] is not None else None
        start = position.get((name, group), 0)
        for k, (v, n) in enumerate(zip(found, values)):
            verdicts[name][start + k].update(v)
            numbers[name][start + k].update(n)
        position[(name, group)] = start + len(found)
        how = "reused" if was_reused else "run"
        counts[name][f"analyses_{how}"] += ran
        counts[name]["verdicts_reused" if was_reused else "verdicts_evaluated"] += sum(len(v) for v in found)
    base = {name: g.get("as_run") or base[name] for name, g in grids.items()}
    claims_summary, parameters, table, kept = {}, {}, [], {}
    for name, g in grids.items():
        names, rows = g["names"], g["rows"]
        changes = [{n: v for n, v in zip(names, row) if v != base[name][n]} for row in rows]
        default = verdicts[name][changes.index({})]
        for claim_id, entry in summarise(default, list(zip(changes, verdicts[name]))).items():
            entry["steps"] = [name]
            if claim_id in claims_summary:  # a claim moved by its step and by the evidence rule: both grids count
                merged = claims_summary[claim_id]
                for key in ("variants", "agree", "changed", "combinations"):
                    merged[key] += entry[key]
                merged["flips"] += entry["flips"]
                merged["steps"] += entry["steps"]
            else:
                claims_summary[claim_id] = entry
        declared = g.get("declared") or pipeline.step(name).parameters
        parameters[name] = {n: {"as_run": base[name][n], "sweep": list(declared[n].sweep), "why": declared[n].sweep_why,
                                "role": declared[n].role} for n in names}
        for n in names:  # the decision table: each value alone, the rest as the chain ran
            for value in levels(rows, names.index(n)):
                if value == base[name][n]:
                    continue
                found = verdicts[name][changes.index({n: value})]
                moved = sorted(c for c, v in found.items() if v != default[c] and default[c] != "needs data")
                table.append({"step": name, "parameter": n, "value": value, "changed": len(moved), "claims": moved})
        codes = sorted({v for found in verdicts[name] for v in found.values()})
        kept[name] = {"parameters": names, "as_run": [base[name][n] for n in names], "rows": [list(r) for r in rows],
                      "verdict_names": codes,
                      "verdicts": {c: [codes.index(found[c]) for found in verdicts[name]] for c in default},
                      "numbers": {c: [found.get(c) for found in numbers[name]] for c in default
                                  if any(c in found for found in numbers[name])},
                      **counts[name]}
    for claim_id, entry in claims_summary.items():
        entry["share"] = entry["agree"] / entry["variants"]
        entry["minority"] = entry["agree"] * 2 < entry["variants"]
        entry["text"] = describe(entry)
        named = dict.fromkeys(n for f in entry["flips"] for n in f["parameters"]) or \
            dict.fromkeys(n for step in entry["steps"] for n in parameters[step] if entry["changed"])
        entry["sweep_why"] = {n: next(parameters[s][n]["why"] for s in entry["steps"] if n in parameters[s])
                              for n in named}
    fragile = [cid for cid, e in claims_summary.items() if e["changed"]]
    return {"claims": claims_summary, "parameters": parameters, "grids": kept, "decision_table": table,
            "variants": sum(len(g["rows"]) for g in grids.values()),
            **{key: sum(c[key] for c in counts.values()) for key in next(iter(counts.values()), {})},
            "analyses": sum(c["analyses_run"] + c["analyses_reused"] for c in counts.values()),  # the grids hold
            "counts": {"swept": len(claims_summary), "fragile": len(fragile), "robust": len(claims_summary) - len(fragile),
                       "minority": sum(e["minority"] for e in claims_summary.values())},
            "fragile": fragile}
