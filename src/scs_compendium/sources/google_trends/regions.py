"""Regions of Google Trends series: 'Worldwide' in the interface languages, country names to codes.

A region reaches a snapshot from the export's header ('Social Credit System: (United States)'),
from `--geo`, or from the `geo` parameter of the step; all three are normalised alike, so that
`-p search_interest.geo=US` finds the export whose header says 'United States' (or 'États-Unis').
Worldwide is ''. A country name in one of Google Trends' interface languages becomes its ISO
3166 code (the names come from the CLDR data of the pinned `babel` package, when installed); a
code stays a code (upper case); any other region (a state, a city) keeps its name. A region that
is no name at all (a path, control characters) is refused: it would become part of a file name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ...errors import shown
from .client import TrendsError

# 'Worldwide' as trends.google.com writes it in its interface languages (lower case).
WORLDWIDE = {"worldwide", "weltweit", "monde", "dans le monde entier", "todo el mundo", "tutto il mondo",
             "todo o mundo", "mundo", "wereldwijd", "cały świat", "dünya genelinde", "весь мир", "全球", "全世界",
             "전 세계", "world"}
CODE = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3}){0,2}")  # US, US-CA, US-CA-807 (a metro area)
_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "ru", "uk", "cs", "sv", "da", "nb", "fi", "hu",
              "el", "ro", "id", "vi", "th", "ja", "ko", "zh_Hans", "zh_Hant", "ar", "he")
_ALIASES = {"UK": "GB"}  # what people type; Google Trends says GB
_PUNCTUATION = set(" .,'\u2019&()-")


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold().split())


@lru_cache(maxsize=1)
def country_codes() -> dict[str, str]:
    """Country name (case-folded, in each interface language) -> ISO 3166 code; empty without babel."""
    try:
        from babel import Locale
    except ImportError:  # babel comes with JupyterLab; without it, names stay names
        return {}
    names: dict[str, str] = {}
    for language in _LANGUAGES:
        try:
            territories = Locale.parse(language).territories
        except Exception:  # noqa: BLE001  (a locale missing from this babel: skip it)
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(_key(name), code)
    return names


def normalise_geo(text: object, where: str) -> str:
    """'' for worldwide, an upper-case code for a code or a known country name, else the region's name;
    a TrendsError naming `where` for text that is no region name."""
    label = " ".join(str(text).split()) if text is not None else ""
    if not label or _key(label) in WORLDWIDE:
        return ""
    if CODE.fullmatch(label.upper()) and label in (label.upper(), label.lower()):  # a code, as typed
        return _ALIASES.get(label.upper(), label.upper())
    if ".." in label or not all(ch.isalnum() or ch in _PUNCTUATION for ch in label) or len(label) > 80:
        raise TrendsError(f"{where} {shown(str(text))} is not a region; expected a region's name ('Worldwide', "
                          "'United States') or its Google Trends code (US, US-CA), '' for worldwide")
    return country_codes().get(_key(label), label)


def same_region(a: object, b: object) -> bool:
    """Whether two regions, as stored or as asked for, are the same ('US' and 'United States' are)."""
    try:
        return _key(normalise_geo(a, "geo")) == _key(normalise_geo(b, "geo"))
    except TrendsError:
        return False
