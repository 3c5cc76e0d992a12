"""Time the chain: a cold full run, a no-op run, a run after one parameter change, a run after an
edit to one argument's code, and the same notebooks run one by one with `jupyter nbconvert
--execute`. Prints times, ratios, and where each step's time goes in the cold run and under
nbconvert:

  start    from the step's start to its first cell (a process, papermill or nbconvert, a kernel)
  imports  the notebook's first cell that imports something
  cells    every other cell
  export   from the last cell to the step's end (saving the notebook, the HTML page, shutting down)

It also times a run with nothing to do against `scs --help` side by side (the best of five each)
and prints the ratio.

Usage: .venv/bin/python benchmarks/bench_chain.py [--cold-only]   (or `make bench`)

Runs in a temporary copy of the project (its own code first on PYTHONPATH, for the runner and for
the kernels), so it never touches your figures/ or build/. Ctrl-C, SIGTERM or SIGHUP remove the
copy before the benchmark exits; a copy left by a benchmark killed with SIGKILL is removed by the
next one (each copy records the process that made it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PARTS = ("start", "imports", "cells", "export")
PREFIX = "scs-bench-"  # the temporary copies' folder names, in the system's temporary folder
OWNER = ".bench-owner"  # the process id of the benchmark that made a copy


def _stop(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds through the temporary folder's clean-up


def clear_orphans() -> list[Path]:
    """Remove copies whose benchmark no longer runs (killed with SIGKILL); return them."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            pid = int((folder / OWNER).read_text())
            os.kill(pid, 0)
            continue  # its benchmark still runs
        except (OSError, ValueError):
            pass
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def best_of(command: list[str], env: dict, cwd: Path, times: int = 5) -> float:
    return min(timed(command, env, cwd)[0] for _ in range(times))


def timed(command: list[str], env: dict, cwd: Path) -> tuple[float, float, float]:
    """(seconds, wall-clock start, wall-clock end) of a command that must succeed."""
    start, wall = time.perf_counter(), time.time()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}")
    return time.perf_counter() - start, wall, time.time()


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def breakdown(notebook: Path, started: float, finished: float) -> dict[str, float]:
    """Split a step's time (`started`..`finished`, epoch seconds) with the cell timings nbclient records."""
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code" and "iopub.status.busy" in c.get("metadata", {}).get("execution", {})]
    spans = [(_stamp(c["metadata"]["execution"]["iopub.status.busy"]),
              _stamp(c["metadata"]["execution"]["iopub.status.idle"])) for c in cells]
    first_import = next((i for i, c in enumerate(cells) if "import " in "".join(c["source"])), None)
    imports = spans[first_import][1] - spans[first_import][0] if first_import is not None else 0.0
    # Between cells the client saves the notebook and sends the next one: that counts as cells.
    return {"start": spans[0][0] - started, "imports": imports,
            "cells": spans[-1][1] - spans[0][0] - imports, "export": finished - spans[-1][1]}


