"""The declarative chain: `pipeline.yaml` read into steps, and parameters checked.

Each step names its notebook, its parameters (type, default, one-line doc), its
input files, the figures it draws and the steps whose results it reads. The
results file `build/results/<step>.json` is implicit. Steps an open issue will
build are listed under `planned:` so that the claims they check can already
name them.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster

from .errors import ParameterError, SpecError

SPEC_FILE = "pipeline.yaml"
FIGURE_FORMATS = ("pdf", "svg", "png")
PARAMETER_TYPES = ("int", "float", "bool", "str", "list")
_STEP_KEYS = {"title", "notebook", "issue", "parameters", "inputs", "needs", "figures", "optional_figures"}
_PARAM_KEYS = {"type", "default", "doc", "min", "max", "choices"}


def find_project_root(start: Path | str | None = None) -> Path:
    """The folder holding `pipeline.yaml`.

    Order: `$SCS_PROJECT_ROOT`; then `start` (or the working directory) and its
    parents; then the folder this package was installed from (an editable
    install), so that a notebook finds the project from any working directory.
    """
    env = os.environ.get("SCS_PROJECT_ROOT")
    if env:
        root = Path(env).resolve()
        if not (root / SPEC_FILE).is_file():
            raise SpecError(f"SCS_PROJECT_ROOT={env} holds no {SPEC_FILE}")
        return root
    here = Path(start or Path.cwd()).resolve()
    for candidate in [here, *here.parents]:
        if (candidate / SPEC_FILE).is_file():
            return candidate
    installed = Path(__file__).resolve().parents[2]
    if (installed / SPEC_FILE).is_file():
        return installed
    raise SpecError(
        f"no {SPEC_FILE} found in {here} or its parents; run from the project folder "
        "or set SCS_PROJECT_ROOT"
    )


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    doc: str
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None

    def describe(self) -> str:
        extra = ""
        if self.choices:
            extra = f", one of {list(self.choices)}"
        elif self.min is not None or self.max is not None:
            extra = f", in [{self.min}, {self.max}]"
        return f"{self.name} ({self.type}{extra}, default {self.default!r}): {self.doc}"


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    notebook: str
    issue: int | None
    parameters: dict[str, Parameter]
    inputs: tuple[str, ...]
    needs: tuple[str, ...]
    figures: tuple[str, ...]
    optional_figures: tuple[str, ...] = ()

    @property
    def results_path(self) -> str:
        return f"build/results/{self.name}.json"

    @property
    def figure_paths(self) -> list[str]:
        return [f"figures/{stem}.{ext}" for stem in self.figures for ext in FIGURE_FORMATS]

    @property
    def outputs(self) -> list[str]:
        """Every file the step must publish, relative to the project root."""
        return [self.results_path, *self.figure_paths]

    @property
    def optional_outputs(self) -> list[str]:
        """Figures the step draws only when its data allow (e.g. no Google Trends snapshot yet)."""
        return [f"figures/{stem}.{ext}" for stem in self.optional_figures for ext in FIGURE_FORMATS]

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.parameters.items()}


@dataclass(frozen=True)
class PlannedStep:
    name: str
    title: str
    issue: int | None


@dataclass
class Pipeline:
    root: Path
    steps: dict[str, Step]
    planned: dict[str, PlannedStep]
    code: tuple[str, ...] = ()
    environment: tuple[str, ...] = ()
    order: list[str] = field(default_factory=list)

    def step(self, name: str) -> Step:
        if name not in self.steps:
            known = ", ".join(self.steps) or "none"
            hint = f" (planned for issue #{self.planned[name].issue})" if name in self.planned else ""
            raise SpecError(f"unknown step {name!r}{hint}; steps: {known}")
        return self.steps[name]

    def with_upstream(self, names: list[str]) -> list[str]:
        """`names` and every step they depend on, in dependency order."""
        wanted: set[str] = set()

        def visit(name: str) -> None:
            if name in wanted:
                return
            wanted.add(name)
            for dep in self.step(name).needs:
                visit(dep)

        for name in names:
            visit(name)
        return [name for name in self.order if name in wanted]

    def downstream(self, name: str) -> set[str]:
        """Every step that depends, directly or not, on `name`."""
        found: set[str] = set()
        frontier = [name]
        while frontier:
            current = frontier.pop()
            for other in self.steps.values():
                if current in other.needs and other.name not in found:
                    found.add(other.name)
                    frontier.append(other.name)
        return found


def read_yaml(path: Path, shown: str, error: type[Exception]) -> Any:
    """Parse a YAML file; a missing or malformed file raises `error` naming it as `shown`."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except FileNotFoundError:
        raise error(f"{shown}: file not found") from None
    except yaml.YAMLError as exc:
        raise error(f"{shown}: not valid YAML: {exc}") from None


