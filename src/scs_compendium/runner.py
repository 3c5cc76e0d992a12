"""Run the chain: plan from content hashes, execute stale steps in parallel, publish atomically.

A step reruns only when one of these changed since its last successful run: its
notebook, its parameters, its input files, the code of the package, the pinned
environment, the results of a step it needs, or its declared outputs (or one of
its published outputs is missing or was edited). Each reason is reported.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from . import claims as claims_module
from . import data as data_module
from .atomic import atomic_write_json, sha256_file, sha256_text
from .errors import CompendiumError
from .pipeline import Pipeline, Step, load_pipeline, resolve_parameters
from .results import read_results
from .provenance import git_commit

MANIFEST = "build/manifest.json"
STAGING = "build/.staging"
EXECUTED = "build/notebooks"
LOCK = "build/.scs-run.lock"


@dataclass
class StepPlan:
    name: str
    stale: bool
    reasons: list[str]
    fingerprint: dict | None = None


@dataclass
class RunOutcome:
    ran: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _tree_hash(root: Path, relpaths: tuple[str, ...], suffixes: tuple[str, ...] | None) -> str:
    parts = []
    for rel in relpaths:
        base = root / rel
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            if "__pycache__" in path.parts or (suffixes and path.suffix not in suffixes):
                continue
            digest = sha256_file(path) if path.is_file() else "missing"
            parts.append(f"{path.relative_to(root)}:{digest}")
    return sha256_text("\n".join(parts))


def load_manifest(root: Path) -> dict:
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        return manifest if isinstance(manifest.get("steps"), dict) else {"steps": {}}
    except (FileNotFoundError, json.JSONDecodeError):
        return {"steps": {}}


class Runner:
    """Plans and runs the steps of one project."""

    def __init__(self, root: Path | str | None = None, log: Callable[[str], None] | None = None):
        self.pipeline: Pipeline = load_pipeline(root)
        self.root = self.pipeline.root
        self.log = log or (lambda line: print(line, flush=True))
        self._code_hash = _tree_hash(self.root, self.pipeline.code, (".py",))
        env_hash = _tree_hash(self.root, self.pipeline.environment, None)
        self._env_hash = sha256_text(env_hash + sys.version)

    # --- planning -------------------------------------------------------------

    def fingerprint(self, step: Step, parameters: dict) -> dict:
        """The content hashes that decide whether `step` must rerun."""
        upstream = {}
        for dep in step.needs:
            try:
                upstream[dep] = sha256_text(canonical(read_results(self.root, dep)["values"]))
            except CompendiumError:
                upstream[dep] = "missing"
        return {
            "notebook": sha256_file(self.root / step.notebook),
            "parameters": parameters,
            "inputs": {p: (sha256_file(self.root / p) if (self.root / p).is_file() else "missing") for p in step.inputs},
            "code": self._code_hash,
            "environment": self._env_hash,
            "upstream": upstream,
            "outputs": step.outputs + step.optional_outputs,
        }

    def check(self, name: str, parameters: dict, manifest: dict, rerunning: set[str] = frozenset()) -> StepPlan:
        """Is `name` fresh? If not, say why."""
        step = self.pipeline.step(name)
        current = self.fingerprint(step, parameters)
        entry = manifest["steps"].get(name)
        if entry is None:
            return StepPlan(name, True, ["never run"], current)
        if entry.get("status") != "succeeded":
            return StepPlan(name, True, ["last run failed"], current)
        previous = entry.get("fingerprint", {})
        reasons = []
        if previous.get("notebook") != current["notebook"]:
            reasons.append(f"notebook {step.notebook} changed")
        old_params = previous.get("parameters", {})
        for key in sorted(set(old_params) | set(current["parameters"])):
            if old_params.get(key) != current["parameters"].get(key):
                reasons.append(f"parameter {key}: {old_params.get(key)!r} -> {current['parameters'].get(key)!r}")
        old_inputs = previous.get("inputs", {})
        for path in sorted(set(old_inputs) | set(current["inputs"])):
            if old_inputs.get(path) != current["inputs"].get(path):
                reasons.append(f"input {path} changed")
        if previous.get("code") != current["code"]:
            reasons.append("package code (src/) changed")
        if previous.get("environment") != current["environment"]:
            reasons.append("pinned environment changed")
        for dep in step.needs:
            if dep in rerunning:
                reasons.append(f"upstream step {dep} reruns")
            elif previous.get("upstream", {}).get(dep) != current["upstream"].get(dep):
                reasons.append(f"results of upstream step {dep} changed")
        if previous.get("outputs") != current["outputs"]:
            reasons.append("declared outputs changed")
        for path, digest in sorted(entry.get("outputs", {}).items()):
            target = self.root / path
            if not target.is_file():
                reasons.append(f"output {path} missing")
            elif sha256_file(target) != digest:
                reasons.append(f"output {path} was modified after it was written")
        return StepPlan(name, bool(reasons), reasons, current)

    def plan(self, targets: list[str] | None = None, overrides=None, force: bool = False) -> list[StepPlan]:
        """What a run would do, without running anything."""
        selected = self.select(targets)
        parameters = resolve_parameters(self.pipeline, selected, overrides)
        manifest = load_manifest(self.root)
        rerunning: set[str] = set()
        plans = []
        for name in selected:
            plan = self.check(name, parameters[name], manifest, rerunning)
            if force and (not targets or name in targets):
                plan.stale, plan.reasons = True, ["forced", *plan.reasons]
            if plan.stale:
                rerunning.add(name)
            plans.append(plan)
        return plans

    def select(self, targets: list[str] | None) -> list[str]:
        return self.pipeline.with_upstream(list(targets)) if targets else list(self.pipeline.order)

    # --- running --------------------------------------------------------------

    def run(
        self,
        targets: list[str] | None = None,
        overrides=None,
        jobs: int | None = None,
        force: bool = False,
        dry_run: bool = False,
        report: bool = True,
    ) -> RunOutcome:
        """Run the stale steps among `targets` (default: all) and their upstream steps."""
        selected = self.select(targets)
        parameters = resolve_parameters(self.pipeline, selected, overrides)  # before any kernel
        claims_module.load_registry(self.root, self.pipeline)  # a broken registry fails early
        if dry_run:
            for plan in self.plan(targets, overrides, force):
                state = "would run" if plan.stale else "fresh"
                self.log(f"{plan.name}: {state}" + (f" ({'; '.join(plan.reasons)})" if plan.reasons else ""))
            return RunOutcome()
        if data_module.validate_cached(self.root):
            self.log("data package validated")
        jobs = jobs or os.cpu_count() or 1
        with self._lock():
            outcome = self._run_locked(selected, targets, parameters, jobs, force)
            if report and outcome.ok:
                path = claims_module.write_report(self.root, self.pipeline)
                self.log(f"claims report: {path.relative_to(self.root)} (and .md, .html)")
        return outcome

    @contextmanager
    def _lock(self):
        path = self.root / LOCK
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.log("another `scs run` is in progress in this project; waiting for it to finish ...")
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _run_locked(self, selected, targets, parameters, jobs, force) -> RunOutcome:
        # Holding the lock, nothing else is running: what a killed run left half-done can go.
        shutil.rmtree(self.root / STAGING, ignore_errors=True)
        for leftover in (self.root / EXECUTED).glob(".*.partial.*"):
            leftover.unlink(missing_ok=True)
        outcome = RunOutcome()
        manifest = load_manifest(self.root)
        commit = git_commit(self.root)
        pending = list(selected)
        done: set[str] = set()
        running: dict[Future, str] = {}
        plans: dict[str, StepPlan] = {}
        total = len(selected)
        counter = 0
        procs: dict[str, subprocess.Popen] = {}
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            try:
                while pending or running:
                    for name in list(pending):
                        step = self.pipeline.step(name)
                        blocked = [d for d in step.needs if d in outcome.failed or d in outcome.skipped]
                        if blocked:
                            pending.remove(name)
                            outcome.skipped[name] = f"needs {blocked[0]}, which did not succeed"
                            self.log(f"[skip] {name}: needs {blocked[0]}, which did not succeed")
                            continue
                        if not all(d in done for d in step.needs if d in selected):
                            continue
                        pending.remove(name)
                        plan = self.check(name, parameters[name], manifest)
                        if force and (not targets or name in targets):
                            plan.stale, plan.reasons = True, ["forced"]
                        counter += 1
                        if not plan.stale:
                            done.add(name)
                            outcome.fresh.append(name)
                            self.log(f"[{counter}/{total}] {name}: fresh")
                            continue
                        plans[name] = plan
                        self.log(f"[{counter}/{total}] {name}: running ({'; '.join(plan.reasons)})")
                        future = pool.submit(self._execute, step, parameters[name], commit, procs)
                        running[future] = name
                    if not running:
                        continue
                    finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                    for future in finished:
                        name = running.pop(future)
                        entry = future.result()
                        entry["fingerprint"] = plans[name].fingerprint
                        if entry["status"] == "succeeded":
                            done.add(name)
                            outcome.ran.append(name)
                            self.log(f"  {name}: done in {entry['duration_s']:.1f} s")
                        else:
                            previous = manifest["steps"].get(name, {})
                            entry["outputs"] = previous.get("outputs", {})
                            outcome.failed[name] = entry["error"]["message"]
                            self.log(f"  {name}: FAILED: {entry['error']['message']}")
                        manifest["steps"][name] = entry
                        atomic_write_json(self.root / MANIFEST, manifest)
            except KeyboardInterrupt:
                for proc in list(procs.values()):
                    proc.terminate()
                self.log("interrupted: finished steps are recorded; the others will rerun next time")
                raise
        return outcome

    def _execute(self, step: Step, parameters: dict, commit: str, procs: dict) -> dict:
        started = time.time()
        staging = self.root / STAGING / f"{step.name}-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        executed = self.root / EXECUTED / f"{step.name}.ipynb"
        executed.parent.mkdir(parents=True, exist_ok=True)
        partial = executed.with_name(f".{step.name}.partial.ipynb")
        error_file = staging / "error.json"
        env = dict(os.environ)
        env.update(
            SCS_PROJECT_ROOT=str(self.root),
            SCS_STAGING_DIR=str(staging),
            SCS_STEP=step.name,
            SCS_GIT_COMMIT=commit,
            MPLBACKEND="Agg",
            PYTHONHASHSEED="0",
        )
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        command = [
            sys.executable, "-m", "scs_compendium.execute",
            str(self.root / step.notebook), str(partial), json.dumps(parameters), str(error_file),
        ]
        entry: dict[str, Any] = {
            "status": "failed",
            "parameters": parameters,
            "executed_notebook": str(executed.relative_to(self.root)),
            "packages": package_versions(self.root),
            "python": sys.version.split()[0],
            "git_commit": commit,
            "started": _iso(started),
        }
        try:
            proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            procs[step.name] = proc
            log_text, _ = proc.communicate()
            procs.pop(step.name, None)
            if partial.exists():
                os.replace(partial, executed)
            if partial.with_suffix(".html").exists():
                os.replace(partial.with_suffix(".html"), executed.with_suffix(".html"))
            if proc.returncode != 0:
                entry["error"] = self._describe_failure(step, error_file, log_text, proc.returncode)
            else:
                entry["outputs"] = self._publish(step, staging)
                entry["status"] = "succeeded"
                entry["error"] = None
        except CompendiumError as exc:
            entry["error"] = {"message": str(exc)}
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            partial.unlink(missing_ok=True)
            partial.with_suffix(".html").unlink(missing_ok=True)
        finished = time.time()
        entry["finished"] = _iso(finished)
        entry["duration_s"] = round(finished - started, 3)
        return entry

    def _describe_failure(self, step: Step, error_file: Path, log_text: str, code: int) -> dict:
        try:
            info = json.loads(error_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            tail = "\n".join(log_text.strip().splitlines()[-5:])
            return {"message": f"the notebook process exited with code {code}: {tail}"}
        where = f"cell {info['cell_number']}" if info.get("cell_number") else "a cell"
        if info.get("first_line"):
            where += f" ({info['first_line'].strip()[:60]})"
        message = (
            f"{step.notebook}: {where} raised {info.get('ename')}: {info.get('evalue')}. "
            f"Executed copy with the error: {EXECUTED}/{step.name}.ipynb"
        )
        return {"message": message, **info}

    def _publish(self, step: Step, staging: Path) -> dict[str, str]:
        produced = sorted(
            str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file() and p.name != "error.json"
        )
        declared = sorted(step.outputs)
        optional = set(step.optional_outputs)
        missing = sorted(set(declared) - set(produced))
        extra = sorted(set(produced) - set(declared) - optional)
        if missing or extra:
            raise CompendiumError(
                f"step {step.name!r} did not write what pipeline.yaml declares: "
                + (f"missing {missing}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"undeclared {extra}" if extra else "")
            )
        hashes = {}
        for rel in produced:
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            hashes[rel] = sha256_file(target)
        for rel in sorted(optional - set(produced)):
            (self.root / rel).unlink(missing_ok=True)  # an optional figure the data no longer support
        return hashes


def package_versions(root: Path) -> dict[str, str]:
    """Installed versions of the chain's core packages and those named in requirements.in."""
    names = ["scs-compendium", "papermill", "nbclient", "ipykernel", "pandas", "matplotlib"]
    req = root / "requirements.in"
    if req.is_file():
        for line in req.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line.split("==")[0].strip())
    versions = {}
    for name in dict.fromkeys(names):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="milliseconds")
