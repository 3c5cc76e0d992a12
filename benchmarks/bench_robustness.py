"""Time the robustness sweep as ratios against a baseline measured in the same run.

  baseline          one run of each swept step's `analyse()` as the chain ran it (what one analysis costs), with the
                    time of each step's analysis apart
  decisions apart   the full grids as the robustness step runs them: each distinct set of analysis parameters once,
                    every decision combination on its values (at 1 and 2 loky workers, and on a two-worker dask
                    LocalCluster with --dask)
  rerun everything  the same full grids, rerunning the analyses for every variant: a step's variant its analysis, an
                    evidence variant every step that needs the evidence step (as `scs run -p evidence.x=...` would);
                    in process, timed on --sample variants of each task and scaled to the whole grid
  N, 2N, 4N         N, 2N and 4N variants of the evidence grid (tasks of equal size) on warm loky workers (the cost
                    should grow linearly)
  kept tasks        the full grids with an empty cache (cold), again with nothing changed, and after one media
                    parameter change (the results `scs run -p media_coverage.n_boot=1000` leaves, in a copy of the
                    project), each as a ratio to the cold sweep of the same run

Needs build/results/ of a finished `scs run` (the sweep reads the steps' results). Prints the times, the ratios,
the analyses run and the verdicts evaluated. Writes nothing in the project (its caches go to a temporary folder).

Usage: .venv/bin/python benchmarks/bench_robustness.py [--workers N] [--dask] [--sample K] [--cache-only]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from scs_compendium import robustness, robustness_cache  # noqa: E402
from scs_compendium.claims import load_registry  # noqa: E402
from scs_compendium.engine.spec import load_pipeline  # noqa: E402
from scs_compendium.engine.store import read_results  # noqa: E402


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="loky workers of the main timing (default 2)")
    parser.add_argument("--dask", action="store_true", help="also time the sweep on a two-worker dask LocalCluster")
    parser.add_argument("--sample", type=int, default=3, help="decision variants per task timed with a rerun (default 3)")
    parser.add_argument("--cache-only", action="store_true", help="time only the kept tasks (cold, unchanged, one change)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scs-bench-robustness-") as folder:
        robustness_cache.CACHE_DIR = Path(folder) / "cache"  # an absolute path: the project's cache is left alone
        if args.cache_only:
            return kept_tasks(Path(folder), args.workers)
        main_timings(args)
        return kept_tasks(Path(folder), args.workers)


def kept_tasks(folder: Path, workers: int) -> int:
    """The sweep cold, again unchanged, and after one media parameter change, as ratios to the cold sweep."""
    shutil.rmtree(robustness_cache.CACHE_DIR, ignore_errors=True)
    cold, result = timed(robustness.analyse, REPO, workers=workers)
    rows = [("cold: empty cache", cold, result)]
    rows.append(("again, nothing changed", *timed(robustness.analyse, REPO, workers=workers)))
    copy = folder / "project"  # what the sweep reads, with media_coverage's results as n_boot = 1000 gives them
    for item in ("src", "data", "notebooks", "build/results"):
        shutil.copytree(REPO / item, copy / item, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for item in ("pipeline.yaml", "requirements.lock"):
        shutil.copy(REPO / item, copy / item)
    from scs_compendium.article import media_coverage
    from scs_compendium.engine.store import write_results
    from scs_compendium.sources.tables import load_pieces

    document = read_results(REPO, "media_coverage")
    parameters = {**document["parameters"], "n_boot": 1000}
    step = load_pipeline(REPO).step("media_coverage")
    values = media_coverage.analyse(load_pieces(REPO), **step.analysis_parameters(parameters))
    write_results(copy / "build/results/media_coverage.json", "media_coverage", parameters, document["provenance"],
                  values)
    robustness._STATE.clear()
    rows.append(("after -p media_coverage.n_boot=1000", *timed(robustness.analyse, copy, workers=workers)))
    width = max(len(r[0]) for r in rows)
    for label, seconds, found in rows:
        print(f"{label:<{width}}  {seconds:7.2f} s  {seconds / cold:5.2f} x the cold sweep  "
              f"({found['analyses_run']} analyses run, {found['analyses_reused']} reused; "
              f"{found['verdicts_evaluated']} verdicts evaluated, {found['verdicts_reused']} reused)")
    print("per grid after the change: " + json.dumps({n: g["analyses_run"] for n, g in rows[-1][2]["grids"].items()}))
    return 0


def rerun_evidence(pipeline, state: dict, root: str, decision: dict) -> tuple[int, tuple]:
    """An evidence variant without decisions apart: every step that needs the evidence step reruns its analysis
    (as `scs run -p evidence.<name>=<value>` would), then the claims of outside data are decided. Returns how many
    analyses ran, and the evaluation."""
    ran = 0
    for name in robustness.ANALYSES:
        if name in state["results"]:
            parameters = robustness.as_run(pipeline, state["results"], name)
            robustness.variant_values(state, name, pipeline.step(name).analysis_parameters(parameters))
            ran += 1
    return ran, robustness.evaluate(root, robustness.EVIDENCE_STEP, {}, [decision])


def main_timings(args) -> None:
    pipeline = load_pipeline(REPO)
    claims = robustness.swept_claims(pipeline, load_registry(REPO, pipeline))
    root = str(pipeline.root)
    results = robustness.chain_results(pipeline)
    base = {name: robustness.as_run(pipeline, results, name) for name in [*claims, robustness.EVIDENCE_STEP]}
    grids, tasks = robustness.plan(pipeline, claims, base)
    robustness._state(root)  # load the inputs once, outside the timings
    state = robustness._state(root)
    per_step = {}
    for name in claims:
        robustness.evaluate(root, name, {}, [{}])  # warm: a first call imports what the analysis needs
        per_step[name], _ = timed(robustness.evaluate, root, name, {}, [{}])
    base_time = sum(per_step.values())
    rows = [("baseline: each swept step's analysis once", base_time, f"{len(claims)} analyses")]

    rerun = 0.0  # every variant rerunning its analyses, timed on a sample of each task's variants and scaled
    for name, analysis, decisions, _ in tasks:
        sample = decisions[:args.sample]
        if name == robustness.EVIDENCE_STEP:
            seconds = sum(timed(rerun_evidence, pipeline, state, root, d)[0] for d in sample)
        else:
            seconds = sum(timed(robustness.evaluate, root, name, {**analysis, **d}, [d])[0] for d in sample)
        rerun += seconds / len(sample) * len(decisions)
    total = sum(len(g["rows"]) for g in grids.values())
    rows.append(("rerun every analysis per variant, 1 process (scaled from samples)", rerun, f"{total} variants"))
    results = {}
    for workers in sorted({1, args.workers}):
        shutil.rmtree(robustness_cache.CACHE_DIR, ignore_errors=True)  # every sweep timed here computes every task
        seconds, result = timed(robustness.analyse, REPO, workers=workers)
        results[workers] = result
        rows.append((f"decisions apart, full grids, {workers} loky worker(s)", seconds,
                     f"{result['variants']} variants, {result['analyses_run']} analyses, "
                     f"{result['verdicts_evaluated']} verdicts; {rerun / seconds:.1f} x faster than rerunning"))
    if args.dask:
        os.environ[robustness.BACKEND_VARIABLE] = "dask"
        shutil.rmtree(robustness_cache.CACHE_DIR, ignore_errors=True)
        seconds, result = timed(robustness.analyse, REPO, workers=2)
        os.environ.pop(robustness.BACKEND_VARIABLE)
        same = result["claims"] == results[args.workers]["claims"] and result["grids"] == results[args.workers]["grids"]
        rows.append(("decisions apart on a two-worker dask LocalCluster", seconds, f"same verdicts as loky: {same}"))
    alike = [t for t in tasks if t[0] == robustness.EVIDENCE_STEP]  # tasks of equal size: N, 2N, 4N variants
    step = max(1, len(alike) // 4)
    for size in (step, 2 * step, 4 * step):
        chosen = alike[:size]
        seconds, _ = timed(robustness.run_tasks, root, chosen, args.workers, backend="loky", log=lambda _: None)
        rows.append((f"{sum(len(t[2]) for t in chosen)} evidence variants ({size} tasks) on {args.workers} loky workers",
                     seconds, "warm workers"))
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        print(f"{label:<{width}}  {seconds:7.2f} s  {seconds / base_time:8.1f} x baseline  ({note})")
    print("per-step analysis (one run, with its verdicts): " +
          ", ".join(f"{name} {seconds:.3f} s" for name, seconds in per_step.items()))


if __name__ == "__main__":
    raise SystemExit(main())
