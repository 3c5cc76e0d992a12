"""The data package: `data/datapackage.json` describes, sources and licenses every table.

Tables are validated with Frictionless before any notebook runs, and again by
`load_table` when a notebook reads one, so that a broken file gets an error that
names the file, the line and the column, and says what was expected.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from datetime import date
from pathlib import Path
from typing import Callable

from ..engine.params import plausible_years
from ..engine.store import atomic_write_json, sha256_file
from ..errors import DataError, shown
from ..paths import DATAPACKAGE, VALIDATION_CACHE, find_project_root
from .table_checks import file_problems

_PANDAS_TYPES = {
    "integer": "Int64",
    "year": "Int64",
    "number": "float64",
    "string": "string",
    "boolean": "boolean",
}


_DESCRIPTORS: dict[str, tuple[tuple, dict]] = {}  # path -> (its size and modification time, the checked descriptor)
_VALID: set[tuple] = set()  # tables this process found valid: (file, hash of its bytes, of its descriptor, the day)


def load_descriptor(root: Path | None = None) -> dict:
    """The data package descriptor as a dict (a copy of its own), with its required metadata checked."""
    return copy.deepcopy(shared_descriptor(root))


def shared_descriptor(root: Path | None = None) -> dict:
    """The checked descriptor, parsed once while the file is unchanged (read it, never change it)."""
    root = Path(root) if root else find_project_root()
    path = root / DATAPACKAGE
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(f"{DATAPACKAGE}: file not found") from None
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    cached = _DESCRIPTORS.get(str(path))
    if cached and cached[0] == key:
        return cached[1]
    descriptor = _checked_descriptor(path)
    _DESCRIPTORS[str(path)] = (key, descriptor)
    return descriptor


def descriptor_version(root: Path | None = None) -> tuple:
    """The size, modification time and inode of the descriptor file the shared descriptor was parsed from."""
    root = Path(root) if root else find_project_root()
    shared_descriptor(root)
    return _DESCRIPTORS[str(root / DATAPACKAGE)][0]


def _checked_descriptor(path: Path) -> dict:
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{DATAPACKAGE}: file not found") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{DATAPACKAGE}: not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    problems = _structure_problems(descriptor)
    if problems:
        raise DataError(f"{DATAPACKAGE}: not a valid data package descriptor: " + "; ".join(problems))
    for index, resource in enumerate(descriptor.get("resources", [])):
        name = resource.get("name", f"#{index}")
        for key in ("path", "title", "description", "schema"):
            if not resource.get(key):
                problems.append(f"resource {name!r}: missing {key!r}")
        if not resource.get("sources") or not all(s.get("title") for s in resource.get("sources", [])):
            problems.append(f"resource {name!r}: every table needs 'sources' with a title each")
        if not (resource.get("licenses") or descriptor.get("licenses")):
            problems.append(f"resource {name!r}: no licence (resource or package 'licenses')")
        for field in (resource.get("schema") or {}).get("fields", []):
            if not field.get("description"):
                problems.append(f"resource {name!r}, column {field.get('name')!r}: missing 'description'")
    if problems:
        raise DataError(f"{DATAPACKAGE}: " + "; ".join(problems))
    return descriptor


FIELD_TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime", "year",
               "yearmonth", "duration", "geopoint", "geojson", "any", "list"}


def _structure_problems(descriptor) -> list[str]:
    """What makes the descriptor unusable as a data package: wrong types, unknown field types, paths out of data/."""
    if not isinstance(descriptor, dict):
        return [f"expected a JSON object, got {type(descriptor).__name__}"]
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        return [f"'resources' must be a list of tables, got {type(resources).__name__}"]
    problems = []
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            problems.append(f"resources[{index}] must be an object, got {type(resource).__name__}")
            continue
        name = resource.get("name", f"#{index}")
        path = resource.get("path")
        if not isinstance(path, str) or not path or Path(path).is_absolute() or ".." in Path(path).parts:
            problems.append(f"resource {name!r}: 'path' {path!r} must be a file path relative to data/, without '..'")
        schema = resource.get("schema")
        if schema is None:
            continue
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list):
            problems.append(f"resource {name!r}: 'schema' must be an object with a 'fields' list")
            continue
        for number, field in enumerate(fields, start=1):
            if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field.get("name"):
                problems.append(f"resource {name!r}: schema field {number} must be an object with a 'name'")
            elif field.get("type", "string") not in FIELD_TYPES:
                problems.append(f"resource {name!r}, column {field['name']!r}: type {field.get('type')!r} is not a "
                                f"Table Schema type; expected one of {sorted(FIELD_TYPES)}")
            elif not isinstance(field.get("constraints", {}), dict):
                problems.append(f"resource {name!r}, column {field['name']!r}: 'constraints' must be an object")
    return problems


def resource_descriptor(name: str, root: Path | None = None) -> dict:
    """The descriptor of one table, by name (shared: read it, never change it)."""
    descriptor = shared_descriptor(root)
    for resource in descriptor.get("resources", []):
        if resource.get("name") == name:
            return resource
    known = ", ".join(r.get("name", "?") for r in descriptor.get("resources", []))
    raise DataError(f"{DATAPACKAGE}: no table named {name!r}; tables: {known}")


def validate(root: Path | None = None, names: list[str] | None = None, log: Callable[[str], None] | None = None) -> None:
    """Validate the named tables (default: all) against their schemas; raise on any error. A table too large,
    not text, or without rows is refused before its schema is checked (see :mod:`.table_checks`)."""
    root = Path(root) if root else find_project_root()
    descriptor = shared_descriptor(root)
    resources = [r for r in descriptor["resources"] if names is None or r["name"] in names]
    problems = []
    for resource in resources:
        path = root / "data" / resource["path"]
        if not path.is_file():
            problems.append(f"data/{resource['path']}: file not found (table {resource['name']!r})")
            continue
        if not path.resolve().is_relative_to(root.resolve()):
            problems.append(f"data/{resource['path']}: leads outside the project (a symbolic link to {path.resolve()}); "
                            f"expected the file of table {resource['name']!r} inside the project. Nothing of it was read")
            continue
        found_in_file = file_problems(path, f"data/{resource['path']}", resource.get("encoding", "utf-8"), log,
                                       resource["name"])
        if found_in_file:
            problems.extend(found_in_file)
            continue
        header_problems = _header_problems(root, resource)
        if header_problems:  # one error naming the columns, not one per row
            problems.extend(header_problems)
            continue
        # A notebook reads the same tables many times: the schema of a table found valid is not checked again
        # while its bytes, its descriptor and the day (the plausibility of dates) are the same.
        known_valid = _validity_key(path, resource)
        if known_valid in _VALID:
            continue
        found = _frictionless_problems(root, resource) or _plausibility_problems(root, resource)
        problems.extend(found)
        if not found:
            _VALID.add(known_valid)
    if problems:
        raise DataError("the data do not validate:\n  " + "\n  ".join(problems))


def _validity_key(path: Path, resource: dict) -> tuple:
    described = json.dumps(resource, sort_keys=True, default=str)
    return (str(path.resolve()), sha256_file(path), described, date.today().isoformat())


def _header(root: Path, resource: dict) -> list[str] | None:
    import csv

    path = root / "data" / resource["path"]
    try:
        with path.open(encoding=resource.get("encoding", "utf-8"), newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return None  # Frictionless says what is wrong with the file


def _header_problems(root: Path, resource: dict) -> list[str]:
    """Columns the schema declares that the file lacks, or columns it has that the schema does not know."""
    header = _header(root, resource)
    if header is None or resource.get("format", "csv") != "csv":
        return []
    expected = [f["name"] for f in resource["schema"]["fields"]]
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    where = f"data/{resource['path']}, line 1"
    problems = []
    if missing:
        problems.append(f"{where}: column(s) {shown(missing)} missing; expected the columns {expected}, found "
                        f"{shown(header)}")
    if unknown:
        problems.append(f"{where}: column(s) {shown(unknown)} not in the schema; expected the columns {expected}")
    return problems


_YEAR_NAME = re.compile(r"^(year|period|year_start|year_end)$|_year$|^year_")


def _plausibility_problems(root: Path, resource: dict) -> list[str]:
    """Years outside 1900..this year (a field of type year, or an integer named like a year) and dates in the
    future: values no schema constraint of this package rules out, but that cannot be true."""
    import csv

    low, high = plausible_years()
    today = date.today()
    years = [f["name"] for f in resource["schema"]["fields"]
             if f.get("type") == "year" or (f.get("type") == "integer" and _YEAR_NAME.search(f["name"]))]
    dates = [f["name"] for f in resource["schema"]["fields"] if f.get("type") in {"date", "datetime"}]
    if not years and not dates:
        return []
    problems = []
    relpath = f"data/{resource['path']}"
    with (root / "data" / resource["path"]).open(encoding=resource.get("encoding", "utf-8"), newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            for name in years:
                text = (row.get(name) or "").strip()
                if text and not low <= int(text) <= high:
                    problems.append(f"{relpath}, line {line}, column {name!r}: year {text} is not plausible; "
                                    f"expected a year from {low} to {high}")
            for name in dates:
                text = (row.get(name) or "").strip()
                if text and date.fromisoformat(text[:10]) > today:
                    problems.append(f"{relpath}, line {line}, column {name!r}: date {text} is in the future "
                                    f"(today is {today.isoformat()})")
    return problems


def _frictionless_problems(root: Path, resource: dict) -> list[str]:
    from frictionless import FrictionlessException, Resource

    relpath = f"data/{resource['path']}"
    body = {k: v for k, v in resource.items() if k not in {"sources", "licenses"}}
    # A table's sources are rows of another table: frictionless checks a resource alone, so the foreign key
    # to the sources table is checked by sources.evidence (unknown id, quote not in the source's excerpt).
    body["schema"] = {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = Resource(body, basepath=str(root / "data")).validate()
    except FrictionlessException as exc:
        reasons = [getattr(reason, "message", None) or str(reason) for reason in getattr(exc, "reasons", [])]
        note = "; ".join(reasons) or getattr(getattr(exc, "error", None), "note", None) or str(exc)
        return [f"{DATAPACKAGE}: table {resource.get('name')!r} ({relpath}): the descriptor or its schema is "
                f"invalid: {note}"]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            where = relpath
            row = getattr(error, "row_number", None)
            if row is not None:
                where += f", line {row}"
            if getattr(error, "field_name", None):
                where += f", column {error.field_name!r}"
            elif getattr(error, "field_number", None):
                where += f", column {error.field_number}"
            problems.append(f"{where}: {_explain(error, resource)}")
    return problems


def _explain(error, resource: dict) -> str:
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    kind = error.type
    if kind == "type-error":
        field = fields.get(error.field_name, {})
        return f"expected {field.get('type', '?')}, got {shown(error.cell)}"
    if kind == "constraint-error" and '"required"' in (error.note or ""):
        return "a value is required, but the cell is blank"
    if kind == "constraint-error":
        return f"value {shown(error.cell)} breaks a constraint ({str(error.note)[:200]})"
    if kind == "extra-cell":
        return f"an extra value: expected {len(fields)} columns ({', '.join(fields)})"
    if kind == "missing-cell":
        return f"a missing value: expected {len(fields)} columns ({', '.join(fields)})"
    if kind in {"incorrect-label", "missing-label", "extra-label", "blank-label", "duplicate-label"}:
        return f"header does not match the schema ({error.note or kind}); expected columns: {', '.join(fields)}"
    return f"{kind}: {str(error.note or error.message)[:200]}"


def validate_cached(root: Path | None = None, log: Callable[[str], None] | None = None) -> bool:
    """Validate every table unless the descriptor and files are unchanged since the last success.

    Returns True when validation ran, False when the cache showed it unneeded.
    """
    root = Path(root) if root else find_project_root()
    fingerprint = data_fingerprint(root)
    cache = root / VALIDATION_CACHE
    try:
        if json.loads(cache.read_text(encoding="utf-8")) == fingerprint:
            return False
    except (FileNotFoundError, json.JSONDecodeError):
        pass
    validate(root, log=log)
    atomic_write_json(cache, fingerprint)
    return True


def data_fingerprint(root: Path) -> dict[str, str]:
    """Hashes of the descriptor and of every table it lists (missing files as 'missing')."""
    descriptor_path = root / DATAPACKAGE
    hashes = {DATAPACKAGE: sha256_file(descriptor_path) if descriptor_path.is_file() else "missing"}
    for resource in shared_descriptor(root).get("resources", []):
        path = root / "data" / resource["path"]
        inside = path.resolve().is_relative_to(Path(root).resolve())  # a link out of the project is never read
        hashes[f"data/{resource['path']}"] = sha256_file(path) if path.is_file() and inside else "missing"
    return hashes


def load_table(name: str, root: Path | None = None):
    """Validate one table and read it (a pandas DataFrame) with the column types its schema declares."""
    import pandas as pd

    root = Path(root) if root else find_project_root()
    resource = resource_descriptor(name, root)
    validate(root, [name])
    dtypes = {
        f["name"]: _PANDAS_TYPES.get(f.get("type", "string"), "string")
        for f in resource["schema"]["fields"]
    }
    dates = [f["name"] for f in resource["schema"]["fields"] if f.get("type") in {"date", "datetime"}]
    for column in dates:
        dtypes.pop(column)
    frame = pd.read_csv(
        root / "data" / resource["path"],
        dtype=dtypes,
        keep_default_na=False,
        na_values=[""],
        parse_dates=dates or False,
    )
    frame.attrs["source"] = resource.get("sources", [])
    frame.attrs["path"] = f"data/{resource['path']}"
    return frame


def sources_text(name: str, root: Path | None = None) -> str:
    """A one-line citation of a table's sources, for evidence and captions."""
    resource = resource_descriptor(name, root)
    parts = []
    for source in resource.get("sources", []):
        bits = [source["title"]]
        for key in ("publisher", "path", "date"):
            if source.get(key):
                bits.append(str(source[key]))
        parts.append(", ".join(bits))
    return f"data/{resource['path']} ({'; '.join(parts)})"
