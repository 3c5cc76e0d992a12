"""Quotes and excerpts in the report: cut at word or sentence boundaries with an ellipsis; other languages glossed."""

from __future__ import annotations

from pathlib import Path

from scs_compendium.outputs.quotes import excerpt_text, quote_text
from scs_compendium.sources.evidence import load_evidence

EXCERPT = "It said so. The plan is for the future of all citizens, and more."


def test_a_quote_cut_inside_a_word_is_taken_to_the_word_and_marked_where_text_is_left_out():
    assert quote_text("for the f", EXCERPT) == "… for the future …"  # never "…for the f”"
    assert quote_text("The plan is for the future of all citizens", EXCERPT) == "The plan is for the future of all citizens …"
    assert quote_text("It said so.", EXCERPT) == "It said so."  # a whole sentence needs no ellipsis
    assert quote_text("said so", "") == "said so"  # without its excerpt a quote is shown as stored


def test_chinese_is_cut_at_its_punctuation_only():
    excerpt = "1978年12月中国共产党第十一届三中全会确立了对内改革、对外开放的方针。其后"
    assert quote_text("中国共产党第十一届三中全会", excerpt) == "…中国共产党第十一届三中全会…"
    assert quote_text("1978年12月中国共产党第十一届三中全会确立了对内改革、对外开放的方针。", excerpt).endswith("方针。")


def test_an_excerpt_cut_from_its_source_drops_its_partial_words():
    assert excerpt_text("e. Every Chinese citizen receives a literal, numeric index o") == \
        "… Every Chinese citizen receives a literal, numeric index …"
    assert excerpt_text("A whole sentence.") == "A whole sentence."


def test_no_quote_of_the_evidence_is_shown_beginning_or_ending_inside_a_word():
    evidence = load_evidence()
    checked = 0
    for row in evidence.first:
        if not row.quote:
            continue
        flat = " ".join(evidence.sources[row.source].excerpt.split())
        body = quote_text(row.quote, flat).strip(" …")
        at = flat.find(body)
        if at < 0:  # a trailing comma dropped
            continue
        after, before = flat[at + len(body):at + len(body) + 1], flat[at - 1:at] if at else ""
        latin = lambda c: c.isascii() and c.isalnum()  # noqa: E731
        assert not (latin(body[-1]) and latin(after)) and not (latin(body[0]) and latin(before)), (row.key, body)
        checked += 1
    assert checked > 300


def test_every_quote_in_another_language_has_an_english_gloss_on_the_claims_page():
    from scs_compendium.outputs.evidence_view import gloss

    evidence = load_evidence()
    quoted = [(row, evidence.sources[row.source]) for row in evidence.first if row.quote]
    foreign = [(row, source) for row, source in quoted if source.language != "en"]
    assert len(foreign) > 100 and all(gloss(row.quote, source, row) for row, source in foreign)
    assert not any(gloss(row.quote, source, row) for row, source in quoted if source.language == "en")
    template = (Path(__file__).parents[2] / "src/scs_compendium/outputs/templates/claims.html.j2").read_text()
    assert 'class="gloss" lang="en">in English: {{ r.gloss }}' in template
