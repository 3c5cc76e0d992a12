"""Time the chain: a cold full run, a no-op run, a run after one parameter change, a run after an
edit to one argument's code, and the same notebooks run one by one with `jupyter nbconvert
--execute`. Prints times and ratios.

Usage: .venv/bin/python benchmarks/bench_chain.py   (or `make bench`)

Runs in a temporary copy of the project, so it never touches your figures/ or build/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict, cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    sys.path.insert(0, str(REPO / "src"))
    from scs_compendium.engine.spec import load_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        for item in ("data", "notebooks", "src"):
            shutil.copytree(REPO / item, root / item, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        for item in ("pipeline.yaml", "requirements.lock", "requirements.in"):
            shutil.copy(REPO / item, root / item)
        env = dict(os.environ, SCS_PROJECT_ROOT=str(root))
        scs = [str(BIN / "scs"), "run"]
        pipeline = load_pipeline(root)
        first_param = next(
            (f"{s.name}.{p.name}", p) for s in pipeline.steps.values() for p in s.parameters.values()
            if p.type == "float"
        )
        changed = f"{first_param[0]}={first_param[1].default * 0.99:g}"

        rows = [
            ("cold full run (scs run)", timed(scs, env, root)),
            ("no-op run (scs run)", timed(scs, env, root)),
            (f"one parameter changed (-p {changed})", timed([*scs, "-p", changed], env, root)),
        ]
        with (root / "src/scs_compendium/article/timeline.py").open("a") as handle:
            handle.write("# benchmark: a comment in one argument's plotting code\n")
        rows.append(("one argument's code edited (timeline only reruns)", timed(scs, env, root)))
        nbconvert = 0.0
        for step in pipeline.steps.values():
            out = Path(tmp) / f"{step.name}.nbconvert.ipynb"
            nbconvert += timed(
                [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                 "--output", str(out), str(root / step.notebook)],
                env, root / Path(step.notebook).parent,
            )
        rows.append((f"nbconvert --execute, {len(pipeline.steps)} notebook(s) one by one", nbconvert))

    width = max(len(name) for name, _ in rows)
    print(f"{'what':<{width}}  seconds")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.2f}")
    cold, noop, param, code, nbc = (seconds for _, seconds in rows)
    print()
    print(f"cold run / nbconvert one by one: {cold / nbc:.2f}")
    print(f"no-op run / cold run:            {noop / cold:.3f}")
    print(f"parameter change / cold run:     {param / cold:.2f}")
    print(f"one argument's code / cold run:  {code / cold:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
