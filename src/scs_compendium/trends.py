"""Section 3: Google Trends interest in the topic 'Social Credit System'.

No Google Trends series exists offline, and nothing synthetic may stand in for it.
This module fetches real snapshots (`scs fetch trends`, through a client behind
the small `TrendsClient` interface), imports CSV files downloaded by hand from
trends.google.com (`scs import trends FILE`, the multiTimeline.csv layout), stores
each snapshot in data/raw/google_trends/ with its metadata, registers it in the
data package, and finds the onset, the traction and the peak of interest.
"""

from __future__ import annotations

import csv
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Protocol

import pandas as pd

from .atomic import atomic_write_json, atomic_write_text
from .errors import CompendiumError, DataError

SNAPSHOT_DIR = "data/raw/google_trends"
DEFAULT_TERM = "Social Credit System"
DEFAULT_START = "2004-01-01"
FREQUENCIES = {"Month": "month", "Week": "week", "Day": "day", "Time": "month"}
SNAPSHOT_FIELDS = ["date", "series", "sample", "value", "below_one", "is_partial"]


class TrendsError(CompendiumError):
    """Fetching or importing Google Trends data failed."""


class RateLimited(TrendsError):
    """Google Trends answered 429 (too many requests)."""


class TrendsOffline(TrendsError):
    """Google Trends cannot be reached."""


OFFLINE_HELP = (
    "cannot reach Google Trends ({why}). Without internet access, download the series by hand: open "
    "trends.google.com, search the topic 'Social Credit System', Worldwide, 2004 to the end date, "
    "use the download button (multiTimeline.csv), then run `scs import trends multiTimeline.csv`"
)


@dataclass(frozen=True)
class Query:
    """What to ask Google Trends for."""

    term: str = DEFAULT_TERM
    topic_id: str | None = None  # a Knowledge Graph topic id such as '/m/...'; None: search term
    geo: str = ""  # '' is worldwide
    start: str = DEFAULT_START
    end: str = field(default_factory=lambda: date.today().isoformat())
    category: int = 0
    prop: str = ""  # '' web search; 'youtube', 'news', 'images', 'froogle'

    @property
    def timeframe(self) -> str:
        return f"{self.start} {self.end}"


class TrendsClient(Protocol):
    """The one interface a Google Trends client library is used through."""

    name: str
    version: str

    def resolve_topic(self, term: str) -> dict | None:
        """The topic whose title is `term` ({'mid', 'title', 'type'}), or None."""

    def interest_over_time(self, query: Query) -> pd.DataFrame:
        """One sample: columns date, value (0-100), is_partial."""


class PytrendsClient:
    """TrendsClient over the `pytrends` package (PyPI)."""

    name = "pytrends"

    def __init__(self, hl: str = "en-US", tz: int = 0, timeout: tuple[float, float] = (10, 30)):
        from importlib.metadata import version

        self.version = version("pytrends")
        self._options = {"hl": hl, "tz": tz, "timeout": timeout}
        self._request = None

    def _req(self):
        if self._request is None:
            self._request = self._call(lambda: __import__("pytrends.request").request.TrendReq(**self._options))
        return self._request

    @staticmethod
    def _call(action: Callable[[], Any]) -> Any:
        import requests
        from pytrends.exceptions import TooManyRequestsError

        try:
            return action()
        except TooManyRequestsError as exc:
            raise RateLimited(f"Google Trends rate limit: {exc}") from None
        except requests.exceptions.RequestException as exc:
            raise TrendsOffline(OFFLINE_HELP.format(why=type(exc).__name__)) from None

    def resolve_topic(self, term: str) -> dict | None:
        req = self._req()
        for topic in self._call(lambda: req.suggestions(term)):
            if topic.get("title", "").lower() == term.lower():
                return {"mid": topic["mid"], "title": topic["title"], "type": topic.get("type", "")}
        return None

    def interest_over_time(self, query: Query) -> pd.DataFrame:
        req = self._req()
        keyword = query.topic_id or query.term
        self._call(lambda: req.build_payload([keyword], cat=query.category, timeframe=query.timeframe,
                                             geo=query.geo, gprop=query.prop))
        raw = self._call(req.interest_over_time)
        if raw.empty:
            raise TrendsError(f"Google Trends returned no data for {keyword!r} ({query.timeframe}, geo {query.geo or 'worldwide'})")
        return pd.DataFrame({
            "date": raw.index.date,
            "value": raw[keyword].astype(float).to_numpy(),
            "is_partial": raw["isPartial"].astype(bool).to_numpy() if "isPartial" in raw else False,
        })


