"""Snapshots of Google Trends series: stored in data/raw/google_trends/, registered in the data package."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Callable

import pandas as pd

from ...engine.store import atomic_write_text
from ...errors import DataError, shown
from ...paths import DATAPACKAGE, SNAPSHOT_DIR
from ..datapackage import load_table
from ..safe import confined
from .client import Snapshot, TrendsError
from .regions import same_region

SNAPSHOT_ID = re.compile(r"\d{8}T\d{6}Z_[a-z0-9-]+_[a-z0-9-]+")  # what Snapshot.id makes: safe in a file name

SNAPSHOT_SCHEMA = {
    "fields": [
        {"name": "date", "type": "date", "description": "Start of the period (month, week or day).", "constraints": {"required": True}},
        {"name": "series", "type": "string", "description": "Query term as Google Trends labels it.", "constraints": {"required": True}},
        {"name": "sample", "type": "integer", "description": "Sample number (Google samples its data; each fetch is one sample).", "constraints": {"required": True, "minimum": 1}},
        {"name": "value", "type": "number", "description": "Interest, 0-100 relative to the peak of the series; '<1' is stored as 0.5.", "constraints": {"required": True, "minimum": 0, "maximum": 100}},
        {"name": "below_one", "type": "boolean", "description": "Google reported '<1'.", "constraints": {"required": True}},
        {"name": "is_partial", "type": "boolean", "description": "The period had not ended when the data were retrieved.", "constraints": {"required": True}},
    ]
}


def resource_name(snapshot_id: str) -> str:
    return f"google_trends_{re.sub(r'[^a-z0-9]+', '_', snapshot_id.lower())}"


def content_hash(snapshot: Snapshot) -> str:
    """What makes two snapshots the same: the series and the query, not when or how they were stored."""
    frame = snapshot.frame.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    meta = snapshot.metadata
    key = json.dumps([meta.get("query"), meta.get("geo"), meta.get("frequency"), meta.get("category")])
    return hashlib.sha256((key + "\n" + frame.to_csv(index=False)).encode("utf-8")).hexdigest()


def _read_descriptor(root: Path) -> tuple[str, dict]:
    path = Path(root) / DATAPACKAGE
    try:
        text = path.read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except FileNotFoundError:
        raise DataError(f"{DATAPACKAGE}: file not found; snapshots are registered there, so nothing was imported") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{DATAPACKAGE}: cannot be read ({exc}); nothing was imported") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{DATAPACKAGE}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); fix it "
                        "first (`scs validate`): nothing was imported") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise DataError(f"{DATAPACKAGE}: expected an object with a 'resources' list; nothing was imported")
    return text, descriptor


def _dumps_like(original: str, descriptor: dict) -> str:
    """The descriptor written as the original was: same indentation, key order and escaping; a small diff."""
    indent: int | str | None = None
    for line in original.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            whitespace = line[: len(line) - len(stripped)]
            indent = whitespace if "\t" in whitespace else len(whitespace)
            break
    ascii_only = original.isascii() and "\\u" in original
    text = json.dumps(descriptor, indent=indent, ensure_ascii=ascii_only)
    return text + ("\n" if original.endswith("\n") else "")


def registered_snapshots(descriptor: dict) -> dict[str, dict]:
    """Snapshot id -> resource, for the snapshots the data package registers."""
    prefix = f"{SNAPSHOT_DIR.removeprefix('data/')}/"
    return {Path(r["path"]).stem: r for r in descriptor.get("resources", [])
            if isinstance(r, dict) and str(r.get("path", "")).startswith(prefix) and r["path"].endswith(".csv")}


def write_snapshot(root: Path, snapshot: Snapshot, log: Callable[[str], None] = print) -> Path:
    """Store a snapshot (CSV + metadata JSON) and register it in the data package; return the CSV path.

    Atomic: the three files land together or not at all (the descriptor, written last, commits the
    import; a snapshot it does not register is ignored and replaced by the next import). Idempotent:
    a snapshot with the same content as a registered one is not stored twice."""
    root = Path(root)
    folder = root / SNAPSHOT_DIR
    original, descriptor = _read_descriptor(root)
    registered = registered_snapshots(descriptor)
    digest = content_hash(snapshot)
    for snapshot_id in registered:
        try:
            meta = json.loads((folder / f"{snapshot_id}.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if meta.get("content_sha256") == digest and (folder / f"{snapshot_id}.csv").is_file():
            log(f"this series is already stored as {SNAPSHOT_DIR}/{snapshot_id}.csv: nothing written")
            return folder / f"{snapshot_id}.csv"
    name = snapshot.id
    if not SNAPSHOT_ID.fullmatch(name):
        raise TrendsError(f"snapshot id {name[:80]!r} is not safe as a file name (expected <retrieved>Z_<term>_<region>); "
                          "nothing was imported")
    for target in (folder / f"{name}.csv", folder / f"{name}.json", root / DATAPACKAGE):
        confined(root, target, "snapshot file", TrendsError)  # a symbolic link out of the project is refused too
    csv_path = folder / f"{name}.csv"
    if name in registered:
        raise TrendsError(f"{SNAPSHOT_DIR}/{name}.csv exists already with other data: snapshots are never "
                          "overwritten (give the --retrieved date of this later download)")
    metadata = {**snapshot.metadata, "content_sha256": digest}
    frame = snapshot.frame.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    descriptor["resources"].append(_resource(name, metadata))
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in ((folder / f"{name}.json", json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"),
                           (csv_path, frame.to_csv(index=False))):
            atomic_write_text(path, text)
            written.append(path)
        atomic_write_text(root / DATAPACKAGE, _dumps_like(original, descriptor))
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        where = exc.filename or str(folder)
        raise TrendsError(f"cannot write {where}: {exc.strerror or exc}; data/ and {SNAPSHOT_DIR}/ must be "
                          "writable. Nothing was imported") from None
    return csv_path


def _resource(name: str, meta: dict) -> dict:
    return {
        "name": resource_name(name),
        "path": f"raw/google_trends/{name}.csv",
        "title": f"Google Trends: {meta['query']} ({meta['geo'] or 'worldwide'}, {meta['start']} to {meta['end']})",
        "description": (
            f"Interest over time retrieved {meta['retrieved_utc']} UTC by {meta['client']} {meta['client_version']}".strip()
            + f"; {meta['samples']} sample(s); metadata in raw/google_trends/{name}.json."
        ),
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "sources": [{"title": "Google Trends", "publisher": "Google", "path": "https://trends.google.com",
                     "date": meta["retrieved_utc"][:10]}],
        "licenses": [{"name": "Google Terms of Service", "path": "https://policies.google.com/terms",
                      "title": "Google Trends data: see Google's terms; cite 'Google Trends' as the source"}],
        "schema": SNAPSHOT_SCHEMA,
    }


def list_snapshots(root: Path) -> list[str]:
    """Ids of the snapshots in data/raw/google_trends/ that the data package registers, oldest first (ids start
    with the retrieval time); a file an interrupted import left unregistered is ignored."""
    folder = Path(root) / SNAPSHOT_DIR
    if not folder.is_dir():
        return []
    _, descriptor = _read_descriptor(root)
    return sorted(i for i in registered_snapshots(descriptor) if (folder / f"{i}.csv").is_file())


def load_snapshots(root: Path) -> list[Snapshot]:
    """Every stored snapshot, oldest first, each validated against the data package."""
    snapshots = []
    for snapshot_id in list_snapshots(root):
        frame = load_table(resource_name(snapshot_id), root)
        meta = json.loads((Path(root) / SNAPSHOT_DIR / f"{snapshot_id}.json").read_text(encoding="utf-8"))
        snapshots.append(Snapshot(frame, {**meta, "snapshot_id": snapshot_id}))
    return snapshots


def select_snapshot(snapshots: list[Snapshot], snapshot_id: str, geo: str | None) -> Snapshot | None:
    """The snapshot named `snapshot_id` ('latest': the newest; 'none': no snapshot) among those of
    region `geo` ('' is worldwide; None: any region), or None when there is none."""
    ids = [s.metadata["snapshot_id"] for s in snapshots if geo is None or same_region(s.metadata.get("geo", ""), geo)]
    if not ids or snapshot_id == "none":
        return None
    if snapshot_id == "latest":
        snapshot_id = ids[-1]
    if snapshot_id not in ids:
        raise DataError(f"parameter snapshot: {shown(snapshot_id)} not in {SNAPSHOT_DIR}"
                        + (f" for geo {shown(geo)}" if geo is not None else "") + f"; snapshots: {ids}")
    return next(s for s in snapshots if s.metadata["snapshot_id"] == snapshot_id)
