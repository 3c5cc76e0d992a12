"""The child processes of a run, and the executed notebooks they leave behind.

A run starts at most one notebook runner (:mod:`.kernel`) per job, when the first step
needs one, and hands it one step after another (:class:`Worker`): papermill and nbconvert
are imported once per runner, not once per step. Each runner starts in its own process
group, so that the run can stop it and everything in its group at once, and with the
Linux parent-death signal set, so that it dies when the run dies (even of `kill -9`).
Its kernels, which jupyter_client starts in sessions of their own, exit within about a
second of it: ipykernel polls the process named by `JPY_PARENT_PID`.

An executed notebook in `build/notebooks/` is replaced only by a complete one: papermill
writes into a partial file (rewritten after every cell, so possibly half written), and
the runner moves it into place only when the notebook process ended by itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from ..paths import EXECUTED

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except OSError:
            pass


def start(command: list[str], env: dict) -> subprocess.Popen:
    """Start a process in its own process group; it dies when the thread that started it dies."""
    return subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, preexec_fn=_die_with_parent)


class Worker:
    """A notebook runner that runs one step at a time for the thread that started it."""

    def __init__(self, env: dict):
        self.proc = start([sys.executable, "-m", "scs_compendium.engine.kernel"], env)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, request: dict, on_event: Callable[[dict], None]) -> tuple[int, str, bool]:
        """Run one step: (its code, 0 or 1, or the runner's exit code if it died; its log; whether it
        ended by itself). `on_event` receives the runner's other messages (the cell that starts)."""
        from .kernel import MARK

        log: list[str] = []
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except OSError:  # the runner has died: its exit code says how
            pass
        for line in iter(self.proc.stdout.readline, ""):
            if not line.startswith(MARK):
                log.append(line)
                continue
            message = json.loads(line[len(MARK):])
            if message.get("event") == "done":
                return int(message["code"]), "".join(log), True
            on_event(message)
        return self.proc.wait(), "".join(log), False

    def close(self, timeout_s: float = 10.0) -> None:
        """Let an idle runner exit (end of input), or stop it."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            pass
        stop(self.proc)


def stop(proc: subprocess.Popen, grace_s: float = 3.0) -> None:
    """Stop a step's process group: SIGTERM, then SIGKILL after `grace_s` seconds."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        deadline = time.time() + wait_s
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
    try:  # whatever else is left in its group (the process itself has been reaped)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def describe_failure(notebook: str, name: str, error_file: Path, log_text: str, code: int) -> dict:
    """What went wrong in a step, from its error file (written by :mod:`.kernel`) or its log."""
    try:
        info = json.loads(error_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        tail = "\n".join(log_text.strip().splitlines()[-5:])
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        return {"message": f"{notebook}: the notebook process {how}: {tail}"}
    where = f"cell {info['cell_number']}" if info.get("cell_number") else "a cell"
    if info.get("first_line"):
        where += f" ({info['first_line'].strip()[:60]})"
    if info.get("kernel_died"):
        message = (
            f"{notebook}: the kernel died while running {where} ({info.get('evalue')}): the cell "
            f"crashed Python or used too much memory. Executed copy: {EXECUTED}/{name}.ipynb"
        )
        return {"message": message, **info}
    message = (
        f"{notebook}: {where} raised {info.get('ename')}: {info.get('evalue')}. "
        f"Executed copy with the error: {EXECUTED}/{name}.ipynb"
    )
    return {"message": message, **info}


def notebook_state(path: Path) -> str:
    """'complete', 'missing', 'unreadable' (half-written JSON) or 'interrupted' (cells left running or
    pending, with no error recorded) for an executed notebook written by papermill."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "missing"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return "unreadable"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return "unreadable"
    meta = (notebook.get("metadata") or {}).get("papermill") or {}
    if meta.get("exception"):
        return "complete"  # a failed notebook ends at its error: that copy is what the user reads
    states = [((cell.get("metadata") or {}).get("papermill") or {}).get("status") for cell in notebook["cells"]]
    if any(state in ("running", "pending") for state in states):
        return "interrupted"
    return "complete"
