"""How each verdict moves when the choices behind it move: the full grids of the declared sweeps.

Every parameter that decides a verdict declares in `pipeline.yaml` a `sweep` of values a reasonable
reader might choose. For each step, this module evaluates the step's claims over the full cross
product of its swept parameters (no size cut), and the claims of outside data over the full grid
of the evidence rule's decisions (the `evidence` step's parameters). A parameter is an analysis
parameter (the step computes with it) or a decision (`role: decision`: only a verdict rule reads
it): each distinct set of analysis parameters runs the step's own `analyse()` once, and every
combination of decisions is evaluated on the values it kept. The grid is centred on the
parameters the chain ran with (`build/results/<step>.json`), not on the declared defaults: a
verdict agrees when it is the one the run gave, and the value the run used joins its sweep when it
lies outside it. Variants run with joblib (loky processes), or on a dask.distributed cluster
(`SCS_SWEEP_BACKEND=dask`, `SCS_DASK_SCHEDULER=<address>`), with the same results.
It is the one place besides the notebooks that runs the article's analyses.
"""

from __future__ import annotations

import inspect
import itertools
import os
import time
from pathlib import Path
from typing import Any, Callable

from .article import (actors_figures, blacklist_rates, literature_shares, media_coverage, scholarship,
                      search_interest, timeline)
from .claims import assess, load_registry, reported_values
from .claims.registry import OUTSIDE, article_counts
from .claims.verdicts import EVIDENCE_STEP
from .engine.spec import Pipeline, Step, load_pipeline
from .engine.store import read_results
from .outputs.robustness_view import levels, shown_value
from .errors import ParameterError, SpecError
from .sources import tables
from .sources.evidence import load_evidence
from .sources.google_trends import load_snapshots

DECIDED_BY_DATA = ("within", "close", "date", "threshold", "all_true")
CHUNK = 108  # decision variants of the evidence rule evaluated by one task


def _inputs(root: Path) -> dict[str, Callable[[], tuple]]:
    """The data each step's `analyse()` takes, as its notebook loads them (upstream results as the chain ran them)."""
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


def check_decisions(pipeline: Pipeline) -> None:
    """Refuse a parameter declared a decision that its step's `analyse()` takes (it would be computed with)."""
    for name, analyse in ANALYSES.items():
        if name not in pipeline.steps:
            continue
        taken = set(inspect.signature(analyse).parameters)
        for parameter in pipeline.step(name).parameters.values():
            if parameter.role == "decision" and parameter.name in taken:
                raise SpecError(f"pipeline.yaml: step {name!r}, parameter {parameter.name!r} is declared "
                                f"'role: decision', but {name}.analyse() takes it; expected a decision to be read "
                                "only by a verdict rule (declare it an analysis parameter, or drop it from analyse())")


def grid(step: Step, base: dict[str, Any]) -> tuple[list[str], list[tuple]]:
    """The full grid of a step's sweeps: the swept names (analysis parameters first) and every combination.

    The value the run used (`base`) joins a sweep that lacks it, so the run itself is a point of the grid."""
    swept = [p for p in step.parameters.values() if p.sweep]
    swept.sort(key=lambda p: p.role == "decision")
    values = [list(p.sweep) + ([base[p.name]] if base[p.name] not in p.sweep else []) for p in swept]
    return [p.name for p in swept], list(itertools.product(*values))


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


# --- evaluation: joblib (loky) by default, or a dask.distributed cluster -----------------------

BACKEND_VARIABLE = "SCS_SWEEP_BACKEND"  # 'loky' (default) or 'dask'
SCHEDULER_VARIABLE = "SCS_DASK_SCHEDULER"  # a dask scheduler's address; with 'dask' and none, a LocalCluster
SCHEDULER_TIMEOUT = "10s"  # how long a scheduler at the given address has to answer
_STATE: dict[str, Any] = {}


