"""How each verdict moves when the choices behind it move: the parameters' declared sweeps.

Every parameter that decides a verdict declares in `pipeline.yaml` a `sweep` of values a
reasonable reader might choose. For each step, this module evaluates the step's claims over
each parameter alone across its sweep, and over the full grid where the grid is small, by
calling the step's own `analyse()` and the registry's rules (no kernel per variant). The
evidence rule's decisions (the `evidence` step's parameters) are swept too: they move every
claim of outside data and rerun no analysis. Variants run with joblib (loky processes), or on
a dask.distributed cluster (`SCS_SWEEP_BACKEND=dask`, `SCS_DASK_SCHEDULER=<address>`), with the
same results. Upstream results stay at their default; a step's sweep moves its own claims.
It is the one place besides the notebooks that runs the article's analyses.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Callable

from .article import (actors_figures, blacklist_rates, literature_shares, media_coverage, scholarship,
                      search_interest, timeline)
from .claims import assess, load_registry, reported_values
from .claims.registry import OUTSIDE, article_counts
from .claims.verdicts import EVIDENCE_STEP
from .engine.spec import Pipeline, Step, load_pipeline
from .engine.store import read_results
from .sources import tables
from .sources.evidence import load_evidence
from .sources.google_trends import load_snapshots

DECIDED_BY_DATA = ("within", "close", "date", "threshold", "all_true")


def _inputs(root: Path) -> dict[str, Callable[[], tuple]]:
    """The data each step's `analyse()` takes, as its notebook loads them (upstream results at their default)."""
    def upstream(step: str) -> dict:
        return read_results(root, step)["values"]

    def events():
        return tables.load_events(root)

    return {
        "literature_shares": lambda: (tables.load_classification(root),),
        "scholarship": lambda: (lambda book: (tables.load_citations(book, root), book, upstream("literature_shares")))(
            tables.load_codebook(root)),
        "media_coverage": lambda: (tables.load_pieces(root),),
        "search_interest": lambda: (load_snapshots(root), upstream("media_coverage"), upstream("scholarship"),
                                    reported_values(list(search_interest.CLAIMS), root)),
        "blacklist_rates": lambda: (tables.load_counts(root), tables.load_population(root),
                                    tables.load_market_entities(root),
                                    reported_values(list(blacklist_rates.ARTICLE_CLAIMS), root)),
        "timeline": lambda: (lambda e: (e, tables.load_pairs(e, root)))(events()),
        "actors_figures": lambda: (events(), article_counts(actors_figures.FN73, root)),
    }


ANALYSES = {"literature_shares": literature_shares.analyse, "scholarship": scholarship.analyse,
            "media_coverage": media_coverage.analyse, "search_interest": search_interest.analyse,
            "blacklist_rates": blacklist_rates.analyse, "timeline": timeline.analyse,
            "actors_figures": actors_figures.analyse}


def variants(step: Step, max_grid: int) -> list[dict[str, Any]]:
    """Each swept parameter alone over its sweep; and the full grid when it has at most `max_grid` points."""
    swept = {name: p.sweep for name, p in step.parameters.items() if p.sweep}
    defaults = step.defaults()
    found: list[dict] = []
    for name, values in swept.items():
        found += [{name: value} for value in values if value != defaults[name]]
    sizes = [len(values) for values in swept.values()]
    if len(swept) > 1 and _product(sizes) <= max_grid:
        for combination in itertools.product(*swept.values()):
            changed = {n: v for n, v in zip(swept, combination) if v != defaults[n]}
            if len(changed) > 1:
                found.append(changed)
    return found


def _product(sizes: list[int]) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total


