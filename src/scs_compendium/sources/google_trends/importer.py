"""Importing a Google Trends series downloaded by hand from trends.google.com (multiTimeline.csv).

The layout is recognised by its structure, not by English words: a header row (a first
column, then one column per search term) followed by rows that start with a date. So
the export in another interface language, a file re-saved by Excel (semicolons, a
byte-order mark, quoted fields), the newer layout (a 'Time' column, ISO dates) and
weekly or daily series all read the same way. A regional export (geoMap.csv) or a
related-queries export is refused with a message that says which export is needed.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from ...errors import shown
from .client import DEFAULT_TERM, SNAPSHOT_FIELDS, Snapshot, TrendsError
from .regions import normalise_geo
from .series import check_series, coverage, frequency_of

# 'term: (region)'; French typography puts a (non-breaking) space before the colon: 'terme : (Monde)'
_COLUMN = re.compile(r"^(?P<term>.+?)\s*:\s*\((?P<geo>[^)]*)\)$")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NUMBER = re.compile(r"^\s*(<\s*1|\d+(?:[.,]\d+)?)\s*%?\s*$")
EXPORT_HELP = ("on trends.google.com, under 'Interest over time', use the download button: it gives "
               "multiTimeline.csv")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TrendsError(f"{path}: file not found; expected the multiTimeline.csv downloaded from "
                          "trends.google.com") from None
    except IsADirectoryError:
        raise TrendsError(f"{path}: is a folder; expected the multiTimeline.csv file") from None
    except OSError as exc:
        raise TrendsError(f"{path}: cannot be read ({exc.strerror}); expected a readable multiTimeline.csv") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's 'Unicode text'
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise TrendsError(f"{path}: starts like UTF-16 text but is not; expected the multiTimeline.csv "
                              "file as trends.google.com exports it") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TrendsError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); expected the multiTimeline.csv "
            "file as trends.google.com exports it (or re-saved by Excel as 'CSV UTF-8')"
        ) from None


def _as_date(text: str) -> tuple[date, bool] | None:
    """(date, month_only) if `text` is an ISO date, a year-month or an ISO date-time; else None."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        return date(int(year), int(month), int(day or 1)), day is None
    except ValueError:
        return None


