"""Which steps must rerun, and why: content fingerprints compared with the manifest (pure; runs nothing).

A step reruns only when one of these changed since its last successful run: its
notebook, its parameters, its input files, its code, the pinned environment, the
results of a step it needs, or its declared outputs (or one of its published
outputs is missing or was edited). Its code is the engine (`fingerprint.engine`
in `pipeline.yaml`) and the modules its notebook imports from the source roots
(`fingerprint.sources`), followed through their own imports: an edit to one
argument's module reruns that argument's step only, and the steps that read its
results only if those results change.
"""

from __future__ import annotations

import ast
import json
import sys
from fnmatch import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import CompendiumError
from ..paths import MANIFEST
from .procs import notebook_state
from .spec import Pipeline, Step
from .store import canonical, read_results, sha256_bytes, sha256_file, sha256_text


@dataclass
class StepPlan:
    name: str
    stale: bool
    reasons: list[str]
    fingerprint: dict | None = None
    waits_on: list[str] = field(default_factory=list)  # reruns only if these upstream results change

    def describe(self) -> str:
        if self.stale:
            return "would run (" + "; ".join(self.reasons) + ")"
        if self.waits_on:
            return f"fresh unless the results of {', '.join(self.waits_on)} change"
        return "fresh"


def load_manifest(root: Path) -> dict:
    """`build/manifest.json`, or an empty one."""
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        return manifest if isinstance(manifest.get("steps"), dict) else {"steps": {}}
    except (FileNotFoundError, json.JSONDecodeError):
        return {"steps": {}}


def _files(root: Path, relpaths: tuple[str, ...], suffixes: tuple[str, ...] | None) -> list[Path]:
    found = []
    for rel in relpaths:
        base = root / rel
        candidates = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        found += [p for p in candidates if "__pycache__" not in p.parts and (not suffixes or p.suffix in suffixes)]
    return found


def _hash_or_missing(path: Path) -> str:
    return sha256_file(path) if path.is_file() else "missing"


def _hash_without(path: Path, ignores: tuple[str, ...], cache: dict | None = None) -> str:
    data = path.read_bytes()
    key = f"without:{sha256_bytes(data)}:{','.join(ignores)}"
    if cache is not None and key in cache:
        return cache[key]
    tree = ast.parse(data.decode("utf-8"))
    tree.body = [node for node in tree.body if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                                                    and any(fnmatch(node.name, pattern) for pattern in ignores))]
    found = sha256_text(ast.unparse(tree))
    if cache is not None:
        cache[key] = found
    return found


def notebook_code(notebook: Path) -> str:
    """The Python source of a notebook's code cells (IPython magics and shell lines left out)."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    parts = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = "".join(cell.get("source", []))
            parts.append("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    return "\n".join(parts)


def imported_names(source: str, package: str = "") -> set[str]:
    """Dotted names a source imports (relative imports resolved against `package`); names
    imported from a module are included too, since they may be submodules."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name}


