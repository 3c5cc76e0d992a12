"""The bibliography of the data: every document the data tables and the claims' research read.

`data_sources(root)` reads the sources table (`data/evidence/sources.csv`), the `source` column of each
table of the data package (`data/datapackage.json`, and each resource's `sources`) and the evidence rows,
and returns, per table, one CSL-JSON item per document: its author or publisher, title, date, address and
the day it was read; a copy or repost is given under its original as 'read at' its address, and a source
no stored copy of which was read says so. `write_csl` writes them to `paper/_build/data-sources.json`,
which Pandoc reads beside `paper/references.bib`.

A document already in `references.bib` (same address or DOI) is not listed twice.
Keys are `data:` plus a hash of the document's address (or title), so they stay
the same from one build to the next.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

from ..engine.store import write_if_changed
from ..paths import DATA_DIR, DATAPACKAGE, PAPER_BUILD_DIR, PAPER_DIR

CSL_FILE = f"{PAPER_BUILD_DIR}/data-sources.json"
RESEARCH = "claims' research"
EVIDENCE_SOURCES = "sources"  # the data-package resource of the sources table
EVIDENCE_ROWS = "evidence"  # the first reading's rows: the claims' research
EVIDENCE_SECOND = "evidence_second"  # the blind second reading names the same sources
_READ_AT = re.compile(r"[Rr]ead at (\S+?)(?=;|,? |$)")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:-(\d\d))?(?:-(\d\d))?(?!\d)")


def _date_parts(text: str) -> list[int] | None:
    """The last date written in the text (2019-02-15, 2019-02 or 2019), as CSL date parts."""
    found = _DATE.findall(text or "")
    if not found:
        return None
    return [int(part) for part in found[-1] if part]


def _clean(text: str) -> str:
    """A publisher without the date or the note that follows it: 'Global Times, 2019-06-12' -> 'Global Times'."""
    text = re.sub(r"\s*\([^()]*\d[^()]*\)", "", text or "")  # '(Date Written: February 5, 2016)'
    text = re.sub(r",?\s*\(?(?:c\. )?(?:19|20)\d\d(?:-\d\d)?(?:-\d\d)?\)?.*$", "", text.strip())
    return text.strip(" ,;")


def description(title: str) -> str | None:
    """A description that stands for a title the source does not show, written '(...)' in the sources table, as it
    is printed: in square brackets, as style guides print the description of an untitled work (None for a title;
    one that only begins with a parenthesis, '(十八大·中国聚焦)中共首提…', is the source's own)."""
    title = title.strip()
    depth = 0
    for position, char in enumerate(title):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            break
    return f"[{title[1:-1]}]" if title.startswith("(") and position == len(title) - 1 else None


def _key(url: str, title: str) -> str:
    basis = url if url.startswith("http") else f"{title}|{url}"
    return "data:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:10]


def _item(*, url: str, title: str, author: str, accessed: str = "", date_text: str = "", notes: list[str] | None = None) -> dict:
    """One CSL-JSON item: author or publisher, title, date, address, the day it was read; `notes` (the copy read,
    what was not read) go where a web page's publisher goes."""
    # Titles as the source prints them: 'und' keeps the style from recasing them (and Chinese from English rules).
    item: dict = {"id": _key(url, title), "type": "webpage", "language": "und"}
    if description(title):  # the style prints a genre as it is, not in the quotation marks of a title
        item["genre"] = description(title)
    else:
        item["title"] = title.strip()
    if author:
        item["author"] = [{"literal": _clean(author) or author}]
    issued = _date_parts(date_text)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    if url.startswith("http"):
        item["URL"] = url
    if _date_parts(accessed):
        item["accessed"] = {"date-parts": [_date_parts(accessed)]}
    if notes:
        text = "; ".join(notes)
        item["publisher"] = text[0].upper() + text[1:]
    return item


def _rows(root: Path, path: str) -> list[dict]:
    with (root / DATA_DIR / path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _documents(rows: list[dict]) -> dict[str, dict]:
    """Per source id of the sources table, its document: each publication once (title, author or publisher,
    date), a copy or repost given as 'read at' its address under its original; the article itself left out."""
    copies: dict[str, list[str]] = {}
    for row in rows:
        if row["copy_of"]:
            copies.setdefault(row["copy_of"], []).append(row["url"])
    documents = {}
    for row in rows:
        if row["kind"] == "the article" or row["copy_of"]:
            continue
        notes = ([row["publisher"]] if row["author"] and row["publisher"] else [])
        notes += [f"read at {url}" for url in copies.get(row["id"], []) if url]
        if not row["verified"] == "yes" and not copies.get(row["id"]):
            notes.append("no stored copy read")
        documents[row["id"]] = _item(url=row["url"], title=row["title"], author=row["author"] or row["publisher"],
                                     accessed=row["accessed"], date_text=row["published"], notes=notes)
    for row in rows:
        if row["copy_of"] in documents:
            documents[row["id"]] = documents[row["copy_of"]]
    return documents


def _bib_text(root: Path) -> str:
    path = root / PAPER_DIR / "references.bib"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _known(root: Path) -> set[str]:
    """Addresses and DOIs of the documents references.bib already lists."""
    bib = _bib_text(root)
    known = {m.strip() for m in re.findall(r"url\s*=\s*\{([^}]*)\}", bib)}
    known |= {f"https://doi.org/{m.strip()}" for m in re.findall(r"doi\s*=\s*\{([^}]*)\}", bib)}
    return known


def data_sources(root: Path) -> dict[str, list[dict]]:
    """Per table of the data package (and for the claims' research: the sources of the evidence rows), the
    documents it draws on, once each, from the sources table (`data/evidence/sources.csv`)."""
    descriptor = json.loads((root / DATAPACKAGE).read_text(encoding="utf-8"))
    known = _known(root)
    by_table: dict[str, list[dict]] = {}

    def add(table: str, item: dict | None) -> None:
        if item is None:
            return
        # a document references.bib lists, whether by its own address or the copy's where it was read
        addresses = {item.get("URL")} | set(_READ_AT.findall(item.get("publisher", "")))
        if not addresses & known and item not in by_table.setdefault(table, []):
            by_table[table].append(item)

    resources = {r["name"]: r for r in descriptor["resources"]}
    documents = _documents(_rows(root, resources[EVIDENCE_SOURCES]["path"])) if EVIDENCE_SOURCES in resources else {}
    for resource in descriptor["resources"]:
        for source in resource.get("sources") or []:
            if str(source.get("path", "")).startswith("http"):
                add(resource["name"], _item(url=source["path"], title=source.get("title", ""),
                                            author=source.get("publisher", ""), accessed=source.get("accessed", ""),
                                            date_text=str(source.get("date", ""))))
        columns = {f["name"] for f in resource["schema"]["fields"]}
        table = RESEARCH if resource["name"] == EVIDENCE_ROWS else resource["name"]
        if "source" in columns and resource["name"] != EVIDENCE_SECOND:
            for row in _rows(root, resource["path"]):
                for sid in (row.get("source") or "").split(";"):
                    add(table, documents.get(sid.strip()))
    return {table: items for table, items in by_table.items() if items}


def write_csl(root: Path, sources: dict[str, list[dict]] | None = None) -> Path:
    """Write paper/_build/data-sources.json (CSL-JSON), every document once, sorted by key."""
    sources = data_sources(root) if sources is None else sources
    items = {item["id"]: item for table in sources.values() for item in table}
    target = root / CSL_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(target, json.dumps([items[k] for k in sorted(items)], ensure_ascii=False, indent=1) + "\n")
    return target


def sources_markdown(root: Path, sources: dict[str, list[dict]]) -> tuple[str, list[str]]:
    """The 'sources of the data' list (each table with its title and its documents cited) and the keys of
    the claims' research, which the paper cites without a call in the text (`nocite`)."""
    from .formatting import code_span, escape_markdown

    titles = {r["name"]: r.get("title", r["name"]) for r in json.loads((root / DATAPACKAGE).read_text(encoding="utf-8"))["resources"]}
    lines = [f"- {code_span(table)} ({escape_markdown(titles.get(table, table))}): "
             + "[" + "; ".join(f"@{item['id']}" for item in items) + "]."
             for table, items in sources.items() if table != RESEARCH]
    research = [item["id"] for item in sources.get(RESEARCH, [])]
    # the works of references.bib the compendium rests on (its data and the claims' research) are printed too
    research += [key for key in re.findall(r"@\w+\{([^,\s]+),", _bib_text(root)) if key not in research]
    return "\n".join(lines), research
