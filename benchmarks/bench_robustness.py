"""Time the robustness sweep and its parts, as ratios against a baseline measured in the same run.

  baseline       one run of each swept step's `analyse()` at its defaults (what one variant of a step costs)
  decisions      every variant of the evidence rule's decisions: no analysis reruns, every claim of outside data
                 decided again (the cost of a decision apart from an analysis)
  sweep (loky)   the whole sweep as the robustness step runs it, on `--workers` loky processes
  sweep (dask)   the same sweep on a dask.distributed LocalCluster of `--workers` processes (--dask)

Needs build/results/ of a finished `scs run` (the sweep reads the steps' default results). Prints times,
the ratio of each to the baseline, and the analyses run and verdicts evaluated. Writes nothing.

Usage: .venv/bin/python benchmarks/bench_robustness.py [--workers N] [--dask]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from scs_compendium import robustness  # noqa: E402
from scs_compendium.claims import load_registry  # noqa: E402
from scs_compendium.engine.spec import load_pipeline  # noqa: E402


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="also time the sweep on a dask LocalCluster")
    args = parser.parse_args()
    pipeline = load_pipeline(REPO)
    claims = robustness.swept_claims(pipeline, load_registry(REPO, pipeline))
    root = str(pipeline.root)
    robustness._state(root)  # load the inputs once, outside the timings

    def baseline():
        return [robustness.evaluate(root, step, {}) for step in claims]

    base, _ = timed(baseline)
    step = pipeline.step(robustness.EVIDENCE_STEP)
    decision_tasks = [(robustness.EVIDENCE_STEP, o) for o in robustness.variants(step, 64)]
    decided, outcomes = timed(lambda: [robustness.evaluate(root, s, o) for s, o in decision_tasks])
    rows = [("baseline: each swept step's analysis once", base, f"{len(claims)} analyses")]
    rows.append(("decisions: every evidence variant, in process", decided,
                 f"{len(decision_tasks)} variants, {sum(len(o[1]) for o in outcomes)} verdicts, 0 analyses"))
    sweep, result = timed(robustness.analyse, REPO, max_grid=64, workers=args.workers)
    rows.append((f"sweep on {args.workers} loky processes", sweep,
                 f"{result['variants']} variants, {result['analyses_run']} analyses, {result['verdicts_evaluated']} verdicts"))
    if args.dask:
        import os

        os.environ[robustness.BACKEND_VARIABLE] = "dask"
        dask_time, dask_result = timed(robustness.analyse, REPO, max_grid=64, workers=args.workers)
        same = dask_result["claims"] == result["claims"]
        rows.append((f"sweep on a dask LocalCluster of {args.workers}", dask_time,
                     f"same verdicts as loky: {same}"))
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        print(f"{label:<{width}}  {seconds:7.2f} s  {seconds / base:6.2f} x baseline  ({note})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