class CodeIndex:
    """The Python modules under the source roots, and the files each notebook reaches."""

    def __init__(self, root: Path, sources: tuple[str, ...], engine: tuple[str, ...], cache: dict | None = None):
        self.root = root
        # Parsing is the slow part of a fingerprint: what a file imports, and its hash without ignored functions,
        # are kept by the hash of its bytes (given by the caller, who may keep them between runs; never stale).
        self.cache = cache if cache is not None else {}
        self.modules: dict[str, Path] = {}
        for src in sources:
            for path in _files(root, (src,), (".py",)):
                parts = list(path.relative_to(root / src).with_suffix("").parts)
                if parts[-1] == "__init__":
                    parts.pop()
                if parts:
                    self.modules[".".join(parts)] = path
        self.engine = _files(root, engine, (".py",))

    @lru_cache(maxsize=None)
    def _imports(self, module: str) -> frozenset[str]:
        path = self.modules[module]
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        data = path.read_bytes()
        key = f"imports:{sha256_bytes(data)}:{package}"
        if key not in self.cache:
            self.cache[key] = sorted(imported_names(data.decode("utf-8"), package))
        return frozenset(self._known(set(self.cache[key])))

    def _known(self, names: set[str]) -> set[str]:
        """The names that are modules here, with the packages that hold them (importing runs their __init__)."""
        known = set()
        for name in names:
            parts = name.split(".")
            known.update(".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in self.modules)
        return known

    def reached(self, notebook: Path) -> list[Path]:
        """Source files a notebook's imports reach, directly or through other modules."""
        todo = sorted(self._known(imported_names(notebook_code(notebook))))
        seen: set[str] = set()
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo.extend(self._imports(module) - seen)
        return sorted(self.modules[m] for m in seen)

    def step_code(self, notebook: Path, ignores: tuple[str, ...] = ()) -> dict[str, str]:
        """Hashes of the engine files and of the modules the notebook reaches, by relative path.

        With `ignores`, a reached module is hashed without its comments and without the top-level
        functions whose names match (e.g. `plot_*`, which cannot change a step's results)."""
        engine = set(self.engine)
        files = sorted(engine | set(self.reached(notebook)))
        return {str(p.relative_to(self.root)): (_hash_without(p, ignores, self.cache) if ignores and p not in engine
                                                else _hash_or_missing(p)) for p in files}


class Planner:
    """Decides, from content hashes and the manifest, which steps of a project are stale."""

    def __init__(self, pipeline: Pipeline, cache: dict | None = None):
        self.pipeline = pipeline
        self.root = pipeline.root
        self.code = CodeIndex(self.root, pipeline.sources, pipeline.engine, cache)
        env = "\n".join(f"{p.relative_to(self.root)}:{_hash_or_missing(p)}"
                        for p in _files(self.root, pipeline.environment, None))
        self.environment_hash = sha256_text(sha256_text(env) + sys.version)

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
            "inputs": {p: self._input_hash(step, p) for p in step.inputs},
            "code": self.code.step_code(self.root / step.notebook, step.fingerprint_ignores),
            "environment": self.environment_hash,
            "upstream": upstream,
            "outputs": step.outputs + step.optional_outputs,
        }

    def _input_hash(self, step: Step, relpath: str) -> str:
        """The hash of an input file; of a Frictionless `datapackage.json`, only what the step reads of it.

        That is the package's own metadata and the entries of the tables the step names among its
        inputs; a step that names none finds its tables at run time (Google Trends snapshots) and
        depends on the entries and files of the tables that no step names. Registering a new
        snapshot thus makes only that step stale."""
        path = self.root / relpath
        if Path(relpath).name != "datapackage.json" or not path.is_file():
            return _hash_or_missing(path)
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8"))
            resources = descriptor["resources"]
            base = Path(relpath).parent
            located = [((base / r["path"]).as_posix(), r) for r in resources]
        except (ValueError, KeyError, TypeError, AttributeError):
            return _hash_or_missing(path)  # broken: the data checks before the run say how
        named = set(step.inputs)
        mine = [r for p, r in located if p in named]
        files = {}
        if not mine:
            listed = {p for other in self.pipeline.steps.values() for p in other.inputs}
            mine = [r for p, r in located if p not in listed]
            files = {p: _hash_or_missing(self.root / p) for p, r in located if p not in listed}
        package = {k: v for k, v in descriptor.items() if k != "resources"}
        return sha256_text(canonical({"package": package, "resources": mine, "files": files}))

    def check(self, name: str, parameters: dict, manifest: dict, rerunning: set[str] = frozenset()) -> StepPlan:
        """Is `name` fresh? If not, say why. Steps in `rerunning` may or may not change their results."""
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
        reasons += _changed("parameter", previous.get("parameters", {}), current["parameters"], show_values=True)
        reasons += [f"input {path} changed" for path in _changed_keys(previous.get("inputs", {}), current["inputs"])]
        reasons += [f"code {path} changed" for path in _changed_keys(_as_dict(previous.get("code")), current["code"])]
        if previous.get("environment") != current["environment"]:
            reasons.append("pinned environment changed")
        waits_on = []
        for dep in step.needs:
            if dep in rerunning:
                waits_on.append(dep)
            elif previous.get("upstream", {}).get(dep) != current["upstream"].get(dep):
                reasons.append(f"results of upstream step {dep} changed")
        if previous.get("outputs") != current["outputs"]:
            reasons.append("declared outputs changed")
        executed = entry.get("executed_notebook")
        if executed:
            state = notebook_state(self.root / executed)
            if state != "complete":
                reasons.append(f"executed notebook {executed} {state}")
        for path, digest in sorted(entry.get("outputs", {}).items()):
            target = self.root / path
            if not target.is_file():
                reasons.append(f"output {path} missing")
            elif sha256_file(target) != digest:
                reasons.append(f"output {path} was modified after it was written")
        return StepPlan(name, bool(reasons), reasons, current, [] if reasons else waits_on)

    def plan(self, selected: list[str], parameters: dict[str, dict], force_names: set[str] = frozenset()) -> list[StepPlan]:
        """What a run of `selected` (in dependency order) would do, without running anything."""
        manifest = load_manifest(self.root)
        rerunning: set[str] = set()
        plans = []
        for name in selected:
            plan = self.check(name, parameters[name], manifest, rerunning)
            if name in force_names:
                plan.stale, plan.reasons, plan.waits_on = True, ["forced", *plan.reasons], []
            if plan.stale or plan.waits_on:
                rerunning.add(name)
            plans.append(plan)
        return plans


def _as_dict(value: Any) -> dict:
    # Manifests written before per-step code fingerprints hold one hash for all code.
    return value if isinstance(value, dict) else {"(all package code)": value}


def _changed_keys(old: dict, new: dict) -> list[str]:
    return [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def _changed(label: str, old: dict, new: dict, show_values: bool = False) -> list[str]:
    return [f"{label} {key}: {old.get(key)!r} -> {new.get(key)!r}" if show_values else f"{label} {key} changed"
            for key in _changed_keys(old, new)]
