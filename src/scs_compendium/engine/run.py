"""Run the chain: lock the project, run stale steps in parallel by dependency, publish atomically.

What must rerun is decided by :mod:`.plan`. Each step runs in a fresh kernel started by
one of at most `jobs` notebook runners (:mod:`.kernel`, :mod:`.procs`) that live as long
as the run; it writes into a staging folder, and its outputs are published only when the
whole notebook succeeded. A step is shown as running when a runner takes it, and one
that runs longer than a few seconds shows the cell it is at. The runner knows nothing
of the article: the checks before a run (data, claims) and the work after a successful
one (the claims report) are handed to it by the caller (see :mod:`scs_compendium.chain`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import CompendiumError
from ..paths import CODE_CACHE, EXECUTED, LOCK, MANIFEST, STAGING
from .context import ENV_COMMIT, ENV_PARAMETERS, ENV_STAGING, ENV_STEP, ENV_STEP_SPEC
from .params import changed_parameters, resolve_parameters
from .plan import Planner, StepPlan, load_manifest
from .procs import Worker, describe_failure, notebook_state, stop
from .spec import Pipeline, Step, load_pipeline
from .store import atomic_write_json, git_commit, package_versions, publish_files, read_cache

# A hook takes the pipeline and may return a line to log.
Hook = Callable[[Pipeline], "str | None"]


@dataclass
class RunOutcome:
    ran: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped


class Runner:
    """Plans and runs the steps of one project."""

    progress_every = 5.0  # seconds a step runs before its cell is shown, and at least between two lines

    def __init__(self, root: Path | str | None = None, log: Callable[[str], None] | None = None,
                 checks: Sequence[Hook] = (), after_success: Sequence[Hook] = ()):
        self.pipeline: Pipeline = load_pipeline(root)
        self.root = self.pipeline.root
        self.log = log or (lambda line: print(line, flush=True))
        self._code_cache = read_cache(self.root / CODE_CACHE)
        self._cached = len(self._code_cache)
        self.planner = Planner(self.pipeline, self._code_cache)
        self.checks = list(checks)  # run before any kernel starts; they raise to stop the run
        self.after_success = list(after_success)  # run under the lock after a run in which every step succeeded

    # --- planning -------------------------------------------------------------

    def plan(self, targets: list[str] | None = None, overrides=None, force: bool = False) -> list[StepPlan]:
        """What a run would do, without running anything."""
        selected = self.select(targets)
        parameters = resolve_parameters(self.pipeline, selected, overrides)
        try:
            return self.planner.plan(selected, parameters, self._forced(selected, targets, force))
        finally:
            self._keep_code_cache()

    def _read_packages(self) -> dict:
        self._packages = package_versions(self.root)
        return self._packages

    def _keep_code_cache(self) -> None:
        """Keep what planning parsed for the next run (only when something new was parsed; never required)."""
        try:
            if len(self._code_cache) != self._cached:  # a cache of many old files is dropped
                (self.root / CODE_CACHE).parent.mkdir(parents=True, exist_ok=True)
                atomic_write_json(self.root / CODE_CACHE, self._code_cache if len(self._code_cache) < 5000 else {})
                self._cached = len(self._code_cache)
        except OSError:
            pass  # a read-only build/ only costs the parsing next time

    @staticmethod
    def _forced(selected: list[str], targets: list[str] | None, force: bool) -> set[str]:
        return {name for name in selected if force and (not targets or name in targets)}

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
    ) -> RunOutcome:
        """Run the stale steps among `targets` (default: all) and their upstream steps."""
        selected = self.select(targets)
        parameters = resolve_parameters(self.pipeline, selected, overrides)  # before any kernel
        if dry_run:
            for plan in self.planner.plan(selected, parameters, self._forced(selected, targets, force)):
                self.log(f"{plan.name}: {plan.describe()}")
            return RunOutcome()
        self._hooks(self.checks)
        jobs = jobs or os.cpu_count() or 1
        with self._lock():
            outcome = self._run_locked(selected, targets, parameters, jobs, force)
            self._keep_code_cache()
            if outcome.ok:
                self._hooks(self.after_success)
        return outcome

    def _hooks(self, hooks: list[Hook]) -> None:
        for hook in hooks:
            line = hook(self.pipeline)
            if line:
                self.log(line)

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

    def _clear_leftovers(self, manifest: dict) -> None:
        """Holding the lock, nothing else runs: what a killed or interrupted run left half-done goes."""
        shutil.rmtree(self.root / STAGING, ignore_errors=True)
        executed_dir = self.root / EXECUTED
        for leftover in [*executed_dir.glob(".*.partial.*"), *self._published_leftovers()]:
            leftover.unlink(missing_ok=True)
        for name, entry in manifest["steps"].items():
            executed = executed_dir / f"{name}.ipynb"
            state = notebook_state(executed)
            if state == "unreadable" or (state == "interrupted" and entry.get("status") == "succeeded"):
                self.log(f"{EXECUTED}/{name}.ipynb is {state} (left by a killed run): removed; {name} reruns")
                executed.unlink(missing_ok=True)
                executed.with_suffix(".html").unlink(missing_ok=True)

    def _published_leftovers(self) -> list[Path]:
        """Copies a publish killed midway left beside the outputs (`.<name>.<random>.partial`)."""
        folders = {(self.root / rel).parent for step in self.pipeline.steps.values() for rel in step.outputs}
        return [p for folder in folders for p in folder.glob(".*.partial")]

    def _run_locked(self, selected, targets, parameters, jobs, force) -> RunOutcome:
        outcome = RunOutcome()
        manifest = load_manifest(self.root)
        self._clear_leftovers(manifest)
        commit = git_commit(self.root)
        self._packages: dict | None = None  # read when a step first runs (a run with nothing to do never needs them)
        pending = list(selected)
        ready: list[str] = []  # stale steps whose upstream steps are done, waiting for a free job
        done: set[str] = set()
        running: dict[Future, str] = {}
        plans: dict[str, StepPlan] = {}
        total = len(selected)
        counter = 0
        depth = self._depths(selected)
        self._stopping = threading.Event()
        self._guard = threading.Lock()  # publishing and stopping exclude each other
        self._workers: dict[int, Worker] = {}  # one notebook runner per thread of the pool
        self._local = threading.local()
        self._progress: dict[str, dict] = {}
        shown: dict[str, tuple] = {}
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            while pending or ready or running:
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
                    plan = self.planner.check(name, parameters[name], manifest)
                    if force and (not targets or name in targets):
                        plan.stale, plan.reasons = True, ["forced"]
                    if not plan.stale:
                        counter += 1
                        done.add(name)
                        outcome.fresh.append(name)
                        self.log(f"[{counter}/{total}] {name}: fresh")
                        continue
                    plans[name] = plan
                    ready.append(name)
                while ready and len(running) < jobs:
                    # Steps that others wait for first, so that the chain's longest path starts early.
                    name = max(ready, key=lambda n: depth[n])
                    ready.remove(name)
                    counter += 1
                    self.log(f"[{counter}/{total}] {name}: running ({'; '.join(plans[name].reasons)})")
                    step = self.pipeline.step(name)
                    running[pool.submit(self._execute, step, parameters[name], commit)] = name
                if not running:
                    continue
                finished, _ = wait(list(running), timeout=min(1.0, self.progress_every), return_when=FIRST_COMPLETED)
                for future in finished:
                    name = running.pop(future)
                    self._record(name, future.result(), plans[name], manifest, outcome, done)
                self._show_progress(running.values(), shown)
        except KeyboardInterrupt:
            self._interrupt(running, plans, manifest, outcome, done)
            pool.shutdown(wait=False, cancel_futures=True)
            self.log("interrupted: finished steps are recorded; the others will rerun next time")
            raise
        finally:
            with self._guard:
                workers = list(self._workers.values())
            for worker in workers:
                worker.close()
        pool.shutdown(wait=True)
        return outcome

    def _depths(self, selected: list[str]) -> dict[str, int]:
        """How many steps at most follow each step, one after another, among `selected`."""
        depth: dict[str, int] = {}
        for name in reversed(self.pipeline.order):
            after = [depth[o] + 1 for o in self.pipeline.order if o in depth and name in self.pipeline.step(o).needs]
            depth[name] = max(after, default=0)
        return {name: depth[name] for name in selected}

    def _show_progress(self, names, shown: dict[str, tuple]) -> None:
        """The cell a step is at, once it has run `progress_every` seconds: at most one line per cell
        and per `progress_every` seconds, so that a log that is not a terminal stays short."""
        now = time.time()
        for name in names:
            cell = self._progress.get(name)
            last_cell, last_time = shown.get(name, (None, 0.0))
            if cell and cell is not last_cell and now - max(cell["step_started"], last_time) >= self.progress_every:
                shown[name] = (cell, now)
                self.log(f"  {name}: cell {cell['number']}/{cell['of']} ({cell['first_line']})")

    def _record(self, name: str, entry: dict, plan: StepPlan, manifest: dict, outcome: RunOutcome,
                done: set[str]) -> None:
        if entry["status"] == "interrupted":
            return  # nothing published, nothing recorded: the step reruns next time
        entry["fingerprint"] = plan.fingerprint
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

    def _interrupt(self, running: dict, plans: dict, manifest: dict, outcome: RunOutcome, done: set[str]) -> None:
        """Ctrl-C: queued steps never start, running ones are stopped, what was published is recorded."""
        with self._guard:
            self._stopping.set()
        for future in running:
            future.cancel()
        with self._guard:
            procs = [worker.proc for worker in self._workers.values()]
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        for proc in procs:
            stop(proc)
        for future, name in running.items():
            if future.cancelled():
                continue
            try:
                entry = future.result(timeout=30)
            except Exception:  # noqa: BLE001 - a step that cannot report is simply not recorded
                continue
            if entry.get("status") == "succeeded":  # a step the interrupt stopped did not fail: it reruns
                self._record(name, entry, plans[name], manifest, outcome, done)

    def _execute(self, step: Step, parameters: dict, commit: str) -> dict:
        if self._stopping.is_set():
            return {"status": "interrupted"}
        started = time.time()
        staging = self.root / STAGING / f"{step.name}-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        executed = self.root / EXECUTED / f"{step.name}.ipynb"
        executed.parent.mkdir(parents=True, exist_ok=True)
        partial = executed.with_name(f".{step.name}.partial.ipynb")
        error_file = staging / "error.json"
        request = {
            # papermill injects only what differs from the parameters cell (= pipeline.yaml's defaults), so an
            # executed notebook shows one parameters cell, plus one of the changed values if any
            "notebook": str(self.root / step.notebook), "output": str(partial), "error": str(error_file),
            "parameters": {c["name"]: c["value"] for c in changed_parameters(step, parameters)},
            "env": {ENV_STAGING: str(staging), ENV_STEP: step.name, ENV_STEP_SPEC: json.dumps(step.to_json()),
                    ENV_COMMIT: commit, ENV_PARAMETERS: json.dumps(parameters)},
        }
        entry: dict[str, Any] = {
            "status": "failed",
            "parameters": parameters,
            "executed_notebook": str(executed.relative_to(self.root)),
            "packages": self._packages if self._packages is not None else self._read_packages(),
            "python": sys.version.split()[0],
            "git_commit": commit,
            "started": datetime.fromtimestamp(started, tz=timezone.utc).isoformat(timespec="milliseconds"),
        }

        def on_event(message: dict) -> None:
            if message.get("event") == "cell":
                self._progress[step.name] = {**message, "step_started": started}

        try:
            worker = self._worker()
            if worker is None:
                return {"status": "interrupted"}
            code, log_text, ended = worker.run(request, on_event)
            if self._stopping.is_set():
                return {"status": "interrupted"}
            # Only a step that ended by itself leaves a complete executed notebook.
            if ended and notebook_state(partial) != "unreadable":
                os.replace(partial, executed)
                if partial.with_suffix(".html").exists():
                    os.replace(partial.with_suffix(".html"), executed.with_suffix(".html"))
            if code != 0 or not ended:
                entry["error"] = describe_failure(step.notebook, step.name, error_file, log_text, code)
            else:
                with self._guard:
                    if self._stopping.is_set():
                        return {"status": "interrupted"}
                    entry["outputs"] = self._publish(step, staging)
                entry["status"] = "succeeded"
                entry["error"] = None
        except CompendiumError as exc:
            entry["error"] = {"message": str(exc)}
        finally:
            self._progress.pop(step.name, None)
            shutil.rmtree(staging, ignore_errors=True)
            partial.unlink(missing_ok=True)
            partial.with_suffix(".html").unlink(missing_ok=True)
        finished = time.time()
        entry["finished"] = datetime.fromtimestamp(finished, tz=timezone.utc).isoformat(timespec="milliseconds")
        entry["duration_s"] = round(finished - started, 3)
        return entry

    def _worker(self) -> Worker | None:
        """This thread's notebook runner, started when first needed (None once the run is stopping)."""
        worker = getattr(self._local, "worker", None)
        if worker is not None and worker.alive:
            return worker
        env = dict(os.environ, SCS_PROJECT_ROOT=str(self.root), MPLBACKEND="Agg", PYTHONHASHSEED="0")
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        with self._guard:
            if self._stopping.is_set():
                return None
            self._local.worker = self._workers[threading.get_ident()] = Worker(env)
        return self._local.worker

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
        hashes = publish_files(staging, self.root, produced)  # all or none, each replace atomic (issue #24)
        for rel in sorted(optional - set(produced)):
            (self.root / rel).unlink(missing_ok=True)  # an optional figure the data no longer support
        return hashes
