"""What each task of the robustness sweep reads, and the outcomes kept between runs (`build/.cache/robustness/`).

A task is one distinct set of a step's analysis parameters with every combination of its decisions, or a chunk of
the evidence rule's decisions on one group of claims. Its key is a hash of exactly what it reads: the code of its
step's analysis (the modules its notebook imports, plotting functions and comments left out, and of the upstream
steps whose sweeps it carries) and of the sweep, the pinned environment, its input files, the registry entries of
its step's claims, the parameters the step ran with that no sweep of the grid sets, the evidence rule's decisions
as run, the results of the upstream steps its analysis takes as the chain ran them, and the task's own parameters.
A task of the evidence grid reads, of each claim's step, only what its rules read. A task whose key is unchanged
is reused, not recomputed; an execution setting (the robustness step's `workers`, the backend) is in no key.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .claims.registry import OUTSIDE, named_parameters, rules_of
from .claims.verdicts import EVIDENCE_STEP
from .engine.plan import Planner
from .engine.store import atomic_write_text, canonical, lookup, read_cache, sha256_file, sha256_text
from .errors import CompendiumError

VERSION = 1  # of the cache's layout and of what an outcome holds
CACHE_DIR = Path("build/.cache/robustness")
IGNORED = ("plot_*",)  # a figure cannot change a verdict


def _text(obj: Any) -> str:
    """A registry entry as stable text (its dataclass fields, key-sorted)."""
    return json.dumps(asdict(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class Keys:
    """The key of every task of a sweep, from the project as it stands (see the module's docstring)."""

    def __init__(self, pipeline, registry: list, base: dict[str, dict], results: dict[str, dict],
                 reads: dict[str, tuple], carried: dict[str, tuple]):
        self.pipeline, self.base, self.results, self.reads, self.carried = pipeline, base, results, reads, carried
        self.registry = registry
        self.planner = Planner(pipeline)
        here = Path(__file__).parent
        self.sweep_code = {name: sha256_file(here / name) for name in ("robustness.py", "robustness_cache.py")}
        self._steps: dict[str, str] = {}

    def _code(self, name: str) -> dict:
        step = self.pipeline.step(name)
        return self.planner.code.step_code(self.pipeline.root / step.notebook, IGNORED)

    def _inputs(self, name: str, leave_out: tuple[str, ...] = ()) -> dict:
        step = self.pipeline.step(name)
        return {p: self.planner._input_hash(step, p) for p in step.inputs if p not in leave_out}

    def _values(self, name: str) -> str:
        return sha256_text(canonical(self.results[name]["values"])) if name in self.results else "missing"

    def analysis_reads(self, name: str, swept: set[str]) -> dict:
        """What a step's analysis reads besides the swept values: code, inputs, claims, parameters as run, upstream."""
        step = self.pipeline.step(name)
        carried = self.carried.get(name, ())
        return {"code": self._code(name), "inputs": self._inputs(name),
                "claims": [_text(c) for c in self.registry if c.step == name],
                "parameters": {n: v for n, v in self.base[name].items() if n not in swept and n in step.parameters},
                "upstream": {u: self._values(u) for u in self.reads.get(name, ()) if u not in carried},
                "carried": {u: self.analysis_reads(u, {n.split(".", 1)[1] for n in swept if n.startswith(u + ".")})
                            for u in carried}}

    def step_part(self, name: str, swept: list[str]) -> str:
        """The hash of what every task of a step's grid reads besides its own parameters."""
        if name not in self._steps:
            reads = {"version": VERSION, "sweep": self.sweep_code, "environment": self.planner.environment_hash}
            registry = ("data/claims.yaml",)  # the claims' own entries are keyed, not the whole registry
            if name == EVIDENCE_STEP:  # the decisions it sweeps are the task's; the claims' reads are the group's
                reads |= {"code": self._code(name), "inputs": self._inputs(name, registry),
                          "parameters": {n: v for n, v in self.base[name].items() if n not in swept}}
            else:  # a verdict of outside data reads the evidence rows under the decisions as run
                reads |= {"evidence": {"parameters": self.base[EVIDENCE_STEP],
                                       "inputs": self._inputs(EVIDENCE_STEP, registry)},
                          "analysis": self.analysis_reads(name, set(swept))}
            self._steps[name] = sha256_text(canonical(reads))
        return self._steps[name]

    def group_part(self, claims: list) -> dict:
        """What the evidence rule's decisions read of a group of claims: their entries and, of their steps' results,
        only what their rules read."""
        found = {}
        for claim in claims:
            entry = {"claim": _text(claim)}
            if claim.basis == OUTSIDE and any(p.computed for p in claim.parts) and claim.step in self.results:
                document = self.results[claim.step]
                values, parameters = document["values"], document.get("parameters", {})
                entry["needs_data"] = values.get("needs_data")
                entry["values"] = {r["value"]: _lookup(values, r["value"]) for r in rules_of(claim) if "value" in r}
                entry["parameters"] = {n: parameters.get(n) for n in named_parameters(claim)}
            found[claim.id] = entry
        return found

    def task(self, name: str, swept: list[str], analysis: dict, decisions: list[dict], group: list | None) -> str:
        claims = [c for c in self.registry if c.id in set(group)] if group is not None else None
        return sha256_text(canonical({"step": self.step_part(name, swept), "analysis": analysis, "decisions": decisions,
                                      "group": self.group_part(claims) if claims is not None else None}))


def _lookup(values: dict, key: str) -> Any:
    try:
        return lookup(values, key)
    except CompendiumError:
        return "missing"


class Cache:
    """The outcomes of one grid's tasks by key, kept in `build/.cache/robustness/<step>.json` (written atomically).
    A file that cannot be read, or an entry of the wrong shape, is ignored: its tasks are computed again."""

    def __init__(self, root: Path | str, name: str):
        self.path = Path(root) / CACHE_DIR / f"{name}.json"
        found = read_cache(self.path)
        entries = found.get("entries") if found.get("version") == VERSION else None
        self.entries: dict = entries if isinstance(entries, dict) else {}
        self.kept: dict = {}

    def get(self, key: str, decisions: int, claims: list[str]):
        """The outcome kept for `key` (verdicts, numbers, analyses run), or None."""
        entry = self.entries.get(key)
        if not _valid(entry, decisions, claims):
            return None
        self.kept[key] = entry
        return entry["verdicts"], entry["numbers"], entry["ran"]

    def put(self, key: str, outcome: tuple) -> None:
        verdicts, numbers, ran = outcome
        self.kept[key] = {"verdicts": verdicts, "numbers": numbers, "ran": ran}

    def save(self) -> None:
        """Keep the outcomes of this run's tasks only (a cache, not an archive: its size follows the grid)."""
        try:
            atomic_write_text(self.path, canonical({"version": VERSION, "entries": self.kept}))
        except (OSError, CompendiumError):
            pass  # a cache that cannot be written costs time at the next run, never a result


def _valid(entry: Any, decisions: int, claims: list[str]) -> bool:
    if not isinstance(entry, dict) or entry.get("ran") not in (0, 1):
        return False
    verdicts, numbers = entry.get("verdicts"), entry.get("numbers")
    if not (isinstance(verdicts, list) and isinstance(numbers, list) and len(verdicts) == len(numbers) == decisions):
        return False
    return all(isinstance(v, dict) and sorted(v) == sorted(claims) and all(isinstance(x, str) for x in v.values())
               for v in verdicts) and all(isinstance(n, dict) and all(
                   isinstance(x, (int, float)) and not isinstance(x, bool) for x in n.values()) for n in numbers)
