"""Fetching Google Trends series: the client interface, the pytrends client, samples with retries.

No Google Trends series exists offline, and nothing synthetic may stand in for
it. `scs fetch trends` takes real samples through a client behind the small
`TrendsClient` interface; :mod:`.importer` reads files downloaded by hand and
:mod:`.snapshots` stores and registers them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable, Protocol

import pandas as pd

from ...errors import CompendiumError
from ..safe import slug

DEFAULT_TERM = "Social Credit System"
DEFAULT_START = "2004-01-01"
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


# Why `scs fetch trends` is the second route, said each time it runs.
FETCH_CAVEAT = (
    "note: pytrends is archived, and Google returns altered data to clients it detects as bots "
    "(GeneralMills/pytrends#636); the official Google Trends API (alpha) covers only a rolling five-year "
    "window. Samples that disagree by more than the tolerance are refused. The website export "
    "(`scs import trends multiTimeline.csv`) is the main route."
)
# The project's environment has no pip (and an activated .venv may fall through to another interpreter's):
# the extra goes in with the project's own uv, into .venv's interpreter; conda users have pip.
INSTALL_TRENDS = ".venv/uv/bin/uv pip install --python .venv/bin/python -e '.[trends]'"
PYTRENDS_MISSING = (
    "pytrends is not installed: it is an optional extra (pytrends==4.9.2). Install it into the project's "
    f"environment with `{INSTALL_TRENDS}` (after `make setup`; in a conda environment: `pip install -e '.[trends]'`), "
    "or download the series by hand from trends.google.com and run `.venv/bin/scs import trends multiTimeline.csv`"
)
SAMPLE_TOLERANCE = 10.0  # points of the 0-100 scale two samples of one period may differ by


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
        from importlib.metadata import PackageNotFoundError, version

        try:
            self.version = version("pytrends")
            __import__("pytrends.request")
        except (PackageNotFoundError, ImportError):
            raise TrendsError(PYTRENDS_MISSING) from None
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
        """'<retrieved>Z_<term>_<region>': each part a slug (see :func:`..safe.slug`), whatever the file said."""
        retrieved = re.sub(r"[^0-9T]", "", str(self.metadata["retrieved_utc"]))[:15]
        geo = self.metadata.get("geo") or ""
        return f"{retrieved}Z_{slug(self.metadata['query'], 'term')}_{slug(geo, 'geo') if geo else 'world'}"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def check_samples(frame: pd.DataFrame, tolerance: float = SAMPLE_TOLERANCE) -> None:
    """Refuse samples that disagree, for one period, by more than `tolerance` points (0-100 scale)."""
    if frame["sample"].nunique() < 2:
        return
    spread = frame.groupby("date")["value"].agg(lambda v: float(v.max() - v.min()))
    worst = spread.idxmax()
    if spread[worst] > tolerance:
        values = frame.loc[frame["date"] == worst].sort_values("sample")["value"].tolist()
        raise TrendsError(
            f"the {frame['sample'].nunique()} samples disagree by up to {spread[worst]:g} points (period {worst}: "
            f"{values}), beyond the tolerance of {tolerance:g} points: Google may be serving altered data to an "
            "automated client (GeneralMills/pytrends#636). Nothing was registered; download the series from "
            "trends.google.com and run `scs import trends multiTimeline.csv`"
        )


def fetch(client: TrendsClient, query: Query, samples: int = 3, max_retries: int = 5, backoff_s: float = 10.0,
          sleep: Callable[[float], None] = time.sleep, now: Callable[[], datetime] = _utcnow,
          resolve_topic: bool = True, log: Callable[[str], None] = print,
          tolerance: float = SAMPLE_TOLERANCE) -> Snapshot:
    """Fetch `samples` samples (Google samples its data), retrying rate limits with exponential backoff;
    refuse samples that disagree beyond `tolerance` points."""
    from .series import check_series, coverage, frequency_of

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
    check_samples(frame, tolerance)
    metadata = {
        "query": query.term,
        "query_type": "topic" if query.topic_id else "search term",
        "topic_id": query.topic_id,
        "geo": query.geo,
        "start": query.start,
        "end": query.end,
        "frequency": frequency_of(frame["date"]),
        "category": query.category,
        "property": query.prop or "web search",
        "retrieved_utc": now().strftime("%Y-%m-%dT%H:%M:%S"),
        "client": client.name,
        "client_version": client.version,
        "samples": samples,
        "source": "Google Trends (trends.google.com), fetched with scs fetch trends",
        "sample_tolerance_points": tolerance,
    }
    metadata.update(coverage(frame["date"], metadata["frequency"], partial=frame.loc[frame["is_partial"].astype(bool), "date"]))
    check_series(frame, metadata, "Google Trends", log)
    return Snapshot(frame, metadata)
