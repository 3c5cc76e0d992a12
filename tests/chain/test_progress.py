"""Issue #16: the log tells the truth. A step is shown as running when a notebook runner takes it,
not while it waits for one, and a long step shows the cell it is at, at most one line per cell
(on the toy project: a -> b, and c, which sleeps for `pause` seconds)."""

from __future__ import annotations

import re

from scs_compendium.chain import compendium_runner


def run_logged(root, **kwargs) -> list[str]:
    lines: list[str] = []
    runner = compendium_runner(root, log=lines.append)
    runner.progress_every = 1.0
    outcome = runner.run(**kwargs)
    assert outcome.ok, lines
    return lines


def index(lines: list[str], pattern: str) -> int:
    found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    assert len(found) == 1, (pattern, lines)
    return found[0]


def test_with_one_job_a_step_is_running_only_after_the_previous_one_is_done(toy_fresh):
    lines = run_logged(toy_fresh, jobs=1, overrides=["pause=4"])
    a_runs, a_done = index(lines, r"^\[1/3\] a: running"), index(lines, r"^  a: done")
    c_runs, c_done = index(lines, r"^\[2/3\] c: running"), index(lines, r"^  c: done")
    b_runs, b_done = index(lines, r"^\[3/3\] b: running"), index(lines, r"^  b: done")
    assert a_runs < a_done < c_runs < c_done < b_runs < b_done, lines


def test_a_long_step_shows_the_cell_it_is_at_once_per_cell(toy_fresh):
    lines = run_logged(toy_fresh, jobs=1, overrides=["pause=4"])
    c_runs, c_done = index(lines, r"c: running"), index(lines, r"c: done")
    cells = [line for line in lines if re.match(r"^  c: cell ", line)]
    # c's code cells: its parameters, the values papermill injects, and the one that sleeps.
    assert "  c: cell 3/3 (import time)" in cells, lines
    assert len(cells) == len(set(cells)) <= 3, lines
    assert all(c_runs < lines.index(line) < c_done for line in cells), lines


def test_steps_shorter_than_the_interval_show_no_cells(toy_fresh):
    lines: list[str] = []
    runner = compendium_runner(toy_fresh, log=lines.append)
    runner.progress_every = 120.0
    assert runner.run(jobs=2, overrides=["pause=0"]).ok, lines
    assert not [line for line in lines if ": cell " in line], lines
