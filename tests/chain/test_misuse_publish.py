"""Issue #24, case 5, on the toy project: SIGTERM is handled as Ctrl-C is; a step publishes its outputs all or
none, each replace atomic even when build/ lies on another file system than figures/; a full disk keeps the
previous outputs and says so. Nothing outside the project changes."""

from __future__ import annotations

import errno
import os
import signal
import time
from pathlib import Path

import nbformat

from scs_compendium.chain import compendium_runner as Runner
from scs_compendium.engine import store

from ..conftest import files_outside
from .test_misuse_interrupts import processes_of, recorded, scs, wait_for

OUTPUTS = ("build/results/a.json", "figures/a_plot.png", "figures/a_plot.svg", "figures/a_plot.pdf")


def test_sigterm_stops_the_run_as_ctrl_c_does(toy_fresh):
    before = files_outside(toy_fresh.parent, toy_fresh)
    proc = scs(toy_fresh, "run", "--jobs", "1", "-p", "pause=30")
    wait_for(lambda: "a" in recorded(toy_fresh), what="step a to finish")
    wait_for(lambda: any("ipykernel" in c for c in processes_of(toy_fresh).values()), what="c's kernel")
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)  # what `kill PID` (or a batch system) sends to scs alone
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 143, out
    assert "terminated (SIGTERM)" in out and "Traceback" not in out
    assert recorded(toy_fresh) == {"a"}
    for step in ("b", "c"):
        assert not (toy_fresh / f"build/results/{step}.json").exists(), out
    wait_for(lambda: not processes_of(toy_fresh), timeout=10, what="the run's processes to end")
    assert not list(toy_fresh.rglob("*.partial*"))
    assert files_outside(toy_fresh.parent, toy_fresh) == before


def test_publishing_across_file_systems_renames_only_within_each_folder(toy, monkeypatch):
    real = os.replace

    def across_devices(src, dst):  # build/ on a scratch disk: a rename into figures/ fails
        if Path(src).parent != Path(dst).parent and Path(src).is_relative_to(toy / "build/.staging"):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", across_devices)
    outcome = Runner(toy, log=lambda _: None).run(["a"], overrides=["n=3"])
    assert outcome.ok and outcome.ran == ["a"], outcome.failed
    assert '"n": 3' in (toy / "build/results/a.json").read_text()
    injected = [c.source for c in nbformat.read(toy / "build/notebooks/a.ipynb", as_version=4).cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "n = 3" in injected[0] and "fail" not in injected[0]  # only what changed


def test_a_full_disk_while_publishing_keeps_the_previous_outputs(toy, monkeypatch):
    old = {rel: (toy / rel).read_bytes() for rel in OUTPUTS}
    before = files_outside(toy.parent, toy)
    real = store.shutil.copyfileobj
    copied = []

    def disk_full_at_the_second(source, out, *args):
        copied.append(out)
        if len(copied) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", None)
        return real(source, out, *args)

    monkeypatch.setattr(store.shutil, "copyfileobj", disk_full_at_the_second)
    lines: list[str] = []
    outcome = Runner(toy, log=lines.append).run(["a"], overrides=["n=3"])
    message = outcome.failed["a"]
    assert "No space left on device; nothing of this step was published and the previous outputs are kept" in message
    assert {rel: (toy / rel).read_bytes() for rel in OUTPUTS} == old  # all or none: none
    assert not list(toy.rglob("*.partial*"))
    assert files_outside(toy.parent, toy) == before
    monkeypatch.setattr(store.shutil, "copyfileobj", real)
    again = Runner(toy, log=lambda _: None).run(["a"], overrides=["n=3"])
    assert again.ok and again.ran == ["a"]  # the failed publish is retried, not taken as done