@dataclass
class Snapshot:
    """A Google Trends series (one or more samples) with its metadata."""

    frame: pd.DataFrame  # columns SNAPSHOT_FIELDS
    metadata: dict

    @property
    def id(self) -> str:
        retrieved = self.metadata["retrieved_utc"].replace("-", "").replace(":", "")[:15]
        slug = re.sub(r"[^a-z0-9]+", "-", self.metadata["query"].lower()).strip("-")
        return f"{retrieved}Z_{slug}_{self.metadata['geo'] or 'world'}"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def fetch(client: TrendsClient, query: Query, samples: int = 3, max_retries: int = 5, backoff_s: float = 10.0,
          sleep: Callable[[float], None] = time.sleep, now: Callable[[], datetime] = _utcnow,
          resolve_topic: bool = True, log: Callable[[str], None] = print) -> Snapshot:
    """Fetch `samples` samples (Google samples its data), retrying rate limits with exponential backoff."""
    if samples < 1:
        raise TrendsError(f"samples must be at least 1, got {samples}")
    if resolve_topic and query.topic_id is None:
        topic = client.resolve_topic(query.term)
        if topic:
            query = Query(query.term, topic["mid"], query.geo, query.start, query.end, query.category, query.prop)
            log(f"topic {topic['title']!r} ({topic['type']}): {topic['mid']}")
        else:
            log(f"no topic titled {query.term!r}; fetching it as a search term")
    frames = []
    for sample in range(1, samples + 1):
        for attempt in range(max_retries + 1):
            try:
                one = client.interest_over_time(query)
                break
            except RateLimited:
                if attempt == max_retries:
                    raise TrendsError(f"still rate limited after {max_retries} retries; try again later") from None
                wait = backoff_s * 2 ** attempt
                log(f"rate limited; waiting {wait:g} s (retry {attempt + 1} of {max_retries})")
                sleep(wait)
        frames.append(one.assign(sample=sample))
        log(f"sample {sample} of {samples}: {len(one)} periods")
    frame = pd.concat(frames, ignore_index=True)
    frame["series"] = query.term
    frame["below_one"] = False
    frame = frame[SNAPSHOT_FIELDS]
    metadata = {
        "query": query.term,
        "query_type": "topic" if query.topic_id else "search term",
        "topic_id": query.topic_id,
        "geo": query.geo,
        "start": query.start,
        "end": query.end,
        "frequency": _frequency(frame["date"]),
        "category": query.category,
        "property": query.prop or "web search",
        "retrieved_utc": now().strftime("%Y-%m-%dT%H:%M:%S"),
        "client": client.name,
        "client_version": client.version,
        "samples": samples,
        "source": "Google Trends (trends.google.com), fetched with scs fetch trends",
    }
    return Snapshot(frame, metadata)


def _frequency(dates: pd.Series) -> str:
    days = pd.Series(sorted(set(pd.to_datetime(dates)))).diff().dt.days.dropna()
    if days.empty:
        return "month"
    step = days.median()
    return "day" if step <= 1 else "week" if step <= 7 else "month"


# --- importing a file downloaded from trends.google.com ------------------------------

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


# --- storing and loading snapshots ----------------------------------------------------

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
    from .data import DATAPACKAGE

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


def load_snapshot(root: Path, snapshot_id: str = "latest", geo: str | None = None) -> Snapshot | None:
    """A stored snapshot (validated against the data package), or None when there is none.

    With `geo`, only snapshots of that region count ('' is worldwide).
    """
    from .data import load_table

    ids = list_snapshots(root)
    if geo is not None:
        ids = [i for i in ids if json.loads((Path(root) / SNAPSHOT_DIR / f"{i}.json").read_text(encoding="utf-8")).get("geo", "") == geo]
    if not ids or snapshot_id == "none":
        return None
    if snapshot_id == "latest":
        snapshot_id = ids[-1]
    if snapshot_id not in ids:
        raise DataError(f"parameter snapshot: {snapshot_id!r} not in {SNAPSHOT_DIR}; snapshots: {ids}")
    name = f"google_trends_{re.sub(r'[^a-z0-9]+', '_', snapshot_id.lower())}"
    frame = load_table(name, root)
    meta = json.loads((Path(root) / SNAPSHOT_DIR / f"{snapshot_id}.json").read_text(encoding="utf-8"))
    return Snapshot(frame, meta)


# --- finding onset, traction and peak ---------------------------------------------------


def monthly(frame: pd.DataFrame, include_partial: bool = False) -> pd.DataFrame:
    """Monthly interest per sample (weekly or daily data averaged), first series only."""
    data = frame[frame["series"] == frame["series"].iloc[0]].copy()
    if not include_partial:
        data = data[~data["is_partial"].astype(bool)]
    data["month"] = pd.to_datetime(data["date"]).dt.to_period("M").dt.to_timestamp()
    return data.groupby(["sample", "month"], as_index=False)["value"].mean()


