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

# The id of the article itself in data/evidence/sources.csv: a row resting on the article names it.
ARTICLE_SOURCE = "bloch-2022"


# --- provenance: rules every sourced table shares ----------------------------------------


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


def check_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    """Cross-row rules of the provenance columns, where the table has them.

    A derived value needs its derivation (and a published one has none); a row with a source other than
    the article has its verbatim quote (which must occur in the source's excerpt: `sources.evidence`); a
    row resting on the article has the article's words; an approximate date states the compendium's
    assumption. Who published a source, when it was read and what it copies is in the sources table.
    """
    path = frame.attrs.get("path", "table")
    columns = set(frame.columns)

    def fail(line: int, column: str, message: str):
        raise DataError(f"{path}, line {line}, column {column!r}: {message}")

    for line, record in zip(range(2, len(frame) + 2), frame.to_dict("records")):
        row = {column: (None if _blank(value) else value) for column, value in record.items()}
        if "value_origin" in columns:
            if row["value_origin"] == "derived" and _blank(row.get("derivation")):
                fail(line, "derivation", "a derived value needs its derivation (the arithmetic and its inputs)")
            if row["value_origin"] == "published" and not _blank(row.get("derivation")):
                fail(line, "value_origin", "a value with a derivation must be marked 'derived', not 'published'")
        source = row.get("source") if "source" in columns else None
        if "quote" in columns and _blank(row["quote"]) and source is not None and source != ARTICLE_SOURCE:
            fail(line, "quote", f"a row with source {source!r} needs the verbatim quote of that source")
        if source == ARTICLE_SOURCE and "article_quote" in columns and _blank(row["article_quote"]):
            fail(line, "article_quote", "a row resting on the article needs the article's words")
        if "date_precision" in columns and row["date_precision"] == "approximate" and _blank(row.get("assumption")):
            fail(line, "assumption", "an approximate date needs the compendium's assumption (the reference date chosen and why)")
    return frame


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


def adjudicated(coding: str, root=None) -> dict[str, str]:
    """The final codings of the compendium's own codings (`role`, `tone`) where two readings disagreed, by item."""
    frame = load_table("adjudications", root)
    return {row.item: row.final for row in frame.itertuples() if row.coding == coding}


def load_citations(codebook: pd.DataFrame, root=None, final: bool = True) -> pd.DataFrame:
    """Every footnote citation; each role must be defined and belong to its footnote. `final`: with the roles
    as adjudicated where the two readings disagreed (data/evidence/adjudications.csv); else the first coding."""
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
    if final:
        decided = adjudicated("role", root)
        items = frame["footnote"].map(lambda f: "" if pd.isna(f) else str(int(f))) + "/" + frame["work"]
        frame["role"] = [decided.get(item, role) for item, role in zip(items, frame["role"])]
        frame.loc[frame["role"] == "none", "role"] = None
    return frame


# --- footnote 14's media pieces (media_coverage) ----------------------------------------


def load_pieces(root=None, final: bool = True) -> pd.DataFrame:
    """Footnote 14's pieces; in the first coding every outlet has one sensationalist piece and at least one nuanced
    one. `final`: with the tones as adjudicated where the two readings disagreed."""
    frame = check_provenance(load_table("media_pieces", root))
    path = frame.attrs["path"]
    for line, row in zip(range(2, len(frame) + 2), frame.itertuples()):
        if row.tone_basis == "read_piece" and pd.isna(row.quote):
            raise DataError(f"{path}, line {line}, column 'quote': tone_basis 'read_piece' needs a quote of the piece read")
    for outlet, rows in frame.groupby("outlet", sort=False):
        tones = rows["tone"].value_counts()
        if tones.get("sensationalist", 0) != 1 or tones.get("nuanced", 0) < 1:
            raise DataError(f"{path}: outlet {outlet!r}: expected one sensationalist piece and at least one nuanced one")
    dated = frame[frame["date"].notna()]
    if (dated["date_status"] == "year only").any() or (dated["source"].isna() | (dated["source"] == ARTICLE_SOURCE)).any():
        raise DataError(f"{path}: a dated piece needs date_status exact or approximate and, in column 'source', the "
                        "source that gives the date (the article gives years only)")
    off = dated[pd.to_datetime(dated["date"]).dt.year != dated["year"]]
    if not off.empty:
        raise DataError(f"{path}: {off['author'].iloc[0]} ({off['outlet'].iloc[0]}): date and year disagree")
    if final:
        decided = adjudicated("tone", root)
        items = frame["outlet"] + "/" + frame["author"].fillna("") + "/" + frame["year"].astype(str)
        frame["tone"] = [decided.get(item, tone) for item, tone in zip(items, frame["tone"])]
    return frame


