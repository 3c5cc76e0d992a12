"""The bibliography of the data: every document the tables and the claims' research read, once, with its publisher."""

from __future__ import annotations

import csv
import json

from scs_compendium.outputs import bibliography as bib

from ..conftest import REPO


def test_every_address_of_the_data_tables_is_a_document_of_the_bibliography():
    sources = bib.data_sources(REPO)
    items = [item for table in sources.values() for item in table]
    listed = {item.get("URL") for item in items} | {u for item in items for u in item.get("publisher", "").split() if u.startswith("http")}
    listed |= {u.strip(" ,") for item in items for part in [item.get("publisher", "")] for u in part.split("also at ")[1:]}
    known = bib._known(REPO)
    for path in sorted((REPO / "data/raw").glob("*.csv")):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            url = (row.get("source_url") or row.get("date_source_url") or "").split(" ; ")[0].strip()
            if url.startswith("http"):
                assert url in listed or url in known, f"{path.name}: {url} is in no entry"
    assert len({item["id"] for item in items}) == len({item.get("URL") or item["id"] for item in items})


def test_the_publishers_of_the_figures_come_first():
    authors = {a["literal"] for table in bib.data_sources(REPO).values() for item in table for a in item.get("author", [])}
    for publisher in ("National Bureau of Statistics", "Supreme People's Court", "State Administration for Market Regulation",
                      "SCHUFA Holding AG", "Creditreform", "Urban Institute", "Consumer Financial Protection Bureau",
                      "National Public Credit Information Center"):
        assert publisher in authors, publisher


def test_a_mirror_is_listed_under_the_original_as_reprinted_and_every_entry_has_its_access_date():
    items = {item["URL"]: item for table in bib.data_sources(REPO).values() for item in table if "URL" in item}
    mirror = items["https://m.news.shi-fen.com/china/201902/50-214718.html"]  # NBS communiqué reported by 新京报, copied
    assert mirror["author"] == [{"literal": "National Bureau of Statistics"}]
    assert mirror["publisher"].startswith("新京报") and "reprinted by m.news.shi-fen.com" in mirror["publisher"]
    report = items["http://globaltimes.cn/content/1154021.shtml"]
    assert report["author"][0]["literal"] == "National Public Credit Information Center"
    assert report["publisher"].startswith("Reported by Global Times") and report["issued"] == {"date-parts": [[2019, 6, 12]]}
    read = [item for item in items.values() if "accessed" in item]
    assert read and all(item["accessed"]["date-parts"][0][:2] in ([2026, 11], [2026, 12]) for item in read)
    unread = [item for item in items.values() if "accessed" not in item]
    assert all("no stored copy read" in item.get("publisher", "") or "read at" in item.get("publisher", "")
               for item in unread)
    assert "https://doi.org/10.1515/asia-2021-0019" not in items  # the article is references.bib's bloch2022


def test_a_reprint_and_a_report_read_from_a_row(tmp_path):
    row = {"source_title": "T", "publisher": "Outlet, 2019-02-15", "source_url": "http://a.example/x ; http://b.example/y",
           "source_kind": "secondary_report", "original_publisher": "Supreme People's Court statement of 2019-02-14",
           "mirror_of": "", "accessed": "2026-11-26"}
    item = bib._from_row(row)
    assert item["author"] == [{"literal": "Supreme People's Court"}] and item["URL"] == "http://a.example/x"
    assert item["publisher"] == ("Reported by Outlet, 2019-02-15 (figure: Supreme People's Court statement of 2019-02-14); "
                                 "also at http://b.example/y")
    assert bib._from_row({**row, "source_kind": "article"}) is None
    mirror = bib._from_row({**row, "source_kind": "mirror", "mirror_of": "copy on c.example"})
    assert mirror["publisher"] == "Reprinted by copy on c.example; also at http://b.example/y"


def test_the_paper_cites_every_generated_entry_and_the_file_is_csl_json(data_copy):
    (data_copy / "paper").mkdir()
    for name in ("references.bib",):
        (data_copy / "paper" / name).write_text((REPO / "paper" / name).read_text(encoding="utf-8"), encoding="utf-8")
    sources = bib.data_sources(data_copy)
    listing, research = bib.sources_markdown(data_copy, sources)
    cited = {key for line in listing.splitlines() for key in line.split("@")[1:]}
    cited = {key.split(";")[0].split("]")[0] for key in cited}
    table_keys = {item["id"] for table, items in sources.items() if table != bib.RESEARCH for item in items}
    research_keys = {item["id"] for item in sources.get(bib.RESEARCH, [])}
    assert cited == table_keys and set(research) == research_keys and research_keys  # the evidence's sources: nocite
    written = json.loads(bib.write_csl(data_copy, sources).read_text(encoding="utf-8"))
    assert {item["id"] for item in written} == table_keys | research_keys
    assert all(item["type"] == "webpage" and item["title"] for item in written)
