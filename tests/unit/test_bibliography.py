"""The bibliography of the data: every document the tables and the claims' research read, once, with its publisher."""

from __future__ import annotations

import csv
import json
import re

from scs_compendium.outputs import bibliography as bib

from ..conftest import REPO


def test_every_source_of_the_data_tables_is_a_document_of_the_bibliography():
    sources = bib.data_sources(REPO)
    table = {s["id"]: s for s in csv.DictReader((REPO / "data/evidence/sources.csv").open(encoding="utf-8"))}
    known = bib._known(REPO)
    for path in sorted((REPO / "data/raw").glob("*.csv")):
        items = sources.get(path.stem, [])
        listed = {item.get("URL") for item in items} | {u.strip(";,") for item in items for u in item.get("publisher", "").split() if u.startswith("http")}
        for row in csv.DictReader(path.open(encoding="utf-8")):
            for sid in filter(None, (row.get("source") or "").split(";")):
                url = table[sid]["url"]
                if table[sid]["kind"] != "the article" and url.startswith("http"):
                    assert url in listed or url in known, f"{path.name}: source {sid} ({url}) is in no entry of its table"
    items = [item for table in sources.values() for item in table]
    assert len({item["id"] for item in items}) == len({item.get("URL") or item["id"] for item in items})


def test_the_publishers_of_the_figures_come_first():
    authors = {a["literal"] for table in bib.data_sources(REPO).values() for item in table for a in item.get("author", [])}
    for publisher in ("National Bureau of Statistics", "Supreme People's Court", "State Administration for Market Regulation",
                      "Creditreform", "Urban Institute"):
        assert publisher in authors, publisher


def test_a_copy_is_listed_under_its_original_and_every_entry_has_its_access_date():
    items = [item for table in bib.data_sources(REPO).values() for item in table]
    [original] = [i for i in items if "Read at https://m.news.shi-fen.com/china/201902/50-214718.html" in i.get("publisher", "")]
    assert original["author"] == [{"literal": "National Bureau of Statistics"}] and "URL" not in original  # not read itself
    read = [item for item in items if "accessed" in item]
    assert read and all(item["accessed"]["date-parts"][0][:2] in ([2026, 11], [2026, 12]) for item in read)
    unread = [item for item in items if "accessed" not in item]
    assert all("no stored copy read" in item.get("publisher", "").lower() or "read at" in item.get("publisher", "").lower()
               for item in unread)
    assert not any(i.get("URL") == "https://doi.org/10.1515/asia-2021-0019" for i in items)  # references.bib's bloch2022


def test_documents_of_the_sources_table():
    blank = dict.fromkeys(["title", "author", "publisher", "published", "url", "accessed", "kind", "copy_of", "verified"], "")
    rows = [{**blank, "id": "nbs", "title": "Communique", "publisher": "NBS", "published": "2019-02-28", "kind": "official statistics",
             "verified": "no"},
            {**blank, "id": "copy", "title": "Repost", "publisher": "a.example", "url": "http://a.example/x", "accessed": "2026-11-26",
             "kind": "blog or copy", "copy_of": "nbs", "verified": "yes"},
            {**blank, "id": "lost", "title": "Gone", "author": "Li", "publisher": "Paper", "url": "http://b.example/y", "kind": "press",
             "verified": "no"},
            {**blank, "id": "bloch-2022", "title": "The article", "kind": "the article"}]
    documents = bib._documents(rows)
    assert set(documents) == {"nbs", "copy", "lost"} and documents["copy"] is documents["nbs"]
    assert documents["nbs"]["author"] == [{"literal": "NBS"}] and documents["nbs"]["publisher"] == "Read at http://a.example/x"
    assert documents["nbs"]["issued"] == {"date-parts": [[2019, 2, 28]]}
    assert documents["lost"]["author"] == [{"literal": "Li"}] and documents["lost"]["publisher"] == "Paper; no stored copy read"


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
    bib_keys = {"bloch2022", "jasanoff2015", "kostka2019", "npcic2019", "googletrends"} <= set(research)  # every work of references.bib
    assert cited == table_keys and set(research) - research_keys == set(re.findall(r"@\w+\{([^,\s]+),", (REPO / "paper/references.bib").read_text()))
    assert bib_keys and research_keys  # the evidence's sources and references.bib's works: nocite
    written = json.loads(bib.write_csl(data_copy, sources).read_text(encoding="utf-8"))
    assert {item["id"] for item in written} == table_keys | research_keys
    assert all(item["type"] == "webpage" and (item.get("title") or item["genre"].startswith("[")) for item in written)


def test_a_document_that_references_bib_lists_is_not_listed_again_even_under_its_copy():
    # the NPCIC's 2018 annual report is in references.bib at the address of the reprint that was read
    items = [item for table in bib.data_sources(REPO).values() for item in table]
    assert "https://henan.china.com/news/hot/2019/0215/253010958.html" in bib._known(REPO)
    assert not any("henan.china.com" in item.get("publisher", "") or "henan.china.com" in item.get("URL", "") for item in items)


def test_a_description_standing_for_a_missing_title_is_printed_in_square_brackets():
    assert bib.description("(Xinhua report on Suining's mass credit scores)") == "[Xinhua report on Suining's mass credit scores]"
    assert bib.description("(The Paper report (6 September 2020) on Suzhou)") == "[The Paper report (6 September 2020) on Suzhou]"
    own = "(十八大·中国聚焦)中共首提“社会主义核心价值观”汲取人类文明共同成果"  # the source's own title
    assert bib.description(own) is None and bib._item(url="http://a.example/t", title=" Trust ", author="")["title"] == "Trust"
    items = [item for table in bib.data_sources(REPO).values() for item in table]
    assert own in {item.get("title") for item in items}
    assert not any(t.startswith("(") and t.endswith(")") for t in (item.get("title", "") for item in items))
    described = [item for item in items if "title" not in item]
    assert described and all(item["genre"].startswith("[") and item["genre"].endswith("]") for item in described)


def test_a_description_prints_without_the_quotation_marks_of_a_title(tmp_path):
    """With the paper's style (Chicago author-date), a title is quoted and a description, as of an untitled work, is not."""
    import pypandoc

    items = [bib._item(url="http://a.example/1", title="(Xinhua report on Suining)", author="Xinhua"),
             bib._item(url="http://a.example/2", title="Suining's scores", author="Xinhua")]
    (tmp_path / "refs.json").write_text(json.dumps(items), encoding="utf-8")
    text = pypandoc.convert_text('---\nnocite: "@*"\n---\n', "plain", format="markdown", extra_args=[
        "--citeproc", f"--bibliography={tmp_path / 'refs.json'}", f"--csl={REPO / 'paper/chicago-author-date.csl'}"])
    flat = " ".join(text.split())
    assert "[Xinhua report on Suining]." in flat and "“[Xinhua" not in flat and "“Suining’s scores.”" in flat
