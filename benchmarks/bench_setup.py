"""Time the set-up of a fresh copy: `make setup` (uv) against a plain venv plus pip.

Usage: python3 benchmarks/bench_setup.py [--cold] [--repeat N]

Makes two fresh temporary copies of the project (the files git tracks, as they are in the work
tree), then times, side by side,

  uv route:   make setup                     (bootstraps uv from PyPI, uv pip sync, editable install)
  pip route:  python -m venv .venv && .venv/bin/python -m pip install -r requirements.lock

and prints both times and their ratio (the goal is at most 0.3), and checks that both routes
installed the same packages at the same versions. Both use the package index and the download
caches this machine has; --cold turns the caches off for both (PIP_NO_CACHE_DIR=1, UV_NO_CACHE=1).
Needs Python 3.11, make and git; no project environment is needed to run it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL = 0.3
IGNORED = {"pip", "setuptools", "scs-compendium"}
LIST_PACKAGES = (
    "import importlib.metadata as m; "
    "print('\\n'.join(sorted(f\"{d.metadata['Name'].lower().replace('_', '-')}=={d.version}\" "
    "for d in m.distributions())))"
)


def copy_project(target: Path) -> None:
    """A fresh copy: the tracked files only, so no .venv, build/ or caches come along."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


def timed(commands: list[list[str]], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        if result.returncode:
            sys.exit(f"failed in {cwd}: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - start


def installed(root: Path) -> set[str]:
    """name==version of every package in root/.venv, less the venv's own pip and setuptools (pip
    route) and the project itself (installed editable by make setup)."""
    out = subprocess.run([str(root / ".venv/bin/python"), "-c", LIST_PACKAGES], check=True,
                         capture_output=True, text=True).stdout
    return {line for line in out.split() if line.split("==")[0] not in IGNORED}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="no download caches for either route")
    parser.add_argument("--repeat", type=int, default=1, help="time each route N times (fresh copies)")
    args = parser.parse_args()

    python = os.environ.get("PYTHON") or shutil.which("python3.11") or shutil.which("python3")
    env = dict(os.environ, PYTHON=python)
    if args.cold:
        env.update(PIP_NO_CACHE_DIR="1", UV_NO_CACHE="1")
    uv_route = [["make", "setup", f"PYTHON={python}"]]
    pip_route = [[python, "-m", "venv", ".venv"],
                 [".venv/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                  "-r", "requirements.lock"]]

    print(f"Python {python}; caches {'off' if args.cold else 'as configured (may be warm)'}")
    uv_times, pip_times = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-setup-") as tmp:
            uv_root, pip_root = Path(tmp, "uv"), Path(tmp, "pip")
            for root in (uv_root, pip_root):
                copy_project(root)
            uv_times.append(timed(uv_route, uv_root, env))
            pip_times.append(timed(pip_route, pip_root, env))
            uv_set, pip_set = installed(uv_root), installed(pip_root)
            same = uv_set == pip_set
        print(f"  make setup (uv):                   {uv_times[-1]:7.1f} s")
        print(f"  python -m venv + pip install -r:   {pip_times[-1]:7.1f} s")
        print(f"  same packages and versions: {'yes' if same else 'NO: ' + str(sorted(uv_set ^ pip_set))}")
    uv_best, pip_best = min(uv_times), min(pip_times)
    ratio = uv_best / pip_best
    print(f"ratio make setup / plain pip: {ratio:.3f} (goal <= {GOAL}): {'met' if ratio <= GOAL else 'NOT met'}")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
