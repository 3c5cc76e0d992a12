"""Issue #15, round two: statements and data are text in every output (claims.md, claims.html, the
paper's filled manuscript and its claims table), never live markup."""

from __future__ import annotations

import json
import re

import pypandoc
import pytest

from scs_compendium.engine.spec import load_pipeline
from scs_compendium.outputs.paper import Resolver, claims_appendix
from scs_compendium.outputs.report import render_html, render_markdown

HOSTILE = [
    '<b onmouseover="alert(1)">bold</b>',
    '<a href="javascript:alert(2)">click</a>',
    "<script>alert(3)</script> and the rest of the cell",
    "[link](javascript:alert(4)) *emph* `code` @citekey $x$ ~sub~ ^sup^ | pipe <!-- comment",
]
# A tag or construct that would be live in the HTML that Pandoc makes of the Markdown.
LIVE = re.compile(r"<(b|a|i|script|em|code|sub|sup)\b|<!--|class=\"math")


def row(statement: str, evidence: str = "from data: <i>x</i>") -> dict:
    return {"id": "c1", "section": "3", "footnote": 11, "statement": statement, "reported": "5 %",
            "value": 5, "value_text": "5", "verdict": "reproduced", "basis": "outside data", "why": evidence,
            "rule": {"kind": "source"}, "thresholds": {}, "readings": [], "evidence": evidence, "step": "a",
            "notebook": None, "notebook_html": None, "figures": [],
            "research": {"status": "corroborated", "looked_for": statement, "searched": [statement],
                         "sources": [{"title": statement, "url": "urn:x-test", "accessed": "2026-11-26",
                                      "quote": statement}]}}


STAMP = {"commit": "abc", "generated": "now"}


def html_of(markdown: str, dialect: str) -> str:
    return pypandoc.convert_text(markdown, "html", format=dialect)


def assert_inert(html: str) -> None:
    assert not LIVE.search(html), (LIVE.search(html).group(0), html)


@pytest.mark.parametrize("statement", HOSTILE)
def test_claims_markdown_shows_html_as_text(statement):
    markdown = render_markdown([row(statement)], STAMP)
    html = html_of(markdown, "gfm")
    claim_row = next(line for line in html.split("<tr")[1:] if "c1" in line)
    assert_inert(claim_row)
    assert "and the rest of the cell" in claim_row if "<script>" in statement else True
    assert "reproduced" in claim_row and "from data" in claim_row  # nothing swallowed the rest of the row


@pytest.mark.parametrize("statement", HOSTILE)
def test_claims_html_report_escapes_statements_and_evidence(statement):
    page = render_html([row(statement, evidence=statement)])
    body = page.split('id="claims">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "<b " not in body and "<script" not in body and "javascript:alert(2)\">" not in body
    assert "&lt;" in body or "<" not in statement


def test_paper_placeholders_and_claims_appendix_are_text(toy_fresh):
    (toy_fresh / "build/results").mkdir(parents=True)
    (toy_fresh / "build/results/a.json").write_text(json.dumps(
        {"step": "a", "parameters": {}, "provenance": {}, "values": {"label": HOSTILE[0], "note": HOSTILE[2]}}))
    (toy_fresh / "build/claims.json").write_text(json.dumps({"claims": [row(HOSTILE[1]) | {"id": "c1"}], "arguments": []}))
    resolver = Resolver(load_pipeline(toy_fresh))
    html = html_of(resolver.fill("Label {{a:label}}; note {{a:note}}; claim {{claims:c1.statement}}."), "markdown")
    assert_inert(html)
    assert "&lt;b onmouseover" in html and "and the rest of the cell" in html
    # The appendix has markup of its own (bold id, italic labels): a hostile claim adds none to it.
    appendix = html_of(claims_appendix(resolver), "markdown")
    (toy_fresh / "build/claims.json").write_text(json.dumps({"claims": [row("a plain statement", evidence="plain") | {"id": "c1"}], "arguments": []}))
    plain = html_of(claims_appendix(Resolver(load_pipeline(toy_fresh))), "markdown")
    assert sorted(LIVE.findall(appendix)) == sorted(LIVE.findall(plain)) != []
    assert "click&lt;/a&gt; (reported" in appendix and "Research:" in appendix  # nothing swallowed the rest of the block


def test_escaping_keeps_the_text():
    from scs_compendium.outputs.formatting import escape_markdown

    for text in HOSTILE:
        assert pypandoc.convert_text(escape_markdown(text), "plain", format="markdown-smart").strip().replace("\n", " ") \
            == " ".join(text.split())
