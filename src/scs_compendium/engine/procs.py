"""The child processes of a run, and the executed notebooks they leave behind.

Each step's notebook runner (:mod:`.kernel`) starts in its own process group, so that
the run can stop it and everything in its group at once, and with the Linux
parent-death signal set, so that it dies when the run dies (even of `kill -9`). Its
kernel, which jupyter_client starts in a session of its own, exits within about a
second of its parent: ipykernel polls the process named by `JPY_PARENT_PID`.

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
    """Start a step's process in its own process group; it dies when the thread that started it dies."""
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_die_with_parent)


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
