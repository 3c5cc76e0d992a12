"""One loader per data table: read with the schema's types, then checked for what a schema cannot say.

Each loader validates its table against the data package (`load_table`) and
then checks cross-row rules (one total per corpus, a role that belongs to its
footnote, an id that names an event, ...); every error names the file, the row or
the column, and what was expected.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataError
from .datapackage import load_table


# --- footnote 22 (literature_shares) ------------------------------------------------


def load_classification(root=None) -> pd.DataFrame:
    """The footnote 22 table, validated: one total per corpus, shares that fit in 100%."""
    frame = load_table("literature_classification", root)
    path = frame.attrs["path"]
    for corpus, rows in frame.groupby("corpus_id", sort=False):
        if rows["total"].nunique() != 1:
            raise DataError(f"{path}: corpus {corpus!r} has differing 'total' values {sorted(rows['total'].unique())}")
        if rows["reported_percent"].sum() > 100:
            raise DataError(
                f"{path}: corpus {corpus!r}: the shares in column 'reported_percent' add up to "
                f"{rows['reported_percent'].sum()}%, more than 100%"
            )
    return frame


# --- the article's citations (scholarship) ---------------------------------------------


def load_codebook(root=None) -> pd.DataFrame:
    """The role codebook."""
    return load_table("citation_roles_codebook", root)


def load_citations(codebook: pd.DataFrame, root=None) -> pd.DataFrame:
    """Every footnote citation; each role must be defined and belong to its footnote."""
    frame = load_table("article_citations", root)
    path = frame.attrs["path"]
    roles = codebook.set_index("role")
    for line, row in zip(range(2, len(frame) + 2), frame.itertuples()):
        if pd.isna(row.role):
            continue
        if row.role not in roles.index:
            raise DataError(
                f"{path}, line {line}, column 'role': unknown role {row.role!r}; "
                f"expected one of {sorted(roles.index)} (citation_roles_codebook)"
            )
        if row.footnote != roles.loc[row.role, "footnote"]:
            raise DataError(
                f"{path}, line {line}, column 'role': role {row.role!r} belongs to footnote "
                f"{roles.loc[row.role, 'footnote']}, not {row.footnote}"
            )
    duplicated = frame[frame.duplicated(["footnote", "work"], keep=False) & frame["footnote"].notna()]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise DataError(f"{path}: {first['work']!r} is listed twice in footnote {first['footnote']}")
    return frame


# --- footnote 14's media pieces (media_coverage) ----------------------------------------


def load_pieces(root=None) -> pd.DataFrame:
    """Footnote 14's pieces; every outlet has one sensationalist piece and at least one nuanced one."""
    frame = load_table("media_pieces", root)
    path = frame.attrs["path"]
    for outlet, rows in frame.groupby("outlet", sort=False):
        tones = rows["tone"].value_counts()
        if tones.get("sensationalist", 0) != 1 or tones.get("nuanced", 0) < 1:
            raise DataError(f"{path}: outlet {outlet!r}: expected one sensationalist piece and at least one nuanced one")
    dated = frame[frame["date"].notna()]
    if (dated["date_status"] == "year only").any() or dated["date_source"].isna().any():
        raise DataError(f"{path}: a dated piece needs date_status exact or approximate and its date_source")
    off = dated[pd.to_datetime(dated["date"]).dt.year != dated["year"]]
    if not off.empty:
        raise DataError(f"{path}: {off['author'].iloc[0]} ({off['outlet'].iloc[0]}): date and year disagree")
    return frame


# --- footnote 66 (blacklist_rates) -------------------------------------------------------


def _checked(name: str, root) -> pd.DataFrame:
    frame = load_table(name, root)
    frame["reference_date"] = pd.to_datetime(frame["reference_date"])
    return frame


def load_counts(root=None) -> pd.DataFrame:
    """China's published blacklist counts (`china_blacklist_counts`)."""
    return _checked("china_blacklist_counts", root)


def load_population(root=None) -> pd.DataFrame:
    """China's population figures (`china_population`)."""
    return _checked("china_population", root)


def load_market_entities(root=None) -> pd.DataFrame:
    """Registered market entities and enterprises (`china_market_entities`)."""
    return _checked("china_market_entities", root)


def load_comparators(root=None) -> pd.DataFrame:
    """Western private-credit comparators (`western_comparators`)."""
    return load_table("western_comparators", root)


# --- dated events (timeline; actors_figures reads them too) -----------------------------


def load_events(root=None) -> pd.DataFrame:
    """The dated events, with `source_year` parsed from the exact date where one exists."""
    frame = load_table("timeline_events", root)
    frame["source_year"] = frame["exact_date"].str.slice(0, 4).astype("Int64")
    bad = frame[frame["year_end"].notna() & (frame["year_end"] < frame["year"])]
    if not bad.empty:
        raise DataError(f"{frame.attrs['path']}: event {bad['id'].iloc[0]!r}: 'year_end' is before 'year'")
    missing = frame[frame["exact_date"].notna() & frame["date_source"].isna()]
    if not missing.empty:
        raise DataError(
            f"{frame.attrs['path']}: event {missing['id'].iloc[0]!r}: an exact date needs its 'date_source'"
        )
    return frame


def load_pairs(events: pd.DataFrame, root=None) -> pd.DataFrame:
    """Controversy -> response pairs; every id must name an event."""
    frame = load_table("controversy_responses", root)
    known = set(events["id"])
    for column in ("controversy", "response"):
        unknown = sorted(set(frame[column]) - known)
        if unknown:
            raise DataError(
                f"{frame.attrs['path']}: column {column!r}: {unknown} not in timeline_events (expected an event id)"
            )
    return frame


def load_phases(root=None) -> pd.DataFrame:
    """The article's phases."""
    return load_table("timeline_phases", root)


# --- cited figures (actors_figures) ----------------------------------------------------


def load_figures(root=None) -> pd.DataFrame:
    """The cited figures with their corroboration."""
    frame = load_table("cited_figures", root)
    bad = frame[(frame["corroboration"] != "not found") & frame["source_url"].isna()]
    if not bad.empty:
        raise DataError(
            f"{frame.attrs['path']}: figure {bad['id'].iloc[0]!r}: status {bad['corroboration'].iloc[0]!r} "
            "needs the 'source_url' of the source read"
        )
    return frame