def _state(root: str) -> dict:
    """What a worker needs, loaded once per worker process (loky and dask workers are reused)."""
    if _STATE.get("root") != root:
        pipeline = load_pipeline(root)
        claims = load_registry(root, pipeline)
        results = {name: read_results(Path(root), name) for name in pipeline.order
                   if name in ANALYSES or name == EVIDENCE_STEP}
        _STATE.clear()
        _STATE.update(root=root, pipeline=pipeline, claims=swept_claims(pipeline, claims),
                      outside=[c for c in claims if c.basis == OUTSIDE],
                      inputs={name: load() for name, load in _inputs(Path(root)).items() if name in ANALYSES},
                      results=results, evidence=load_evidence(Path(root)))
    return _STATE


def evaluate(root: str, step_name: str, analysis: dict, decisions: list[dict]) -> tuple[list, list, int]:
    """One distinct set of a step's analysis parameters (`analysis`, over the run's) and every decision combination
    on it: the verdicts of the claims it can move and their numbers, per decision, and the analyses run (0 or 1).

    The evidence step's decisions rerun no analysis: every claim of outside data is decided again on the steps'
    results as the chain ran them."""
    state = _state(root)
    pipeline: Pipeline = state["pipeline"]
    step = pipeline.step(step_name)
    base = {**step.defaults(), **state["results"][step_name].get("parameters", {}), **analysis}
    if step_name == EVIDENCE_STEP:
        values, claims, ran = state["results"][EVIDENCE_STEP]["values"], state["outside"], 0
    else:
        values = ANALYSES[step_name](*state["inputs"][step_name], **step.analysis_parameters(base))
        claims, ran = state["claims"][step_name], 1
    verdicts, numbers = [], []
    for decision in decisions:
        results = {**state["results"], step_name: {"values": values, "parameters": {**base, **decision}}}
        found = [assess(c, pipeline, results, state["evidence"]) for c in claims]
        verdicts.append({a.claim.id: a.verdict for a in found})
        numbers.append({a.claim.id: a.value for a in found if ran and _number(a.value)})
    return verdicts, numbers, ran


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def run_tasks(root: str, tasks: list[tuple], workers: int, backend: str | None = None,
              scheduler: str | None = None, log=print, function=None) -> list:
    """Evaluate the tasks (each the arguments after `root`) with joblib (loky processes), or on a dask.distributed
    cluster; the same results either way, in the order of the tasks. Progress (done/total, time left) goes to `log`."""
    from joblib import Parallel, delayed, parallel_config

    backend = backend or os.environ.get(BACKEND_VARIABLE, "loky")
    scheduler = scheduler or os.environ.get(SCHEDULER_VARIABLE) or None
    if backend not in ("loky", "dask"):
        raise ParameterError(f"{BACKEND_VARIABLE}={backend!r}: expected 'loky' or 'dask'")
    calls = (delayed(function or evaluate)(root, *task) for task in tasks)
    started, found = time.monotonic(), []

    def collect(stream) -> None:
        for done, item in enumerate(stream, 1):
            found.append(item)
            if len(tasks) >= 20 and (done % max(1, len(tasks) // 5) == 0 or done == len(tasks)):
                elapsed = time.monotonic() - started
                log(f"robustness: {done}/{len(tasks)} tasks, about {elapsed / done * (len(tasks) - done):.0f} s left")

    if backend == "loky":
        collect(Parallel(n_jobs=max(1, workers), backend="loky", return_as="generator")(calls))
        return found
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:  # an unreachable address is refused before any task is sent
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except Exception as exc:  # dask raises OSError, TimeoutError or ValueError by the kind of address
            raise ParameterError(f"{SCHEDULER_VARIABLE}={scheduler!r}: no dask scheduler answers at that address "
                                 f"({type(exc).__name__}: {exc}); expected a running scheduler's address such as "
                                 "tcp://host:8786, or no address to start a LocalCluster") from None
        cluster = None
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        with parallel_config(backend="dask", wait_for_workers_timeout=60):
            client.run(lambda: None)  # the workers are up
            collect(Parallel(return_as="generator")(calls))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return found


def plan(pipeline: Pipeline, claims: dict[str, list], base: dict[str, dict],
         evidence: bool = True) -> tuple[dict, list[tuple]]:
    """Each grid (its swept names, how many are analysis parameters, its rows) and the tasks that evaluate it: one per
    distinct set of analysis parameters (the evidence rule's decisions, in chunks of CHUNK; `evidence`: their grid)."""
    grids, tasks = {}, []
    for name in [*claims, *([EVIDENCE_STEP] if evidence else [])]:
        step = pipeline.step(name)
        names, rows = grid(step, base[name])
        split = sum(step.parameters[n].role != "decision" for n in names)
        grids[name] = {"names": names, "split": split, "rows": rows}
        for prefix, group in itertools.groupby(rows, key=lambda row: row[:split]):
            decisions = [dict(zip(names[split:], row[split:])) for row in group]
            for start in range(0, len(decisions), CHUNK if split == 0 else len(decisions)):
                tasks.append((name, dict(zip(names[:split], prefix)), decisions[start:start + CHUNK if split == 0 else None]))
    return grids, tasks


def analyse(root: Path | str, *, workers: int) -> dict:
    """Every swept claim's verdict over the full grid of its step's sweeps and of the evidence rule's decisions."""
    pipeline = load_pipeline(root)
    check_decisions(pipeline)
    claims = swept_claims(pipeline, load_registry(pipeline.root, pipeline))
    base = {name: {**pipeline.step(name).defaults(), **read_results(pipeline.root, name).get("parameters", {})}
            for name in [*claims, EVIDENCE_STEP]}
    grids, tasks = plan(pipeline, claims, base)
    workers = max(1, min(workers, os.cpu_count() or 1))
    outcomes = run_tasks(str(pipeline.root), tasks, workers)
    found = summarise_grids(pipeline, grids, tasks, outcomes, base)
    for name, cs in claims.items():  # the swept parameters a claim's rules compare its number with
        found["grids"][name]["thresholds"] = {c.id: [n for n in _named(c) if n in grids[name]["names"]] for c in cs}
    return {**found, "settings": {"workers": workers}}


def _named(claim) -> list[str]:
    """The step parameters (`@name`) that a claim's rules, its readings' and its parts' name."""
    rules = [claim.rule] if claim.rule else [r.rule for r in claim.readings]
    rules += [r for p in claim.parts for r in ([p.rule] if p.rule else [x.rule for x in p.readings])]
    return list(dict.fromkeys(v[1:] for r in rules for v in r.values() if isinstance(v, str) and v.startswith("@")))


def summarise_grids(pipeline: Pipeline, grids: dict, tasks: list[tuple], outcomes: list, base: dict[str, dict]) -> dict:
    """The results of the robustness step from the evaluated tasks: per claim its share and flips, per step its grid,
    the decision table, and the counts (see :func:`analyse`)."""
    verdicts: dict[str, list] = {name: [] for name in grids}
    numbers: dict[str, list] = {name: [] for name in grids}
    for (name, _, _), (found, values, _ran) in zip(tasks, outcomes):
        verdicts[name] += found
        numbers[name] += values
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
        declared = pipeline.step(name).parameters
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
                      "analyses_run": sum(o[2] for t, o in zip(tasks, outcomes) if t[0] == name)}
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
            "analyses_run": sum(o[2] for o in outcomes), "verdicts_evaluated": sum(len(v) for o in outcomes for v in o[0]),
            "counts": {"swept": len(claims_summary), "fragile": len(fragile), "robust": len(claims_summary) - len(fragile),
                       "minority": sum(e["minority"] for e in claims_summary.values())},
            "fragile": fragile}