def load_pipeline(root: Path | str | None = None) -> Pipeline:
    """Read and check `pipeline.yaml`; every error names the step and the key."""
    root = Path(root) if root else find_project_root()
    path = root / SPEC_FILE
    raw = read_yaml(path, str(path), SpecError)
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), dict):
        raise SpecError(f"{path}: expected a mapping with a 'steps:' mapping")
    fingerprint = raw.get("fingerprint") or {}
    steps = {name: _parse_step(path, root, name, body) for name, body in raw["steps"].items()}
    planned = {}
    for name, body in (raw.get("planned") or {}).items():
        body = body or {}
        if name in steps:
            raise SpecError(f"{path}: step {name!r} is both a step and planned")
        planned[name] = PlannedStep(name, str(body.get("title", name)), body.get("issue"))
    for step in steps.values():
        for dep in step.needs:
            if dep not in steps:
                raise SpecError(f"{path}: step {step.name!r} needs unknown step {dep!r}")
    pipeline = Pipeline(
        root=root,
        steps=steps,
        planned=planned,
        code=tuple(fingerprint.get("code", [])),
        environment=tuple(fingerprint.get("environment", [])),
    )
    pipeline.order = _topological_order(path, steps)
    return pipeline


def _parse_step(path: Path, root: Path, name: str, body: Any) -> Step:
    where = f"{path}: step {name!r}"
    if not isinstance(body, dict):
        raise SpecError(f"{where}: expected a mapping")
    unknown = set(body) - _STEP_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_STEP_KEYS)}")
    notebook = body.get("notebook")
    if not notebook or not (root / notebook).is_file():
        raise SpecError(f"{where}: notebook {notebook!r} not found")
    parameters = {}
    for pname, pbody in (body.get("parameters") or {}).items():
        parameters[pname] = _parse_parameter(f"{where}, parameter {pname!r}", pname, pbody)
    return Step(
        name=name,
        title=str(body.get("title", name)),
        notebook=notebook,
        issue=body.get("issue"),
        parameters=parameters,
        inputs=tuple(body.get("inputs") or ()),
        needs=tuple(body.get("needs") or ()),
        figures=tuple(body.get("figures") or ()),
        optional_figures=tuple(body.get("optional_figures") or ()),
    )


def _parse_parameter(where: str, name: str, body: Any) -> Parameter:
    if not isinstance(body, dict):
        raise SpecError(f"{where}: expected a mapping with type, default and doc")
    unknown = set(body) - _PARAM_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {sorted(unknown)}")
    ptype = body.get("type")
    if ptype not in PARAMETER_TYPES:
        raise SpecError(f"{where}: type {ptype!r} is not one of {list(PARAMETER_TYPES)}")
    if not body.get("doc"):
        raise SpecError(f"{where}: a one-line 'doc' is required")
    choices = tuple(body["choices"]) if body.get("choices") is not None else None
    param = Parameter(name, ptype, body.get("default"), str(body["doc"]), body.get("min"), body.get("max"), choices)
    try:
        check_value(param, param.default)
    except ParameterError as exc:
        raise SpecError(f"{where}: default is invalid: {exc}") from None
    return param


def _topological_order(path: Path, steps: dict[str, Step]) -> list[str]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise SpecError(f"{path}: the steps form a cycle: {' -> '.join(trail + [name])}")
        state[name] = "visiting"
        for dep in steps[name].needs:
            visit(dep, trail + [name])
        state[name] = "done"
        order.append(name)

    for name in steps:
        visit(name, [])
    return order


