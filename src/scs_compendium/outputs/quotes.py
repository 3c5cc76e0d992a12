"""How quotes and excerpts read in the report: cut at word or sentence boundaries, with an ellipsis where text was left out.

An evidence row's quote is a verbatim piece of its source's stored excerpt, and an excerpt a piece of the
source; either may begin or end inside a word ('...for the f'). Shown, a quote that ends inside a word is
taken to the end of that word in the excerpt; a piece that does not begin or end a sentence gets an ellipsis
there. Chinese, Japanese and Korean text has no spaces between words: it is cut only at its punctuation.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
_SENTENCE_END = set(".!?;:。！？；：…\"'”’)）」』")
_CLAUSE = set(",，、")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _wordy(char: str) -> bool:
    """A character that continues a word of a spaced script (a Latin letter or digit, not a CJK character)."""
    return bool(char) and (char.isalnum() or char in "-'’") and not _CJK.match(char)


def _begins_sentence(before: str) -> bool:
    """Whether text preceded by `before` (what comes before it in the excerpt) starts a sentence."""
    tail = before.rstrip()
    return not tail or tail[-1] in _SENTENCE_END


def _ends_sentence(text: str, after: str) -> bool:
    return text.rstrip()[-1:] in _SENTENCE_END or not after.strip()


def excerpt_text(text: str) -> str:
    """An excerpt as stored (itself cut from its source): a partial first or last word dropped, '…' where it was cut."""
    body = " ".join(text.split())
    if not body:
        return body
    start, end = "", ""
    if _wordy(body[0]) and body[0].islower():  # begins inside a word or sentence: drop the fragment
        cut = re.match(r"\S*\s+", body)
        if cut and len(cut.group(0)) < len(body):
            body = body[cut.end():]
        start = ELLIPSIS + " "
    if body[-1] not in _SENTENCE_END:
        if _wordy(body[-1]) and " " in body:  # the last word may be cut: drop it
            body = body[: body.rindex(" ")].rstrip(",;: ")
        end = " " + ELLIPSIS if not _CJK.match(body[-1:]) else ELLIPSIS
    return start + body + end


def quote_text(quote: str, excerpt: str = "") -> str:
    """A quote as shown: taken to whole words of its excerpt, with '…' where it begins or ends inside a sentence."""
    body = " ".join(quote.split())
    if not body:
        return body
    flat = " ".join(excerpt.split())
    at = flat.find(body) if flat else -1
    if at < 0:
        return body
    before, after = flat[:at], flat[at + len(body):]
    while _wordy(body[-1:]) and _wordy(after[:1]):  # ends inside a word: finish the word
        body, after = body + after[0], after[1:]
    while _wordy(body[:1]) and _wordy(before[-1:]):  # begins inside a word: start at the word
        body, before = before[-1] + body, before[:-1]
    lead = "" if _begins_sentence(before) else ELLIPSIS + ("" if _CJK.match(body[:1]) else " ")
    trail = "" if _ends_sentence(body, after) else ("" if _CJK.match(body[-1:]) else " ") + ELLIPSIS
    return lead + body.rstrip(",，、;") + trail
