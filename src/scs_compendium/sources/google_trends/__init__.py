"""Google Trends: fetched (:mod:`.client`), imported from a download (:mod:`.importer`), stored (:mod:`.snapshots`)."""

from .client import Query, Snapshot, TrendsClient, TrendsError, fetch
from .importer import parse_multitimeline
from .snapshots import list_snapshots, load_snapshots, select_snapshot, write_snapshot

__all__ = ["Query", "Snapshot", "TrendsClient", "TrendsError", "fetch", "parse_multitimeline",
           "list_snapshots", "load_snapshots", "select_snapshot", "write_snapshot"]
