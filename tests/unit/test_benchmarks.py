"""The benchmarks: help without a run, and no temporary copy left behind by a killed benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from ..conftest import REPO

BENCH = REPO / "benchmarks" / "bench_chain.py"


def test_bench_chain_help_prints_help_and_runs_nothing(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run([sys.executable, str(BENCH), "--help"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "usage: bench_chain.py" in done.stdout and "--cold-only" in done.stdout
    assert list(tmp_path.iterdir()) == []  # no copy was made


def test_a_benchmark_stopped_with_sigterm_removes_its_copy(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    process = subprocess.Popen([sys.executable, str(BENCH)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("scs-bench-*/project/pipeline.yaml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list(tmp_path.glob("scs-bench-*")), "the benchmark made its copy"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) != 0
    finally:
        process.kill()
    assert list(tmp_path.glob("scs-bench-*")) == []


def test_a_copy_left_by_a_killed_benchmark_is_removed_by_the_next(tmp_path, monkeypatch):
    sys.path.insert(0, str(BENCH.parent))
    import bench_chain

    monkeypatch.setattr(bench_chain.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan, alive = tmp_path / "scs-bench-orphan", tmp_path / "scs-bench-alive"
    for folder, pid in ((orphan, dead.stdout.strip()), (alive, str(os.getpid()))):
        (folder / "project").mkdir(parents=True)
        (folder / bench_chain.OWNER).write_text(pid)
    assert bench_chain.clear_orphans() == [orphan]
    assert not orphan.exists() and alive.exists()
