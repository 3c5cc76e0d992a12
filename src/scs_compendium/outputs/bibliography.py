"""The bibliography of the data: every document the data tables and the claims' research read.

`data_sources(root)` reads the data package (`data/datapackage.json`: each resource's
`sources`, and the source columns of its tables) and the research recorded with each
claim (`build/claims.json`), and returns one CSL-JSON item per document: the
publisher of the figure first (for a verbatim reprint, the original publisher, with
the copy read as 'reprinted by'; for a report relaying someone else's figure, the
outlet, with whose figure it relays), the title, the date where the source gives
one, the address and the day it was read. `write_csl` writes them to
`paper/_build/data-sources.json`, which Pandoc reads beside `paper/references.bib`.

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
EVIDENCE_SOURCES = "sources"  # the data-package resource of the evidence's sources table
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:-(\d\d))?(?:-(\d\d))?(?!\d)")
_QUOTED = re.compile(r"^(?P<author>.+?), '(?P<title>.+?)'(?=[,\s]|$),?\s*(?P<rest>.*)$")


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


def _first_url(url: str) -> str:
    return (url or "").split(" ; ")[0].strip()


def _key(url: str, title: str) -> str:
    basis = url if url.startswith("http") else f"{title}|{url}"
    return "data:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:10]


def _agency(original: str) -> str:
    """The publisher of a figure from its description: 'Supreme People's Court statement of 2017-02-14' -> the court."""
    name = re.sub(r"\s*\([^()]*\d[^()]*\)", "", original)  # '(statement of 2019-06-12)', '(2018-10-24)'
    name = re.split(r",|;| via | as reported| statement| statistics| spokesperson| press conference| report| white paper"
                    r"| work report| registration| official| announcement| \(figure|《", name, maxsplit=1)[0]
    return name.strip(" ,;") or original


def _item(*, url: str, title: str, author: str, kind: str = "", original: str = "", mirror: str = "",
          accessed: str = "", date_text: str = "") -> dict:
    """One CSL-JSON item: the publisher of the figure first; the copy read 'reprinted by' or 'reported by'."""
    also = [u.strip() for u in (url or "").split(" ; ")[1:] if u.strip()]
    url = _first_url(url)
    # Titles as the source prints them: 'und' keeps the style from recasing them (and Chinese from English rules).
    item: dict = {"id": _key(url, title), "type": "webpage", "title": title.strip(), "language": "und"}
    notes = []
    if kind == "mirror" and original:
        item["author"] = [{"literal": _agency(original)}]
        copy = mirror or author
        notes.append(copy if "reprint" in copy.lower() else f"reprinted by {copy}")
    elif kind == "secondary_report" and original:
        item["author"] = [{"literal": _agency(original)}]
        notes.append(f"reported by {author}" + (f" (figure: {original.strip()})" if _agency(original) != original.strip() else ""))
    elif author:
        item["author"] = [{"literal": _clean(author) or author}]
    issued = _date_parts(date_text or author) or (_date_parts(original) if kind == "mirror" else None)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    if url.startswith("http"):
        item["URL"] = url
    if _date_parts(accessed):
        item["accessed"] = {"date-parts": [_date_parts(accessed)]}
    if also:
        notes.append("also at " + ", ".join(also))
    if notes:  # the copy that was read: the style prints it where a web page's publisher goes
        text = "; ".join(notes)
        item["publisher"] = text[0].upper() + text[1:]
    return item


