"""Issue #15, round two: Ctrl-C, kill -9 and dead kernels leave every output and executed notebook
whole and recorded, and no process of the run behind (on the toy project; its step c sleeps)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from scs_compendium.chain import compendium_runner as Runner
from scs_compendium.engine.procs import notebook_state
from scs_compendium.paths import MANIFEST


from .test_misuse import ctrl_c_as_in_a_terminal  # noqa: E402


def scs(root, *args):
    env = dict(os.environ, SCS_PROJECT_ROOT=str(root))
    return subprocess.Popen([sys.executable, "-m", "scs_compendium.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=ctrl_c_as_in_a_terminal)


def processes_of(root: Path) -> dict[int, str]:
    """Live processes (not zombies) started for the project at `root`: pid -> command line."""
    marker = f"SCS_PROJECT_ROOT={root}".encode() + b"\0"
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def wait_for(condition, timeout=120.0, what="a condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def recorded(root: Path) -> set[str]:
    path = root / MANIFEST
    return set(json.loads(path.read_text())["steps"]) if path.is_file() else set()


def test_ctrl_c_stops_at_once_and_queued_steps_never_start(toy_fresh):
    # One job: a runs, then c (sleeping 30 s) while b waits in the queue.
    proc = scs(toy_fresh, "run", "--jobs", "1", "-p", "pause=30")
    wait_for(lambda: "a" in recorded(toy_fresh), what="step a to finish")
    # c's own partial notebook, not just any kernel (a's may still be on its way out)
    wait_for(lambda: (toy_fresh / "build/notebooks/.c.partial.ipynb").exists(), what="c to start")
    time.sleep(1.0)
    pressed = time.time()
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    out, _ = proc.communicate(timeout=60)
    assert time.time() - pressed < 10, out
    assert proc.returncode == 130, out
    assert recorded(toy_fresh) == {"a"}
    for step in ("b", "c"):  # neither published: b was queued, c was running
        assert not (toy_fresh / f"build/results/{step}.json").exists(), out
    wait_for(lambda: not processes_of(toy_fresh), timeout=5, what="the run's processes to end")
    lines = []
    rerun = Runner(toy_fresh, log=lines.append).run()
    assert sorted(rerun.ran) == ["b", "c"] and rerun.fresh == ["a"], (out, lines)


def test_kill_9_of_scs_takes_its_notebook_runner_and_kernels_with_it(toy_fresh):
    proc = scs(toy_fresh, "run", "--jobs", "2", "-p", "pause=60")
    wait_for(lambda: any("ipykernel" in c for c in processes_of(toy_fresh).values()), what="a kernel")
    time.sleep(2.0)
    assert len(processes_of(toy_fresh)) >= 3  # scs, a notebook runner, a kernel
    proc.kill()
    proc.wait(timeout=10)
    wait_for(lambda: not processes_of(toy_fresh), timeout=10,
             what="the notebook runners and kernels of the killed run to end")
    outcome = Runner(toy_fresh, log=lambda _: None).run(overrides=["pause=0.1"])
    assert outcome.ok and sorted(outcome.ran + outcome.fresh) == ["a", "b", "c"]


def test_an_interrupted_rerun_keeps_the_complete_executed_notebook(toy):
    executed = toy / "build/notebooks/c.ipynb"
    before = executed.read_text()
    proc = scs(toy, "run", "c", "--force", "-p", "pause=30")
    wait_for(lambda: (toy / "build/notebooks/.c.partial.ipynb").exists(), what="c to start")
    time.sleep(3.0)
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert notebook_state(executed) == "complete"
    assert executed.read_text() == before  # the copy of the last complete run, untouched
    assert not list(toy.rglob("*.partial*"))


def test_a_half_written_executed_notebook_is_restored_by_the_next_run(toy):
    executed = toy / "build/notebooks/a.ipynb"
    executed.write_text('{"cells": [{"cell_type": "code", "source": "n = ')  # cut by a kill
    plan = {p.name: p for p in Runner(toy, log=lambda _: None).plan()}
    assert plan["a"].stale and "executed notebook build/notebooks/a.ipynb unreadable" in plan["a"].reasons
    outcome = Runner(toy, log=lambda _: None).run()
    assert outcome.ran == ["a"], outcome
    assert notebook_state(executed) == "complete"
    nbformat.validate(nbformat.read(executed, as_version=4))


def test_a_notebook_left_half_executed_is_rerun(toy):
    executed = toy / "build/notebooks/c.ipynb"
    notebook = json.loads(executed.read_text())
    notebook["cells"][-1]["metadata"]["papermill"]["status"] = "running"  # what an old interrupted run left
    executed.write_text(json.dumps(notebook))
    outcome = Runner(toy, log=lambda _: None).run()
    assert outcome.ran == ["c"] and notebook_state(executed) == "complete"


def test_a_kernel_that_dies_names_the_cell_it_was_running(toy_fresh):
    path = toy_fresh / "notebooks/c.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell("import os\nos._exit(1)  # the kernel dies", id="crash"))
    nbformat.write(notebook, path)
    outcome = Runner(toy_fresh, log=lambda _: None).run(["c"])
    message = outcome.failed["c"]
    assert "the kernel died while running cell 2 (import os)" in message, message
    assert "Traceback" not in message
