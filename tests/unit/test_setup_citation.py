"""CITATION.cff is valid CFF 1.2.0 and cites the compendium with the article as a reference;
.zenodo.json says the same (title, version, creators, licence, keywords, the article's DOI).

The schema is `.ci/cff-1.2.0.schema.json`, the Citation File Format's 1.2.0 JSON schema
(CC BY 4.0) as shipped inside cffconvert 2.0.0. cffconvert itself cannot share the project's
environment (it needs jsonschema < 4), so the schema is checked here with the pinned jsonschema,
as cffconvert does (Draft 7); `cffconvert --validate -i CITATION.cff` gives the same verdict.
"""

from __future__ import annotations

import datetime
import json

import jsonschema
import yaml

from ..conftest import REPO

ARTICLE_DOI = "10.1515/asia-2021-0019"


def citation() -> dict:
    data = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    # an unquoted date is read by YAML as a date; CFF wants the YYYY-MM-DD string
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime.date) else v))


def zenodo() -> dict:
    return json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))


def test_citation_cff_is_valid_cff_1_2_0():
    schema = json.loads((REPO / ".ci/cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(citation())]
    assert not errors, errors


def test_citation_cites_the_compendium_and_references_the_article():
    cff = citation()
    assert cff["type"] == "software"
    assert {"title", "version", "date-released", "authors", "license"} <= set(cff)
    assert "preferred-citation" not in cff, "the compendium itself is what CITATION.cff cites"
    project = (REPO / "pyproject.toml").read_text()
    assert f'version = "{cff["version"]}"' in project, "CITATION.cff and pyproject.toml versions differ"
    (article,) = [r for r in cff["references"] if r.get("doi") == ARTICLE_DOI]
    assert article["type"] == "article"
    assert article["authors"] == [{"family-names": "Bloch", "given-names": "Marylaure"}]
    assert article["journal"] == "Asiatische Studien - Études Asiatiques"
    assert (article["volume"], article["issue"], article["start"], article["end"], article["year"]) == (76, 1, 37, 61, 2022)


def creator_names(authors: list[dict]) -> list[str]:
    """CFF persons and entities as Zenodo creator names ('Family, Given' or the entity's name)."""
    return [a["name"] if "name" in a else f"{a['family-names']}, {a['given-names']}" for a in authors]


def test_zenodo_metadata_agrees_with_citation_cff():
    cff, zen = citation(), zenodo()
    assert zen["upload_type"] == "software"
    assert zen["title"] == cff["title"]
    assert zen["version"] == cff["version"]
    assert zen["publication_date"] == cff["date-released"]
    assert [c["name"] for c in zen["creators"]] == creator_names(cff["authors"])
    assert zen["license"] == cff["license"] == "MIT"
    assert zen["keywords"] == cff["keywords"]
    assert zen["description"].strip()
    assert {"identifier": ARTICLE_DOI, "relation": "isSupplementTo", "scheme": "doi",
            "resource_type": "publication-article"} in zen["related_identifiers"]
