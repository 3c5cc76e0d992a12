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
import json
import os
import time
from pathlib import Path
from typing import Any, Callable

from .article import (actors_figures, blacklist_rates, literature_shares, media_coverage, scholarship,
                      search_interest, timeline)
from .claims import assess, load_registry, reported_values
from .claims.entry_checks import is_number
from .claims.registry import OUTSIDE, article_counts, named_parameters, rules_of
from .claims.verdicts import EVIDENCE_STEP
from .engine.spec import Pipeline, Step, load_pipeline
from .engine.store import canonical, read_results, to_jsonable
from .errors import ParameterError, SpecError
from .robustness_cache import Cache, Keys
from .robustness_summary import article_value, summarise_grids
from .sources import tables
from .sources.evidence import load_evidence
from .sources.google_trends import load_snapshots

DECIDED_BY_DATA = ("within", "close", "date", "threshold", "all_true")
CHUNK = 108  # decision variants of the evidence rule evaluated by one task


# The upstream steps whose results each step's analyse() takes, and those whose swept analysis parameters its grid
# carries along: each variant evaluates the step on the values its variant of the upstream step gives (the upstream's
# other parameters as the chain ran them). Scholarship takes literature_shares' results as the chain ran them:
# carrying literature_shares' 144 variants (half a second each) would multiply scholarship's grid by 144.
READS = {"scholarship": ("literature_shares",), "search_interest": ("media_coverage", "scholarship")}
CARRIED = {"search_interest": ("media_coverage", "scholarship")}


class _Upstream:
    """In a step's inputs: the results of an upstream step (as the chain ran it, or a variant's)."""

    def __init__(self, step: str):
        self.step = step