def swept_claims(pipeline: Pipeline, claims: list) -> dict[str, list]:
    """The claims each step's sweep can move: those a rule of its data decides (not the research record)."""
    by_step: dict[str, list] = {}
    for claim in claims:
        rules = [claim.rule] if claim.rule else [r.rule for r in claim.readings]
        rules += [r for p in claim.parts for r in ([p.rule] if p.rule else [x.rule for x in p.readings])]
        step = pipeline.steps.get(claim.step)
        if step and any(p.sweep for p in step.parameters.values()) and any(r["kind"] in DECIDED_BY_DATA for r in rules):
            by_step.setdefault(claim.step, []).append(claim)
    return by_step


def summarise(default: dict[str, str], results: list[tuple[dict, dict[str, str]]]) -> dict[str, dict]:
    """Per claim: how many variants, how many agree with the default verdict, and where it flips."""
    summary = {}
    for claim_id, verdict in default.items():
        if verdict == "needs data":  # nothing to move until the data are there
            continue
        flips = [{"parameters": overrides, "verdict": verdicts[claim_id]}
                 for overrides, verdicts in results if verdicts[claim_id] != verdict]
        summary[claim_id] = {"default": verdict, "variants": len(results) + 1,
                             "agree": len(results) + 1 - len(flips), "flips": flips}
    return summary


def describe(entry: dict) -> str:
    """'robust (12/12)' or 'fragile (10/12: not reproduced when hardly_threshold = 0.1)' for the report."""
    ratio = f"{entry['agree']}/{entry['variants']}"
    if not entry["flips"]:
        return f"robust ({ratio})"
    alone: dict[tuple, list] = {}
    for flip in entry["flips"]:
        if len(flip["parameters"]) == 1:
            (name, value), = flip["parameters"].items()
            alone.setdefault((flip["verdict"], name), []).append(value)
    parts = [f"{verdict} when {name} = {' or '.join(map(str, values))}" for (verdict, name), values in alone.items()]
    combined = len([f for f in entry["flips"] if len(f["parameters"]) > 1])
    if combined:
        parts.append(f"{combined} combination{'s' if combined > 1 else ''} of parameters")
    return f"fragile ({ratio}: {'; '.join(parts)})"


# --- evaluation: joblib (loky) by default, or a dask.distributed cluster -----------------------

BACKEND_VARIABLE = "SCS_SWEEP_BACKEND"  # 'loky' (default) or 'dask'
SCHEDULER_VARIABLE = "SCS_DASK_SCHEDULER"  # a dask scheduler's address; with 'dask' and none, a LocalCluster
_STATE: dict[str, Any] = {}


def _state(root: str) -> dict:
    """What a worker needs, loaded once per worker process (loky and dask workers are reused)."""
    if _STATE.get("root") != root:
        pipeline = load_pipeline(root)
        claims = load_registry(root, pipeline)
        _STATE.clear()
        _STATE.update(root=root, pipeline=pipeline, claims=swept_claims(pipeline, claims),
                      outside=[c for c in claims if c.basis == OUTSIDE],
                      inputs={name: load() for name, load in _inputs(Path(root)).items() if name in ANALYSES},
                      results={name: read_results(Path(root), name) for name in pipeline.order
                               if name in ANALYSES or name == EVIDENCE_STEP},
                      evidence=load_evidence(Path(root)))
    return _STATE


def evaluate(root: str, step_name: str, overrides: dict) -> tuple[dict, dict[str, str], int]:
    """One variant: its overrides, the verdict of each claim it can move, and how many analyses it ran (0 or 1).

    A variant of the evidence step's decisions reruns no analysis: every claim of outside data is decided
    again on the steps' default results. A variant of a step reruns that step's `analyse()` once."""
    state = _state(root)
    pipeline: Pipeline = state["pipeline"]
    parameters = {**pipeline.step(step_name).defaults(), **overrides}
    results = dict(state["results"])
    if step_name == EVIDENCE_STEP:
        results[EVIDENCE_STEP] = {**results[EVIDENCE_STEP], "parameters": parameters}
        claims, ran = state["outside"], 0
    else:
        values = ANALYSES[step_name](*state["inputs"][step_name], **parameters)
        results[step_name] = {"values": values, "parameters": parameters}
        claims, ran = state["claims"][step_name], 1
    return overrides, {c.id: assess(c, pipeline, results, state["evidence"]).verdict for c in claims}, ran