def _rows(root: Path, path: str) -> list[dict]:
    with (root / DATA_DIR / path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _from_row(row: dict) -> dict | None:
    """The document a data row rests on, or None when the row rests on the article alone."""
    if row.get("source_kind") == "article":
        return None
    if row.get("source_url") or row.get("source_title"):
        return _item(url=row.get("source_url", ""), title=row.get("source_title", ""), author=row.get("publisher", ""),
                     kind=row.get("source_kind", ""), original=row.get("original_publisher", ""),
                     mirror=row.get("mirror_of", ""), accessed=row.get("accessed", ""))
    if row.get("date_source_url") or row.get("date_source"):
        text = row.get("date_source", "")
        if row.get("outlet"):  # a media piece: the outlet's piece, read in a copy
            by = row["outlet"] + (f" ({row['author']})" if row.get("author") not in (None, "", row["outlet"]) else "")
            item = _item(url=row.get("date_source_url", ""), title=row.get("title") or "(title not seen)", author=by, accessed=row.get("accessed", ""),
                         date_text=row.get("date") or row.get("year", ""))
            if row.get("source_kind") in ("mirror", "secondary_report") and text:
                item["publisher"] = f"{'Reprinted by' if row['source_kind'] == 'mirror' else 'Quoted in'} {text}"
            return item
        quoted = _QUOTED.match(text)
        if quoted:
            return _item(url=row.get("date_source_url", ""), title=quoted["title"], author=quoted["author"],
                         accessed=row.get("accessed", ""), date_text=quoted["rest"])
        return _item(url=row.get("date_source_url", ""), title=text, author="", accessed=row.get("accessed", ""),
                     date_text=text)
    return None


def _from_sources_table(rows: list[dict]) -> list[dict]:
    """The documents of the evidence's sources table: each publication once (title, author or publisher, date),
    a copy or repost given as 'read at' its address under the original; the article itself left out."""
    copies: dict[str, list[str]] = {}
    for row in rows:
        if row["copy_of"]:
            copies.setdefault(row["copy_of"], []).append(row["url"])
    items = []
    for row in rows:
        if row["kind"] == "the article" or row["copy_of"]:
            continue
        item = _item(url=row["url"], title=row["title"], author=row["author"] or row["publisher"],
                     accessed=row["accessed"], date_text=row["published"])
        notes = ([row["publisher"]] if row["author"] and row["publisher"] else [])
        notes += [f"read at {url}" for url in copies.get(row["id"], []) if url]
        if not row["verified"] == "yes" and not copies.get(row["id"]):
            notes.append("no stored copy read")
        if notes:
            item["publisher"] = "; ".join(notes)
        items.append(item)
    return items


def _known(root: Path) -> set[str]:
    """Addresses and DOIs of the documents references.bib already lists."""
    bib = (root / PAPER_DIR / "references.bib").read_text(encoding="utf-8") if (root / PAPER_DIR / "references.bib").is_file() else ""
    known = {m.strip() for m in re.findall(r"url\s*=\s*\{([^}]*)\}", bib)}
    known |= {f"https://doi.org/{m.strip()}" for m in re.findall(r"doi\s*=\s*\{([^}]*)\}", bib)}
    return known


def data_sources(root: Path) -> dict[str, list[dict]]:
    """Per table of the data package (and for the claims' research), the documents it draws on, once each."""
    descriptor = json.loads((root / DATAPACKAGE).read_text(encoding="utf-8"))
    known, seen = _known(root), {}
    by_table: dict[str, list[dict]] = {}

    def add(table: str, item: dict | None) -> None:
        if item is None or item.get("URL") in known:
            return
        item = seen.setdefault(item["id"], item)  # one entry per document; the first description wins
        if item not in by_table.setdefault(table, []):
            by_table[table].append(item)

    for resource in descriptor["resources"]:
        for source in resource.get("sources") or []:
            if str(source.get("path", "")).startswith("http"):
                add(resource["name"], _item(url=source["path"], title=source.get("title", ""),
                                            author=source.get("publisher", ""), accessed=source.get("accessed", ""),
                                            date_text=str(source.get("date", ""))))
        if resource["name"] == EVIDENCE_SOURCES:
            for item in _from_sources_table(_rows(root, resource["path"])):
                add(RESEARCH, item)
            continue
        for row in _rows(root, resource["path"]):
            add(resource["name"], _from_row(row))
    return {table: items for table, items in by_table.items() if items}


def write_csl(root: Path, sources: dict[str, list[dict]] | None = None) -> Path:
    """Write paper/_build/data-sources.json (CSL-JSON), every document once, sorted by key."""
    sources = data_sources(root) if sources is None else sources
    items = {item["id"]: item for table in sources.values() for item in table}
    target = root / CSL_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(target, json.dumps([items[k] for k in sorted(items)], ensure_ascii=False, indent=1) + "\n")
    return target


def source_addresses(root: Path) -> set[str]:
    """Every distinct address the data tables and the claims' research name (to count what is covered)."""
    found: set[str] = set()
    descriptor = json.loads((root / DATAPACKAGE).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        for row in _rows(root, resource["path"]):
            for column in ("source_url", "date_source_url"):
                found |= {u.strip() for u in (row.get(column) or "").split(" ; ") if u.strip().startswith("http")}
        if resource["name"] == EVIDENCE_SOURCES:
            found |= {r["url"] for r in _rows(root, resource["path"]) if r["url"].startswith("http")}
    return found


def sources_markdown(root: Path, sources: dict[str, list[dict]]) -> tuple[str, list[str]]:
    """The 'sources of the data' list (each table with its title and its documents cited) and the keys of
    the claims' research, which the paper cites without a call in the text (`nocite`)."""
    from .formatting import code_span, escape_markdown

    titles = {r["name"]: r.get("title", r["name"]) for r in json.loads((root / DATAPACKAGE).read_text(encoding="utf-8"))["resources"]}
    lines = [f"- {code_span(table)} ({escape_markdown(titles.get(table, table))}): "
             + "[" + "; ".join(f"@{item['id']}" for item in items) + "]."
             for table, items in sources.items() if table != RESEARCH]
    research = [item["id"] for item in sources.get(RESEARCH, [])]
    return "\n".join(lines), research
