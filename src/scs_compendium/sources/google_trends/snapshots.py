"""Snapshots of Google Trends series: stored in data/raw/google_trends/, registered in the data package."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from ...engine.store import atomic_write_json, atomic_write_text
from ...errors import DataError
from ...paths import DATAPACKAGE, SNAPSHOT_DIR
from ..datapackage import load_table
from .client import Snapshot, TrendsError

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


def write_snapshot(root: Path, snapshot: Snapshot) -> Path:
    """Store a snapshot (CSV + metadata JSON) and register it in the data package; return the CSV path."""
    folder = Path(root) / SNAPSHOT_DIR
    name = snapshot.id
    csv_path = folder / f"{name}.csv"
    if csv_path.exists():
        raise TrendsError(f"{csv_path.relative_to(root)} exists already: snapshots are never overwritten")
    frame = snapshot.frame.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    atomic_write_text(folder / f"{name}.json", json.dumps(snapshot.metadata, indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(csv_path, frame.to_csv(index=False))
    descriptor_path = Path(root) / DATAPACKAGE
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    meta = snapshot.metadata
    descriptor["resources"].append({
        "name": f"google_trends_{re.sub(r'[^a-z0-9]+', '_', name.lower())}",
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
    })
    atomic_write_json(descriptor_path, descriptor)
    return csv_path


def list_snapshots(root: Path) -> list[str]:
    """Snapshot ids in data/raw/google_trends/, oldest first (ids start with the retrieval time)."""
    folder = Path(root) / SNAPSHOT_DIR
    return sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []


def load_snapshots(root: Path) -> list[Snapshot]:
    """Every stored snapshot, oldest first, each validated against the data package."""
    snapshots = []
    for snapshot_id in list_snapshots(root):
        name = f"google_trends_{re.sub(r'[^a-z0-9]+', '_', snapshot_id.lower())}"
        frame = load_table(name, root)
        meta = json.loads((Path(root) / SNAPSHOT_DIR / f"{snapshot_id}.json").read_text(encoding="utf-8"))
        snapshots.append(Snapshot(frame, {**meta, "snapshot_id": snapshot_id}))
    return snapshots


def select_snapshot(snapshots: list[Snapshot], snapshot_id: str, geo: str | None) -> Snapshot | None:
    """The snapshot named `snapshot_id` ('latest': the newest; 'none': no snapshot) among those of
    region `geo` ('' is worldwide; None: any region), or None when there is none."""
    ids = [s.metadata["snapshot_id"] for s in snapshots if geo is None or s.metadata.get("geo", "") == geo]
    if not ids or snapshot_id == "none":
        return None
    if snapshot_id == "latest":
        snapshot_id = ids[-1]
    if snapshot_id not in ids:
        raise DataError(f"parameter snapshot: {snapshot_id!r} not in {SNAPSHOT_DIR}; snapshots: {ids}")
    return next(s for s in snapshots if s.metadata["snapshot_id"] == snapshot_id)