def run_tasks(root: str, tasks: list[tuple[str, dict]], workers: int, backend: str | None = None,
              scheduler: str | None = None, log=print, function=None) -> list[tuple[dict, dict[str, str], int]]:
    """Evaluate the tasks with joblib (loky processes), or on a dask.distributed cluster; the same results either way,
    in the order of the tasks. Progress (done/total, time left) goes to `log` on long sweeps."""
    import time

    from joblib import Parallel, delayed, parallel_config

    backend = backend or os.environ.get(BACKEND_VARIABLE, "loky")
    scheduler = scheduler or os.environ.get(SCHEDULER_VARIABLE) or None
    if backend not in ("loky", "dask"):
        raise ValueError(f"{BACKEND_VARIABLE}={backend!r}: expected 'loky' or 'dask'")
    calls = (delayed(function or evaluate)(root, step, overrides) for step, overrides in tasks)
    started, found = time.monotonic(), []

    def collect(stream) -> None:
        for done, item in enumerate(stream, 1):
            found.append(item)
            if len(tasks) >= 50 and (done % max(1, len(tasks) // 10) == 0 or done == len(tasks)):
                elapsed = time.monotonic() - started
                log(f"robustness: {done}/{len(tasks)} variants, about {elapsed / done * (len(tasks) - done):.0f} s left")

    if backend == "loky":
        collect(Parallel(n_jobs=max(1, workers), backend="loky", return_as="generator")(calls))
        return found
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    with Client(scheduler or cluster) as client, parallel_config(backend="dask", wait_for_workers_timeout=60):
        client.run(lambda: None)  # the workers are up
        collect(Parallel(return_as="generator")(calls))
    if cluster is not None:
        cluster.close()
    return found


def analyse(root: Path | str, *, max_grid: int, workers: int) -> dict:
    """Every swept claim's verdict over its step's parameter sweeps and over the evidence rule's decisions."""
    pipeline = load_pipeline(root)
    claims = swept_claims(pipeline, load_registry(pipeline.root, pipeline))
    steps = [*claims, EVIDENCE_STEP]
    tasks = [(step, overrides) for step in steps for overrides in [{}, *variants(pipeline.step(step), max_grid)]]
    workers = max(1, min(workers, os.cpu_count() or 1))
    outcomes = run_tasks(str(pipeline.root), tasks, workers)
    by_step: dict[str, list] = {}
    for (step, _), (overrides, verdicts, _ran) in zip(tasks, outcomes):
        by_step.setdefault(step, []).append((overrides, verdicts))
    claims_summary, parameters = {}, {}
    for step, results in by_step.items():
        default = results[0][1]
        summary = summarise(default, results[1:])
        for claim_id, entry in summary.items():
            entry["step"], entry["text"] = step, describe(entry)
            entry["by_parameter"] = {name: [{"value": o.get(name), "verdict": v[claim_id]}
                                            for o, v in results[1:] if list(o) == [name]]
                                     for name, p in pipeline.step(step).parameters.items() if p.sweep}
        for claim_id, entry in summary.items():  # a claim moved by its step and by the evidence rule: both kept
            if claim_id in claims_summary:
                merged = claims_summary[claim_id]
                merged["variants"] += entry["variants"] - 1
                merged["agree"] += entry["agree"] - 1
                merged["flips"] += entry["flips"]
                merged["by_parameter"].update({f"{step}.{k}": v for k, v in entry["by_parameter"].items()})
                merged["text"] = describe(merged)
            else:
                claims_summary[claim_id] = entry
        parameters[step] = {name: {"default": p.default, "sweep": list(p.sweep), "why": p.sweep_why}
                            for name, p in pipeline.step(step).parameters.items() if p.sweep}
    fragile = [cid for cid, e in claims_summary.items() if e["flips"]]
    return {"claims": claims_summary, "parameters": parameters, "variants": len(tasks),
            "analyses_run": sum(o[2] for o in outcomes), "verdicts_evaluated": sum(len(o[1]) for o in outcomes),
            "counts": {"swept": len(claims_summary), "fragile": len(fragile), "robust": len(claims_summary) - len(fragile)},
            "fragile": fragile, "settings": {"max_grid": max_grid, "workers": workers}}


def sweep_table(root: Path | str):
    """Every swept parameter: its step, default, sweep and why a reader might choose it."""
    import pandas as pd

    return pd.DataFrame([{"step": s.name, "parameter": n, "default": p.default, "sweep": list(p.sweep),
                          "why this range": p.sweep_why}
                         for s in load_pipeline(root).steps.values() for n, p in s.parameters.items() if p.sweep])


def claims_table(analysis: dict):
    """Every swept claim: its step, default verdict and robustness."""
    import pandas as pd

    return pd.DataFrame([{"claim": cid, "step": e["step"], "default verdict": e["default"], "robustness": e["text"]}
                         for cid, e in analysis["claims"].items()])


def findings(analysis: dict) -> str:
    """The counts and every fragile verdict, as Markdown rendered from the results."""
    from .outputs.formatting import escape_markdown

    counts = analysis["counts"]
    lines = [f"{counts['swept']} claims were evaluated over {analysis['variants']} variants in all "
             f"({analysis['analyses_run']} runs of a step's analysis; {analysis['verdicts_evaluated']} verdicts evaluated, "
             f"those of the evidence rule's decisions on the steps' default results): "
             f"{counts['robust']} robust, {counts['fragile']} fragile.", ""]
    lines += [f"- **{escape_markdown(cid)}**: {escape_markdown(analysis['claims'][cid]['default'])}; "
              f"{escape_markdown(analysis['claims'][cid]['text'])}." for cid in analysis["fragile"]]
    return "\n".join(lines)


def plot_robustness(analysis: dict, ax) -> None:
    """Claims by parameter value, coloured by verdict; each parameter's default value marked."""
    from matplotlib.patches import Patch

    from .outputs.style import verdict_colours

    entries = analysis["claims"]
    steps = {e["step"] for e in entries.values()}
    columns = [(step, name, value) for step, params in analysis["parameters"].items() if step in steps
               for name, p in params.items() for value in p["sweep"]]
    rows = sorted(entries, key=lambda cid: (entries[cid]["step"], cid))
    colour = verdict_colours()
    verdicts = [v for v in colour if v in {e["default"] for e in entries.values()}
                | {f["verdict"] for e in entries.values() for f in e["flips"]}]
    for y, claim_id in enumerate(rows):
        entry = entries[claim_id]
        for x, (step, name, value) in enumerate(columns):
            if step != entry["step"]:
                continue
            default = analysis["parameters"][step][name]["default"]
            found = next((o["verdict"] for o in entry["by_parameter"].get(name, []) if o["value"] == value), entry["default"])
            ax.scatter(x, y, s=22, marker="s", color=colour[found], edgecolors="0.1" if value == default else "none",
                       linewidths=0.9)
    ax.set_yticks(range(len(rows)), rows, fontsize=5)
    shown = [f"{name} = {'+'.join(map(str, value)) if isinstance(value, list) else value}" for _, name, value in columns]
    ax.set_xticks(range(len(columns)), shown, rotation=90, fontsize=4.5)
    ax.set_xlim(-0.7, len(columns) - 0.3)
    ax.invert_yaxis()
    ax.legend(handles=[Patch(color=colour[v], label=v) for v in verdicts] +
              [Patch(facecolor="white", edgecolor="0.1", label="the default value")],
              frameon=False, fontsize=5, loc="upper left", bbox_to_anchor=(1.0, 1.0))