def half_year(stamp: pd.Timestamp | None) -> str | None:
    return None if stamp is None else f"{stamp.year}H{1 if stamp.month <= 6 else 2}"


def detect(series: pd.Series, smoothing: int = 3, rise_level: float = 5.0, sustain_months: int = 6,
           traction_level: float = 25.0) -> dict:
    """Onset (first month from which smoothed interest stays >= rise_level for sustain_months),
    traction (first month >= traction_level) and peak (maximum) of a monthly series indexed by month."""
    series = series.sort_index().astype(float)
    smooth = series.rolling(smoothing, center=True, min_periods=1).mean()
    above = (smooth >= rise_level).astype(int)
    sustained = above.rolling(sustain_months, min_periods=sustain_months).min().shift(-(sustain_months - 1))
    onset = smooth.index[sustained.fillna(0).astype(bool)]
    traction = smooth.index[smooth >= traction_level]
    return {
        "onset": onset[0] if len(onset) else None,
        "traction": traction[0] if len(traction) else None,
        "peak": smooth.idxmax() if len(smooth) else None,
        "smoothed": smooth,
    }


def _agree(observed: list[str | None], claimed: str, step: Callable[[str, str], int]) -> str:
    found = [o for o in observed if o is not None]
    if found and all(o == claimed for o in found):
        return "reproduced"
    if any(o == claimed or (o and abs(step(o, claimed)) <= 1) for o in found):
        return "partly reproduced"
    return "not reproduced"


def _half_steps(a: str, b: str) -> int:
    ya, ha = int(a[:4]), int(a[-1])
    yb, hb = int(b[:4]), int(b[-1])
    return (ya * 2 + ha) - (yb * 2 + hb)


CLAIMS = ("s3-trends-rise-end-2016", "s3-trends-traction-2018", "s3-trends-peak-2021h2")


def article_periods(root=None) -> dict[str, str]:
    """The article's onset half-year, traction year and peak half-year, from data/claims.yaml."""
    from .claims import reported_values

    values = reported_values(list(CLAIMS), root)
    return {claim: str(value).replace(" ", "") for claim, value in values.items()}


def analyse(snapshot: Snapshot | None, start: str = DEFAULT_START, end: str = "2022-12-31", smoothing: int = 3,
            rise_level: float = 5.0, sustain_months: int = 6, traction_level: float = 25.0,
            media: dict | None = None, article: dict | None = None, scholarship: dict | None = None) -> dict:
    """The three claims of section 3 on a snapshot, or 'needs data' with the command to run."""
    article = article or article_periods()
    evidence = {"dated_media_pieces_by_half_year": (media or {}).get("dated_pieces_by_half_year", {}),
                "media_pieces_by_year": (media or {}).get("pieces_by_year", {}),
                "cited_studies_by_year": (scholarship or {}).get("years", {}).get("counts", {})}
    if snapshot is None:
        return {
            "needs_data": (
                "no Google Trends snapshot in data/raw/google_trends/: with internet access run "
                "`scs fetch trends --end 2022-12-31`, or download multiTimeline.csv from trends.google.com and run "
                "`scs import trends multiTimeline.csv`; then `scs run search_interest`"
            ),
            "snapshot": None,
            "offline_evidence": evidence,
            "article": article,
        }
    months = monthly(snapshot.frame)
    months = months[(months["month"] >= pd.Timestamp(start)) & (months["month"] <= pd.Timestamp(end))]
    if months.empty:
        raise DataError(f"the snapshot has no complete month between {start} and {end}")
    settings = dict(smoothing=smoothing, rise_level=rise_level, sustain_months=sustain_months, traction_level=traction_level)
    mean = months.groupby("month")["value"].mean()
    found = detect(mean, **settings)
    per_sample = [detect(group.set_index("month")["value"], **settings) for _, group in months.groupby("sample")]
    onset = [half_year(d["onset"]) for d in per_sample]
    peaks = [half_year(d["peak"]) for d in per_sample]
    traction = [None if d["traction"] is None else str(d["traction"].year) for d in per_sample]
    verdicts = {
        "s3-trends-rise-end-2016": _agree(onset, article["s3-trends-rise-end-2016"], _half_steps),
        "s3-trends-traction-2018": _agree(traction, article["s3-trends-traction-2018"], lambda a, b: int(a) - int(b)),
        "s3-trends-peak-2021h2": _agree(peaks, article["s3-trends-peak-2021h2"], _half_steps),
    }
    values = {
        "s3-trends-rise-end-2016": f"onset {half_year(found['onset'])} (samples: {sorted(set(filter(None, onset)))})",
        "s3-trends-traction-2018": f"traction {found['traction'].year if found['traction'] is not None else 'never'} (samples: {sorted(set(filter(None, traction)))})",
        "s3-trends-peak-2021h2": f"peak {half_year(found['peak'])} (samples: {sorted(set(filter(None, peaks)))})",
    }
    spread = months.groupby("month")["value"].agg(["min", "max"])
    return {
        "snapshot": snapshot.metadata,
        "verdicts": verdicts,
        "values": values,
        "series": {m.strftime("%Y-%m"): float(v) for m, v in mean.items()},
        "smoothed": {m.strftime("%Y-%m"): float(v) for m, v in found["smoothed"].items()},
        "sample_range": {m.strftime("%Y-%m"): [float(r["min"]), float(r["max"])] for m, r in spread.iterrows()},
        "onset": half_year(found["onset"]),
        "traction_year": None if found["traction"] is None else found["traction"].year,
        "peak": half_year(found["peak"]),
        "offline_evidence": evidence,
        "article": article,
        "settings": {"start": start, "end": end, **settings},
    }


