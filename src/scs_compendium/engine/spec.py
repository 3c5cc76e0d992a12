"""The declarative chain: `pipeline.yaml` read into steps, each checked.

Each step names its notebook, its parameters (type, default, one-line doc), its
input files, the figures it draws and the steps whose results it reads. The
results file `build/results/<step>.json` is implicit. Steps an open issue will
build are listed under `planned:` so that the claims they check can already
name them. `fingerprint:` says which code and environment files a step's
fingerprint covers (see :mod:`.plan`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ParameterError, SpecError
from ..paths import SPEC_FILE, find_project_root, results_file
from .store import FIGURE_FORMATS

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster

PARAMETER_TYPES = ("int", "float", "bool", "str", "list", "date")  # a date: ISO text, YYYY-MM-DD
_TOP_KEYS = {"fingerprint", "steps", "planned"}
_FINGERPRINT_KEYS = {"engine", "sources", "environment"}
_STEP_KEYS = {"title", "notebook", "issue", "parameters", "inputs", "needs", "figures", "optional_figures",
              "fingerprint_ignores"}
_PARAM_KEYS = {"type", "default", "doc", "min", "max", "choices", "sweep", "sweep_why", "not_before", "role"}
ROLES = ("analysis", "decision")  # what a step computes with it, or only what a verdict rule reads


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    doc: str
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    sweep: tuple | None = None  # values a reasonable reader might choose (the robustness step evaluates them)
    sweep_why: str = ""
    not_before: str | None = None  # a date parameter that must not lie before this other date parameter
    role: str = "analysis"  # 'decision': only a verdict rule reads it (the step's analyse() never takes it)

    def describe(self) -> str:
        extra = f", not before {self.not_before}" if self.not_before else ""
        if self.choices:
            extra = f", one of {list(self.choices)}"
        elif self.min is not None or self.max is not None:
            extra = f", in [{self.min}, {self.max}]"
        swept = f" Swept over {list(self.sweep)}: {self.sweep_why}." if self.sweep else ""
        decision = " A decision: only the verdict rule reads it." if self.role == "decision" else ""
        return f"{self.name} ({self.type}{extra}, default {self.default!r}): {self.doc}{swept}{decision}"


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
    fingerprint_ignores: tuple[str, ...] = ()  # top-level functions (globs) of its code that cannot change its results

    @property
    def results_path(self) -> str:
        return results_file(self.name)

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

    def analysis_parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values the step's analysis takes: all but its decisions (which only a verdict rule reads)."""
        return {name: value for name, value in values.items() if self.parameters[name].role != "decision"}

    def to_json(self) -> dict:
        """The step as plain data, for the kernel (see :meth:`from_json`)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Step":
        parameters = {
            name: Parameter(**{**p, **{k: tuple(p[k]) if p.get(k) is not None else None for k in ("choices", "sweep")}})
            for name, p in data["parameters"].items()
        }
        tuples = {key: tuple(data[key]) for key in ("inputs", "needs", "figures", "optional_figures", "fingerprint_ignores")}
        return cls(**{**data, **tuples, "parameters": parameters})


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
    engine: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
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


def _refuse_anchors(text: str, shown: str, error: type[Exception]) -> None:
    """Anchors and aliases are refused before anything is built: nested aliases (an 'alias bomb') expand a
    few lines into gigabytes. The event stream is read without expanding them (libyaml: milliseconds)."""
    for event in yaml.parse(text, Loader=YAML_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            what = f"alias *{event.anchor}" if isinstance(event, yaml.AliasEvent) else f"anchor &{event.anchor}"
            raise error(f"{shown}: line {mark.line + 1}, column {mark.column + 1}: YAML {what[:80]}; anchors and "
                        "aliases are not allowed here (write each value out)")


def read_yaml(path: Path, shown: str, error: type[Exception]) -> Any:
    """Parse a YAML file with the safe loader (no Python tags); a missing or malformed file, a file that is
    not UTF-8 text, or one with anchors or aliases raises `error` naming it as `shown`."""
    try:
        text = path.read_text(encoding="utf-8")
        _refuse_anchors(text, shown, error)
        return yaml.load(text, Loader=YAML_LOADER)
    except FileNotFoundError:
        raise error(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise error(f"{shown}: is a folder; expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"{shown}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); expected a UTF-8 YAML file") from None
    except yaml.YAMLError as exc:
        raise error(f"{shown}: not valid YAML: {str(exc)[:400]}") from None
    except RecursionError:
        raise error(f"{shown}: nested too deeply to be read; expected a YAML file of plain mappings and lists") from None


def load_pipeline(root: Path | str | None = None) -> Pipeline:
    """Read and check `pipeline.yaml`; every error names the step and the key."""
    root = Path(root) if root else find_project_root()
    path = root / SPEC_FILE
    raw = read_yaml(path, str(path), SpecError)
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), dict):
        raise SpecError(f"{path}: expected a mapping with a 'steps:' mapping")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise SpecError(f"{path}: unknown top-level key(s) {unknown}; allowed: {sorted(_TOP_KEYS)}")
    fingerprint = raw.get("fingerprint") or {}
    if not isinstance(fingerprint, dict) or set(fingerprint) - _FINGERPRINT_KEYS:
        raise SpecError(f"{path}: 'fingerprint' takes the keys {sorted(_FINGERPRINT_KEYS)}")
    for key, items in fingerprint.items():
        for item in _list(fingerprint, key, f"{path}: 'fingerprint'"):
            project_path(root, item, f"{path}: 'fingerprint', {key!r}")
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
        engine=tuple(fingerprint.get("engine", [])),
        sources=tuple(fingerprint.get("sources", [])),
        environment=tuple(fingerprint.get("environment", [])),
    )
    pipeline.order = _topological_order(path, steps)
    return pipeline


def _parse_step(path: Path, root: Path, name: str, body: Any) -> Step:
    where = f"{path}: step {name!r}"
    if not isinstance(name, str) or not _STEM.fullmatch(name):
        raise SpecError(f"{where}: a step name takes letters, digits and underscores only (it names "
                        "build/results/<step>.json and build/notebooks/<step>.ipynb)")
    if not isinstance(body, dict):
        raise SpecError(f"{where}: expected a mapping")
    unknown = set(body) - _STEP_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_STEP_KEYS)}")
    notebook = project_path(root, body.get("notebook"), f"{where}, 'notebook'")
    if not (root / notebook).is_file():
        raise SpecError(f"{where}: notebook {notebook!r} not found")
    inputs = tuple(project_path(root, item, f"{where}, 'inputs'") for item in _list(body, "inputs", where))
    figures = {key: tuple(_stem(item, f"{where}, {key!r}") for item in _list(body, key, where))
               for key in ("figures", "optional_figures")}
    parameters = {}
    for pname, pbody in (body.get("parameters") or {}).items():
        parameters[pname] = _parse_parameter(f"{where}, parameter {pname!r}", pname, pbody)
    for param in parameters.values():
        other = parameters.get(param.not_before) if param.not_before else None
        if param.not_before and (param.type != "date" or other is None or other.type != "date"):
            raise SpecError(f"{where}, parameter {param.name!r}: 'not_before' names a date parameter of the step, and "
                            "the parameter must be a date")
    from .params import check_order

    try:
        check_order(parameters, {name: p.default for name, p in parameters.items()})
    except ParameterError as exc:
        raise SpecError(f"{where}: defaults are invalid: {exc}") from None
    return Step(
        name=name,
        title=str(body.get("title", name)),
        notebook=notebook,
        issue=body.get("issue"),
        parameters=parameters,
        inputs=inputs,
        needs=tuple(body.get("needs") or ()),
        figures=figures["figures"],
        optional_figures=figures["optional_figures"],
        fingerprint_ignores=tuple(body.get("fingerprint_ignores") or ()),
    )


_STEM = re.compile(r"[A-Za-z0-9_]+")


def _list(body: dict, key: str, where: str) -> list:
    value = body.get(key) or []
    if not isinstance(value, list):
        raise SpecError(f"{where}: {key!r} must be a list, got {type(value).__name__}")
    return value


def _stem(stem: Any, where: str) -> str:
    """A figure name: letters, digits and underscores only (it becomes figures/<stem>.<ext>)."""
    if not isinstance(stem, str) or not _STEM.fullmatch(stem):
        raise SpecError(f"{where}: figure name {stem!r} is not allowed; expected letters, digits and underscores "
                        "only (the figure is written to figures/<name>.pdf, .svg and .png)")
    return stem


def project_path(root: Path, relpath: Any, where: str) -> str:
    """`relpath` if it is a relative path that stays inside the project (links followed), else a SpecError.

    The error names the path, never the content of the file it points to."""
    if not isinstance(relpath, str) or not relpath.strip():
        raise SpecError(f"{where}: expected a path relative to the project folder, got {relpath!r}")
    pure = Path(relpath)
    if pure.is_absolute() or ".." in pure.parts or "\\" in relpath:
        raise SpecError(f"{where}: {relpath!r} is outside the project; expected a path relative to the project "
                        "folder, without '..' (e.g. notebooks/01_step.ipynb, data/raw/table.csv)")
    base = Path(root).resolve()
    if not (base / pure).resolve().is_relative_to(base):
        raise SpecError(f"{where}: {relpath!r} leads outside the project (through a symbolic link); expected a "
                        "file inside the project folder")
    return relpath


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
    sweep = body.get("sweep")
    if sweep is not None and (not isinstance(sweep, list) or len(sweep) < 2):
        raise SpecError(f"{where}: 'sweep' must list at least two values a reader might choose")
    if body.get("role", "analysis") not in ROLES:
        raise SpecError(f"{where}: role {body['role']!r} is not one of {list(ROLES)} (an analysis parameter changes what "
                        "the step computes; a decision only how a verdict rule decides)")
    if sweep is not None and not body.get("sweep_why"):
        raise SpecError(f"{where}: a 'sweep' needs its 'sweep_why' (why a reasonable reader might choose these values)")
    param = Parameter(name, ptype, body.get("default"), str(body["doc"]), body.get("min"), body.get("max"), choices,
                      tuple(sweep) if sweep is not None else None, str(body.get("sweep_why", "")),
                      str(body["not_before"]) if body.get("not_before") is not None else None,
                      str(body.get("role", "analysis")))
    from .params import check_value

    try:
        check_value(param, param.default)
    except ParameterError as exc:
        raise SpecError(f"{where}: default is invalid: {exc}") from None
    for value in param.sweep or ():
        try:
            check_value(param, value)
        except ParameterError as exc:
            raise SpecError(f"{where}: sweep value {value!r} is invalid: {exc}") from None
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
