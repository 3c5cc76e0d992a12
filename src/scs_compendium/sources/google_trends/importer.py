"""Importing a Google Trends series downloaded by hand from trends.google.com (multiTimeline.csv)."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from .client import SNAPSHOT_FIELDS, Snapshot, TrendsError

FREQUENCIES = {"Month": "month", "Week": "week", "Day": "day", "Time": "month"}
_COLUMN = re.compile(r"^(?P<term>.+?): \((?P<geo>[^)]*)\)$")


def parse_multitimeline(path: Path | str, retrieved: date | None = None) -> Snapshot:
    """Read a multiTimeline.csv exported from trends.google.com; errors name the line and what was expected."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TrendsError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); expected the multiTimeline.csv "
            "file as trends.google.com exports it"
        ) from None
    reader = csv.reader(text.splitlines())
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise TrendsError(f"{path}: line {reader.line_num}: not readable as CSV ({exc})") from None
    category = None
    header_at = None
    for index, row in enumerate(rows):
        first = row[0].strip() if row else ""
        if first.startswith("Category:"):
            category = first.split(":", 1)[1].strip()
        elif first in FREQUENCIES:
            header_at = index
            break
        elif first and index > 3:
            break
    if header_at is None:
        raise TrendsError(
            f"{path}: no header found in the first lines; expected a line starting 'Month,', 'Week,' or 'Day,' "
            "after an optional 'Category: ...' line (the multiTimeline.csv layout)"
        )
    header = rows[header_at]
    frequency = FREQUENCIES[header[0].strip()]
    if len(header) < 2:
        raise TrendsError(f"{path}: line {header_at + 1}: expected at least one series column after {header[0]!r}")
    series = []
    for column, name in enumerate(header[1:], start=2):
        match = _COLUMN.match(name.strip())
        if not match:
            raise TrendsError(
                f"{path}: line {header_at + 1}, column {column}: {name!r}; expected 'term: (region)', "
                "e.g. 'Social Credit System: (Worldwide)'"
            )
        series.append((match.group("term"), match.group("geo")))
    records = []
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        line = index + 1
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise TrendsError(f"{path}: line {line}: {len(row)} values; expected {len(header)} ({', '.join(header)})")
        when = _parse_period(path, line, row[0].strip(), frequency)
        for column, ((term, _), cell) in enumerate(zip(series, row[1:]), start=2):
            value, below = _parse_value(path, line, column, cell.strip())
            records.append({"date": when, "series": term, "sample": 1, "value": value, "below_one": below,
                            "is_partial": False})
    if not records:
        raise TrendsError(f"{path}: no data rows after the header on line {header_at + 1}")
    frame = pd.DataFrame(records)[SNAPSHOT_FIELDS]
    retrieved = retrieved or datetime.now(timezone.utc).date()
    last = frame["date"].max()
    if _period_end(last, frequency) > retrieved:
        frame.loc[frame["date"] == last, "is_partial"] = True
    dates = sorted(frame["date"].unique())
    term, geo_label = series[0]
    metadata = {
        "query": term,
        "query_type": "as exported (topic or search term: see the file's header)",
        "topic_id": None,
        "geo": "" if geo_label.lower() == "worldwide" else geo_label,
        "geo_label": geo_label,
        "start": dates[0].isoformat(),
        "end": dates[-1].isoformat(),
        "frequency": frequency,
        "category": category or "All categories",
        "property": "web search",
        "retrieved_utc": f"{retrieved.isoformat()}T00:00:00",
        "client": "manual export from trends.google.com",
        "client_version": "",
        "samples": 1,
        "series": [s for s, _ in series],
        "imported_from": path.name,
        "source": "Google Trends (trends.google.com), exported by hand and imported with scs import trends",
    }
    return Snapshot(frame, metadata)


def _parse_period(path: Path, line: int, text: str, frequency: str) -> date:
    try:
        if frequency == "month":
            return datetime.strptime(text, "%Y-%m").date()
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        expected = "YYYY-MM" if frequency == "month" else "YYYY-MM-DD"
        raise TrendsError(f"{path}: line {line}, column 1: {text!r} is not a date; expected {expected}") from None


def _parse_value(path: Path, line: int, column: int, text: str) -> tuple[float, bool]:
    if text == "<1":
        return 0.5, True  # Google reports '<1' for interest between 0 and 1
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100 or value != int(value):
        raise TrendsError(f"{path}: line {line}, column {column}: {text!r}; expected a whole number 0-100 or '<1'")
    return value, False


def _period_end(start: date, frequency: str) -> date:
    if frequency == "day":
        return start
    if frequency == "week":
        return start + timedelta(days=6)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - timedelta(days=1)