def _rows(path: Path, text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise TrendsError(f"{path}: line {reader.line_num}: not readable as CSV ({exc})") from None


def _find_header(rows: list[list[str]], dated: Callable[[str], object]) -> int | None:
    """The index of a row of two or more cells followed (blank lines aside) by a row that starts with a date."""
    for index, row in enumerate(rows):
        if len(row) < 2 or not row[0] or dated(row[0]):
            continue
        following = next((r for r in rows[index + 1:] if any(r)), None)
        if following and dated(following[0]):
            return index
    return None


def _looks_dated(text: str) -> bool:
    """A cell that holds a year (such as 'Jan 2020'): the row is a period, though not in an ISO form."""
    return bool(re.search(r"(?<!\d)(19|20)\d\d(?!\d)", text))


def _refuse_other_export(path: Path, rows: list[list[str]]) -> None:
    """Say what a file that is not an interest-over-time export is, and which export is needed."""
    cells = [row for row in rows if any(row)]
    values = [row[1] for row in cells if len(row) >= 2]
    singles = [row[0] for row in cells[1:] if len(row) == 1 or not any(row[1:])]
    if values and (any(v.endswith("%") or v.startswith("+") for v in values) or len(singles) >= 2):
        raise TrendsError(f"{path}: this is a related queries or related topics export (sections of queries with "
                          f"their scores), not interest over time; {EXPORT_HELP}")
    numeric = [v for v in values if _NUMBER.match(v) or v == ""]
    if len(cells) >= 3 and len(numeric) >= len(values) - 1 and not any(_as_date(row[0]) for row in cells):
        raise TrendsError(f"{path}: this is a regional export (geoMap.csv: one row per country or region, "
                          f"'Interest by region'), not interest over time; {EXPORT_HELP}")
    raise TrendsError(f"{path}: no header row followed by date rows; expected the layout of multiTimeline.csv: "
                      "a row such as 'Month,Social Credit System: (Worldwide)' (in any interface language), then "
                      "one row a period starting with its date (2004-01, 2004-01-04 or 2004-01-01T00:00:00)")


def _layout(path: Path, text: str) -> tuple[list[list[str]], int]:
    for dated in (_as_date, _looks_dated):  # ISO dates first; then any dated rows, to name the bad date
        for delimiter in (",", ";", "\t"):
            rows = _rows(path, text, delimiter)
            header_at = _find_header(rows, dated)
            if header_at is not None:
                return rows, header_at
    _refuse_other_export(path, _rows(path, text, "," if text.count(",") >= text.count(";") else ";"))
    raise AssertionError("unreachable")


def _choose(path: Path, line: int, series: list[tuple[str, str | None]], term: str | None,
            log: Callable[[str], None]) -> int:
    terms = [name for name, _ in series]
    if term is not None:
        matches = [i for i, name in enumerate(terms) if name.casefold() == term.casefold()]
        if not matches:
            raise TrendsError(f"{path}: line {line}: no column for --term {shown(term)}; the file has {shown(terms)}")
        chosen = matches[0]
    else:
        chosen = next((i for i, name in enumerate(terms) if name.casefold() == DEFAULT_TERM.casefold()), 0)
    if len(terms) > 1:
        log(f"{path.name}: {len(terms)} series {shown(terms)}; took {shown(terms[chosen])}"
            + ("" if term else " (choose another with --term)"))
    return chosen


def _region(path: Path, line: int, column: int, label: str | None, name: str, geo: str | None,
            log: Callable[[str], None]) -> str:
    if geo is not None:
        return normalise_geo(geo, "--geo")
    if label is None:
        raise TrendsError(
            f"{path}: line {line}, column {column}: {shown(name)}; expected 'term: (region)', e.g. 'Social Credit "
            "System: (Worldwide)', or pass --geo ('' for worldwide, e.g. US) since the file does not say the region"
        )
    region = normalise_geo(label, f"{path}: line {line}, column {column}: region")
    if region:
        log(f"{path.name}: region {shown(label)} is stored as geo {shown(region)}; if it means worldwide, import with --geo ''")
    return region


def parse_multitimeline(path: Path | str, retrieved: date | None = None, term: str | None = None,
                        geo: str | None = None, log: Callable[[str], None] = print) -> Snapshot:
    """Read a multiTimeline.csv exported from trends.google.com; errors name the line and what was expected.

    `term` picks a column when the file holds several (default: the topic's, else the first); `geo`
    gives the region when the file does not say it ('' is worldwide)."""
    path = Path(path)
    rows, header_at = _layout(path, _read_text(path))
    category = next((row[0].split(":", 1)[1].strip() for row in rows[:header_at]
                     if len([cell for cell in row if cell]) == 1 and ":" in row[0]), None)
    header = rows[header_at]
    while len(header) > 2 and not header[-1]:
        header = header[:-1]
    series = []
    for name in header[1:]:
        match = _COLUMN.match(name)
        series.append((match.group("term").strip(), match.group("geo").strip()) if match else (name, None))
    chosen = _choose(path, header_at + 1, series, term, log)
    region = _region(path, header_at + 1, chosen + 2, series[chosen][1], header[chosen + 1], geo, log)
    records, month_only = [], True
    for index in range(header_at + 1, len(rows)):
        row, line = rows[index], index + 1
        if not any(row):
            continue
        while len(row) > len(header) and not row[-1]:
            row = row[:-1]
        if len(row) != len(header):
            raise TrendsError(f"{path}: line {line}: {len(row)} values; expected {len(header)} ({shown(', '.join(header))[1:-1]})")
        parsed = _as_date(row[0])
        if parsed is None:
            raise TrendsError(f"{path}: line {line}, column 1: {shown(row[0])} is not a date; expected YYYY-MM, "
                              "YYYY-MM-DD or an ISO date-time")
        when, month_only = parsed[0], month_only and parsed[1]
        for column, ((name, _), cell) in enumerate(zip(series, row[1:]), start=2):
            value, below = _parse_value(path, line, column, cell)
            records.append({"date": when, "series": name, "sample": 1, "value": value, "below_one": below,
                            "is_partial": False})
    if not records:
        raise TrendsError(f"{path}: no data rows after the header on line {header_at + 1}")
    frame = pd.DataFrame(records)[SNAPSHOT_FIELDS]
    first_term = series[chosen][0]
    order = [first_term] + [name for name, _ in series if name != first_term]  # the chosen series first
    frame = frame.sort_values("series", key=lambda s: s.map(order.index), kind="stable").reset_index(drop=True)
    chosen_frame = frame[frame["series"] == first_term]
    duplicated = chosen_frame["date"][chosen_frame["date"].duplicated()]
    if not duplicated.empty:
        raise TrendsError(f"{path}: the period {duplicated.iloc[0].isoformat()} appears twice; expected one row a period")
    frequency = "month" if month_only else frequency_of(chosen_frame["date"])
    today = datetime.now(timezone.utc).date()
    retrieved = retrieved or today
    first, last = min(chosen_frame["date"]), max(chosen_frame["date"])
    if retrieved < first:
        raise TrendsError(f"{path}: retrieved {retrieved.isoformat()}, before the first period of the series "
                          f"({first.isoformat()}); expected the date the file was downloaded")
    if _period_end(last, frequency) > retrieved:
        frame.loc[frame["date"] == last, "is_partial"] = True
    metadata = {
        "query": first_term,
        "query_type": "as exported (topic or search term: see the file's header)",
        "topic_id": None,
        "geo": region,
        "geo_label": series[chosen][1] if series[chosen][1] is not None else (region or "Worldwide"),
        "start": first.isoformat(),
        "end": last.isoformat(),
        "frequency": frequency,
        "category": category or "All categories",
        "property": "web search",
        "retrieved_utc": f"{retrieved.isoformat()}T00:00:00",
        "client": "manual export from trends.google.com",
        "client_version": "",
        "samples": 1,
        "series": order,
        "imported_from": path.name,
        "source": "Google Trends (trends.google.com), exported by hand and imported with scs import trends",
    }
    unfinished = frame.loc[(frame["series"] == first_term) & frame["is_partial"], "date"]
    metadata.update(coverage(chosen_frame["date"], frequency, partial=unfinished))
    check_series(frame, metadata, str(path), log)
    return Snapshot(frame, metadata)


def _parse_value(path: Path, line: int, column: int, text: str) -> tuple[float, bool]:
    compact = text.replace(" ", "").replace("\u00a0", "")
    if compact == "<1":
        return 0.5, True  # Google reports '<1' for interest between 0 and 1
    try:
        value = float(compact)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100 or value != int(value):
        raise TrendsError(f"{path}: line {line}, column {column}: {shown(text)}; expected a whole number 0-100 or '<1'")
    return value, False


def _period_end(start: date, frequency: str) -> date:
    if frequency == "day":
        return start
    if frequency == "week":
        return start + timedelta(days=6)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - timedelta(days=1)