def print_breakdown(title: str, steps: dict[str, dict[str, float]], total: float) -> None:
    width = max(len(name) for name in steps)
    print(f"\n{title}")
    print(f"  {'step':<{width}}  " + "  ".join(f"{p:>7}" for p in PARTS) + "    step")
    sums = dict.fromkeys(PARTS, 0.0)
    for name, parts in steps.items():
        for p in PARTS:
            sums[p] += parts[p]
        print(f"  {name:<{width}}  " + "  ".join(f"{parts[p]:7.2f}" for p in PARTS) + f"  {sum(parts.values()):6.2f}")
    print(f"  {'sum':<{width}}  " + "  ".join(f"{sums[p]:7.2f}" for p in PARTS) + f"  {sum(sums.values()):6.2f}")
    print(f"  wall clock {total:.2f} s for {sum(sums.values()):.2f} s of step time")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "),
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--cold-only", action="store_true", help="time the cold run and nbconvert only")
    cold_only = parser.parse_args(argv).cold_only
    sys.path.insert(0, str(REPO / "src"))
    from scs_compendium.engine.spec import load_pipeline

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    clear_orphans()
    with tempfile.TemporaryDirectory(prefix=PREFIX) as tmp:
        (Path(tmp) / OWNER).write_text(str(os.getpid()))
        root = Path(tmp) / "project"
        root.mkdir()
        for item in ("data", "notebooks", "src"):
            shutil.copytree(REPO / item, root / item, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        for item in ("pipeline.yaml", "requirements.lock", "requirements.in"):
            shutil.copy(REPO / item, root / item)
        # Absolute, so that kernels (which start in notebooks/) import the copy's code too.
        path = os.pathsep.join(p for p in (str(root / "src"), os.environ.get("PYTHONPATH", "")) if p)
        env = dict(os.environ, SCS_PROJECT_ROOT=str(root), PYTHONPATH=path)
        scs = [str(BIN / "scs"), "run"]
        pipeline = load_pipeline(root)

        cold, cold_start, cold_end = timed(scs, env, root)
        manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))["steps"]
        cold_steps = {}
        for name in pipeline.order:
            entry = manifest[name]
            began = _stamp(entry["started"])
            cold_steps[name] = breakdown(root / entry["executed_notebook"], began, began + entry["duration_s"])
        first = min(_stamp(manifest[n]["started"]) for n in pipeline.order)
        last = max(_stamp(manifest[n]["finished"]) for n in pipeline.order)
        rows = [("cold full run (scs run)", cold)]
        if not cold_only:
            first_param = next(
                (f"{s.name}.{p.name}", p) for s in pipeline.steps.values() for p in s.parameters.values()
                if p.type == "float" and p.default  # 0.99 times zero would change nothing
            )
            changed = f"{first_param[0]}={first_param[1].default * 0.99:g}"
            rows.append(("no-op run (scs run)", timed(scs, env, root)[0]))
            noop_best, help_best = best_of(scs, env, root), best_of([str(BIN / "scs"), "--help"], env, root)
            rows.append((f"one parameter changed (-p {changed})", timed([*scs, "-p", changed], env, root)[0]))
            with (root / "src/scs_compendium/article/timeline.py").open("a") as handle:
                handle.write("# benchmark: a comment in one argument's plotting code\n")
            # With the same -p, or the changed parameter's steps would rerun as well.
            rows.append(("one argument's code edited (timeline only reruns)",
                         timed([*scs, "-p", changed], env, root)[0]))

        nbconvert, nbc_steps = 0.0, {}
        for name in pipeline.order:
            step = pipeline.step(name)
            out = Path(tmp) / f"{step.name}.nbconvert.ipynb"
            seconds, began, ended = timed(
                [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                 "--output", str(out), str(root / step.notebook)],
                env, root / Path(step.notebook).parent,
            )
            nbconvert += seconds
            nbc_steps[name] = breakdown(out, began, ended)
        rows.append((f"nbconvert --execute, {len(pipeline.steps)} notebook(s) one by one", nbconvert))

    width = max(len(name) for name, _ in rows)
    print(f"{'what':<{width}}  seconds")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.2f}")
    print_breakdown("cold run (scs run), seconds per step:", cold_steps, cold)
    print(f"  before the first step (start, checks) {first - cold_start:.2f} s; "
          f"after the last (report, exit) {cold_end - last:.2f} s")
    print_breakdown("nbconvert --execute one by one, seconds per step:", nbc_steps, nbconvert)
    print()
    print(f"cold run / nbconvert one by one: {cold / nbconvert:.2f}")
    if not cold_only:
        _, noop, param, code, _ = (seconds for _, seconds in rows)
        print(f"no-op run / cold run:            {noop / cold:.3f}")
        print(f"no-op run / scs --help:          {noop_best / help_best:.1f}  (best of five: {noop_best:.2f} s "
              f"against {help_best:.2f} s)")
        print(f"parameter change / cold run:     {param / cold:.2f}")
        print(f"one argument's code / cold run:  {code / cold:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