def claimed_periods(article: dict) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """Shaded spans for the article's three periods (half-years and a year)."""
    def span(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        if "H" in label:
            start = pd.Timestamp(f"{label[:4]}-{'01' if label.endswith('1') else '07'}-01")
            return start, start + pd.DateOffset(months=6)
        return pd.Timestamp(f"{label}-01-01"), pd.Timestamp(f"{int(label) + 1}-01-01")

    names = {"s3-trends-rise-end-2016": "rose slightly", "s3-trends-traction-2018": "gained traction",
             "s3-trends-peak-2021h2": "peak"}
    return [(*span(article[claim]), f"{names[claim]} ({article[claim]})") for claim in CLAIMS]


def plot_attention_timing(analysis: dict, ax) -> None:
    """The article's claimed periods with the dated media pieces and the cited studies: the offline evidence."""
    from .figures import palette

    colours = palette(3)
    evidence = analysis["offline_evidence"]
    for start, stop, label in claimed_periods(analysis["article"]):
        ax.axvspan(start, stop, color="0.9", zorder=0)
        ax.text(start, 0.98, label, transform=ax.get_xaxis_transform(), fontsize=6, va="top", rotation=90)
    by_half = evidence["dated_media_pieces_by_half_year"]
    halves = [pd.Timestamp(f"{k[:4]}-{'01' if k[-1] == '1' else '07'}-01") for k in by_half]
    ax.bar(halves, list(by_half.values()), width=150, align="edge", color=colours[0],
           label="dated media pieces (footnote 14), per half-year")
    for key, colour, marker, label in (("media_pieces_by_year", colours[1], "o", "all footnote 14 pieces, per year"),
                                       ("cited_studies_by_year", colours[2], "s", "cited Western studies (fn. 15-21), per year")):
        series = evidence.get(key, {})
        years = [pd.Timestamp(f"{y}-07-01") for y in series]
        ax.plot(years, list(series.values()), marker, color=colour, ms=3, label=label)
    ax.set_ylabel("pieces or studies")
    ax.legend(frameon=False, fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)
    ax.set_xlim(pd.Timestamp("2015-01-01"), pd.Timestamp("2023-01-01"))


def plot_interest(analysis: dict, ax) -> None:
    """The Google Trends curve: mean of samples, their range, the smoothed curve and the detected points."""
    from .figures import palette

    colours = palette(3)
    months = pd.to_datetime(list(analysis["series"]))
    ranges = list(analysis["sample_range"].values())
    ax.fill_between(months, [r[0] for r in ranges], [r[1] for r in ranges], color=colours[0], alpha=0.25, lw=0,
                    label="range of samples")
    ax.plot(months, list(analysis["series"].values()), color=colours[0], lw=0.8, label="interest (mean of samples)")
    ax.plot(months, list(analysis["smoothed"].values()), color=colours[1], lw=1, label="smoothed")
    for start, stop, _ in claimed_periods(analysis["article"]):
        ax.axvspan(start, stop, color="0.9", zorder=0)
    ax.set_ylabel("Google Trends interest (0-100)")
    meta = analysis["snapshot"]
    ax.set_title(f"{meta['query']} ({meta['geo'] or 'worldwide'}), retrieved {meta['retrieved_utc'][:10]}", loc="left")
    ax.legend(frameon=False, fontsize=6, loc="upper left")
