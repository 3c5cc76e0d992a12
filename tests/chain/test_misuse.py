"""A chain that survives misuse: two runs at once, an interrupted run, leftovers of a killed run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from scs_compendium.chain import compendium_runner as Runner
from scs_compendium.paths import MANIFEST, STAGING


def scs(root, *args, **kwargs):
    env = dict(os.environ, SCS_PROJECT_ROOT=str(root))
    return subprocess.Popen([sys.executable, "-m", "scs_compendium.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=ctrl_c_as_in_a_terminal, **kwargs)


def ctrl_c_as_in_a_terminal() -> None:
    """A run started in the foreground: Ctrl-C interrupts it, even when the tests themselves were started in the
    background of a shell (which starts them with SIGINT ignored, and a child inherits that)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_two_runs_at_once_wait_for_each_other(toy_fresh):
    first = scs(toy_fresh, "run")
    time.sleep(1.0)
    second = scs(toy_fresh, "run")
    out_first, _ = first.communicate(timeout=300)
    out_second, _ = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, out_first + out_second
    assert "another `scs run` is in progress" in out_second
    assert "3 step(s) ran" in out_first and "0 step(s) ran, 3 fresh" in out_second
    manifest = json.loads((toy_fresh / MANIFEST).read_text())
    assert {e["status"] for e in manifest["steps"].values()} == {"succeeded"}


def test_interrupted_run_redoes_only_what_did_not_finish(toy_fresh):
    proc = scs(toy_fresh, "run", "--jobs", "1", "-p", "pause=30", start_new_session=True)
    manifest_path = toy_fresh / MANIFEST
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until a step has finished, then press Ctrl-C
        if manifest_path.is_file() and json.loads(manifest_path.read_text())["steps"]:
            break
        time.sleep(0.2)
    time.sleep(2.0)  # the next step is now running
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, out
    done = set(json.loads(manifest_path.read_text())["steps"])
    assert done and done != {"a", "b", "c"}
    plan = {p.name: p.stale for p in Runner(toy_fresh, log=lambda _: None).plan(overrides=["pause=30"])}
    assert [name for name, stale in plan.items() if not stale] == sorted(done, key=list(plan).index)
    assert not list(toy_fresh.rglob("*.partial*"))
    assert not (toy_fresh / STAGING).exists() or not any((toy_fresh / STAGING).iterdir())


def test_leftovers_of_a_killed_run_are_cleared(toy):
    leftover = toy / STAGING / "a-999-1"
    leftover.mkdir(parents=True)
    (leftover / "half-written.png").write_bytes(b"\x89PNG")
    (toy / "build/notebooks/.a.partial.ipynb").write_text("{}")
    Runner(toy, log=lambda _: None).run()
    assert not leftover.exists()
    assert not (toy / "build/notebooks/.a.partial.ipynb").exists()