# --- footnote 66 (blacklist_rates) -------------------------------------------------------


def _checked(name: str, root) -> pd.DataFrame:
    frame = check_provenance(load_table(name, root))
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
    return check_provenance(load_table("western_comparators", root))


# --- dated events (timeline; actors_figures reads them too) -----------------------------


def load_events(root=None) -> pd.DataFrame:
    """The dated events, with `source_year` parsed from the exact date where one exists."""
    frame = check_provenance(load_table("timeline_events", root))
    path = frame.attrs["path"]
    for line, row in zip(range(2, len(frame) + 2), frame.itertuples()):
        if (row.date_origin == "outside_source") == pd.isna(row.exact_date):
            raise DataError(f"{path}, line {line}, column 'date_origin': {row.date_origin!r} does not fit the exact_date "
                            f"{row.exact_date if not pd.isna(row.exact_date) else '(blank)'}: an outside date needs exact_date, the article's year none")
        if pd.isna(row.source_quantity) != pd.isna(row.value_origin):
            raise DataError(f"{path}, line {line}, column 'value_origin': a source_quantity needs its value_origin, and only it")
    frame["source_year"] = frame["exact_date"].str.slice(0, 4).astype("Int64")
    bad = frame[frame["year_end"].notna() & (frame["year_end"] < frame["year"])]
    if not bad.empty:
        raise DataError(f"{frame.attrs['path']}: event {bad['id'].iloc[0]!r}: 'year_end' is before 'year'")
    missing = frame[frame["exact_date"].notna() & (frame["source"].isna() | (frame["source"] == ARTICLE_SOURCE))]
    if not missing.empty:
        raise DataError(
            f"{frame.attrs['path']}: event {missing['id'].iloc[0]!r}: an exact date needs, in column 'source', the source "
            "that gives it (not the article)"
        )
    return frame


def load_pairs(events: pd.DataFrame, root=None) -> pd.DataFrame:
    """Controversy -> response pairs; every id must name an event."""
    frame = check_provenance(load_table("controversy_responses", root))
    known = set(events["id"])
    for column in ("controversy", "response"):
        unknown = sorted(set(frame[column]) - known)
        if unknown:
            raise DataError(
                f"{frame.attrs['path']}: column {column!r}: {unknown} not in timeline_events (expected an event id)"
            )
    return frame


def load_phases(root=None) -> pd.DataFrame:
    """The phases (the compendium's coding); a bound taken from the article quotes it, and only such a bound."""
    frame = check_provenance(load_table("timeline_phases", root))
    path = frame.attrs["path"]
    for line, row in zip(range(2, len(frame) + 2), frame.itertuples()):
        for bound in ("start", "end"):
            origin, quote = getattr(row, f"{bound}_origin"), getattr(row, f"{bound}_quote")
            if (origin == "article") == pd.isna(quote):
                raise DataError(f"{path}, line {line}, column '{bound}_quote': a bound of origin 'article' needs the "
                                f"article's words, a bound of the compendium's none (origin is {origin!r})")
        if row.origin == "article" and "compendium_coding" in (row.start_origin, row.end_origin):
            raise DataError(f"{path}, line {line}, column 'origin': a phase with a bound of the compendium's is compendium_coding")
        if pd.isna(row.start_quote) and pd.isna(row.end_quote) and pd.isna(row.label_quote):
            raise DataError(f"{path}, line {line}, column 'label_quote': a phase needs the article's words for it")
    return frame