def _inputs(root: Path) -> dict[str, Callable[[], tuple]]:
    """The data each step's `analyse()` takes, as its notebook loads them (upstream results stand for themselves)."""
    def events():
        return tables.load_events(root)

    return {
        "literature_shares": lambda: (tables.load_classification(root),),
        "scholarship": lambda: (lambda book: (tables.load_citations(book, root), book, _Upstream("literature_shares")))(
            tables.load_codebook(root)),
        "media_coverage": lambda: (tables.load_pieces(root),),
        "search_interest": lambda: (load_snapshots(root), _Upstream("media_coverage"), _Upstream("scholarship"),
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


def swept_parameters(pipeline: Pipeline, name: str) -> list[tuple[str, Any]]:
    """A step's swept parameters with their declarations: its own analysis parameters, those of the upstream steps
    its grid carries (named `step.name`), then its decisions."""
    own = [(p.name, p) for p in pipeline.step(name).parameters.values() if p.sweep]
    carried = [(f"{u}.{p.name}", p) for u in CARRIED.get(name, ()) if u in pipeline.steps
               for p in pipeline.step(u).parameters.values() if p.sweep and p.role != "decision"]
    return sorted(own + carried, key=lambda item: item[1].role == "decision")


def centred(pipeline: Pipeline, base: dict[str, dict], name: str) -> dict:
    """The parameters a step's grid is centred on: its own and its carried upstream steps' (`step.name`), as run."""
    found = dict(base[name])
    for upstream in CARRIED.get(name, ()):
        found |= {f"{upstream}.{n}": v for n, v in (base.get(upstream) or pipeline.step(upstream).defaults()).items()}
    return found


def grid(step: Step, base: dict[str, Any], swept: list[tuple[str, Any]] | None = None) -> tuple[list[str], list[tuple]]:
    """The full grid of a step's sweeps: the swept names (analysis parameters first) and every combination.

    The value the run used (`base`) joins a sweep that lacks it, so the run itself is a point of the grid."""
    if swept is None:
        swept = sorted(((p.name, p) for p in step.parameters.values() if p.sweep), key=lambda i: i[1].role == "decision")
    values = [list(p.sweep) + ([base[n]] if base[n] not in p.sweep else []) for n, p in swept]
    return [n for n, _ in swept], list(itertools.product(*values))


def swept_claims(pipeline: Pipeline, claims: list) -> dict[str, list]:
    """The claims each step's sweep can move: those a rule of its data decides (not the research record)."""
    by_step: dict[str, list] = {}
    for claim in claims:
        step = pipeline.steps.get(claim.step)
        if step and any(p.sweep for p in step.parameters.values()) and \
                any(r["kind"] in DECIDED_BY_DATA for r in rules_of(claim)):
            by_step.setdefault(claim.step, []).append(claim)
    return by_step


# --- evaluation: joblib (loky) by default, or a dask.distributed cluster -----------------------

BACKEND_VARIABLE = "SCS_SWEEP_BACKEND"  # 'loky' (default) or 'dask'
SCHEDULER_VARIABLE = "SCS_DASK_SCHEDULER"  # a dask scheduler's address; with 'dask' and none, a LocalCluster
SCHEDULER_TIMEOUT = "10s"  # how long a scheduler at the given address has to answer
_STATE: dict[str, Any] = {}


def chain_results(pipeline: Pipeline) -> dict[str, dict]:
    """The results the sweep reads (of every step it analyses, and of the evidence step), as the chain wrote them."""
    return {name: read_results(pipeline.root, name) for name in pipeline.order if name in ANALYSES or name == EVIDENCE_STEP}


def as_run(pipeline: Pipeline, results: dict[str, dict], name: str) -> dict:
    """A step's parameters as the chain ran it: its defaults, with those its results record."""
    return {**pipeline.step(name).defaults(), **results[name].get("parameters", {})}


def _state(root: str) -> dict:
    """What a worker needs, loaded once per worker process (loky and dask workers are reused)."""
    if _STATE.get("root") != root:
        pipeline = load_pipeline(root)
        claims = load_registry(root, pipeline)
        results = chain_results(pipeline)
        _STATE.clear()
        _STATE.update(root=root, pipeline=pipeline, claims=swept_claims(pipeline, claims),
                      outside=[c for c in claims if c.basis == OUTSIDE],
                      inputs={name: load() for name, load in _inputs(Path(root)).items() if name in ANALYSES},
                      results=results, evidence=load_evidence(Path(root)), variants={})
    return _STATE


def variant_values(state: dict, name: str, parameters: dict, carried: dict[str, dict] | None = None) -> dict:
    """What a step's analyse() gives for its analysis `parameters`, as its notebook would write it (plain JSON): an
    upstream step whose sweeps the grid carries gives the values of its variant (`carried[upstream]`: its swept
    parameters; the rest as the chain ran it, computed once per worker), any other its results as the chain ran it."""
    args = []
    for item in state["inputs"][name]:
        if isinstance(item, _Upstream) and item.step in (carried or {}):
            key = (item.step, canonical(carried[item.step]))
            if key not in state["variants"]:
                variant = {**as_run(state["pipeline"], state["results"], item.step), **carried[item.step]}
                state["variants"][key] = variant_values(state, item.step,
                                                        state["pipeline"].step(item.step).analysis_parameters(variant))
            item = state["variants"][key]
        elif isinstance(item, _Upstream):
            item = state["results"][item.step]["values"]
        args.append(item)
    return json.loads(canonical(to_jsonable(ANALYSES[name](*args, **parameters))))


def evaluate(root: str, step_name: str, analysis: dict, decisions: list[dict],
             group: list[str] | None = None) -> tuple[list, list, int]:
    """One distinct set of a step's analysis parameters (`analysis`, over the run's; `step.name` for an upstream
    step its grid carries) and every decision combination on it: the verdicts of the claims it can move and their
    numbers, per decision, and the analyses run (0 or 1).

    The evidence step's decisions rerun no analysis: the claims of outside data (those of `group`, or all) are
    decided again on the steps' results as the chain ran them."""
    state = _state(root)
    pipeline: Pipeline = state["pipeline"]
    step = pipeline.step(step_name)
    own = {n: v for n, v in analysis.items() if "." not in n}
    base = {**as_run(pipeline, state["results"], step_name), **own}
    if step_name == EVIDENCE_STEP:
        values, ran = state["results"][EVIDENCE_STEP]["values"], 0
        claims = [c for c in state["outside"] if group is None or c.id in group]
    else:
        carried = {u: {n.split(".", 1)[1]: v for n, v in analysis.items() if n.startswith(u + ".")}
                   for u in CARRIED.get(step_name, ())}
        values = variant_values(state, step_name, step.analysis_parameters(base), carried)
        claims, ran = state["claims"][step_name], 1
    verdicts, numbers = [], []
    for decision in decisions:
        results = {**state["results"], step_name: {"values": values, "parameters": {**base, **decision}}}
        found = [assess(c, pipeline, results, state["evidence"]) for c in claims]
        verdicts.append({a.claim.id: a.verdict for a in found})
        numbers.append({a.claim.id: a.value for a in found if ran and is_number(a.value)})
    return verdicts, numbers, ran


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


def evidence_groups(outside: list) -> list[list[str]]:
    """The claims of outside data in groups that read the same results: those with computed parts by their step, and
    those decided by evidence rows alone (so that a change to one step's results leaves the other groups' tasks)."""
    groups: dict[str, list[str]] = {}
    for claim in outside:
        groups.setdefault(claim.step if any(p.computed for p in claim.parts) else "", []).append(claim.id)
    return [groups[k] for k in sorted(groups)]


def plan(pipeline: Pipeline, claims: dict[str, list], base: dict[str, dict], evidence: bool = True,
         outside: list | None = None) -> tuple[dict, list[tuple]]:
    """Each grid (its swept names, how many are analysis parameters, its rows, the declarations and the values as run)
    and the tasks that evaluate it: one per distinct set of analysis parameters (the evidence rule's decisions in
    chunks of CHUNK, for each group of the claims of `outside`, or all at once; `evidence`: their grid)."""
    grids, tasks = {}, []
    for name in [*claims, *([EVIDENCE_STEP] if evidence else [])]:
        swept, as_run = swept_parameters(pipeline, name), centred(pipeline, base, name)
        names, rows = grid(pipeline.step(name), as_run, swept)
        declared = dict(swept)
        split = sum(declared[n].role != "decision" for n in names)
        grids[name] = {"names": names, "split": split, "rows": rows, "declared": declared, "as_run": as_run}
        groups = evidence_groups(outside) if name == EVIDENCE_STEP and outside is not None else [None]
        for group in groups:
            for prefix, chunk in itertools.groupby(rows, key=lambda row: row[:split]):
                decisions = [dict(zip(names[split:], row[split:])) for row in chunk]
                size = CHUNK if split == 0 else len(decisions)
                for start in range(0, len(decisions), size):
                    tasks.append((name, dict(zip(names[:split], prefix)), decisions[start:start + size], group))
    return grids, tasks


def run_cached(pipeline: Pipeline, grids: dict, tasks: list[tuple], keys: Keys, expected: list[list[str]],
               workers: int, log=print) -> tuple[list, list[bool]]:
    """The outcome of every task: kept in build/.cache/robustness/ under the key of what it reads, or computed (and
    kept). Returns the outcomes and, per task, whether it was reused."""
    caches = {name: Cache(pipeline.root, name) for name in grids}
    outcomes: list = [None] * len(tasks)
    todo = []
    for i, (task, claim_ids) in enumerate(zip(tasks, expected)):
        key = keys.task(task[0], grids[task[0]]["names"], task[1], task[2], task[3])
        outcomes[i] = caches[task[0]].get(key, len(task[2]), claim_ids)
        if outcomes[i] is None:
            todo.append((i, key))
    log(f"robustness: {len(tasks) - len(todo)} of {len(tasks)} tasks reused (unchanged inputs), {len(todo)} to compute")
    computed = run_tasks(str(pipeline.root), [tasks[i] for i, _ in todo], workers) if todo else []
    for (i, key), outcome in zip(todo, computed):
        outcome = tuple(json.loads(canonical(to_jsonable(list(outcome)))))  # as a reused outcome reads
        caches[tasks[i][0]].put(key, outcome)
        outcomes[i] = outcome
    for cache in caches.values():
        cache.save()
    done = {i for i, _ in todo}
    return outcomes, [i not in done for i in range(len(tasks))]


def analyse(root: Path | str, *, workers: int) -> dict:
    """Every swept claim's verdict over the full grid of its step's sweeps and of the evidence rule's decisions, with
    the tasks whose inputs did not change since the last run reused."""
    pipeline = load_pipeline(root)
    check_decisions(pipeline)
    registry = load_registry(pipeline.root, pipeline)
    claims = swept_claims(pipeline, registry)
    outside = [c for c in registry if c.basis == OUTSIDE]
    results = chain_results(pipeline)
    base = {name: as_run(pipeline, results, name) for name in results}
    grids, tasks = plan(pipeline, claims, base, outside=outside)
    ids = {name: [c.id for c in cs] for name, cs in claims.items()}
    expected = [t[3] if t[0] == EVIDENCE_STEP else ids[t[0]] for t in tasks]
    keys = Keys(pipeline, registry, base, results, READS, CARRIED)
    workers = max(1, min(workers, os.cpu_count() or 1))
    outcomes, reused = run_cached(pipeline, grids, tasks, keys, expected, workers)
    found = summarise_grids(pipeline, grids, tasks, outcomes, base, reused)
    for name, cs in claims.items():  # the swept parameters a claim's rules compare its number with, the article's own
        found["grids"][name]["thresholds"] = {c.id: [n for n in named_parameters(c) if n in grids[name]["names"]]
                                              for c in cs}
        found["grids"][name]["article"] = {c.id: article_value(c) for c in cs if article_value(c) is not None}
    return {**found, "settings": {"workers": workers}}