# --- parameters -------------------------------------------------------------------


def check_value(param: Parameter, value: Any) -> Any:
    """Return `value` if it suits `param` (ints are accepted as floats), else raise."""
    expected = param.type
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "list": isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value),
    }[expected]
    if not ok:
        raise ParameterError(
            f"parameter {param.name!r} expects {expected}, got {value!r} ({type(value).__name__})"
        )
    if expected == "float":
        value = float(value)
        if not math.isfinite(value):
            raise ParameterError(f"parameter {param.name!r} expects a finite number, got {value!r}")
    if param.min is not None and value < param.min or param.max is not None and value > param.max:
        raise ParameterError(
            f"parameter {param.name!r} must lie in [{param.min}, {param.max}], got {value!r}"
        )
    if param.choices is not None:
        items = value if expected == "list" else [value]
        bad = [v for v in items if v not in param.choices]
        if bad:
            raise ParameterError(
                f"parameter {param.name!r}: {bad} not among the choices {list(param.choices)}"
            )
    return value


def parse_value(param: Parameter, text: str) -> Any:
    """Turn a command-line string into a value of the parameter's type."""
    try:
        if param.type == "int":
            value: Any = int(text)
        elif param.type == "float":
            value = float(text)
        elif param.type == "bool":
            lowered = text.strip().lower()
            if lowered not in {"true", "false", "yes", "no", "1", "0"}:
                raise ValueError(text)
            value = lowered in {"true", "yes", "1"}
        elif param.type == "list":
            stripped = text.strip()
            value = json.loads(stripped) if stripped.startswith("[") else [
                item.strip() for item in stripped.split(",") if item.strip()
            ]
        else:
            value = text
    except (ValueError, json.JSONDecodeError):
        raise ParameterError(
            f"parameter {param.name!r} expects {param.type}, got {text!r}"
        ) from None
    return check_value(param, value)


def parse_assignments(pairs: list[str]) -> list[tuple[str | None, str, str]]:
    """Split `NAME=VALUE` or `STEP.NAME=VALUE` strings into (step, name, text)."""
    parsed = []
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(f"-p {pair!r}: expected NAME=VALUE or STEP.NAME=VALUE")
        key, text = pair.split("=", 1)
        step, _, name = key.strip().rpartition(".")
        parsed.append((step or None, name, text))
    return parsed


def resolve_parameters(
    pipeline: Pipeline,
    selected: list[str],
    overrides: dict[str, Any] | list[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Defaults of every selected step with the overrides applied, all checked.

    `overrides` is either `-p` strings (`NAME=VALUE`, `STEP.NAME=VALUE`) or a
    mapping of the same keys to Python values. A name that no selected step
    declares is an error that lists the valid parameters.
    """
    resolved = {name: pipeline.step(name).defaults() for name in selected}
    if not overrides:
        return resolved
    if isinstance(overrides, dict):
        items = []
        for key, value in overrides.items():
            step, _, name = key.rpartition(".")
            items.append((step or None, name, value, False))
    else:
        items = [(s, n, t, True) for s, n, t in parse_assignments(list(overrides))]
    for step_name, name, value, is_text in items:
        targets = [s for s in selected if (step_name in (None, s)) and name in pipeline.step(s).parameters]
        if step_name is not None and step_name not in selected:
            raise ParameterError(
                f"parameter {step_name}.{name}: step {step_name!r} is not among the steps run "
                f"({', '.join(selected)})"
            )
        if not targets:
            raise ParameterError(
                f"unknown parameter {name!r}. Valid parameters:\n" + valid_parameters_text(pipeline, selected)
            )
        for target in targets:
            param = pipeline.step(target).parameters[name]
            resolved[target][name] = parse_value(param, value) if is_text else check_value(param, value)
    return resolved


def valid_parameters_text(pipeline: Pipeline, selected: list[str]) -> str:
    lines = []
    for name in selected:
        for param in pipeline.step(name).parameters.values():
            lines.append(f"  {name}.{param.describe()}")
    return "\n".join(lines) or "  (the selected steps take no parameters)"
